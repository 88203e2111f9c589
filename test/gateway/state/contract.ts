// What every rate-limit store must do, run against each of them (memory, SQLite, Redis): the
// sliding-window arithmetic of SlidingWindowLimiter, atomicity across claims, release, scopes —
// and exactness under concurrency, from one store object and from two sharing their state.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import type { Admission, AdmissionTicket, LimitClaim } from '../../../src/enforce/index.js';
import type { LimitScope } from '../../../src/model/policy.js';
import type { LimitStore } from '../../../src/gateway/state/limit-store.js';
import { MemoryLimitStore } from '../../../src/gateway/state/memory.js';

export interface StoreFactory {
  /** A store with no counters yet. */
  open(): Promise<LimitStore>;
  /** Another store object on the same state as `store` (a second connection, another replica). */
  peer(store: LimitStore): Promise<LimitStore>;
}

const MINUTE = 60_000;
export const ALICE = { identity: 'alice', session: 's1' };
export const ALICE_OTHER_SESSION = { identity: 'alice', session: 's9' };
export const BOB = { identity: 'bob', session: 's2' };

export function claim(id: string, max: number, windowMs: number, by: LimitScope = 'identity'): LimitClaim {
  return { id, key: `key-${id}`, max, per: `${windowMs}ms`, window_ms: windowMs, by };
}

/** What an admission says, in a form a table compares: true, or [claim id, retry after]. */
export function outcome(admission: Admission): true | [string, number] {
  return admission.admitted ? true : [admission.claim.id, admission.retryAfterMs];
}

