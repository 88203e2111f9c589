import { describe, expect, it } from 'vitest';

import { decide, explain, isHidden, normalizeArgs, preparePolicy } from '../../src/enforce/index.js';
import type { Call, Decision, Outcome } from '../../src/enforce/types.js';
import type { Condition } from '../../src/model/condition.js';
import type { JsonObject } from '../../src/model/json.js';
import type { DefaultEffect, Effect } from '../../src/model/policy.js';
import { buildPolicy, eq, exists, limit, type PolicySpec, type RuleSpec } from './build.js';

function decideWith(spec: PolicySpec, call: Partial<Call> & { tool?: string }, knownTools?: ReadonlySet<string>): Decision {
  return decide(preparePolicy(buildPolicy(spec)), { tool: 't', args: {}, ...call }, knownTools);
}

/** The parts of a decision a table compares. */
function summary(decision: Decision): { outcome: Outcome; basis: string; rule?: string; limits: string[] } {
  return {
    outcome: decision.outcome,
    basis: decision.basis,
    ...(decision.rule === undefined ? {} : { rule: decision.rule }),
    limits: decision.limits.map((claim) => claim.id),
  };
}

describe('deny over approve over allow over default (SPEC §2.3–2.4)', () => {
  // Every combination: each effect absent, unconditional, or with a condition that is true,
  // false or an error on the call; times both defaults. The expectation is computed from the
  // words of §2: a deny applies unless its condition is false; approve and allow only when it
  // is true (or absent).
  type State = 'absent' | 'none' | 'true' | 'false' | 'error';
  const STATES: State[] = ['absent', 'none', 'true', 'false', 'error'];
  const CONDITION: Record<'true' | 'false' | 'error', Condition> = {
    true: eq('x', 1),
    false: eq('x', 2),
    error: eq('x', 'one'), // a type mismatch
  };
  const EFFECTS: Effect[] = ['deny', 'approve', 'allow'];
  const rows: [State, State, State, DefaultEffect][] = [];
  for (const deny of STATES) for (const approve of STATES) for (const allow of STATES) for (const d of ['allow', 'deny'] as const) rows.push([deny, approve, allow, d]);

  it.each(rows)('deny %s, approve %s, allow %s, default %s', (deny, approve, allow, defaultEffect) => {
    const states: Record<Effect, State> = { deny, approve, allow };
    // Rules in the order allow, approve, deny, so that id order never favours the winner.
    const rules: RuleSpec[] = [];
    const ids: Partial<Record<Effect, string>> = {};
    for (const effect of [...EFFECTS].reverse()) {
      const state = states[effect];
      if (state === 'absent') continue;
      ids[effect] = `r${rules.length + 1}`;
      rules.push({
        effect,
        tools: ['t'],
        ...(state === 'none' ? {} : { when: CONDITION[state] }),
        limit: limit(5, 1000),
      });
    }
    const applies = (effect: Effect): boolean => {
      const state = states[effect];
      if (state === 'absent') return false;
      return effect === 'deny' ? state !== 'false' : state === 'none' || state === 'true';
    };
    const winner = EFFECTS.find(applies);
    const outcome = winner ?? defaultEffect;
    const expected = {
      outcome,
      basis: winner ? 'rule' : 'default',
      ...(winner ? { rule: ids[winner] } : {}),
      limits: outcome === 'deny' ? [] : [...(['allow', 'approve'] as const).filter(applies).map((e) => ids[e] as string), 'a1'],
    };

    const spec: PolicySpec = { default: defaultEffect, rules, limits: [limit(100, 60_000)] };
    const call = { tool: 't', args: { x: 1 } };
    expect(summary(decideWith(spec, call))).toEqual(expected);
    expect(summary(explain(preparePolicy(buildPolicy(spec)), call))).toEqual(expected);
  });
});

