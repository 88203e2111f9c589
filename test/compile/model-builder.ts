// Hand-built policy models for compiler tests, so the compiler can be tested without the front
// ends: every node gets a span at an explicit line (column 1 unless given).

import type { Catalog, CatalogTool } from '../../src/catalog/types.js';
import type { Span } from '../../src/diagnostics/diagnostic.js';
import type { CompareOp } from '../../src/model/condition.js';
import type { JsonValue } from '../../src/model/json.js';
import {
  emptyPolicy,
  type Effect,
  type Expr,
  type HideNode,
  type IdentityNode,
  type LimitNode,
  type LimitScope,
  type LiteralNode,
  type PathNode,
  type PolicyModel,
  type RiskOp,
  type RuleNode,
  type Selector,
} from '../../src/model/policy.js';
import { parseDuration } from '../../src/model/text.js';

export const FILE = 'test.policy';

export function span(line = 1, column = 1, file = FILE): Span {
  const offset = (line - 1) * 100 + column - 1;
  return { file, start: { line, column, offset }, end: { line, column: column + 1, offset: offset + 1 } };
}

/** `place_order`, `get_*`, `class read`, `risk >= high`, `*`. */
export function selector(text: string, at: Span = span()): Selector {
  if (text === '*') return { kind: 'all', span: at };
  const cls = /^class (\S+)$/.exec(text);
  if (cls) return { kind: 'class', class: cls[1]!, span: at };
  const risk = /^risk (?:(==|>=|>|<=|<) )?(\S+)$/.exec(text);
  if (risk) return { kind: 'risk', op: (risk[1] ?? '==') as RiskOp, risk: risk[2]!, span: at };
  if (text.includes('*') || text.includes('?')) return { kind: 'glob', pattern: text, span: at };
  return { kind: 'name', name: text, span: at };
}

function path(dotted: string): PathNode {
  return { segments: dotted.split('.'), span: span() };
}

function lit(value: JsonValue): LiteralNode {
  return { value, span: span() };
}

/** Condition builders: `when.cmp('qty', '<=', 100)`, `when.and(a, b)`, … */
export const when = {
  cmp: (p: string, op: CompareOp, value: JsonValue): Expr => ({ kind: 'compare', op, path: path(p), value: lit(value), span: span() }),
  in: (p: string, values: JsonValue[]): Expr => ({ kind: 'in', negated: false, path: path(p), values: values.map(lit), span: span() }),
  notIn: (p: string, values: JsonValue[]): Expr => ({ kind: 'in', negated: true, path: path(p), values: values.map(lit), span: span() }),
  matches: (p: string, pattern: JsonValue): Expr => ({ kind: 'matches', path: path(p), pattern: lit(pattern), span: span() }),
  exists: (p: string): Expr => ({ kind: 'exists', path: path(p), span: span() }),
  and: (...operands: Expr[]): Expr => ({ kind: 'and', operands, span: span() }),
  or: (...operands: Expr[]): Expr => ({ kind: 'or', operands, span: span() }),
  not: (operand: Expr): Expr => ({ kind: 'not', operand, span: span() }),
};

/** `limit(10, '1m')`; an unparsable duration gets NaN ms, as a front end leaves it after an error. */
export function limit(max: number, per: string, by?: LimitScope, at: Span = span()): LimitNode {
  const node: LimitNode = { max, maxSpan: at, per: { text: per, ms: parseDuration(per) ?? NaN, span: at }, by: by ?? 'identity', span: at };
  if (by !== undefined) node.bySpan = at;
  return node;
}

export interface RuleOptions {
  when?: Expr;
  limit?: LimitNode;
  reason?: string;
  line?: number;
  column?: number;
  identity?: string;
}

export function rule(effect: Effect, selectors: string[], options: RuleOptions = {}): RuleNode {
  const at = span(options.line ?? 1, options.column ?? 1);
  const node: RuleNode = { effect, effectSpan: at, selectors: selectors.map((s) => selector(s, at)), span: at };
  if (options.when) node.when = options.when;
  if (options.limit) node.limit = options.limit;
  if (options.reason !== undefined) node.reason = { text: options.reason, span: at };
  if (options.identity !== undefined) node.identity = options.identity;
  return node;
}

export function hide(selectors: string[], line = 1, column = 1): HideNode {
  const at = span(line, column);
  return { selectors: selectors.map((s) => selector(s, at)), span: at };
}

export function identity(name: string, parts: { hide?: HideNode[]; rules?: RuleNode[]; line?: number }): IdentityNode {
  const at = span(parts.line ?? 1);
  return {
    name,
    nameSpan: at,
    hide: (parts.hide ?? []).map((h) => ({ ...h, identity: name })),
    rules: (parts.rules ?? []).map((r) => ({ ...r, identity: name })),
    span: at,
  };
}

export interface ModelParts {
  server?: string;
  default?: 'allow' | 'deny';
  hide?: HideNode[];
  rules?: RuleNode[];
  limits?: LimitNode[];
  identities?: IdentityNode[];
  file?: string;
  syntax?: 'dsl' | 'yaml';
}

export function model(parts: ModelParts = {}): PolicyModel {
  const result = emptyPolicy(parts.file ?? FILE, parts.syntax ?? 'dsl');
  result.version = { value: 1, span: span() };
  if (parts.server !== undefined) result.server = { name: parts.server, span: span() };
  if (parts.default !== undefined) result.default = { value: parts.default, span: span() };
  result.hide = parts.hide ?? [];
  result.rules = parts.rules ?? [];
  result.limits = parts.limits ?? [];
  result.identities = parts.identities ?? [];
  return result;
}

function tool(name: string, cls: CatalogTool['class'], risk: CatalogTool['risk'], extra: Partial<CatalogTool> = {}): CatalogTool {
  return {
    name,
    description: name,
    inputSchema: { type: 'object', properties: {} },
    class: cls,
    risk,
    capabilities: [],
    reviewed: true,
    ...extra,
  };
}

/** A small catalogue: one tool of each class, with normalised arguments on the trading ones. */
export function smallCatalog(): Catalog {
  return {
    name: 'small',
    tools: [
      tool('quote', 'read', 'low'),
      tool('list_orders', 'read', 'medium', { normalize: { env: 'upper' } }),
      tool('subscribe', 'write', 'low'),
      tool('place', 'financial', 'critical', { normalize: { env: 'upper', side: 'upper', note: 'trim' } }),
      tool('cancel', 'destructive', 'high', { normalize: { env: 'upper' } }),
    ],
  };
}
