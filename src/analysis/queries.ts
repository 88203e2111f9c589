// Questions about a policy, answered from its decision tables. Each answer is either proved by a
// representative call the enforcer decided (an example), or, for claims about every call
// ("removing this rule changes nothing"), made only where every table involved is exhaustive.

import { leavesOf } from '../compile/condition.js';
import { explain, isHidden } from '../enforce/decide.js';
import type { Outcome } from '../enforce/types.js';
import type { CompiledLimit, CompiledRule } from '../model/compiled.js';
import type { LimitScope } from '../model/policy.js';
import type { PolicyAnalysis } from './analysis.js';
import type { Probe } from './probes.js';
import { sameDecision, type DecisionTable, type Region, type Verdict } from './table.js';

const RANK: Record<Outcome, number> = { deny: 0, approve: 1, allow: 2 };

/** How much an outcome lets through: deny < approve < allow. */
export function outcomeRank(outcome: Outcome): number {
  return RANK[outcome];
}

export interface Example {
  table: DecisionTable;
  region: Region;
}

/** A rule and the caller it belongs to, as the compiled policy says. */
function ruleEntry(analysis: PolicyAnalysis, id: string): CompiledRule {
  const rules = analysis.memo('rules-by-id', '', () => new Map(analysis.policy.rules.map((rule) => [rule.id, rule])));
  const rule = rules.get(id);
  if (!rule) throw new Error(`internal: no rule ${id}`);
  return rule;
}

/** The catalogued tools a rule names (unknown names are `unknown-tool`'s business). */
export function knownToolsOfRule(analysis: PolicyAnalysis, id: string): readonly string[] {
  return analysis.memo('known-tools', id, () => analysis.toolsOfRule(id).filter((tool) => analysis.catalogTool(tool) !== undefined));
}

/** The tables in which a rule takes part: its own caller's, and those of identities that decide its tools themselves. */
export function tablesOfRule(analysis: PolicyAnalysis, id: string, tools: readonly string[] = knownToolsOfRule(analysis, id)): DecisionTable[] {
  if (tools === knownToolsOfRule(analysis, id)) return analysis.memo('tables', id, () => ruleTables(analysis, id, tools));
  return ruleTables(analysis, id, tools);
}

function ruleTables(analysis: PolicyAnalysis, id: string, tools: readonly string[]): DecisionTable[] {
  const identity = ruleEntry(analysis, id).identity;
  const tables: DecisionTable[] = [];
  for (const tool of tools) {
    tables.push(analysis.table(identity, tool));
    if (identity !== undefined) continue;
    for (const other of analysis.identities) {
      if (other !== undefined && analysis.touches(other, tool)) tables.push(analysis.table(other, tool));
    }
  }
  return tables;
}

export function isExact(tables: readonly DecisionTable[]): boolean {
  return tables.every((table) => table.gaps.length === 0);
}

function ruleIndex(table: DecisionTable, id: string): number {
  return table.rules.findIndex((rule) => rule.id === id);
}

// --- conditions -----------------------------------------------------------------------------

export interface ConditionFacts {
  /** Some call of some tool makes the `when` hold. */
  canHold: boolean;
  /** Every leaf of the `when` can hold on its own for some tool (else the leaf, not the combination, is at fault). */
  everyLeafCanHold: boolean;
  exact: boolean;
}

/** Whether a rule's `when` can hold, over the tools it names, for its own caller. */
export function conditionFacts(analysis: PolicyAnalysis, id: string): ConditionFacts {
  return analysis.memo('condition', id, () => computeConditionFacts(analysis, id));
}

function computeConditionFacts(analysis: PolicyAnalysis, id: string): ConditionFacts {
  const rule = ruleEntry(analysis, id);
  const tables = knownToolsOfRule(analysis, id).map((tool) => analysis.table(rule.identity, tool));
  let canHold = false;
  for (const table of tables) {
    const i = ruleIndex(table, id);
    if (table.regions.some((region) => region.holds[i])) canHold = true;
  }
  const leaves = rule.when === undefined ? [] : leavesOf(rule.when);
  const everyLeafCanHold = leaves.every((leaf) => tables.some((table) => table.leafCanHold(leaf) === true));
  return { canHold, everyLeafCanHold, exact: tables.length > 0 && isExact(tables) };
}

// --- overridden grants ----------------------------------------------------------------------

export interface Override {
  /** The deny rules that decide the calls the grant matches. */
  denies: string[];
}

/**
 * An allow or approve whose every matching call (over the tools it names that its caller can
 * see) is denied by a deny rule. Undefined when it takes effect somewhere, matches nothing, or a
 * table is not exhaustive.
 */