export function describeLimitStore(name: string, factory: StoreFactory): void {
  /** Runs `body` with a fresh store and closes it (and any peers it opened) afterwards. */
  async function using(body: (store: LimitStore, peer: () => Promise<LimitStore>) => Promise<void>): Promise<void> {
    const store = await factory.open();
    const peers: LimitStore[] = [];
    try {
      await body(store, async () => {
        const peer = await factory.peer(store);
        peers.push(peer);
        return peer;
      });
    } finally {
      await Promise.all(peers.map((peer) => peer.close()));
      await store.close();
    }
  }

  describe(`${name} store: exact under concurrency`, () => {
    it('admits exactly 10 of 200 simultaneous calls under `limit 10 per 1m`', async () => {
      await using(async (store) => {
        const c = [claim('r1', 10, MINUTE)];
        const admissions = await Promise.all(Array.from({ length: 200 }, () => store.tryAdmit(c, ALICE)));
        expect(admissions.filter((a) => a.admitted)).toHaveLength(10);
        for (const refused of admissions.filter((a) => !a.admitted)) {
          if (refused.admitted) continue;
          expect(refused.claim.id).toBe('r1');
          expect(refused.retryAfterMs).toBeGreaterThan(MINUTE - 10_000);
          expect(refused.retryAfterMs).toBeLessThanOrEqual(MINUTE);
        }
      });
    });

    it('admits exactly 10 of 200 simultaneous calls split between two store objects sharing the state', async () => {
      await using(async (store, peer) => {
        const other = await peer();
        const c = [claim('r1', 10, MINUTE)];
        const admissions = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? store : other).tryAdmit(c, ALICE)));
        expect(admissions.filter((a) => a.admitted)).toHaveLength(10);
      });
    });

    it('stays atomic across claims under concurrency: per caller 10, all together 15', async () => {
      await using(async (store) => {
        const c = [claim('r1', 10, MINUTE), claim('a1', 15, MINUTE, 'global')];
        const admissions = await Promise.all(Array.from({ length: 200 }, (_, i) => store.tryAdmit(c, i % 2 === 0 ? ALICE : BOB).then((a) => [i % 2, a] as const)));
        const admitted = admissions.filter(([, a]) => a.admitted);
        expect(admitted).toHaveLength(15);
        expect(admitted.filter(([who]) => who === 0).length).toBeLessThanOrEqual(10);
        expect(admitted.filter(([who]) => who === 1).length).toBeLessThanOrEqual(10);
        // Nothing was charged for the refused calls: once the window has passed, both have room again.
        expect(outcome(await store.tryAdmit([claim('r1', 10, MINUTE)], ALICE, Date.now() + MINUTE + 5_000))).toBe(true);
      });
    });
  });

  describe(`${name} store: sliding windows`, () => {
    it('admits at most max in any window, freeing each slot exactly window_ms after its admission', async () => {
      await using(async (store) => {
        const c = [claim('r1', 3, MINUTE)];
        const at = async (t: number): Promise<true | [string, number]> => outcome(await store.tryAdmit(c, ALICE, t));
        expect(await at(1_000_000)).toBe(true);
        expect(await at(1_000_100)).toBe(true);
        expect(await at(1_000_200)).toBe(true);
        expect(await at(1_000_200)).toEqual(['r1', 59_800]);
        expect(await at(1_059_999)).toEqual(['r1', 1]); // 1_000_000 is still inside
        expect(await at(1_060_000)).toBe(true); // 1_000_000 has left [t, t + window)
        expect(await at(1_060_000)).toEqual(['r1', 100]);
        expect(await at(1_060_099)).toEqual(['r1', 1]);
        expect(await at(1_060_100)).toBe(true);
        expect(await at(1_060_200)).toBe(true);
        expect(await at(1_060_201)).toEqual(['r1', 59_799]);
      });
    });

    it('is not a calendar window: a burst at the end of one minute blocks the start of the next', async () => {
      await using(async (store) => {
        const c = [claim('r1', 2, MINUTE)];
        expect(outcome(await store.tryAdmit(c, ALICE, 5_059_000))).toBe(true);
        expect(outcome(await store.tryAdmit(c, ALICE, 5_059_500))).toBe(true);
        expect(outcome(await store.tryAdmit(c, ALICE, 5_060_001))).toEqual(['r1', 58_999]);
        expect(outcome(await store.tryAdmit(c, ALICE, 5_119_000))).toBe(true);
      });
    });

    it('keeps times in order when the clock steps back', async () => {
      await using(async (store) => {
        const c = [claim('r1', 2, MINUTE)];
        expect(outcome(await store.tryAdmit(c, ALICE, 2_000_000))).toBe(true);
        expect(outcome(await store.tryAdmit(c, ALICE, 1_990_000))).toBe(true); // recorded as 2_000_000
        expect(outcome(await store.tryAdmit(c, ALICE, 2_059_999))).toEqual(['r1', 1]);
        expect(outcome(await store.tryAdmit(c, ALICE, 2_060_000))).toBe(true);
      });
    });

    it('refuses for ever a limit that can never admit', async () => {
      await using(async (store) => {
        expect(outcome(await store.tryAdmit([claim('r1', 5, MINUTE), claim('r2', 0, MINUTE)], ALICE, 0))).toEqual(['r2', Number.POSITIVE_INFINITY]);
        expect(outcome(await store.tryAdmit([claim('r3', 5, Number.NaN)], ALICE, 0))).toEqual(['r3', Number.POSITIVE_INFINITY]);
        // Nothing was counted against r1.
        for (let i = 0; i < 5; i++) expect(outcome(await store.tryAdmit([claim('r1', 5, MINUTE)], ALICE, i))).toBe(true);
      });
    });
  });

  describe(`${name} store: atomic across claims`, () => {
    it('admits only when every claim has room, and then counts against all of them', async () => {
      await using(async (store) => {
        const rule = claim('r1', 5, MINUTE);
        const all = claim('a1', 2, MINUTE);
        const t = 3_000_000;
        expect(outcome(await store.tryAdmit([rule, all], ALICE, t))).toBe(true);
        expect(outcome(await store.tryAdmit([rule, all], ALICE, t + 10))).toBe(true);
        // a1 is full: refused, naming a1, and r1 is not charged.
        expect(outcome(await store.tryAdmit([rule, all], ALICE, t + 20))).toEqual(['a1', 59_980]);
        expect(outcome(await store.tryAdmit([rule, all], ALICE, t + 30))).toEqual(['a1', 59_970]);
        for (let i = 0; i < 3; i++) expect(outcome(await store.tryAdmit([rule], ALICE, t + 40 + i))).toBe(true);
        expect(outcome(await store.tryAdmit([rule], ALICE, t + 50))).toEqual(['r1', 59_950]);
      });
    });

    it('names the first full claim in the order given', async () => {
      await using(async (store) => {
        const a = claim('r1', 1, MINUTE);
        const b = claim('a1', 1, 30_000);
        await store.tryAdmit([a, b], ALICE, 0);
        expect(outcome(await store.tryAdmit([a, b], ALICE, 1))).toEqual(['r1', 59_999]);
        expect(outcome(await store.tryAdmit([b, a], ALICE, 1))).toEqual(['a1', 29_999]);
      });
    });

    it('counts a call once against a counter two identical claims share', async () => {
      await using(async (store) => {
        const one = claim('r1', 2, MINUTE);
        const twin = { ...one, id: 'r2' };
        expect(outcome(await store.tryAdmit([one, twin], ALICE, 0))).toBe(true);
        expect(outcome(await store.tryAdmit([one, twin], ALICE, 1))).toBe(true);
        expect(outcome(await store.tryAdmit([one, twin], ALICE, 2))).toEqual(['r1', 59_998]);
      });
    });

    it('admits a call with no claims', async () => {
      await using(async (store) => {
        const admission = await store.tryAdmit([], ALICE, 0);
        expect(admission.admitted).toBe(true);
        if (admission.admitted) await store.release(admission.ticket);
      });
    });
  });

  describe(`${name} store: release`, () => {
    it('gives the quota back, once', async () => {
      await using(async (store) => {
        const c = [claim('r1', 2, MINUTE), claim('a1', 10, MINUTE, 'global')];
        const first = await store.tryAdmit(c, ALICE, 0);
        expect(outcome(await store.tryAdmit(c, ALICE, 100))).toBe(true);
        expect(outcome(await store.tryAdmit(c, ALICE, 200))).toEqual(['r1', 59_800]);
        if (!first.admitted) throw new Error('first call refused');
        await store.release(first.ticket);
        expect(outcome(await store.tryAdmit(c, ALICE, 200))).toBe(true);
        await store.release(first.ticket); // again: nothing more comes back
        expect(outcome(await store.tryAdmit(c, ALICE, 300))).toEqual(['r1', 59_800]);
      });
    });

    it('gives back the released admission, not the oldest', async () => {
      await using(async (store) => {
        const c = [claim('r1', 2, MINUTE)];
        await store.tryAdmit(c, ALICE, 0);
        const second = await store.tryAdmit(c, ALICE, 30_000);
        if (!second.admitted) throw new Error('second call refused');
        await store.release(second.ticket);
        // 0 is still in the window: one slot free until 60_000, then two.
        expect(outcome(await store.tryAdmit(c, ALICE, 40_000))).toBe(true);
        expect(outcome(await store.tryAdmit(c, ALICE, 50_000))).toEqual(['r1', 10_000]);
      });
    });

    it('releases every claim of the ticket, and only its own counters', async () => {
      await using(async (store) => {
        const rule = claim('r1', 1, MINUTE);
        const all = claim('a1', 1, MINUTE, 'global');
        const alice = await store.tryAdmit([rule, all], ALICE, 0);
        if (!alice.admitted) throw new Error('refused');
        expect(outcome(await store.tryAdmit([all], BOB, 1))).toEqual(['a1', 59_999]);
        await store.release(alice.ticket);
        expect(outcome(await store.tryAdmit([all], BOB, 2))).toBe(true);
        expect(outcome(await store.tryAdmit([rule], ALICE, 3))).toBe(true);
      });
    });
  });

  describe(`${name} store: scopes`, () => {
    it('counts by identity per caller, across that caller\'s sessions', async () => {
      await using(async (store) => {
        const c = [claim('r1', 1, MINUTE, 'identity')];
        expect(outcome(await store.tryAdmit(c, ALICE, 0))).toBe(true);
        expect(outcome(await store.tryAdmit(c, ALICE_OTHER_SESSION, 1))).toEqual(['r1', 59_999]);
        expect(outcome(await store.tryAdmit(c, BOB, 2))).toBe(true);
      });
    });

    it('counts by session per MCP session', async () => {
      await using(async (store) => {
        const c = [claim('r1', 1, MINUTE, 'session')];
        expect(outcome(await store.tryAdmit(c, ALICE, 0))).toBe(true);
        expect(outcome(await store.tryAdmit(c, ALICE, 1))).toEqual(['r1', 59_999]);
        expect(outcome(await store.tryAdmit(c, ALICE_OTHER_SESSION, 2))).toBe(true);
      });
    });

    it('counts by global for everyone together', async () => {
      await using(async (store) => {
        const c = [claim('r1', 2, MINUTE, 'global')];
        expect(outcome(await store.tryAdmit(c, ALICE, 0))).toBe(true);
        expect(outcome(await store.tryAdmit(c, BOB, 1))).toBe(true);
        expect(outcome(await store.tryAdmit(c, ALICE_OTHER_SESSION, 2))).toEqual(['r1', 59_998]);
      });
    });

    it('keeps limits with different keys apart, and subjects that look alike apart', async () => {
      await using(async (store) => {
        expect(outcome(await store.tryAdmit([claim('r1', 1, MINUTE)], ALICE, 0))).toBe(true);
        expect(outcome(await store.tryAdmit([claim('r2', 1, MINUTE)], ALICE, 1))).toBe(true);
        // An identity named like another counter's parts gets a counter of its own.
        const tricky = { identity: 'alice"],["key-r1","identity","alice', session: 's1' };
        expect(outcome(await store.tryAdmit([claim('r1', 1, MINUTE)], tricky, 2))).toBe(true);
      });
    });
  });
}

