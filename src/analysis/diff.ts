// `policyc diff`: which calls a new policy decides more permissively than an old one (deny →
// approve, deny → allow, approve → allow), and the reverse, per caller and tool, each with an
// example call. Both policies are decided by the enforcer on the same representative calls: the
// regions of the joint space that the conditions of both policies split the arguments into.

import { compareStrings } from '../catalog/resolve.js';
import { decide } from '../enforce/decide.js';
import { preparePolicy, scopeFor, type PreparedPolicy } from '../enforce/prepare.js';
import type { Basis, Decision, Outcome } from '../enforce/types.js';
import type { CompiledPolicy } from '../model/compiled.js';
import type { JsonObject } from '../model/json.js';
import { outcomeRank } from './queries.js';
import { buildSpace, type Reader, type Space } from './space.js';
import { conditionReader, ruleCondition, stepsKey } from './table.js';

/** How one policy decided the example call. */
export interface SideDecision {
  outcome: Outcome;
  basis: Basis;
  /** The rule that decided it (basis `rule`). */
  rule?: string;
}

export interface AccessChange {
  /** The caller: an identity, or undefined for the top level (and identities that decide the tool as it does). */
  identity: string | undefined;
  tool: string;
  from: Outcome;
  to: Outcome;
  /** A call that changes so (the arguments the conditions read; others do not matter). */
  args: JsonObject;
  old: SideDecision;
  new: SideDecision;
}

export interface PolicyDiff {
  /** Calls the new policy decides more permissively: deny → approve, deny → allow, approve → allow. */
  gained: AccessChange[];
  /** Calls the new policy decides less permissively. */
  lost: AccessChange[];
  /** Callers and tools whose calls could not all be compared, and why. */
  incomplete: Array<{ identity: string | undefined; tool: string; gaps: readonly string[] }>;
  /** How many (caller, tool) pairs were compared. */
  compared: number;
}

export function diffPolicies(oldPolicy: CompiledPolicy, newPolicy: CompiledPolicy): PolicyDiff {
  const before = preparePolicy(oldPolicy);
  const after = preparePolicy(newPolicy);
  const identities = [...new Set([...Object.keys(oldPolicy.identities ?? {}), ...Object.keys(newPolicy.identities ?? {})])];
  const tools = universe(oldPolicy, newPolicy);
  const result: PolicyDiff = { gained: [], lost: [], incomplete: [], compared: 0 };
  const spaces = new Map<string, Space>();
  for (const identity of [undefined, ...identities]) {
    for (const tool of tools) {
      // An identity whose blocks leave the tool alone changes with the top level: reported there.
      if (identity !== undefined && !touches(oldPolicy, identity, tool) && !touches(newPolicy, identity, tool)) continue;
      result.compared++;
      compareTool(before, after, identity, tool, spaces, result);
    }
  }
  return result;
}

/** Every tool either policy knows: the catalogues they were compiled against, and every name they use. */
function universe(...policies: CompiledPolicy[]): string[] {
  const names = new Set<string>();
  for (const policy of policies) {
    for (const name of policy.catalog?.tools ?? []) names.add(name);
    for (const name of Object.keys(policy.tools ?? {})) names.add(name);
    for (const name of policy.hide ?? []) if (name !== '*') names.add(name);
    for (const entry of Object.values(policy.identities ?? {})) {
      for (const name of Object.keys(entry.tools ?? {})) names.add(name);
      for (const name of entry.hide ?? []) if (name !== '*') names.add(name);
    }
  }
  return [...names].sort(compareStrings);
}

function touches(policy: CompiledPolicy, identity: string, tool: string): boolean {
  const entry = policy.identities?.[identity];
  if (!entry || !Object.hasOwn(policy.identities, identity)) return false;
  const hide = entry.hide ?? [];
  return Object.hasOwn(entry.tools ?? {}, tool) || hide.includes(tool) || hide.includes('*');
}

function compareTool(before: PreparedPolicy, after: PreparedPolicy, identity: string | undefined, tool: string, spaces: Map<string, Space>, result: PolicyDiff): void {
  const sides = [before, after].map((prepared) => {
    const plan = scopeFor(prepared, identity).tools.get(tool);
    const steps = plan?.normalise ?? [];
    const conditional = (plan?.rules ?? []).flatMap((rule) => {
      const condition = ruleCondition(prepared, rule);
      return condition === undefined ? [] : [{ id: rule.id, condition }];
    });
    return { steps, conditional };
  });
  // Tools read by the same conditions in both policies share one space.
  const key = sides.map((side) => `${side.conditional.map((c) => c.id).join(',')}|${stepsKey(side.steps)}`).join('||');
  let space = spaces.get(key);
  if (!space) {
    const readers: Reader[] = sides.flatMap((side) => side.conditional.map(({ condition }) => conditionReader(condition, side.steps)));
    space = buildSpace(readers, () => undefined);
    spaces.set(key, space);
  }
  if (space.gaps.length > 0) result.incomplete.push({ identity, tool, gaps: space.gaps });

  const seen = new Set<string>();
  const call = { tool, args: {} as JsonObject, ...(identity === undefined ? {} : { identity }) };
  for (const region of space.regions) {
    call.args = region.args;
    const old = decide(before, call);
    const now = decide(after, call);
    if (old.outcome === now.outcome) continue;
    const change = `${old.outcome}>${now.outcome}`;
    if (seen.has(change)) continue;
    seen.add(change);
    const entry: AccessChange = { identity, tool, from: old.outcome, to: now.outcome, args: region.args, old: side(old), new: side(now) };
    (outcomeRank(now.outcome) > outcomeRank(old.outcome) ? result.gained : result.lost).push(entry);
  }
}

function side(decision: Decision): SideDecision {
  return { outcome: decision.outcome, basis: decision.basis, ...(decision.rule === undefined ? {} : { rule: decision.rule }) };
}
