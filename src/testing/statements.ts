// The statements of the policy under test that can decide a call — rules, `limit all` limits
// and hide statements — with the lines they cover. A test names them by id or by line (line
// numbers are what people see), and coverage counts them.
//
// Ids and start positions come from the source map; the lines a statement spans come from the
// model when the policy was compiled from source (a `policy.json` with a map knows start lines
// only, which is then what a line must name).

import type { CompiledPolicy, PolicySourceMap, SourceLocation } from '../model/compiled.js';
import type { PolicyModel } from '../model/policy.js';
import type { Span } from '../diagnostics/diagnostic.js';

export type StatementKind = 'rule' | 'limit' | 'hide';

export interface PolicyStatement {
  kind: StatementKind;
  /** Rule or limit id; a hide has none (it is known by its position). */
  id?: string;
  /** What it says, for reports: `allow place_order`, `limit all 120 per 1m`, `hide cancel_all_orders`. */
  text: string;
  /** A rule's own limit, `limit 10 per 1m`, when it has one that calls count against (not on a deny). */
  limit?: string;
  at?: SourceLocation;
  /** The last line the statement covers (its start line when nothing more is known). */
  endLine?: number;
}

export interface PolicyStatements {
  /** Rules in id order, then limits, then hides in source order. */
  all: PolicyStatement[];
  byId: ReadonlyMap<string, PolicyStatement>;
  /** Whether statements have lines at all (a policy.json without its map has none). */
  hasLines: boolean;
}

/** The policy's deciding statements, with the lines each covers. */
export function policyStatements(policy: CompiledPolicy, sourceMap: PolicySourceMap | undefined, model: PolicyModel | undefined): PolicyStatements {
  const ends = endLines(model);
  const endOf = (at: SourceLocation | undefined): number | undefined => (at ? (ends.get(positionKey(at)) ?? at.line) : undefined);
  const all: PolicyStatement[] = [];

  for (const rule of policy.rules) {
    const at = sourceMap?.rules[rule.id];
    const owner = rule.identity === undefined ? '' : ` [identity ${rule.identity}]`;
    const limit = rule.limit && rule.effect !== 'deny' ? { limit: `limit ${rule.limit.max} per ${rule.limit.per}${byText(rule.limit.by)}` } : {};
    all.push({ kind: 'rule', id: rule.id, text: `${rule.effect} ${rule.selector}${owner}`, ...limit, ...located(at, endOf(at)) });
  }
  for (const limit of policy.all_tools.limits) {
    const at = sourceMap?.rules[limit.id];
    all.push({ kind: 'limit', id: limit.id, text: `limit all ${limit.max} per ${limit.per}${byText(limit.by)}`, ...located(at, endOf(at)) });
  }
  for (const hide of hideStatements(sourceMap)) {
    all.push({ kind: 'hide', text: `hide ${hide.tools.join(', ')}${hide.identity === undefined ? '' : ` [identity ${hide.identity}]`}`, ...located(hide.at, endOf(hide.at)) });
  }
  return {
    all,
    byId: new Map(all.filter((statement) => statement.id !== undefined).map((statement) => [statement.id!, statement])),
    hasLines: sourceMap !== undefined,
  };
}

function byText(by: string): string {
  return by === 'identity' ? '' : ` by ${by}`;
}

function located(at: SourceLocation | undefined, endLine: number | undefined): Pick<PolicyStatement, 'at' | 'endLine'> {
  return at ? { at, ...(endLine === undefined ? {} : { endLine }) } : {};
}

/** The statements whose lines include `line` (of the policy file). */
export function statementsAtLine(statements: PolicyStatements, line: number): PolicyStatement[] {
  return statements.all.filter((statement) => statement.at !== undefined && statement.at.line <= line && line <= (statement.endLine ?? statement.at.line));
}

export function sameLocation(a: SourceLocation | undefined, b: SourceLocation | undefined): boolean {
  return a !== undefined && b !== undefined && a.file === b.file && a.line === b.line && a.column === b.column;
}

/** The hide that hides `tool` for `identity` (its own block first, then the top level), as `explain` shows it. */
export function hidingStatement(sourceMap: PolicySourceMap | undefined, tool: string, identity: string | undefined): SourceLocation | undefined {
  const own = identity === undefined ? undefined : sourceMap?.identities[identity]?.hide[tool];
  return own ?? sourceMap?.hide[tool];
}

interface HideStatement {
  at: SourceLocation;
  identity?: string;
  tools: string[];
}

/** One entry per hide statement the source map knows, with the tools it hides. */
function hideStatements(sourceMap: PolicySourceMap | undefined): HideStatement[] {
  if (!sourceMap) return [];
  const byPosition = new Map<string, HideStatement>();
  const add = (hides: Record<string, SourceLocation>, identity: string | undefined): void => {
    for (const [tool, at] of Object.entries(hides)) {
      const key = `${identity ?? ''}\u0000${positionKey(at)}`;
      const statement = byPosition.get(key) ?? { at, ...(identity === undefined ? {} : { identity }), tools: [] };
      statement.tools.push(tool);
      byPosition.set(key, statement);
    }
  };
  add(sourceMap.hide, undefined);
  for (const [identity, entry] of Object.entries(sourceMap.identities)) add(entry.hide, identity);
  return [...byPosition.values()].sort((a, b) => a.at.line - b.at.line || a.at.column - b.at.column);
}

function positionKey(at: { file: string; line: number; column: number }): string {
  return `${at.file}:${at.line}:${at.column}`;
}

/** Start position → last line, for every rule, limit and hide statement of the model. */
function endLines(model: PolicyModel | undefined): Map<string, number> {
  const ends = new Map<string, number>();
  if (!model) return ends;
  const add = (span: Span): void => {
    ends.set(positionKey({ file: span.file, line: span.start.line, column: span.start.column }), lastLine(span));
  };
  for (const rule of model.rules) add(rule.span);
  for (const limit of model.limits) add(limit.span);
  for (const hide of model.hide) add(hide.span);
  for (const block of model.identities) {
    for (const rule of block.rules) add(rule.span);
    for (const hide of block.hide) add(hide.span);
  }
  return ends;
}

/** A span that ends at the very start of a line (after its line break) does not cover that line. */
function lastLine(span: Span): number {
  return span.end.column === 1 && span.end.line > span.start.line ? span.end.line - 1 : span.end.line;
}
