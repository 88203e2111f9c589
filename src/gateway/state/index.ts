// The gateway's state stores. Only rate-limit counters for now; pending approvals will live next
// to them (SPEC §6). The SQLite and Redis clients are loaded only when asked for, so a gateway
// with counters in memory starts without them.

import type { Logger } from '../log.js';
import type { LimitStore } from './limit-store.js';
import { MemoryLimitStore } from './memory.js';

export { LimitStoreOpenError, LimitStoreUnavailable, type LimitStore } from './limit-store.js';
export { MemoryLimitStore } from './memory.js';

/** Where `policyc serve` keeps its counters: `--state FILE`, `--redis URL`, or in the process. */
export type StateSpec = { kind: 'memory' } | { kind: 'sqlite'; path: string } | { kind: 'redis'; url: string };

/** Opens the store; throws LimitStoreOpenError when it cannot be used, so the gateway does not start. */
export async function openLimitStore(spec: StateSpec, log: Logger): Promise<LimitStore> {
  switch (spec.kind) {
    case 'memory':
      return new MemoryLimitStore();
    case 'sqlite': {
      const { SqliteLimitStore } = await import('./sqlite.js');
      return SqliteLimitStore.open(spec.path);
    }
    case 'redis': {
      const { RedisLimitStore } = await import('./redis.js');
      return RedisLimitStore.open(spec.url, { log });
    }
  }
}
