// decide() against a tiny reference written straight from SPEC §2 and docs/decisions.md: no
// compilation, no caching, no shared objects, just the rules read aloud. Random policies (rules,
// identities, hides, catalogues, normalisations, limits) and random arguments (missing keys,
// wrong types, nested objects, arrays, `__proto__`, Infinity).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { compileCondition, evaluateCondition } from '../../src/enforce/condition.js';
import { decide, explain, preparePolicy } from '../../src/enforce/index.js';
import type { Call } from '../../src/enforce/types.js';
import type { Normalisation } from '../../src/catalog/types.js';
import type { CompiledPolicy, ToolEntry } from '../../src/model/compiled.js';
import type { CompareOp, Condition } from '../../src/model/condition.js';
import type { JsonObject, JsonValue } from '../../src/model/json.js';
import type { Effect } from '../../src/model/policy.js';
import { buildPolicy, limit, type PolicySpec, type RuleSpec } from './build.js';

// --- the reference --------------------------------------------------------------------------

type V = boolean | 'error';

function own<T>(record: Record<string, T> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

function get(args: unknown, path: string[]): { found: boolean; value?: unknown } {
  let current = args;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return { found: false };
    if (!Object.hasOwn(current, key)) return { found: false };
    current = (current as Record<string, unknown>)[key];
  }
  return { found: true, value: current };
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && !Number.isFinite(value)) return 'not JSON';
  return typeof value;
}

