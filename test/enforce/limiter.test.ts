import { describe, expect, it } from 'vitest';

import { decide, preparePolicy, SlidingWindowLimiter, type Admission } from '../../src/enforce/index.js';
import type { LimitClaim } from '../../src/enforce/types.js';
import type { LimitScope } from '../../src/model/policy.js';
import { buildPolicy, eq, limit } from './build.js';

function claim(id: string, max: number, windowMs: number, by: LimitScope = 'identity'): LimitClaim {
  return { id, key: `key-${id}`, max, per: `${windowMs}ms`, window_ms: windowMs, by };
}

const ALICE = { identity: 'alice', session: 's1' };
const BOB = { identity: 'bob', session: 's2' };

/** What an admission says, in a form a table compares: true, or [claim id, retry after]. */
function outcome(admission: Admission): true | [string, number] {
  return admission.admitted ? true : [admission.claim.id, admission.retryAfterMs];
}

describe('sliding windows', () => {
  it('admits at most max in any window, freeing each slot exactly window_ms after its admission', () => {
    const limiter = new SlidingWindowLimiter();
    const c = [claim('r1', 3, 1000)];
    const at = (t: number): true | [string, number] => outcome(limiter.tryAdmit(c, ALICE, t));
    expect(at(0)).toBe(true);
    expect(at(100)).toBe(true);
    expect(at(200)).toBe(true);
    expect(at(200)).toEqual(['r1', 800]);
    expect(at(999)).toEqual(['r1', 1]); // 0 is still inside (−1, 999]
    expect(at(1000)).toBe(true); // 0 has left [0, 1000)
    expect(at(1000)).toEqual(['r1', 100]); // now 100, 200, 1000 are kept
    expect(at(1099)).toEqual(['r1', 1]);
    expect(at(1100)).toBe(true);
    expect(at(1200)).toBe(true);
    expect(at(1201)).toEqual(['r1', 799]); // 1000, 1100, 1200 kept; 1000 frees at 2000
  });

  it('is not a calendar window: a burst at the end of one minute blocks the start of the next', () => {
    const limiter = new SlidingWindowLimiter();
    const c = [claim('r1', 2, 60_000)];
    expect(outcome(limiter.tryAdmit(c, ALICE, 59_000))).toBe(true);
    expect(outcome(limiter.tryAdmit(c, ALICE, 59_500))).toBe(true);
    expect(outcome(limiter.tryAdmit(c, ALICE, 60_001))).toEqual(['r1', 58_999]);
    expect(outcome(limiter.tryAdmit(c, ALICE, 119_000))).toBe(true);
  });

  it('counts exactly over many windows (a limit of 1 per window)', () => {
    const limiter = new SlidingWindowLimiter();
    const c = [claim('r1', 1, 10)];
    const admitted: number[] = [];
    for (let t = 0; t < 100; t++) if (limiter.tryAdmit(c, ALICE, t).admitted) admitted.push(t);
    expect(admitted).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
  });

  it('grows its ring up to large limits', () => {
    const limiter = new SlidingWindowLimiter();
    const c = [claim('r1', 1000, 1_000_000)];
    for (let t = 0; t < 1000; t++) expect(limiter.tryAdmit(c, ALICE, t).admitted).toBe(true);
    expect(outcome(limiter.tryAdmit(c, ALICE, 1000))).toEqual(['r1', 999_000]);
    expect(outcome(limiter.tryAdmit(c, ALICE, 1_000_000))).toBe(true);
    expect(outcome(limiter.tryAdmit(c, ALICE, 1_000_000))).toEqual(['r1', 1]);
  });

  it('keeps times in order when the clock steps back', () => {
    const limiter = new SlidingWindowLimiter();
    const c = [claim('r1', 2, 1000)];
    expect(outcome(limiter.tryAdmit(c, ALICE, 5000))).toBe(true);
    expect(outcome(limiter.tryAdmit(c, ALICE, 4000))).toBe(true); // recorded as 5000
    expect(outcome(limiter.tryAdmit(c, ALICE, 5999))).toEqual(['r1', 1]);
    expect(outcome(limiter.tryAdmit(c, ALICE, 6000))).toBe(true);
  });
});

