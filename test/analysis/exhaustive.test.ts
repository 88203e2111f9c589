// The analysis is exact: every call falls in a region of its caller's and tool's table, and the
// region's decision is the call's. Checked against the enforcer on random compiled policies
// (rules, identities, hides, normalisations, limits, nested paths, patterns) and random calls
// (missing keys, wrong types, near-literals, case variants, nested objects, arrays). The same
// for `diff`: every call one policy decides more permissively than the other is reported.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { analysePolicy } from '../../src/analysis/analysis.js';
import { diffPolicies } from '../../src/analysis/diff.js';
import { sameDecision } from '../../src/analysis/table.js';
import { decide, explain, preparePolicy } from '../../src/enforce/index.js';
import type { Normalisation } from '../../src/catalog/types.js';
import type { CompiledPolicy } from '../../src/model/compiled.js';
import type { CompareOp, Condition } from '../../src/model/condition.js';
import type { JsonObject, JsonValue } from '../../src/model/json.js';
import type { Effect } from '../../src/model/policy.js';
import { buildPolicy, limit, type PolicySpec, type RuleSpec } from '../enforce/build.js';

const TOOLS = ['t1', 't2', 't3'];
const CALLERS = [undefined, 'alice', 'bob'];
// `o` beside `o.c`: a path and its prefix, whose values depend on each other.
const PATHS: string[][] = [['a'], ['b'], ['o'], ['o', 'c'], ['o', 'd']];
const PATTERNS = ['x', 'x|y', '[a-z]+', 'X.', '\\d+'];

const scalar: fc.Arbitrary<JsonValue> = fc.oneof(
  fc.integer({ min: -2, max: 3 }),
  fc.constantFrom(0.5, 100, -0),
  fc.constantFrom('x', 'X', 'y', '', 'xy', '1', 'SIMULATE', 'simulate'),
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
    { weight: 4, arbitrary: leaf },
    fc.record({ and: fc.array(tie('node'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ or: fc.array(tie('node'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ not: tie('node') }),
  ),
})).node;

const rule: fc.Arbitrary<RuleSpec> = fc.record(
  {
    effect: fc.constantFrom<Effect>('allow', 'deny', 'approve'),
    tools: fc.subarray(TOOLS, { minLength: 1 }),
    when: condition,
    limit: fc.constantFrom(limit(1, 1000), limit(5, 60_000, 'session')),
    identity: fc.constantFrom('alice', 'bob'),
  },
  { requiredKeys: ['effect', 'tools'] },
);
const policySpec: fc.Arbitrary<PolicySpec> = fc.record({
  default: fc.constantFrom<'allow' | 'deny'>('allow', 'deny'),
  hide: fc.subarray(TOOLS, { maxLength: 1 }),
  rules: fc.array(rule, { maxLength: 5 }),
  limits: fc.array(fc.constant(limit(120, 60_000)), { maxLength: 1 }),
  identities: fc.record({ alice: fc.record({ hide: fc.subarray(TOOLS, { maxLength: 1 }) }) }, { requiredKeys: [] }),
  normalize: fc.dictionary(fc.constantFrom('t1', 't2', 'alice/t1'), fc.dictionary(fc.constantFrom('a', 'b'), fc.constantFrom<Normalisation>('upper', 'trim'), { maxKeys: 2 }), { maxKeys: 2 }),
  catalog: fc.constant(TOOLS),
});

const argValue: fc.Arbitrary<JsonValue> = fc.oneof(
  { weight: 4, arbitrary: literal },
  { weight: 2, arbitrary: fc.string({ maxLength: 3 }) },
  { weight: 2, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true, min: -5, max: 200 }) },
  { weight: 2, arbitrary: fc.record({ c: literal, d: literal }, { requiredKeys: [] }) },
);
const args: fc.Arbitrary<JsonObject> = fc.record({ a: argValue, b: argValue, o: argValue }, { requiredKeys: [] }) as fc.Arbitrary<JsonObject>;

