// The canonical condition tree: what a `when` clause compiles to in policy.json, and what a
// catalogue uses to say when a capability applies. Plain JSON, no positions.
//
//   { "and": [c, …] }  { "or": [c, …] }  { "not": c }
//   { "op": "==" | "!=" | "<" | "<=" | ">" | ">=", "path": [..], "value": v }
//   { "op": "in" | "not_in", "path": [..], "value": [v, …] }
//   { "op": "matches", "path": [..], "value": "regex" }   (whole-string match)
//   { "op": "exists", "path": [..] }
//
// `path` is the list of keys from the call's arguments object down to the value: `order.qty`
// is ["order", "qty"].

import type { JsonValue } from './json.js';

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

export type Condition =
  | { and: Condition[] }
  | { or: Condition[] }
  | { not: Condition }
  | { op: CompareOp; path: string[]; value: JsonValue }
  | { op: 'in' | 'not_in'; path: string[]; value: JsonValue[] }
  | { op: 'matches'; path: string[]; value: string }
  | { op: 'exists'; path: string[] };

export type LeafCondition = Extract<Condition, { op: string }>;

export function isLeaf(condition: Condition): condition is LeafCondition {
  return 'op' in condition;
}