describe('the deciding rule', () => {
  it('is the first in id order of the winning effect', () => {
    const spec: PolicySpec = {
      rules: [
        { effect: 'deny', tools: ['t'], when: eq('x', 2), reason: 'false' },
        { effect: 'deny', tools: ['t'], when: eq('missing', 1), reason: 'errors, so applies' },
        { effect: 'deny', tools: ['t'], reason: 'unconditional' },
      ],
    };
    expect(decideWith(spec, { args: { x: 1 } })).toEqual({ outcome: 'deny', basis: 'rule', rule: 'r2', reason: 'errors, so applies', limits: [] });
  });

  it('prefers approve to allow whatever their ids', () => {
    const spec: PolicySpec = {
      rules: [
        { effect: 'allow', tools: ['t'], reason: 'allowed' },
        { effect: 'approve', tools: ['t'], when: eq('x', 2) },
        { effect: 'approve', tools: ['t'], when: eq('x', 1), reason: 'a person decides' },
      ],
    };
    expect(decideWith(spec, { args: { x: 1 } })).toEqual({ outcome: 'approve', basis: 'rule', rule: 'r3', reason: 'a person decides', limits: [] });
    expect(decideWith(spec, { args: { x: 3 } })).toEqual({ outcome: 'allow', basis: 'rule', rule: 'r1', reason: 'allowed', limits: [] });
  });

  it('only counts rules that name the tool', () => {
    const spec: PolicySpec = { default: 'allow', rules: [{ effect: 'deny', tools: ['other'] }] };
    expect(summary(decideWith(spec, { tool: 't' }))).toEqual({ outcome: 'allow', basis: 'default', limits: [] });
    expect(summary(decideWith(spec, { tool: 'other' }))).toEqual({ outcome: 'deny', basis: 'rule', rule: 'r1', limits: [] });
  });

  it('orders ids by position, so r10 comes after r9', () => {
    const rules: RuleSpec[] = Array.from({ length: 10 }, (_, i) => ({ effect: 'allow', tools: [i === 8 || i === 9 ? 't' : 'u'], reason: `rule ${i + 1}` }));
    expect(decideWith({ rules }, {}).rule).toBe('r9');
  });
});

describe('unknown tools (SPEC §2.1)', () => {
  const spec: PolicySpec = { default: 'allow', rules: [{ effect: 'allow', tools: ['ghost'] }], catalog: ['t', 'u'] };
  const UNKNOWN = { outcome: 'deny', basis: 'unknown-tool', limits: [] };

  it('denies a tool the upstream does not list, even one a rule allows', () => {
    expect(decideWith(spec, { tool: 'ghost' }, new Set(['t']))).toEqual(UNKNOWN);
    expect(decideWith(spec, { tool: 't' }, new Set(['t']))).toEqual({ outcome: 'allow', basis: 'default', limits: [] });
  });

  it('uses the catalogue when the caller passes no tool list', () => {
    expect(decideWith(spec, { tool: 'ghost' })).toEqual(UNKNOWN);
    expect(decideWith(spec, { tool: 'u' }).basis).toBe('default');
  });

  it('prefers the upstream list to the catalogue', () => {
    expect(decideWith(spec, { tool: 'ghost' }, new Set(['ghost'])).basis).toBe('rule');
    expect(decideWith(spec, { tool: 't' }, new Set(['ghost']))).toEqual(UNKNOWN);
  });

  it('skips the step when there is neither', () => {
    const { catalog: _catalog, ...noCatalog } = spec;
    expect(decideWith(noCatalog, { tool: 'ghost' }).basis).toBe('rule');
    expect(decideWith(noCatalog, { tool: 'anything' }).basis).toBe('default');
  });

  it('comes before hidden', () => {
    expect(decideWith({ ...spec, hide: ['ghost'] }, { tool: 'ghost' }).basis).toBe('unknown-tool');
  });

  it('does not look names up on Object.prototype', () => {
    expect(decideWith(spec, { tool: 'constructor' })).toEqual(UNKNOWN);
    expect(decideWith(spec, { tool: '__proto__' })).toEqual(UNKNOWN);
  });
});

