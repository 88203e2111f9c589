// Evaluation: the decision table of one caller and one tool. Each region's representative call is
// decided by the enforcer itself (`decide`, the gateway's own function, normalisation included),
// so the analysis and the gateway cannot disagree about a call. What the analysis adds is
// recombination: the decision the same call would get with some rules removed, from the rules'
// answers (the enforcer's compiled conditions) and SPEC §2 step 3. That recombination is checked
// against the enforcer's decision on every region, with no rule removed, before anything is
// built on it; a difference is an internal error, never a finding.

import { compileCondition } from '../enforce/condition.js';
import { decide } from '../enforce/decide.js';
import { applyNormalisation, type NormaliseStep } from '../enforce/normalize.js';
import { scopeFor, type PreparedPolicy, type PreparedRule } from '../enforce/prepare.js';
import type { Basis, Outcome } from '../enforce/types.js';
import type { CatalogTool } from '../catalog/types.js';
import type { Condition } from '../model/condition.js';
import type { JsonObject } from '../model/json.js';
import { leavesOf } from '../compile/condition.js';
import { catalogProbes, catalogSteps, probeReader, type Probe } from './probes.js';
import { buildSpace, stepsKey, type Reader, type Space, type SpaceReuse } from './space.js';
import type { PathHints } from './values.js';
import type { LeafCondition } from '../model/condition.js';

/** A decision as the analysis compares them: the outcome and the limits the call must find room in. */
export interface Verdict {
  outcome: Outcome;
  basis: Basis;
  /** The rule that settled it (basis `rule`). */
  rule?: string;
  /** Ids of the limits claimed, rule limits in id order then `limit all` ones. */
  limits: readonly string[];
}

/** One class of calls and how the policy decides it. */
export interface Region extends Verdict {
  /** A representative call's arguments (only the paths some condition or probe reads). */
  args: JsonObject;
  /** Per rule of the table: whether it applies (its `when` held; for deny, also an error). */
  matched: readonly boolean[];
  /** Per rule of the table: whether its `when` held (true for a rule without one). */
  holds: readonly boolean[];
  /** Per probe of the table: whether it holds for this call. */
  probes: readonly boolean[];
}

export interface DecisionTable {
  identity: string | undefined;
  tool: string;
  /** The rules that name the tool for this caller, in id order. */
  rules: readonly PreparedRule[];
  probes: readonly Probe[];
  regions: readonly Region[];
  /** Why the regions may miss some behaviour; empty when they are exhaustive. */
  gaps: readonly string[];
  /** Whether a leaf of some rule's `when` can hold at all for this tool. */
  leafCanHold(leaf: LeafCondition): boolean | undefined;
}

const TRI_CHAR = ['0', '1', '2'] as const;

/**
 * Spaces already built, by what reads the arguments: tools decided by the same conditions (one
 * rule over a class of tools, say) and with the same probes share one space. Only the
 * representatives' realism can differ (they follow the first tool's schema); their decisions
 * are always the tool's own.
 */
export interface SpaceCache {
  spaces: Map<string, Space>;
  /**
   * What buildSpace reuses across keys: path domains, and spaces of readers that behave alike
   * (the same conditions in other rules: `env == "REAL"` on a hundred tools). Those are what
   * building would give, representatives included.
   */
  reuse: Omit<SpaceReuse, 'behaviour'>;
}

export function newSpaceCache(): SpaceCache {
  return { spaces: new Map(), reuse: { domains: new Map(), spaces: new Map() } };
}

export { stepsKey };