function verdictOf(policy: ReturnType<typeof preparePolicy>, tool: string, identity: string | undefined, callArgs: JsonObject) {
  const decision = decide(policy, { tool, args: callArgs, ...(identity === undefined ? {} : { identity }) });
  return { outcome: decision.outcome, basis: decision.basis, limits: decision.limits.map((claim) => claim.id) };
}

describe('the decision tables', () => {
  it('put every call in a region with its own decision', () => {
    fc.assert(
      fc.property(policySpec, fc.array(args, { minLength: 1, maxLength: 6 }), (spec, calls) => {
        const policy = buildPolicy(spec);
        const analysis = analysePolicy(policy, undefined);
        for (const identity of CALLERS) {
          for (const tool of TOOLS) {
            const table = analysis.table(identity, tool);
            for (const callArgs of calls) {
              const trace = explain(analysis.prepared, { tool, args: callArgs, ...(identity === undefined ? {} : { identity }) }).trace;
              const matched = trace.map((t) => t.matched);
              const holds = trace.map((t) => t.when === true || t.when === 'none');
              const region = table.regions.find((r) => r.matched.every((m, i) => m === matched[i]) && r.holds.every((h, i) => h === holds[i]));
              if (table.gaps.length === 0) expect(region, `no region for ${tool} ${JSON.stringify(callArgs)}`).toBeDefined();
              if (region) expect(sameDecision(region, verdictOf(analysis.prepared, tool, identity, callArgs))).toBe(true);
            }
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('diff', () => {
  it('reports every change of decision some call shows', () => {
    fc.assert(
      fc.property(policySpec, policySpec, fc.array(args, { minLength: 1, maxLength: 6 }), (oldSpec, newSpec, calls) => {
        const [before, after]: CompiledPolicy[] = [buildPolicy(oldSpec), buildPolicy(newSpec)];
        const result = diffPolicies(before!, after!);
        if (result.incomplete.length > 0) return;
        const [p, q] = [preparePolicy(before!), preparePolicy(after!)];
        const touches = (policy: CompiledPolicy, identity: string, tool: string) =>
          Object.hasOwn(policy.identities, identity) && (Object.hasOwn(policy.identities[identity]!.tools, tool) || policy.identities[identity]!.hide.includes(tool));
        for (const identity of CALLERS) {
          for (const tool of TOOLS) {
            // Identities whose blocks leave the tool alone change with the top level.
            const reportedAs = identity !== undefined && (touches(before!, identity, tool) || touches(after!, identity, tool)) ? identity : undefined;
            for (const callArgs of calls) {
              const from = verdictOf(p, tool, identity, callArgs).outcome;
              const to = verdictOf(q, tool, identity, callArgs).outcome;
              if (from === to) continue;
              const found = [...result.gained, ...result.lost].some((c) => c.tool === tool && c.identity === reportedAs && c.from === from && c.to === to);
              expect(found, `${identity ?? 'top'} ${tool} ${from}→${to} ${JSON.stringify(callArgs)}`).toBe(true);
            }
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('finds no change between a policy and itself, and every example call changes as reported', () => {
    fc.assert(
      fc.property(policySpec, policySpec, (oldSpec, newSpec) => {
        const [before, after] = [buildPolicy(oldSpec), buildPolicy(newSpec)];
        const same = diffPolicies(before, before);
        expect([same.gained, same.lost]).toEqual([[], []]);
        const result = diffPolicies(before, after);
        const [p, q] = [preparePolicy(before), preparePolicy(after)];
        for (const change of [...result.gained, ...result.lost]) {
          expect(verdictOf(p, change.tool, change.identity, change.args).outcome).toBe(change.from);
          expect(verdictOf(q, change.tool, change.identity, change.args).outcome).toBe(change.to);
        }
      }),
      { numRuns: 200 },
    );
  });
});
