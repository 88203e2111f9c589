// preparePolicy: everything about a compiled policy that does not depend on a call, worked out
// once per load, so that deciding a call is a few map lookups and the conditions' closures.
//
//   CompiledPolicy ─► PreparedRule per rule (compiled `when`, limit claim, frozen denial)
//                  ─► Scope per caller (hidden tools, ToolPlan per tool), top level eagerly,
//                     identities lazily on their first call
//
// The policy is read through own properties and Maps only: a tool or identity called
// `constructor` or `__proto__` is a name like any other.

import type { CompiledPolicy, CompiledRule, GlobalLimit, IdentityEntry, ToolEntry } from '../model/compiled.js';
import type { Effect } from '../model/policy.js';
import { compileCondition, type CompiledCondition } from './condition.js';
import { globalLimitKey, ruleLimitKey } from './fingerprint.js';
import { normaliseSteps, type NormaliseStep } from './normalize.js';
import type { Decision, LimitClaim } from './types.js';

export interface PreparedRule {
  readonly id: string;
  /** Position in `policy.rules`: "id order". */
  readonly order: number;
  readonly effect: Effect;
  readonly identity: string | undefined;
  readonly reason: string | undefined;
  /** The compiled `when`; undefined when the rule has none. */
  readonly test: CompiledCondition | undefined;
  readonly claim: LimitClaim | undefined;
  /** For a deny rule, the decision it makes: one frozen object shared by every call it denies. */
  readonly denial: Decision | undefined;
}

/** How one caller's calls of one tool are decided. */
export interface ToolPlan {
  /** Every rule that names the tool for this caller, in id order (what `explain` traces). */
  readonly rules: readonly PreparedRule[];
  readonly deny: readonly PreparedRule[];
  /** Approve rules, then allow rules, each in id order: the first that matches wins. */
  readonly grants: readonly PreparedRule[];
  /** For each grant, the bit of its limit in a match mask, or -1 when it has no limit. */
  readonly grantBits: readonly number[];
  /** The index of the last grant with a limit; after it, the winner alone matters. */
  readonly lastLimitedGrant: number;
  /** Grants with a limit, in id order; bit i of a match mask stands for limited[i]. */
  readonly limited: readonly PreparedRule[];
  readonly normalise: readonly NormaliseStep[];
  /** The decision when it does not depend on the arguments. */
  readonly fixed: Decision | undefined;
  /** Grant decisions already built, by winner index and match mask. */
  readonly decisions: Map<number, Decision>;
}

/** What one caller sees: its hidden tools and how each named tool is decided. */
export interface Scope {
  readonly hideAll: boolean;
  readonly hidden: ReadonlySet<string>;
  readonly tools: ReadonlyMap<string, ToolPlan>;
}

export interface PreparedPolicy {
  readonly policy: CompiledPolicy;
  /** The reviewed universe (`catalog.tools`), used when the caller does not pass `knownTools`. */
  readonly catalogTools: ReadonlySet<string> | undefined;
  readonly globalClaims: readonly LimitClaim[];
  /** `default`, with the `all_tools` claims when it allows. */
  readonly defaultDecision: Decision;
  readonly rulesById: ReadonlyMap<string, PreparedRule>;
  /** The top-level scope: callers without an identity block. */
  readonly base: Scope;
  readonly identityEntries: ReadonlyMap<string, IdentityEntry>;
  /** Identity scopes built so far; bounded by the policy's identity blocks. */
  readonly scopes: Map<string, Scope>;
}

/** Above this many limited grants on one tool, match masks stop fitting and decide() allocates. */
export const MAX_MASK_BITS = 16;

const EMPTY_CLAIMS: readonly LimitClaim[] = Object.freeze([]);

export const UNKNOWN_TOOL: Decision = freezeDecision({ outcome: 'deny', basis: 'unknown-tool', limits: [] });
export const HIDDEN: Decision = freezeDecision({ outcome: 'deny', basis: 'hidden', limits: [] });

function freezeDecision(decision: Decision): Decision {
  Object.freeze(decision.limits);
  return Object.freeze(decision);
}

/** A policy.json that breaks the compiler's own invariants: a bug, never a user's mistake. */
function shapeError(message: string): Error {
  return new Error(`policy.json is inconsistent: ${message}`);
}

const hasOwn = Object.prototype.hasOwnProperty;