describe('hidden tools (SPEC §2.2)', () => {
  const HIDDEN = { outcome: 'deny', basis: 'hidden', limits: [] };
  const spec: PolicySpec = {
    default: 'allow',
    hide: ['secret'],
    rules: [{ effect: 'allow', tools: ['secret', 'funds'] }],
    identities: { bot: { hide: ['funds'] }, blind: { hide: ['*'] } },
  };

  it('hides top-level hides from everyone, allow rules notwithstanding', () => {
    for (const identity of [undefined, 'bot', 'blind', 'stranger']) {
      expect(decideWith(spec, { tool: 'secret', ...(identity === undefined ? {} : { identity }) })).toEqual(HIDDEN);
    }
  });

  it("hides an identity's hides from that identity only", () => {
    expect(decideWith(spec, { tool: 'funds', identity: 'bot' })).toEqual(HIDDEN);
    expect(decideWith(spec, { tool: 'funds' }).basis).toBe('rule');
    expect(decideWith(spec, { tool: 'funds', identity: 'stranger' }).basis).toBe('rule');
  });

  it('hides everything with "*", at the top level or in a block', () => {
    expect(decideWith(spec, { tool: 'anything', identity: 'blind' })).toEqual(HIDDEN);
    expect(decideWith({ ...spec, hide: ['*'] }, { tool: 'anything' })).toEqual(HIDDEN);
    expect(decideWith({ ...spec, hide: ['*'] }, { tool: 'funds', identity: 'bot' })).toEqual(HIDDEN);
  });

  it('is what isHidden reports', () => {
    const prepared = preparePolicy(buildPolicy(spec));
    expect(isHidden(prepared, 'secret')).toBe(true);
    expect(isHidden(prepared, 'funds')).toBe(false);
    expect(isHidden(prepared, 'funds', 'bot')).toBe(true);
    expect(isHidden(prepared, 'funds', 'stranger')).toBe(false);
    expect(isHidden(prepared, 'whatever', 'blind')).toBe(true);
    expect(isHidden(prepared, 'toString')).toBe(false);
  });
});

describe('identities', () => {
  const spec: PolicySpec = {
    rules: [
      { effect: 'allow', tools: ['quote', 'funds'], reason: 'top' },
      { effect: 'deny', tools: ['funds'], identity: 'research', reason: 'no account data' },
      { effect: 'allow', tools: ['orders'], identity: 'research', reason: 'only research' },
      { effect: 'approve', tools: ['quote'], identity: 'cautious', when: eq('big', true) },
    ],
    identities: { research: {}, cautious: {} },
  };

  it('adds the block to the top-level rules', () => {
    expect(decideWith(spec, { tool: 'funds', identity: 'research' })).toMatchObject({ outcome: 'deny', rule: 'r2', reason: 'no account data' });
    expect(decideWith(spec, { tool: 'quote', identity: 'research' })).toMatchObject({ outcome: 'allow', rule: 'r1' });
    expect(decideWith(spec, { tool: 'orders', identity: 'research' })).toMatchObject({ outcome: 'allow', rule: 'r3' });
    expect(decideWith(spec, { tool: 'quote', identity: 'cautious', args: { big: true } })).toMatchObject({ outcome: 'approve', rule: 'r4' });
    expect(decideWith(spec, { tool: 'quote', identity: 'cautious', args: { big: false } })).toMatchObject({ outcome: 'allow', rule: 'r1' });
  });

  it('gives an absent or unknown identity the top-level rules only', () => {
    for (const identity of [undefined, 'stranger', 'constructor', '__proto__', '']) {
      const as = identity === undefined ? {} : { identity };
      expect(decideWith(spec, { tool: 'funds', ...as })).toMatchObject({ outcome: 'allow', rule: 'r1' });
      expect(decideWith(spec, { tool: 'orders', ...as })).toMatchObject({ outcome: 'deny', basis: 'default' });
    }
  });

  it("does not let one identity's rules reach another", () => {
    expect(decideWith(spec, { tool: 'funds', identity: 'cautious' })).toMatchObject({ outcome: 'allow', rule: 'r1' });
    expect(decideWith(spec, { tool: 'orders', identity: 'cautious' }).basis).toBe('default');
  });

  it('traces the rules of both, in id order, with the identity they come from', () => {
    const explanation = explain(preparePolicy(buildPolicy(spec)), { tool: 'funds', args: {}, identity: 'research' });
    expect(explanation.trace).toEqual([
      { id: 'r1', effect: 'allow', when: 'none', matched: true, reason: 'top' },
      { id: 'r2', effect: 'deny', identity: 'research', when: 'none', matched: true, reason: 'no account data' },
    ]);
  });
});