function text(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(text).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${text(record[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

const orOf = (values: V[]): V => (values.includes(true) ? true : values.includes('error') ? 'error' : false);
const andOf = (values: V[]): V => (values.includes(false) ? false : values.includes('error') ? 'error' : true);
const notOf = (value: V): V => (value === 'error' ? 'error' : !value);

function refEval(condition: Condition, args: unknown): V {
  if ('and' in condition) return andOf(condition.and.map((c) => refEval(c, args)));
  if ('or' in condition) return orOf(condition.or.map((c) => refEval(c, args)));
  if ('not' in condition) return notOf(refEval(condition.not, args));
  if (condition.op === 'in') return orOf(condition.value.map((value) => refEval({ op: '==', path: condition.path, value }, args)));
  if (condition.op === 'not_in') return notOf(refEval({ op: 'in', path: condition.path, value: condition.value }, args));
  const { found, value } = get(args, condition.path);
  if (condition.op === 'exists') return found;
  if (!found || typeOf(value) === 'not JSON') return 'error';
  switch (condition.op) {
    case '==':
      return typeOf(value) !== typeOf(condition.value) ? 'error' : text(value) === text(condition.value);
    case '!=':
      return notOf(refEval({ ...condition, op: '==' }, args));
    case 'matches': {
      if (typeof value !== 'string') return 'error';
      try {
        new RegExp(condition.value, 'u');
      } catch {
        return 'error';
      }
      return new RegExp(`^(?:${condition.value})$`, 'u').test(value);
    }
    default: {
      const bound = condition.value;
      const comparable = (typeof value === 'number' && typeof bound === 'number') || (typeof value === 'string' && typeof bound === 'string');
      if (!comparable) return 'error';
      const [a, b] = [value as number | string, bound as number | string];
      return { '<': a < b, '<=': a <= b, '>': a > b, '>=': a >= b }[condition.op];
    }
  }
}

const TRANSFORM: Record<Normalisation, (s: string) => string> = { upper: (s) => s.toUpperCase(), lower: (s) => s.toLowerCase(), trim: (s) => s.trim() };

function refNormalise(args: JsonObject, how: Record<string, Normalisation>): JsonObject {
  const result: JsonObject = {};
  for (const key of Object.keys(args)) {
    const t = own(how, key);
    let value = args[key] as JsonValue;
    if (t !== undefined && typeof value === 'string') value = TRANSFORM[t](value);
    if (t !== undefined && Array.isArray(value)) value = value.map((v) => (typeof v === 'string' ? TRANSFORM[t](v) : v));
    Object.defineProperty(result, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return result;
}

function refDecide(policy: CompiledPolicy, call: Call, known: ReadonlySet<string> | undefined): object {
  const universe = known ?? (policy.catalog ? new Set(policy.catalog.tools) : undefined);
  if (universe && !universe.has(call.tool)) return { outcome: 'deny', basis: 'unknown-tool', limits: [] };
  const block = call.identity === undefined ? undefined : own(policy.identities, call.identity);
  const hide = [...policy.hide, ...(block?.hide ?? [])];
  if (hide.includes('*') || hide.includes(call.tool)) return { outcome: 'deny', basis: 'hidden', limits: [] };
  const entries = [own(policy.tools, call.tool), own(block?.tools, call.tool)].filter((e): e is ToolEntry => e !== undefined);
  const ids = new Set(entries.flatMap((e) => e.rules));
  const how: Record<string, Normalisation> = {};
  for (const e of entries) for (const [k, v] of Object.entries(e.normalize ?? {})) how[k] = v;
  const args = refNormalise(call.args, how);
  const matched = policy.rules.filter((rule) => {
    if (!ids.has(rule.id)) return false;
    const value: V = rule.when === undefined ? true : refEval(rule.when, args);
    return rule.effect === 'deny' ? value !== false : value === true;
  });
  const winner = (['deny', 'approve', 'allow'] as const).map((e) => matched.find((r) => r.effect === e)).find((r) => r !== undefined);
  const outcome = winner?.effect ?? policy.default;
  const limits =
    outcome === 'deny' ? [] : [...matched.filter((r) => r.limit !== undefined && r.effect !== 'deny').map((r) => r.id), ...policy.all_tools.limits.map((l) => l.id)];
  return {
    outcome,
    basis: winner ? 'rule' : 'default',
    ...(winner ? { rule: winner.id } : {}),
    ...(winner?.reason === undefined ? {} : { reason: winner.reason }),
    limits,
  };
}

// --- random policies, calls and arguments ---------------------------------------------------

const TOOLS = ['t1', 't2', 't3'];
const KEYS = ['a', 'b', 'o', '__proto__', 'constructor'];
const PATHS: string[][] = [['a'], ['b'], ['o'], ['o', 'c'], ['__proto__'], ['__proto__', 'c'], ['constructor'], ['a', 'c']];
const PATTERNS = ['x', 'x|y', '.*', '[a-z]+', 'X.', '(', 'a)|(b', '\\d+', ''];

const scalar: fc.Arbitrary<JsonValue> = fc.oneof(
  fc.integer({ min: -2, max: 2 }),
  fc.constantFrom('x', 'X', 'y', '', ' x ', 'xy', '1', 'é'),
  fc.boolean(),
  fc.constant(null),
);
const literal: fc.Arbitrary<JsonValue> = fc.oneof(
  { weight: 6, arbitrary: scalar },
  { weight: 1, arbitrary: fc.array(scalar, { maxLength: 2 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.constantFrom('c', 'd'), scalar, { maxKeys: 2 }) },
);

const leaf: fc.Arbitrary<Condition> = fc.oneof(
  fc.record({ op: fc.constantFrom<CompareOp>('==', '!=', '<', '<=', '>', '>='), path: fc.constantFrom(...PATHS), value: literal }),
  fc.record({ op: fc.constantFrom<'in' | 'not_in'>('in', 'not_in'), path: fc.constantFrom(...PATHS), value: fc.array(literal, { maxLength: 3 }) }),
  fc.record({ op: fc.constant<'matches'>('matches'), path: fc.constantFrom(...PATHS), value: fc.constantFrom(...PATTERNS) }),
  fc.record({ op: fc.constant<'exists'>('exists'), path: fc.constantFrom(...PATHS) }),
);

const condition: fc.Arbitrary<Condition> = fc.letrec<{ node: Condition }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.record({ and: fc.array(tie('node'), { maxLength: 3 }) }),
    fc.record({ or: fc.array(tie('node'), { maxLength: 3 }) }),
    fc.record({ not: tie('node') }),
  ),
})).node;

const argValue: fc.Arbitrary<JsonValue> = fc.oneof(
  { weight: 5, arbitrary: literal },
  { weight: 2, arbitrary: fc.record({ c: literal }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: fc.array(fc.constantFrom('x', 'X', ' x', 3), { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.constant(Number.POSITIVE_INFINITY) as fc.Arbitrary<JsonValue> },
);

const args: fc.Arbitrary<JsonObject> = fc.uniqueArray(fc.tuple(fc.constantFrom(...KEYS), argValue), { selector: ([k]) => k, maxLength: 4 }).map((pairs) => {
  const result: JsonObject = {};
  for (const [key, value] of pairs) Object.defineProperty(result, key, { value, enumerable: true, writable: true, configurable: true });
  return result;
});

const someTools = fc.subarray(TOOLS, { minLength: 1 });
const normalisation = fc.dictionary(fc.constantFrom('a', 'b'), fc.constantFrom<Normalisation>('upper', 'lower', 'trim'), { maxKeys: 2 });

const rule: fc.Arbitrary<RuleSpec> = fc.record(
  {
    effect: fc.constantFrom<Effect>('allow', 'deny', 'approve'),
    tools: someTools,
    when: condition,
    limit: fc.constantFrom(limit(1, 1000), limit(5, 60_000, 'session'), limit(2, 1000, 'global')),
    reason: fc.constantFrom('because', 'why not'),
    identity: fc.constantFrom('alice', 'bob'),
  },
  { requiredKeys: ['effect', 'tools'] },
);

const policySpec: fc.Arbitrary<PolicySpec> = fc.record({
  default: fc.constantFrom<'allow' | 'deny'>('allow', 'deny'),
  // "*" hides everything and leaves nothing else to test, so it comes up less often.
  hide: fc.oneof({ weight: 4, arbitrary: fc.subarray(TOOLS, { maxLength: 2 }) }, { weight: 1, arbitrary: fc.subarray([...TOOLS, '*'], { maxLength: 2 }) }),
  rules: fc.array(rule, { maxLength: 6 }),
  limits: fc.array(fc.constantFrom(limit(120, 60_000), limit(10, 1000, 'global')), { maxLength: 2 }),
  identities: fc.record({ alice: fc.record({ hide: fc.subarray([...TOOLS, '*'], { maxLength: 1 }) }) }, { requiredKeys: [] }),
  normalize: fc.dictionary(fc.constantFrom('t1', 't2', 'alice/t1', 'bob/t2'), normalisation, { maxKeys: 3 }),
  catalog: fc.option(fc.subarray([...TOOLS, 't4']), { nil: undefined }),
}).map((spec) => {
  const { catalog, ...rest } = spec;
  return catalog === undefined ? rest : { ...rest, catalog };
});

const call: fc.Arbitrary<Call> = fc.record(
  { tool: fc.constantFrom(...TOOLS, 't4'), args, identity: fc.constantFrom('alice', 'bob', 'carol', 'constructor') },
  { requiredKeys: ['tool', 'args'] },
);

const knownTools = fc.option(fc.subarray([...TOOLS, 't4']).map((tools) => new Set(tools)), { nil: undefined });

// --- the properties -------------------------------------------------------------------------

describe('decide agrees with the reference', () => {
  it('on random conditions and arguments', () => {
    fc.assert(
      fc.property(condition, args, (c, a) => {
        const expected = refEval(c, a);
        expect(evaluateCondition(c, a).value).toBe(expected);
        // The fast path (no sink) gives the same answer as the explaining one.
        const fast = compileCondition(c)(a, undefined);
        expect(fast === 1 ? true : fast === 0 ? false : 'error').toBe(expected);
      }),
      { numRuns: 3000 },
    );
  });

  it('on random policies and calls', () => {
    fc.assert(
      fc.property(policySpec, fc.array(fc.tuple(call, knownTools), { minLength: 1, maxLength: 8 }), (spec, calls) => {
        const policy = buildPolicy(spec);
        const prepared = preparePolicy(policy);
        for (const [c, known] of calls) {
          const decision = decide(prepared, c, known);
          const expected = refDecide(policy, c, known);
          expect({ ...decision, limits: decision.limits.map((l) => l.id) }).toEqual(expected);
          // explain reaches the same decision by its own route, claims and keys included.
          const { trace: _trace, ...explained } = explain(prepared, c, known);
          expect(explained).toEqual({ ...decision, limits: [...decision.limits] });
        }
      }),
      { numRuns: 1500 },
    );
  });
});