function ownEntries<T>(record: Record<string, T> | undefined, what: string): [string, T][] {
  if (record === undefined) return [];
  if (typeof record !== 'object' || record === null || Array.isArray(record)) throw shapeError(`${what} is not an object`);
  return Object.entries(record);
}

function stringList(value: unknown, what: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string')) {
    throw shapeError(`${what} is not a list of strings`);
  }
  return value;
}

export function preparePolicy(policy: CompiledPolicy): PreparedPolicy {
  const globalClaims = prepareGlobalClaims(policy.all_tools?.limits ?? []);
  const rulesById = prepareRules(policy.rules);
  // Anything but an explicit allow denies: a damaged default must not open every door.
  const defaultDecision = freezeDecision(
    policy.default === 'allow'
      ? { outcome: 'allow', basis: 'default', limits: globalClaims as LimitClaim[] }
      : { outcome: 'deny', basis: 'default', limits: [] },
  );
  const context: PlanContext = { rulesById, globalClaims, defaultDecision };

  const topTools = new Map(ownEntries(policy.tools, 'tools'));
  const baseTools = new Map<string, ToolPlan>();
  for (const [tool, entry] of topTools) {
    baseTools.set(tool, buildPlan(context, tool, [entry], undefined));
  }
  const topHide = stringList(policy.hide, 'hide');
  const base: Scope = { hideAll: topHide.includes('*'), hidden: new Set(topHide), tools: baseTools };

  const identityEntries = new Map(ownEntries(policy.identities, 'identities'));
  const prepared: PreparedPolicy = {
    policy,
    catalogTools: policy.catalog ? new Set(stringList(policy.catalog.tools, 'catalog.tools')) : undefined,
    globalClaims,
    defaultDecision,
    rulesById,
    base,
    identityEntries,
    scopes: new Map(),
  };
  // Build every identity scope now as well, so that a malformed block fails the load (where
  // the gateway keeps the old policy) rather than a call. Later calls find them in the cache.
  for (const identity of identityEntries.keys()) scopeFor(prepared, identity);
  return prepared;
}

function prepareGlobalClaims(limits: readonly GlobalLimit[]): readonly LimitClaim[] {
  if (!Array.isArray(limits)) throw shapeError('all_tools.limits is not a list');
  if (limits.length === 0) return EMPTY_CLAIMS;
  return Object.freeze(
    limits.map((limit, position) =>
      Object.freeze({
        id: limit.id,
        key: globalLimitKey(limit, position),
        max: limit.max,
        per: limit.per,
        window_ms: limit.window_ms,
        by: limit.by,
      }),
    ),
  );
}

const EFFECTS: ReadonlySet<string> = new Set<Effect>(['allow', 'deny', 'approve']);

function prepareRules(rules: readonly CompiledRule[]): ReadonlyMap<string, PreparedRule> {
  if (!Array.isArray(rules)) throw shapeError('rules is not a list');
  const byId = new Map<string, PreparedRule>();
  rules.forEach((rule, order) => {
    if (typeof rule.id !== 'string') throw shapeError(`rule ${order + 1} has no id`);
    if (byId.has(rule.id)) throw shapeError(`rule id ${rule.id} appears twice`);
    if (!EFFECTS.has(rule.effect)) throw shapeError(`rule ${rule.id} has effect ${JSON.stringify(rule.effect)}`);
    const claim: LimitClaim | undefined =
      rule.effect === 'deny' || rule.limit === undefined
        ? undefined
        : Object.freeze({
            id: rule.id,
            key: ruleLimitKey(rule, rule.limit),
            max: rule.limit.max,
            per: rule.limit.per,
            window_ms: rule.limit.window_ms,
            by: rule.limit.by,
          });
    const reason = typeof rule.reason === 'string' ? rule.reason : undefined;
    byId.set(rule.id, {
      id: rule.id,
      order,
      effect: rule.effect,
      identity: rule.identity,
      reason,
      test: rule.when === undefined ? undefined : compileCondition(rule.when),
      claim,
      denial:
        rule.effect === 'deny'
          ? freezeDecision({ outcome: 'deny', basis: 'rule', rule: rule.id, ...(reason === undefined ? {} : { reason }), limits: [] })
          : undefined,
    });
  });
  return byId;
}