describe('limit claims (SPEC §2.5)', () => {
  const spec: PolicySpec = {
    default: 'allow',
    rules: [
      { effect: 'allow', tools: ['t'], when: eq('small', true), limit: limit(10, 60_000) },
      { effect: 'allow', tools: ['t'], limit: limit(100, 3_600_000, 'session') },
      { effect: 'approve', tools: ['t'], when: eq('big', true), limit: limit(2, 86_400_000, 'global') },
      { effect: 'allow', tools: ['t'], when: eq('never', true), limit: limit(1, 1000) },
      // `exists` never errs: a missing `bad` must not deny (an erring deny condition would).
      { effect: 'deny', tools: ['t'], when: exists('bad'), reason: 'bad' },
    ],
    limits: [limit(120, 60_000), limit(1000, 86_400_000, 'global')],
  };

  it('claims every matching rule’s limit in id order, then every all_tools limit', () => {
    expect(summary(decideWith(spec, { args: { small: true } }))).toEqual({ outcome: 'allow', basis: 'rule', rule: 'r1', limits: ['r1', 'r2', 'a1', 'a2'] });
    expect(summary(decideWith(spec, { args: {} }))).toEqual({ outcome: 'allow', basis: 'rule', rule: 'r2', limits: ['r2', 'a1', 'a2'] });
  });

  it('includes matching allow rules’ limits when an approve wins', () => {
    expect(summary(decideWith(spec, { args: { big: true, small: true } }))).toEqual({
      outcome: 'approve',
      basis: 'rule',
      rule: 'r3',
      limits: ['r1', 'r2', 'r3', 'a1', 'a2'],
    });
  });

  it('claims nothing for a denial', () => {
    expect(decideWith(spec, { args: { bad: true, small: true } })).toEqual({ outcome: 'deny', basis: 'rule', rule: 'r5', reason: 'bad', limits: [] });
  });

  it('claims the all_tools limits for a default allow, nothing for a default deny', () => {
    expect(summary(decideWith(spec, { tool: 'unruled' }))).toEqual({ outcome: 'allow', basis: 'default', limits: ['a1', 'a2'] });
    expect(summary(decideWith({ ...spec, default: 'deny' }, { tool: 'unruled' }))).toEqual({ outcome: 'deny', basis: 'default', limits: [] });
  });

  it('copies the limit into the claim, with a key', () => {
    const claim = decideWith(spec, { args: { small: true } }).limits[0];
    expect(claim).toEqual({ id: 'r1', key: expect.stringMatching(/^[0-9a-f]{16}$/), max: 10, per: '60s', window_ms: 60_000, by: 'identity' });
  });

  it('handles more limited rules than a match mask holds', () => {
    const many: RuleSpec[] = Array.from({ length: 20 }, (_, i) => ({ effect: 'allow', tools: ['t'], when: eq(`k${i}`, true), limit: limit(i + 1, 1000) }));
    const args = { k3: true, k17: true, k19: true };
    expect(summary(decideWith({ rules: many }, { args }))).toEqual({ outcome: 'allow', basis: 'rule', rule: 'r4', limits: ['r4', 'r18', 'r20'] });
    expect(summary(decideWith({ rules: many }, { args: {} }))).toEqual({ outcome: 'deny', basis: 'default', limits: [] });
  });
});