describe('atomic across claims', () => {
  it('admits only when every claim has room, and then counts against all of them', () => {
    const limiter = new SlidingWindowLimiter();
    const rule = claim('r1', 5, 1000);
    const all = claim('a1', 2, 1000);
    expect(outcome(limiter.tryAdmit([rule, all], ALICE, 0))).toBe(true);
    expect(outcome(limiter.tryAdmit([rule, all], ALICE, 10))).toBe(true);
    // a1 is full: refused, naming a1, and r1 is not charged.
    expect(outcome(limiter.tryAdmit([rule, all], ALICE, 20))).toEqual(['a1', 980]);
    expect(outcome(limiter.tryAdmit([rule, all], ALICE, 30))).toEqual(['a1', 970]);
    for (let i = 0; i < 3; i++) expect(outcome(limiter.tryAdmit([rule], ALICE, 40 + i))).toBe(true);
    expect(outcome(limiter.tryAdmit([rule], ALICE, 50))).toEqual(['r1', 950]);
  });

  it('names the first full claim in the order given', () => {
    const limiter = new SlidingWindowLimiter();
    const a = claim('r1', 1, 1000);
    const b = claim('a1', 1, 500);
    limiter.tryAdmit([a, b], ALICE, 0);
    expect(outcome(limiter.tryAdmit([a, b], ALICE, 1))).toEqual(['r1', 999]);
    expect(outcome(limiter.tryAdmit([b, a], ALICE, 1))).toEqual(['a1', 499]);
  });

  it('counts a call once against a counter two identical claims share', () => {
    const limiter = new SlidingWindowLimiter();
    const one = claim('r1', 2, 1000);
    const twin = { ...one, id: 'r2' };
    expect(outcome(limiter.tryAdmit([one, twin], ALICE, 0))).toBe(true);
    expect(outcome(limiter.tryAdmit([one, twin], ALICE, 1))).toBe(true);
    expect(outcome(limiter.tryAdmit([one, twin], ALICE, 2))).toEqual(['r1', 998]);
  });

  it('admits a call with no claims without keeping anything', () => {
    const limiter = new SlidingWindowLimiter();
    const admission = limiter.tryAdmit([], ALICE, 0);
    expect(admission.admitted).toBe(true);
    if (admission.admitted) limiter.release(admission.ticket);
    expect(limiter.size).toBe(0);
  });
});

describe('release', () => {
  it('gives the quota back, once', () => {
    const limiter = new SlidingWindowLimiter();
    const c = [claim('r1', 2, 1000), claim('a1', 10, 1000, 'global')];
    const first = limiter.tryAdmit(c, ALICE, 0);
    expect(outcome(limiter.tryAdmit(c, ALICE, 100))).toBe(true);
    expect(outcome(limiter.tryAdmit(c, ALICE, 200))).toEqual(['r1', 800]);
    if (!first.admitted) throw new Error('first call refused');
    limiter.release(first.ticket);
    expect(outcome(limiter.tryAdmit(c, ALICE, 200))).toBe(true);
    limiter.release(first.ticket); // again: nothing more comes back
    expect(outcome(limiter.tryAdmit(c, ALICE, 300))).toEqual(['r1', 800]);
  });

  it('gives back the released admission, not the oldest', () => {
    const limiter = new SlidingWindowLimiter();
    const c = [claim('r1', 2, 1000)];
    limiter.tryAdmit(c, ALICE, 0);
    const second = limiter.tryAdmit(c, ALICE, 500);
    if (!second.admitted) throw new Error('second call refused');
    limiter.release(second.ticket);
    // 0 is still in the window: one slot free until 1000, then two.
    expect(outcome(limiter.tryAdmit(c, ALICE, 600))).toBe(true);
    expect(outcome(limiter.tryAdmit(c, ALICE, 700))).toEqual(['r1', 300]);
  });

  it('ignores the ticket of another limiter, and a ticket whose admission expired', () => {
    const one = new SlidingWindowLimiter();
    const two = new SlidingWindowLimiter();
    const c = [claim('r1', 1, 1000)];
    const ticket = one.tryAdmit(c, ALICE, 0);
    two.tryAdmit(c, ALICE, 0);
    if (!ticket.admitted) throw new Error('refused');
    two.release(ticket.ticket);
    expect(outcome(two.tryAdmit(c, ALICE, 1))).toEqual(['r1', 999]);
    expect(outcome(one.tryAdmit(c, ALICE, 1000))).toBe(true);
    one.release(ticket.ticket); // its admission left the ring when 1000 took the slot
    expect(outcome(one.tryAdmit(c, ALICE, 1001))).toEqual(['r1', 999]);
  });
});

describe('scopes', () => {
  it('counts by identity per caller', () => {
    const limiter = new SlidingWindowLimiter();
    const c = [claim('r1', 1, 1000, 'identity')];
    expect(outcome(limiter.tryAdmit(c, ALICE, 0))).toBe(true);
    expect(outcome(limiter.tryAdmit(c, { identity: 'alice', session: 'other' }, 1))).toEqual(['r1', 999]);
    expect(outcome(limiter.tryAdmit(c, BOB, 1))).toBe(true);
  });

  it('counts by session per session', () => {
    const limiter = new SlidingWindowLimiter();
    const c = [claim('r1', 1, 1000, 'session')];
    expect(outcome(limiter.tryAdmit(c, ALICE, 0))).toBe(true);
    expect(outcome(limiter.tryAdmit(c, { identity: 'bob', session: 's1' }, 1))).toEqual(['r1', 999]);
    expect(outcome(limiter.tryAdmit(c, { identity: 'alice', session: 's3' }, 1))).toBe(true);
  });

  it('counts global for everyone together', () => {
    const limiter = new SlidingWindowLimiter();
    const c = [claim('a1', 2, 1000, 'global')];
    expect(outcome(limiter.tryAdmit(c, ALICE, 0))).toBe(true);
    expect(outcome(limiter.tryAdmit(c, BOB, 1))).toBe(true);
    expect(outcome(limiter.tryAdmit(c, { identity: 'carol', session: 's9' }, 2))).toEqual(['a1', 998]);
  });

  it('does not confuse an identity with a session of the same name', () => {
    const limiter = new SlidingWindowLimiter();
    const byIdentity = claim('r1', 1, 1000, 'identity');
    const bySession = { ...byIdentity, by: 'session' as const };
    expect(outcome(limiter.tryAdmit([byIdentity], { identity: 'x', session: 'y' }, 0))).toBe(true);
    expect(outcome(limiter.tryAdmit([bySession], { identity: 'y', session: 'x' }, 0))).toBe(true);
  });
});