/** One step of a random history: an admission at a moved clock, or the release of an earlier one. */
type Step = { kind: 'admit'; claims: number[]; who: number; dt: number } | { kind: 'release'; which: number };

const POOL: LimitClaim[] = [
  claim('r1', 2, MINUTE, 'identity'),
  claim('r2', 3, 90_000, 'global'),
  claim('r3', 1, MINUTE, 'session'),
  { ...claim('r1', 2, MINUTE, 'identity'), id: 'r4' }, // r1's twin: the same counter
  claim('r5', 4, 2 * MINUTE, 'identity'),
];
const SUBJECTS = [ALICE, ALICE_OTHER_SESSION, BOB];

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('admit' as const),
      claims: fc.uniqueArray(fc.integer({ min: 0, max: POOL.length - 1 }), { minLength: 1, maxLength: 3 }),
      who: fc.integer({ min: 0, max: SUBJECTS.length - 1 }),
      // Forward, or not at all. Not back: once an admission has expired, SQLite and Redis delete it,
      // while the in-process ring may still hold it, so a clock stepping back across that expiry
      // finds it again in memory only (the stricter answer; 'keeps times in order when the clock
      // steps back' covers what every store must agree on).
      dt: fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 0, max: 40_000 }) }, { weight: 1, arbitrary: fc.constant(0) }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('release' as const), which: fc.nat() }) },
);