describe('limit keys survive renumbering', () => {
  const placeOrder: RuleSpec = { effect: 'allow', tools: ['place_order'], when: eq('env', 'SIMULATE'), limit: limit(10, 60_000) };
  const before: PolicySpec = { rules: [placeOrder], limits: [limit(120, 60_000)] };
  const after: PolicySpec = { rules: [{ effect: 'allow', tools: ['quote'], limit: limit(10, 60_000) }, placeOrder], limits: [limit(120, 60_000), limit(5, 1000)] };
  const call = { tool: 'place_order', args: { env: 'SIMULATE' } };

  it('keeps the key of a rule whose id shifted', () => {
    const one = decideWith(before, call).limits;
    const two = decideWith(after, call).limits;
    expect(one.map((c) => c.id)).toEqual(['r1', 'a1']);
    expect(two.map((c) => c.id)).toEqual(['r2', 'a1', 'a2']);
    expect(two[0]?.key).toBe(one[0]?.key);
    expect(two[1]?.key).toBe(one[1]?.key);
  });

  it('changes the key when what the limit belongs to changes', () => {
    const key = (rule: RuleSpec): string | undefined => decideWith({ rules: [rule] }, { tool: 'place_order', args: { env: 'SIMULATE', x: 1 } }).limits[0]?.key;
    const base = key(placeOrder);
    expect(key({ ...placeOrder, limit: limit(11, 60_000) })).not.toBe(base);
    expect(key({ ...placeOrder, limit: limit(10, 60_000, 'session') })).not.toBe(base);
    expect(key({ ...placeOrder, when: { and: [eq('env', 'SIMULATE'), eq('x', 1)] } })).not.toBe(base);
    expect(key({ ...placeOrder, selector: 'place_*' })).not.toBe(base);
    expect(key({ ...placeOrder, effect: 'approve' })).not.toBe(base);
    expect(key({ ...placeOrder, reason: 'a reason is not part of it' })).toBe(base);
  });

  it('tells identical all_tools limits apart by position', () => {
    const limits = decideWith({ default: 'allow', limits: [limit(5, 1000), limit(5, 1000)] }, {}).limits;
    expect(limits[0]?.key).not.toBe(limits[1]?.key);
  });

  it('keeps identity apart', () => {
    const spec: PolicySpec = { rules: [placeOrder, { ...placeOrder, identity: 'bot' }], identities: { bot: {} } };
    const claims = decideWith(spec, { ...call, identity: 'bot' }).limits;
    expect(claims.map((c) => c.id)).toEqual(['r1', 'r2']);
    expect(claims[0]?.key).not.toBe(claims[1]?.key);
  });
});

describe('normalisation (SPEC §2, decisions.md)', () => {
  const spec: PolicySpec = {
    default: 'allow',
    rules: [
      { effect: 'deny', tools: ['place_order'], when: eq('trd_env', 'REAL'), reason: 'paper only' },
      { effect: 'deny', tools: ['get_orders'], when: { op: 'in', path: ['status'], value: [['FILLED']] } },
      { effect: 'allow', tools: ['note'], when: eq('text', 'hi') },
    ],
    normalize: {
      place_order: { trd_env: 'upper' },
      get_orders: { status: 'upper' },
      'bot/note': { text: 'trim' },
    },
    identities: { bot: {} },
  };

  it('compares trd_env as the server will read it: "real" is REAL', () => {
    for (const env of ['REAL', 'real', 'Real']) {
      expect(decideWith(spec, { tool: 'place_order', args: { trd_env: env } })).toMatchObject({ outcome: 'deny', rule: 'r1', reason: 'paper only' });
    }
    expect(decideWith(spec, { tool: 'place_order', args: { trd_env: 'simulate' } })).toMatchObject({ outcome: 'allow', basis: 'default' });
  });

  it('normalises arrays of strings element-wise, leaving other values alone', () => {
    expect(decideWith(spec, { tool: 'get_orders', args: { status: ['filled'] } }).outcome).toBe('deny');
    const prepared = preparePolicy(buildPolicy(spec));
    expect(normalizeArgs(prepared, 'get_orders', { status: ['filled', 3, null, 'Open'] })).toEqual({ status: ['FILLED', 3, null, 'OPEN'] });
    expect(normalizeArgs(prepared, 'place_order', { trd_env: 5 })).toEqual({ trd_env: 5 });
  });

  it("adds an identity's normalisations to the top level's", () => {
    expect(decideWith(spec, { tool: 'note', identity: 'bot', args: { text: '  hi ' } })).toMatchObject({ outcome: 'allow', rule: 'r3' });
    expect(decideWith(spec, { tool: 'note', args: { text: '  hi ' } })).toMatchObject({ outcome: 'allow', basis: 'default' });
  });

  it('returns the same object when nothing changes, a copy when something does', () => {
    const prepared = preparePolicy(buildPolicy(spec));
    const unchanged = { trd_env: 'SIMULATE', qty: 1 };
    expect(normalizeArgs(prepared, 'place_order', unchanged)).toBe(unchanged);
    const changed = { trd_env: 'real', qty: 1 };
    expect(normalizeArgs(prepared, 'place_order', changed)).toEqual({ trd_env: 'REAL', qty: 1 });
    expect(changed.trd_env).toBe('real');
    const nothingListed = { trd_env: 'real' };
    expect(normalizeArgs(prepared, 'unruled', nothingListed)).toBe(nothingListed);
  });

  it('keeps a __proto__ key as data when copying', () => {
    // JSON.parse, because `{ __proto__: … }` in a literal sets the prototype instead of a key.
    const normalize = JSON.parse('{"t": {"__proto__": "upper", "mode": "lower"}}') as PolicySpec['normalize'];
    const prepared = preparePolicy(buildPolicy({ normalize }));
    const args = JSON.parse('{"__proto__": "x", "mode": "LOUD"}') as Record<string, string>;
    const result = normalizeArgs(prepared, 't', args);
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.hasOwn(result, '__proto__')).toBe(true);
    expect(JSON.stringify(result)).toBe('{"__proto__":"X","mode":"loud"}');
  });

  it('shows the normalised value in explain', () => {
    const explanation = explain(preparePolicy(buildPolicy(spec)), { tool: 'place_order', args: { trd_env: 'real' } });
    expect(explanation.trace).toEqual([{ id: 'r1', effect: 'deny', when: true, matched: true, reason: 'paper only' }]);
  });
});

