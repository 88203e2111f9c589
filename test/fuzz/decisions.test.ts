// The whole pipeline against the reference reading of SPEC §2: a generated policy is printed,
// read by the DSL front end, compiled, written as policy.json and loaded back, and `decide` and
// `explain` must give, for every generated call, the decision reference.ts works out from the
// policy as written. Calls name catalogued, unknown and policy-named tools, callers with and
// without identity blocks, and arguments built from the literals the policy mentions (in other
// cases, too, for normalisation), random JSON of every type, missing keys and `__proto__`.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { formatPolicyJson } from '../../src/compile/canonical-json.js';
import { compilePolicy } from '../../src/compile/compile.js';
import { decide, explain, preparePolicy } from '../../src/enforce/index.js';
import type { Decision } from '../../src/enforce/types.js';
import type { CompiledPolicy } from '../../src/model/compiled.js';
import type { JsonObject, JsonValue } from '../../src/model/json.js';
import type { Expr, PolicyModel } from '../../src/model/policy.js';
import { printDsl } from '../../src/syntax/print/dsl.js';
import { anyPolicy, numberValue, type Universe } from './generators.js';
import { referenceDecision, type ReferenceCall, type ReferenceDecision } from './reference.js';
import { fuzz, timeout } from './settings.js';
import { parseText } from './texts.js';

function literalsOf(expr: Expr): JsonValue[] {
  switch (expr.kind) {
    case 'and':
    case 'or':
      return expr.operands.flatMap(literalsOf);
    case 'not':
      return literalsOf(expr.operand);
    case 'compare':
      return Array.isArray(expr.value.value) ? [expr.value.value, ...expr.value.value] : [expr.value.value];
    case 'in':
      return expr.values.map((item) => item.value);
    case 'matches':
      return [expr.pattern.value];
    case 'exists':
      return [];
  }
}

/** Values a call's arguments take: what the policy compares with, in other cases too, and anything else. */
function argumentValue(model: PolicyModel, universe: Universe): fc.Arbitrary<JsonValue> {
  const rules = [...model.rules, ...model.identities.flatMap((identity) => identity.rules)];
  const mentioned = rules.flatMap((rule) => (rule.when ? literalsOf(rule.when) : []));
  const variants = mentioned.flatMap((value): JsonValue[] => (typeof value === 'string' ? [value, value.toLowerCase(), value.toUpperCase(), ` ${value} `] : [value]));
  const pool: JsonValue[] = [...variants, ...universe.strings];
  return fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...pool) },
    { weight: 1, arbitrary: fc.array(fc.constantFrom(...pool), { maxLength: 3 }) },
    { weight: 1, arbitrary: numberValue() },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<JsonValue> },
  ) as fc.Arbitrary<JsonValue>;
}

/** Sets `path` in `args` to `value`, creating objects on the way; keys as data (`__proto__` too). */
function setPath(args: JsonObject, path: readonly string[], value: JsonValue): void {
  const [head, ...rest] = path;
  if (head === undefined) return;
  let next: JsonValue = value;
  if (rest.length > 0) {
    const existing = Object.hasOwn(args, head) ? args[head] : undefined;
    const inner: JsonObject = typeof existing === 'object' && existing !== null && !Array.isArray(existing) ? existing : {};
    setPath(inner, rest, value);
    next = inner;
  }
  Object.defineProperty(args, head, { value: next, enumerable: true, writable: true, configurable: true });
}

function callArbitrary(model: PolicyModel, universe: Universe): fc.Arbitrary<ReferenceCall> {
  const named = [...model.rules, ...model.identities.flatMap((i) => i.rules)].flatMap((rule) => rule.selectors.flatMap((s) => (s.kind === 'name' ? [s.name] : [])));
  const tools = [...universe.catalog.tools.map((t) => t.name), ...named, 'not_a_tool'];
  const identities = [...model.identities.map((i) => i.name), 'stranger', '__proto__'];
  const paths = [...universe.paths, ['__proto__'], ['zzz']];
  const args = fc.array(fc.tuple(fc.constantFrom(...paths), argumentValue(model, universe)), { maxLength: 6 }).map((entries) => {
    const built: JsonObject = {};
    for (const [path, value] of entries) setPath(built, path, value);
    return built;
  });
  return fc.record({ tool: fc.constantFrom(...tools), args, identity: fc.option(fc.constantFrom(...identities), { nil: undefined }) }, { requiredKeys: ['tool', 'args'] });
}

/** What a decision says, in the reference's terms. */
function said(decision: Decision): ReferenceDecision {
  const shown: ReferenceDecision = {
    outcome: decision.outcome,
    basis: decision.basis,
    limits: decision.limits.map(({ id, max, per, window_ms, by }) => ({ id, max, per, window_ms, by })),
  };
  if (decision.rule !== undefined) shown.rule = decision.rule;
  if (decision.reason !== undefined) shown.reason = decision.reason;
  return shown;
}

describe('decisions agree with a reference reading of the policy as written', () => {
  it(
    'decide and explain on generated policies and calls',
    () => {
      const cases = anyPolicy.chain(({ universe, model }) => {
        const { model: parsed } = parseText(printDsl(model));
        return fc.record({ universe: fc.constant(universe), model: fc.constant(parsed), calls: fc.array(callArbitrary(parsed, universe), { minLength: 1, maxLength: 12 }) });
      });
      const seen = new Map<string, number>();
      fc.assert(
        fc.property(cases, ({ universe, model, calls }) => {
          // The compiled policy as the gateway reads it: policy.json bytes, parsed.
          const policy = JSON.parse(formatPolicyJson(compilePolicy(model, universe.catalog).policy)) as CompiledPolicy;
          const prepared = preparePolicy(policy);
          for (const call of calls) {
            const expected = referenceDecision(model, universe.catalog, call);
            const context = `${printDsl(model)}\ncall ${JSON.stringify(call)}`;
            expect(said(decide(prepared, call)), context).toEqual(expected);
            expect(said(explain(prepared, call)), context).toEqual(expected);
            const kind = `${expected.basis} ${expected.outcome}`;
            seen.set(kind, (seen.get(kind) ?? 0) + 1);
          }
        }),
        fuzz(200),
      );
      // Every way a decision is reached must have been exercised, or the agreement means little.
      for (const kind of ['unknown-tool deny', 'hidden deny', 'rule deny', 'rule approve', 'rule allow', 'default deny', 'default allow']) {
        expect(seen.get(kind) ?? 0, kind).toBeGreaterThan(10);
      }
    },
    timeout(),
  );
});