describe('limits that can never admit', () => {
  it.each([
    [0, 1000],
    [-1, 1000],
    [Number.NaN, 1000],
    [0.5, 1000],
    [3, 0],
    [3, Number.NaN],
    [3, -5],
  ])('max %d per %d ms refuses, with Infinity to wait', (max, windowMs) => {
    const limiter = new SlidingWindowLimiter();
    expect(outcome(limiter.tryAdmit([claim('r1', 10, 1000), claim('bad', max, windowMs)], ALICE, 0))).toEqual(['bad', Number.POSITIVE_INFINITY]);
    expect(limiter.size).toBe(0);
  });

  it('rounds a fractional max down', () => {
    const limiter = new SlidingWindowLimiter();
    const c = [claim('r1', 2.9, 1000)];
    expect(outcome(limiter.tryAdmit(c, ALICE, 0))).toBe(true);
    expect(outcome(limiter.tryAdmit(c, ALICE, 1))).toBe(true);
    expect(outcome(limiter.tryAdmit(c, ALICE, 2))).toEqual(['r1', 998]);
  });
});

describe('memory', () => {
  it('sweeps idle counters and keeps busy ones', () => {
    const limiter = new SlidingWindowLimiter({ sweepEvery: 1_000_000 });
    const c = [claim('r1', 1, 1000, 'session')];
    for (let i = 0; i < 50; i++) limiter.tryAdmit(c, { identity: 'a', session: `s${i}` }, i);
    expect(limiter.size).toBe(50);
    expect(limiter.sweep(1010)).toBe(11); // s0…s10 admitted at 0…10 have expired at 1010
    expect(limiter.size).toBe(39);
    expect(outcome(limiter.tryAdmit(c, { identity: 'a', session: 's49' }, 1010))).toEqual(['r1', 39]);
  });

  it('sweeps on its own, so memory stays bounded under endless new sessions', () => {
    const limiter = new SlidingWindowLimiter({ sweepEvery: 100 });
    const c = [claim('r1', 5, 1000, 'session')];
    for (let i = 0; i < 10_000; i++) limiter.tryAdmit(c, { identity: 'a', session: `s${i}` }, i * 10);
    // At most the sessions of the last window (100) plus one sweep interval's worth.
    expect(limiter.size).toBeLessThanOrEqual(200);
  });

  it('keeps nothing for refused calls', () => {
    const limiter = new SlidingWindowLimiter();
    const full = claim('a1', 1, 1000, 'global');
    limiter.tryAdmit([full], ALICE, 0);
    for (let i = 0; i < 100; i++) limiter.tryAdmit([claim('r1', 5, 1000, 'session'), full], { identity: 'x', session: `s${i}` }, 1);
    expect(limiter.size).toBe(1);
  });
});

describe('counters survive a hot reload that renumbers rules', () => {
  const placeOrder = { effect: 'allow' as const, tools: ['place_order'], when: eq('trd_env', 'SIMULATE'), limit: limit(2, 60_000) };
  const call = { tool: 'place_order', args: { trd_env: 'SIMULATE' } };

  it('keeps counting the same rule under its new id', () => {
    const limiter = new SlidingWindowLimiter();
    const v1 = preparePolicy(buildPolicy({ rules: [placeOrder] }));
    const v2 = preparePolicy(buildPolicy({ rules: [{ effect: 'allow', tools: ['get_quote'], limit: limit(2, 60_000) }, placeOrder] }));
    expect(outcome(limiter.tryAdmit(decide(v1, call).limits, ALICE, 0))).toBe(true);
    expect(outcome(limiter.tryAdmit(decide(v1, call).limits, ALICE, 1))).toBe(true);
    const after = decide(v2, call).limits;
    expect(after.map((c) => c.id)).toEqual(['r2']);
    expect(outcome(limiter.tryAdmit(after, ALICE, 2))).toEqual(['r2', 59_998]);
    // …and the rule that took over the id r1 starts from zero.
    expect(outcome(limiter.tryAdmit(decide(v2, { tool: 'get_quote', args: {} }).limits, ALICE, 2))).toBe(true);
  });
});