describe('explain', () => {
  const spec: PolicySpec = {
    rules: [
      { effect: 'allow', tools: ['place_order'], when: { op: '<=', path: ['qty'], value: 100 }, limit: limit(10, 60_000), reason: 'small' },
      { effect: 'deny', tools: ['place_order'], when: eq('env', 'REAL'), reason: 'paper only' },
      { effect: 'approve', tools: ['place_order'], when: { op: '>', path: ['qty'], value: 50 } },
    ],
    limits: [limit(120, 60_000)],
  };

  it('traces every rule with its value and why it erred', () => {
    const explanation = explain(preparePolicy(buildPolicy(spec)), { tool: 'place_order', args: { qty: '10' } });
    expect(explanation).toEqual({
      outcome: 'deny',
      basis: 'rule',
      rule: 'r2',
      reason: 'paper only',
      limits: [],
      trace: [
        { id: 'r1', effect: 'allow', when: 'error', error: 'qty is a string, compared with a number', matched: false, reason: 'small' },
        { id: 'r2', effect: 'deny', when: 'error', error: 'env is missing', matched: true, reason: 'paper only' },
        { id: 'r3', effect: 'approve', when: 'error', error: 'qty is a string, compared with a number', matched: false },
      ],
    });
  });

  it('gives the same decision as decide', () => {
    const prepared = preparePolicy(buildPolicy(spec));
    const argsList: JsonObject[] = [{ qty: 10, env: 'SIM' }, { qty: 60, env: 'SIM' }, { qty: 500, env: 'SIM' }, { qty: 1, env: 'REAL' }, {}];
    for (const args of argsList) {
      const call = { tool: 'place_order', args };
      const { trace: _trace, ...decision } = explain(prepared, call);
      expect(decision).toEqual(decide(prepared, call));
    }
  });

  it('still traces the rules of a hidden or unknown tool', () => {
    const prepared = preparePolicy(buildPolicy({ ...spec, hide: ['place_order'] }));
    const hidden = explain(prepared, { tool: 'place_order', args: { qty: 1, env: 'SIM' } });
    expect(hidden).toMatchObject({ outcome: 'deny', basis: 'hidden', limits: [] });
    expect(hidden.trace.map((t) => [t.id, t.matched])).toEqual([
      ['r1', true],
      ['r2', false],
      ['r3', false],
    ]);
    const unknown = explain(prepared, { tool: 'place_order', args: {} }, new Set());
    expect(unknown).toMatchObject({ basis: 'unknown-tool', trace: [{ id: 'r1' }, { id: 'r2' }, { id: 'r3' }] });
  });
});