export function buildTable(
  prepared: PreparedPolicy,
  identity: string | undefined,
  tool: string,
  catalogTool: CatalogTool | undefined,
  hints: (path: readonly string[]) => PathHints | undefined,
  cache: SpaceCache = newSpaceCache(),
): DecisionTable {
  const plan = scopeFor(prepared, identity).tools.get(tool);
  const rules = plan?.rules ?? [];
  const conditions = rules.map((rule) => ruleCondition(prepared, rule));
  const steps = plan?.normalise ?? [];
  const probes = catalogProbes(catalogTool);
  const probeSteps = catalogSteps(catalogTool);
  const readerOf: number[] = [];
  let count = 0;
  for (const condition of conditions) readerOf.push(condition === undefined ? -1 : count++);
  const probeBase = count;

  const key = spaceKey(rules, conditions, steps, probes, probeSteps);
  let space = cache.spaces.get(key);
  if (!space) {
    const readers = conditions.flatMap((condition) => (condition === undefined ? [] : [conditionReader(condition, steps)]));
    for (const probe of probes) readers.push(probeReader(probe, probeSteps));
    const behaviour = `${JSON.stringify(conditions.filter((condition) => condition !== undefined))}|${stepsKey(steps)}|${JSON.stringify(probes)}|${stepsKey(probeSteps)}`;
    space = buildSpace(readers, hints, { ...cache.reuse, behaviour });
    cache.spaces.set(key, space);
  }

  const call = { tool, args: {} as JsonObject, ...(identity === undefined ? {} : { identity }) };
  const regions = space.regions.map((spaceRegion): Region => {
    // The rules' answers are the enforcer's own: the readers run the same compiled closures
    // (compileCondition caches one per condition) on the arguments normalised the same way.
    const holds: boolean[] = [];
    const matched: boolean[] = [];
    for (let i = 0; i < rules.length; i++) {
      const reader = readerOf[i]!;
      const answer = reader < 0 ? '1' : spaceRegion.answers[reader];
      holds.push(answer === '1');
      // SPEC §2.4: an error counts as true for deny, false for allow and approve.
      matched.push(rules[i]!.effect === 'deny' ? answer !== '0' : answer === '1');
    }
    call.args = spaceRegion.args;
    const decision = decide(prepared, call);
    const region: Region = {
      args: spaceRegion.args,
      outcome: decision.outcome,
      basis: decision.basis,
      ...(decision.rule === undefined ? {} : { rule: decision.rule }),
      limits: decision.limits.map((limit) => limit.id),
      matched,
      holds,
      probes: probes.map((_, p) => spaceRegion.answers[probeBase + p] === '1'),
    };
    assertSameVerdict(region, verdictOf(prepared, rules, region, NONE), tool);
    return region;
  });
  return { identity, tool, rules, probes, regions, gaps: space.gaps, leafCanHold: space.leafCanHold };
}

/** A rule's condition as a reader: the enforcer's compiled closure on the arguments as its plan normalises them. */
export function conditionReader(condition: Condition, steps: readonly NormaliseStep[]): Reader {
  const test = compileCondition(condition);
  return {
    leaves: leavesOf(condition),
    steps,
    answer: (args) => TRI_CHAR[test(steps.length === 0 ? args : applyNormalisation(steps, args), undefined)],
  };
}

/** Two tables share a space when the same conditions, normalised the same way, and the same probes read their arguments. */
function spaceKey(
  rules: readonly PreparedRule[],
  conditions: readonly (Condition | undefined)[],
  steps: readonly NormaliseStep[],
  probes: readonly Probe[],
  probeSteps: readonly NormaliseStep[],
): string {
  const read = rules.filter((_, i) => conditions[i] !== undefined).map((rule) => rule.id);
  if (read.length === 0 && probes.length === 0) return '';
  return `${read.join(',')}|${stepsKey(steps)}|${JSON.stringify(probes)}|${stepsKey(probeSteps)}`;
}

export function ruleCondition(prepared: PreparedPolicy, rule: PreparedRule): Condition | undefined {
  return rule.test === undefined ? undefined : prepared.policy.rules[rule.order]?.when;
}

const NONE: ReadonlySet<string> = new Set();

/**
 * The decision a region's call gets when the rules in `removed` are taken out of the policy:
 * SPEC §2 step 3 applied to the matches the enforcer reported.
 */
export function verdictOf(prepared: PreparedPolicy, rules: readonly PreparedRule[], region: Region, removed: ReadonlySet<string>, also?: string): Verdict {
  if (region.basis === 'hidden' || region.basis === 'unknown-tool') return { outcome: 'deny', basis: region.basis, limits: [] };
  let approve: PreparedRule | undefined;
  let allow: PreparedRule | undefined;
  const claims: string[] = [];
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]!;
    if (!region.matched[i] || rule.id === also || removed.has(rule.id)) continue;
    if (rule.effect === 'deny') return { outcome: 'deny', basis: 'rule', rule: rule.id, limits: [] };
    if (rule.effect === 'approve') approve ??= rule;
    else allow ??= rule;
    if (rule.claim) claims.push(rule.claim.id);
  }
  const global = prepared.globalClaims.map((claim) => claim.id);
  const winner = approve ?? allow;
  if (winner) return { outcome: winner.effect as Outcome, basis: 'rule', rule: winner.id, limits: [...claims, ...global] };
  return { outcome: prepared.defaultDecision.outcome, basis: 'default', limits: prepared.defaultDecision.outcome === 'allow' ? global : [] };
}

function assertSameVerdict(region: Region, recombined: Verdict, tool: string): void {
  const same =
    region.outcome === recombined.outcome &&
    region.basis === recombined.basis &&
    region.rule === recombined.rule &&
    region.limits.length === recombined.limits.length &&
    region.limits.every((id, i) => id === recombined.limits[i]);
  if (!same) throw new Error(`internal: the analysis recombined a decision on ${tool} differently from the enforcer`);
}

/** Whether two verdicts are the same decision for the analysis: outcome and limits. */
export function sameDecision(a: Verdict, b: Verdict): boolean {
  return a.outcome === b.outcome && a.limits.length === b.limits.length && a.limits.every((id, i) => id === b.limits[i]);
}
