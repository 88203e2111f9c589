// The policy as written: one model for both spellings (DSL and YAML), produced by the front ends
// and read by the checks and the compiler. Every node carries the span it came from, so that any
// diagnostic or decision can point back at the source.

import type { Span } from '../diagnostics/diagnostic.js';
import type { CompareOp } from './condition.js';
import type { JsonValue } from './json.js';

export type Effect = 'allow' | 'deny' | 'approve';
export type DefaultEffect = 'allow' | 'deny';
export type LimitScope = 'identity' | 'session' | 'global';
export type RiskOp = '==' | '>=' | '>' | '<=' | '<';

/** Which tools a statement is about. Names and values are kept as written; checks validate them. */
export type Selector =
  | { kind: 'name'; name: string; span: Span }
  | { kind: 'glob'; pattern: string; span: Span }
  | { kind: 'class'; class: string; span: Span }
  | { kind: 'risk'; op: RiskOp; risk: string; span: Span }
  | { kind: 'all'; span: Span };

/** An argument path such as `order.qty`. */
export interface PathNode {
  segments: string[];
  span: Span;
}

export interface LiteralNode {
  value: JsonValue;
  span: Span;
}

export type Expr =
  | { kind: 'and' | 'or'; operands: Expr[]; span: Span }
  | { kind: 'not'; operand: Expr; span: Span }
  | { kind: 'compare'; op: CompareOp; path: PathNode; value: LiteralNode; span: Span }
  | { kind: 'in'; negated: boolean; path: PathNode; values: LiteralNode[]; span: Span }
  | { kind: 'matches'; path: PathNode; pattern: LiteralNode; span: Span }
  | { kind: 'exists'; path: PathNode; span: Span };

/** A duration such as `30s`, `1m`, `1h`, `1d`. */
export interface DurationNode {
  text: string;
  ms: number;
  span: Span;
}

/** `limit N per DURATION [by SCOPE]`, on a rule or as `limit all`. */
export interface LimitNode {
  max: number;
  maxSpan: Span;
  per: DurationNode;
  by: LimitScope;
  /** Where `by …` was written; absent when the default (identity) applies. */
  bySpan?: Span;
  span: Span;
}

export interface RuleNode {
  effect: Effect;
  effectSpan: Span;
  selectors: Selector[];
  when?: Expr;
  limit?: LimitNode;
  reason?: { text: string; span: Span };
  /** The identity block the rule sits in; absent for top-level rules. */
  identity?: string;
  span: Span;
}

export interface HideNode {
  selectors: Selector[];
  identity?: string;
  span: Span;
}

export interface IdentityNode {
  name: string;
  nameSpan: Span;
  hide: HideNode[];
  rules: RuleNode[];
  span: Span;
}

/** `# policyc-ignore RULE: why` (DSL) — silences RULE on the next statement (or its own line). */
export interface Suppression {
  codes: string[];
  reason?: string;
  /** The lines the suppression covers (1-based, inclusive). */
  appliesTo: { startLine: number; endLine: number };
  span: Span;
}

export interface PolicyModel {
  file: string;
  /** `dsl` or `yaml`: which front end produced the model. */
  syntax: 'dsl' | 'yaml';
  version?: { value: JsonValue; span: Span };
  server?: { name: string; span: Span };
  default?: { value: DefaultEffect; span: Span };
  hide: HideNode[];
  /** Top-level rules, in source order. */
  rules: RuleNode[];
  /** `limit all …` statements, in source order. */
  limits: LimitNode[];
  identities: IdentityNode[];
  suppressions: Suppression[];
}

export function emptyPolicy(file: string, syntax: PolicyModel['syntax']): PolicyModel {
  return { file, syntax, hide: [], rules: [], limits: [], identities: [], suppressions: [] };
}