export function overriddenBy(analysis: PolicyAnalysis, id: string): Override | undefined {
  return analysis.memo('overridden', id, () => computeOverride(analysis, id));
}

function computeOverride(analysis: PolicyAnalysis, id: string): Override | undefined {
  const rule = ruleEntry(analysis, id);
  if (rule.effect === 'deny') return undefined;
  const visible = knownToolsOfRule(analysis, id).filter((tool) => !isHidden(analysis.prepared, tool, rule.identity));
  const tables = visible.map((tool) => analysis.table(rule.identity, tool));
  if (tables.length === 0 || !isExact(tables)) return undefined;
  const denies = new Set<string>();
  let matched = false;
  for (const table of tables) {
    const i = ruleIndex(table, id);
    for (const region of table.regions) {
      if (!region.matched[i]) continue;
      matched = true;
      if (region.outcome !== 'deny' || region.basis !== 'rule') return undefined;
      denies.add(region.rule!);
    }
  }
  return matched ? { denies: [...denies] } : undefined;
}

// --- redundant rules ------------------------------------------------------------------------

export interface Redundancy {
  /** The rules that decide the rule's calls without it, the most frequent first. */
  coveredBy: string[];
}

/**
 * Rules whose removal changes no decision (outcome and limits) for any caller, tool and
 * arguments, judged in `order` (later rules first is the caller's choice) so that of two rules
 * that cover each other only one is reported: each rule found is taken out before the next is
 * judged. A rule whose calls would fall to `default` is not reported (an explicit deny under
 * `default deny` states intent and guards against a later allow), calls of hidden tools do not
 * count (a deny of a hidden tool is harmless), and rules that `skip` names are left to the checks
 * that report them.
 */
export function redundantRules(analysis: PolicyAnalysis, order: readonly string[], skip: (id: string) => boolean): Map<string, Redundancy> {
  const removed = new Set<string>();
  const found = new Map<string, Redundancy>();
  for (const id of order) {
    if (skip(id)) continue;
    const tools = knownToolsOfRule(analysis, id);
    if (tools.length === 0) continue;
    const tables = tablesOfRule(analysis, id, tools);
    if (!isExact(tables)) continue;
    const coveredBy = coverage(analysis, tables, id, removed);
    if (coveredBy === undefined) continue;
    removed.add(id);
    found.set(id, { coveredBy });
  }
  return found;
}

function coverage(analysis: PolicyAnalysis, tables: readonly DecisionTable[], id: string, removed: ReadonlySet<string>): string[] | undefined {
  const counts = new Map<string, number>();
  let matched = false;
  for (const table of tables) {
    const i = ruleIndex(table, id);
    for (const region of table.regions) {
      // A hidden tool's calls are denied whatever the rules say.
      if (!region.matched[i] || region.basis === 'hidden' || region.basis === 'unknown-tool') continue;
      matched = true;
      const before = analysis.verdictWithout(table, region, removed);
      const after = analysis.verdictWithout(table, region, removed, id);
      if (!sameDecision(before, after) || after.basis !== 'rule') return undefined;
      counts.set(after.rule!, (counts.get(after.rule!) ?? 0) + 1);
    }
  }
  if (!matched) return undefined;
  return [...counts].sort((a, b) => b[1] - a[1]).map(([by]) => by);
}

// --- identities -----------------------------------------------------------------------------

/**
 * Whether an identity's block changes no decision for its caller: every call of every tool it
 * names or hides is decided as at the top level. Undefined when a table is not exhaustive.
 */
export function identityChangesNothing(analysis: PolicyAnalysis, identity: string): boolean | undefined {
  const tables = analysis.touchedBy(identity).map((tool) => analysis.table(identity, tool));
  if (!isExact(tables)) return undefined;
  for (const table of tables) {
    for (const region of table.regions) {
      const top = explain(analysis.prepared, { tool: table.tool, args: region.args });
      if (!sameDecision(region, { outcome: top.outcome, basis: top.basis, limits: top.limits.map((limit) => limit.id) })) return false;
    }
  }
  return true;
}

// --- limits ---------------------------------------------------------------------------------

const SCOPE_RANK: Record<LimitScope, number> = { session: 0, identity: 1, global: 2 };

interface LimitInfo {
  id: string;
  limit: CompiledLimit;
}

/**
 * Limits that never bind: another limit is claimed on every call that claims this one, counts
 * those calls in the same counter or a wider one (scope), and allows no more calls in a window at
 * least as long, so it is full whenever this one is. Judged in `order`; a limit found is taken
 * out before the next is judged, so of two equal limits only one is reported. Maps the limit id
 * to the id of the one that binds first.
 */
