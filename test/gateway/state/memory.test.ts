// The default store: the in-process limiter behind the async interface.

import { MemoryLimitStore } from '../../../src/gateway/state/memory.js';
import { describeLimitStore } from './contract.js';

describeLimitStore('memory', {
  open: () => Promise.resolve(new MemoryLimitStore()),
  // One process, one limiter: a "peer" is the same store.
  peer: (store) =>
    Promise.resolve({
      description: store.description,
      tryAdmit: (claims, who, nowMs) => store.tryAdmit(claims, who, nowMs),
      release: (ticket) => store.release(ticket),
      close: () => Promise.resolve(),
    }),
});
