// The default store: the in-process SlidingWindowLimiter (pure, in src/enforce) behind the async
// interface. Counters live as long as the gateway process; one JS turn per admission makes it
// exact however many calls arrive at once.

import { SlidingWindowLimiter, type Admission, type AdmissionTicket, type LimitClaim, type LimitSubject } from '../../enforce/index.js';
import type { LimitStore } from './limit-store.js';

export class MemoryLimitStore implements LimitStore {
  readonly description = 'memory';
  readonly #limiter: SlidingWindowLimiter;
  readonly #clock: () => number;

  constructor(limiter: SlidingWindowLimiter = new SlidingWindowLimiter(), clock: () => number = Date.now) {
    this.#limiter = limiter;
    this.#clock = clock;
  }

  tryAdmit(claims: readonly LimitClaim[], who: LimitSubject, nowMs?: number): Promise<Admission> {
    return Promise.resolve(this.tryAdmitNow(claims, who, nowMs));
  }

  tryAdmitNow(claims: readonly LimitClaim[], who: LimitSubject, nowMs?: number): Admission {
    return this.#limiter.tryAdmit(claims, who, nowMs ?? this.#clock());
  }

  release(ticket: AdmissionTicket): Promise<void> {
    this.#limiter.release(ticket);
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