interface PlanContext {
  rulesById: ReadonlyMap<string, PreparedRule>;
  globalClaims: readonly LimitClaim[];
  defaultDecision: Decision;
}

function buildPlan(context: PlanContext, tool: string, entries: readonly ToolEntry[], identity: string | undefined): ToolPlan {
  const where = identity === undefined ? `tools.${tool}` : `identities.${identity}.tools.${tool}`;
  const picked = new Map<string, PreparedRule>();
  for (const entry of entries) {
    for (const id of stringList(entry.rules, `${where}.rules`)) {
      const rule = context.rulesById.get(id);
      if (!rule) throw shapeError(`${where} refers to rule ${id}, which does not exist`);
      picked.set(id, rule);
    }
  }
  const rules = [...picked.values()].sort((a, b) => a.order - b.order);
  const deny = rules.filter((rule) => rule.effect === 'deny');
  const grants = [...rules.filter((rule) => rule.effect === 'approve'), ...rules.filter((rule) => rule.effect === 'allow')];
  const limited = rules.filter((rule) => rule.effect !== 'deny' && rule.claim !== undefined);
  const grantBits = grants.map((rule) => limited.indexOf(rule));
  let lastLimitedGrant = -1;
  grantBits.forEach((bit, index) => {
    if (bit >= 0) lastLimitedGrant = index;
  });

  const plan: ToolPlan = {
    rules,
    deny,
    grants,
    grantBits,
    lastLimitedGrant,
    limited,
    normalise: normaliseSteps(entries.map((entry) => entry.normalize)),
    fixed: undefined,
    decisions: new Map(),
  };
  return { ...plan, fixed: fixedDecision(context, plan) };
}

/**
 * The decision of a plan whose outcome cannot depend on the arguments: its first deny rule (in id
 * order) has no condition, or none of its rules has one.
 */
function fixedDecision(context: PlanContext, plan: ToolPlan): Decision | undefined {
  const firstDeny = plan.deny[0];
  if (firstDeny && firstDeny.test === undefined) return firstDeny.denial;
  if (plan.rules.some((rule) => rule.test !== undefined)) return undefined;
  if (plan.grants.length === 0) return context.defaultDecision;
  const matched = plan.limited.map((rule) => rule.claim as LimitClaim);
  return grantDecision(plan.grants[0] as PreparedRule, matched, context.globalClaims);
}

/** The decision of a winning approve or allow rule, given the claims of every matching rule. */
export function grantDecision(winner: PreparedRule, ruleClaims: readonly LimitClaim[], globalClaims: readonly LimitClaim[]): Decision {
  return freezeDecision({
    outcome: winner.effect,
    basis: 'rule',
    rule: winner.id,
    ...(winner.reason === undefined ? {} : { reason: winner.reason }),
    limits: ruleClaims.length === 0 ? (globalClaims as LimitClaim[]) : [...ruleClaims, ...globalClaims],
  });
}

/** The scope of a caller: the top level, merged with the caller's identity block if it has one. */
export function scopeFor(policy: PreparedPolicy, identity: string | undefined): Scope {
  if (identity === undefined) return policy.base;
  const cached = policy.scopes.get(identity);
  if (cached) return cached;
  const entry = policy.identityEntries.get(identity);
  // Unknown identities share the top-level scope and are never cached, so that callers cannot
  // grow the cache by inventing names.
  if (!entry) return policy.base;
  const scope = buildIdentityScope(policy, identity, entry);
  policy.scopes.set(identity, scope);
  return scope;
}

function buildIdentityScope(policy: PreparedPolicy, identity: string, entry: IdentityEntry): Scope {
  const context: PlanContext = { rulesById: policy.rulesById, globalClaims: policy.globalClaims, defaultDecision: policy.defaultDecision };
  const ownHide = stringList(entry.hide, `identities.${identity}.hide`);
  const tools = new Map(policy.base.tools);
  for (const [tool, own] of ownEntries(entry.tools, `identities.${identity}.tools`)) {
    const top = policy.policy.tools && hasOwn.call(policy.policy.tools, tool) ? policy.policy.tools[tool] : undefined;
    tools.set(tool, buildPlan(context, tool, top ? [top, own] : [own], identity));
  }
  return {
    hideAll: policy.base.hideAll || ownHide.includes('*'),
    hidden: new Set([...policy.base.hidden, ...ownHide]),
    tools,
  };
}