export function limitsThatNeverBind(analysis: PolicyAnalysis, order: readonly string[]): Map<string, string> {
  const limits = new Map<string, LimitInfo>();
  for (const rule of analysis.policy.rules) if (rule.limit && rule.effect !== 'deny') limits.set(rule.id, { id: rule.id, limit: rule.limit });
  for (const limit of analysis.policy.all_tools?.limits ?? []) limits.set(limit.id, { id: limit.id, limit });
  const removed = new Set<string>();
  const found = new Map<string, string>();
  for (const id of order) {
    const info = limits.get(id);
    if (!info || !usable(info.limit)) continue;
    const companions = claimedWith(analysis, id);
    if (companions === undefined) continue;
    const binder = [...companions].find((other) => {
      const candidate = limits.get(other);
      return candidate !== undefined && !removed.has(other) && usable(candidate.limit) && dominates(candidate.limit, info.limit);
    });
    if (binder === undefined) continue;
    removed.add(id);
    found.set(id, binder);
  }
  return found;
}

function usable(limit: CompiledLimit): boolean {
  return Number.isSafeInteger(limit.max) && limit.max >= 1 && limit.window_ms > 0;
}

function dominates(tighter: CompiledLimit, looser: CompiledLimit): boolean {
  return tighter.max <= looser.max && tighter.window_ms >= looser.window_ms && SCOPE_RANK[tighter.by] >= SCOPE_RANK[looser.by];
}

/**
 * The limits claimed on every call that claims `id`; undefined when no call claims it, or when
 * that cannot be known exhaustively.
 */
function claimedWith(analysis: PolicyAnalysis, id: string): Set<string> | undefined {
  const globalIds = (analysis.policy.all_tools?.limits ?? []).map((limit) => limit.id);
  if (!globalIds.includes(id)) return commonClaims(tablesOfRule(analysis, id), id);
  // A `limit all` is claimed with every other one on every granted call; a rule limit only
  // joins them if it is claimed on every granted call too.
  const others = new Set(globalIds.filter((other) => other !== id));
  const tables = grantingTables(analysis);
  if (tables === undefined) return others;
  if (!isExact(tables)) return tables.some((table) => table.regions.some((region) => region.limits.includes(id))) ? others : undefined;
  return commonClaims(tables, id);
}

function commonClaims(tables: readonly DecisionTable[], id: string): Set<string> | undefined {
  if (!isExact(tables)) return undefined;
  let common: Set<string> | undefined;
  for (const table of tables) {
    for (const region of table.regions) {
      if (!region.limits.includes(id)) continue;
      const mine = common;
      common = mine === undefined ? new Set(region.limits) : new Set(region.limits.filter((other) => mine.has(other)));
    }
  }
  common?.delete(id);
  return common;
}

/**
 * Every table with a granted call, for judging `limit all` against rule limits; undefined when
 * some tool no rule names is granted by `default allow` (only the other `limit all`s are then
 * claimed with it everywhere).
 */
function grantingTables(analysis: PolicyAnalysis): DecisionTable[] | undefined {
  const { policy, prepared } = analysis;
  const named = new Set<string>(Object.keys(policy.tools ?? {}));
  for (const entry of Object.values(policy.identities ?? {})) for (const tool of Object.keys(entry.tools ?? {})) named.add(tool);
  if (policy.default === 'allow') {
    const universe = analysis.catalog?.tools.map((tool) => tool.name) ?? [];
    for (const identity of analysis.identities) {
      if (universe.some((tool) => !named.has(tool) && !isHidden(prepared, tool, identity))) return undefined;
    }
  }
  const tables: DecisionTable[] = [];
  for (const tool of named) {
    for (const identity of analysis.identities) {
      if (identity === undefined || analysis.touches(identity, tool)) tables.push(analysis.table(identity, tool));
    }
  }
  return tables;
}

// --- reach ----------------------------------------------------------------------------------

/** The regions of a table where the probe of that kind (and capability) holds. */
export function probeIndex(table: DecisionTable, match: (probe: Probe) => boolean): number {
  return table.probes.findIndex(match);
}

/** The most permissive decision of any call in the table (restricted by `where`), with the first call that gets it. */
export function mostPermissive(table: DecisionTable, where: (region: Region) => boolean = () => true): Example | undefined {
  let best: Region | undefined;
  for (const region of table.regions) {
    if (!where(region)) continue;
    if (best === undefined || RANK[region.outcome] > RANK[best.outcome]) best = region;
  }
  return best === undefined ? undefined : { table, region: best };
}

/** The rules a region's decision comes from: the matching rules of the winning effect (a region decided by `default` has none). */
export function decidingRules(table: DecisionTable, region: Region): string[] {
  if (region.basis !== 'rule') return [];
  return table.rules.filter((rule, i) => region.matched[i] && rule.effect === region.outcome).map((rule) => rule.id);
}

export type { Verdict };