describe('shared, frozen decisions', () => {
  it('returns one frozen object where the outcome does not depend on the arguments', () => {
    const prepared = preparePolicy(
      buildPolicy({
        rules: [
          { effect: 'allow', tools: ['read'], limit: limit(5, 1000) },
          { effect: 'deny', tools: ['unlock'], reason: 'never' },
          { effect: 'allow', tools: ['unlock'], when: eq('x', 1) },
        ],
        limits: [limit(120, 60_000)],
        hide: ['gone'],
      }),
    );
    for (const tool of ['read', 'unlock', 'gone', 'unruled']) {
      const first = decide(prepared, { tool, args: { x: 1 } });
      const second = decide(prepared, { tool, args: { y: 'anything' } });
      expect(second).toBe(first);
      expect(Object.isFrozen(first)).toBe(true);
      expect(Object.isFrozen(first.limits)).toBe(true);
      for (const claim of first.limits) expect(Object.isFrozen(claim)).toBe(true);
    }
  });

  it('reuses the decision built for a combination of matching limits', () => {
    const prepared = preparePolicy(buildPolicy({ rules: [{ effect: 'allow', tools: ['t'], when: eq('x', 1), limit: limit(5, 1000) }] }));
    const first = decide(prepared, { tool: 't', args: { x: 1 } });
    expect(decide(prepared, { tool: 't', args: { x: 1, y: 2 } })).toBe(first);
    expect(() => (first.limits as unknown[]).push(1)).toThrow(TypeError);
  });
});

describe('policies that break the compiler’s invariants', () => {
  it('refuses a tools entry that names a missing rule', () => {
    const policy = buildPolicy({ rules: [{ effect: 'allow', tools: ['t'] }] });
    policy.tools['t']?.rules.push('r9');
    expect(() => preparePolicy(policy)).toThrow('policy.json is inconsistent: tools.t refers to rule r9, which does not exist');
  });

  it('refuses an identity block that names a missing rule at load, not at the first call', () => {
    const policy = buildPolicy({ identities: { bot: {} } });
    const bot = policy.identities['bot'];
    if (bot) bot.tools['t'] = { rules: ['r1'] };
    expect(() => preparePolicy(policy)).toThrow('policy.json is inconsistent: identities.bot.tools.t refers to rule r1, which does not exist');
  });

  it('refuses an unknown effect', () => {
    const policy = buildPolicy({ rules: [{ effect: 'allow', tools: ['t'] }] });
    (policy.rules[0] as { effect: string }).effect = 'permit';
    expect(() => preparePolicy(policy)).toThrow('rule r1 has effect "permit"');
  });

  it('decides a call whose arguments are not an object, failing closed', () => {
    const policy = preparePolicy(
      buildPolicy({
        rules: [
          { effect: 'allow', tools: ['t'], when: eq('x', 1) },
          { effect: 'deny', tools: ['u'], when: eq('x', 1), reason: 'errs, so denies' },
          { effect: 'allow', tools: ['u'] },
        ],
        normalize: { t: { x: 'upper' }, u: { x: 'upper' } },
      }),
    );
    for (const args of [undefined, null, 'x', [1]] as unknown as JsonObject[]) {
      expect(decide(policy, { tool: 't', args })).toMatchObject({ outcome: 'deny', basis: 'default' });
      expect(decide(policy, { tool: 'u', args })).toMatchObject({ outcome: 'deny', basis: 'rule', rule: 'r2' });
      expect(explain(policy, { tool: 'u', args }).trace[0]).toMatchObject({ when: 'error', matched: true });
      expect(normalizeArgs(policy, 't', args)).toBe(args);
    }
  });

  it('reads any default but allow as deny', () => {
    const policy = buildPolicy({});
    (policy as { default: string }).default = 'Allow';
    expect(decide(preparePolicy(policy), { tool: 't', args: {} })).toEqual({ outcome: 'deny', basis: 'default', limits: [] });
  });
});
