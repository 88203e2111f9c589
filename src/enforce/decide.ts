// The decision for one call (SPEC §2): unknown tool → hidden → rules (deny over approve over
// allow, order does not matter) → default. `decide` is the hot path: it allocates nothing unless
// normalisation changes an argument or a new combination of limits is seen for the first time.
// `explain` walks every rule for a person and derives the same decision from its trace, so the
// two are independent readings of §2 that the tests hold against each other.

import type { JsonObject } from '../model/json.js';
import { ERROR, FALSE, TRUE, triToValue, type ErrorSink } from './condition.js';
import { applyNormalisation } from './normalize.js';
import {
  grantDecision,
  HIDDEN,
  MAX_MASK_BITS,
  scopeFor,
  UNKNOWN_TOOL,
  type PreparedPolicy,
  type PreparedRule,
  type Scope,
  type ToolPlan,
} from './prepare.js';
import type { Call, Decision, Explanation, LimitClaim, RuleTrace } from './types.js';

function isKnown(policy: PreparedPolicy, tool: string, knownTools: ReadonlySet<string> | undefined): boolean {
  const known = knownTools ?? policy.catalogTools;
  return known === undefined || known.has(tool);
}

function hiddenIn(scope: Scope, tool: string): boolean {
  return scope.hideAll || scope.hidden.has(tool);
}

/**
 * The decision for a call. `knownTools` is what the upstream server lists; without it the
 * policy's catalogue is the universe, and without either the step is skipped.
 */
export function decide(policy: PreparedPolicy, call: Call, knownTools?: ReadonlySet<string>): Decision {
  if (!isKnown(policy, call.tool, knownTools)) return UNKNOWN_TOOL;
  const scope = scopeFor(policy, call.identity);
  if (hiddenIn(scope, call.tool)) return HIDDEN;
  const plan = scope.tools.get(call.tool);
  if (plan === undefined) return policy.defaultDecision;
  if (plan.fixed !== undefined) return plan.fixed;
  const args = plan.normalise.length === 0 ? call.args : applyNormalisation(plan.normalise, call.args);

  // A deny rule applies when its condition holds or cannot be evaluated.
  for (const rule of plan.deny) {
    if (rule.test === undefined || rule.test(args, undefined) !== FALSE) return rule.denial as Decision;
  }
  if (plan.limited.length > MAX_MASK_BITS) return decideWithManyLimits(policy, plan, args);

  // Approve and allow rules apply only when their condition holds. Every one with a limit is
  // evaluated (its limit is claimed when it matches); the others only until a winner is found.
  let winner = -1;
  let mask = 0;
  for (let i = 0; i < plan.grants.length; i++) {
    if (winner >= 0 && i > plan.lastLimitedGrant) break;
    const bit = plan.grantBits[i] as number;
    if (winner >= 0 && bit < 0) continue;
    const rule = plan.grants[i] as PreparedRule;
    if (rule.test !== undefined && rule.test(args, undefined) !== TRUE) continue;
    if (winner < 0) winner = i;
    if (bit >= 0) mask |= 1 << bit;
  }
  if (winner < 0) return policy.defaultDecision;

  const cacheKey = winner * (1 << MAX_MASK_BITS) + mask;
  const cached = plan.decisions.get(cacheKey);
  if (cached) return cached;
  const claims = plan.limited.filter((_, bit) => (mask & (1 << bit)) !== 0).map((rule) => rule.claim as LimitClaim);
  const decision = grantDecision(plan.grants[winner] as PreparedRule, claims, policy.globalClaims);
  plan.decisions.set(cacheKey, decision);
  return decision;
}

/** The same as the loop above, for a tool with more limited rules than a mask holds. */
function decideWithManyLimits(policy: PreparedPolicy, plan: ToolPlan, args: JsonObject): Decision {
  let winner: PreparedRule | undefined;
  for (const rule of plan.grants) {
    if (rule.test === undefined || rule.test(args, undefined) === TRUE) {
      winner = rule;
      break;
    }
  }
  if (!winner) return policy.defaultDecision;
  const claims = plan.limited
    .filter((rule) => rule.test === undefined || rule.test(args, undefined) === TRUE)
    .map((rule) => rule.claim as LimitClaim);
  return grantDecision(winner, claims, policy.globalClaims);
}

/** The decision and every rule that names the tool for this caller, with its condition's value. */
export function explain(policy: PreparedPolicy, call: Call, knownTools?: ReadonlySet<string>): Explanation {
  const scope = scopeFor(policy, call.identity);
  const plan = scope.tools.get(call.tool);
  const args = plan === undefined ? call.args : applyNormalisation(plan.normalise, call.args);
  const trace = (plan?.rules ?? []).map((rule) => traceRule(rule, args));

  let decision: Decision;
  if (!isKnown(policy, call.tool, knownTools)) decision = UNKNOWN_TOOL;
  else if (hiddenIn(scope, call.tool)) decision = HIDDEN;
  else decision = decisionFromTrace(policy, plan?.rules ?? [], trace);
  return { ...decision, limits: [...decision.limits], trace };
}

function traceRule(rule: PreparedRule, args: JsonObject): RuleTrace {
  const common = {
    id: rule.id,
    effect: rule.effect,
    ...(rule.identity === undefined ? {} : { identity: rule.identity }),
  };
  const reason = rule.reason === undefined ? {} : { reason: rule.reason };
  if (rule.test === undefined) return { ...common, when: 'none', matched: true, ...reason };
  const sink: ErrorSink = { error: '' };
  const tri = rule.test(args, sink);
  const matched = rule.effect === 'deny' ? tri !== FALSE : tri === TRUE;
  return {
    ...common,
    when: triToValue(tri),
    ...(tri === ERROR ? { error: sink.error || 'the condition could not be evaluated' } : {}),
    matched,
    ...reason,
  };
}

function decisionFromTrace(policy: PreparedPolicy, rules: readonly PreparedRule[], trace: readonly RuleTrace[]): Decision {
  const firstMatched = (effect: PreparedRule['effect']): PreparedRule | undefined =>
    rules.find((rule, i) => rule.effect === effect && trace[i]?.matched === true);
  const denying = firstMatched('deny');
  if (denying) return denying.denial as Decision;
  const winner = firstMatched('approve') ?? firstMatched('allow');
  if (!winner) return policy.defaultDecision;
  const claims = rules.filter((rule, i) => rule.claim !== undefined && trace[i]?.matched === true).map((rule) => rule.claim as LimitClaim);
  return grantDecision(winner, claims, policy.globalClaims);
}

/** Whether the tool is hidden for the caller: removed from its `tools/list`, every call denied. */
export function isHidden(policy: PreparedPolicy, tool: string, identity?: string): boolean {
  return hiddenIn(scopeFor(policy, identity), tool);
}

/**
 * The arguments as the conditions see them, and as the gateway must forward them: the strings
 * the server would normalise, normalised. Returns `args` itself when nothing changes.
 */
export function normalizeArgs(policy: PreparedPolicy, tool: string, args: JsonObject, identity?: string): JsonObject {
  const plan = scopeFor(policy, identity).tools.get(tool);
  return plan === undefined ? args : applyNormalisation(plan.normalise, args);
}