/**
 * The store gives the in-process limiter's answers — admitted or not, which claim, when to retry —
 * for random histories of admissions, releases and a clock moving on (windows of minutes, so Redis's
 * own key expiry, in real time, never comes into it).
 */
export function describeAgreementWithMemory(name: string, factory: StoreFactory, runs: number): void {
  describe(`${name} store: the same answers as the in-process limiter`, () => {
    it(`agrees on ${runs} random histories of admissions, releases and clock moves`, async () => {
      // One store for every history, each history with limits of its own (their keys): no file
      // or database to create per run, and the store meets many counters, as a gateway does.
      const store = await factory.open();
      let history = 0;
      try {
        await fc.assert(
          fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 60 }), async (steps) => {
            history++;
            const pool = POOL.map((c) => ({ ...c, key: `h${history}-${c.key}` }));
            const memory = new MemoryLimitStore();
            const tickets: [AdmissionTicket, AdmissionTicket][] = [];
            let now = 10_000_000;
            for (const s of steps) {
              if (s.kind === 'release') {
                const pair = tickets[s.which % Math.max(1, tickets.length)];
                if (pair) await Promise.all([store.release(pair[0]), memory.release(pair[1])]);
                continue;
              }
              now += s.dt;
              const claims = s.claims.map((i) => pool[i] as LimitClaim);
              const who = SUBJECTS[s.who] ?? ALICE;
              const [got, expected] = await Promise.all([store.tryAdmit(claims, who, now), memory.tryAdmit(claims, who, now)]);
              expect(outcome(got)).toEqual(outcome(expected));
              if (got.admitted && expected.admitted) tickets.push([got.ticket, expected.ticket]);
            }
          }),
          { numRuns: runs },
        );
      } finally {
        await store.close();
      }
    }, 60_000);
  });
}
