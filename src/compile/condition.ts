// A `when` expression of the model → the canonical condition tree of policy.json.
//
// Canonical means one tree for one meaning, whatever the spelling: `and`/`or` chains are flattened
// (also across parentheses: the three-valued logic of SPEC §2 is associative), so `a and (b and c)`
// and `(a and b) and c` both give {"and": [a, b, c]}; `not` is kept as written.

import type { Condition, LeafCondition } from '../model/condition.js';
import type { JsonValue } from '../model/json.js';
import type { Expr, LiteralNode, PathNode } from '../model/policy.js';

export function conditionOf(expr: Expr): Condition {
  switch (expr.kind) {
    case 'and':
    case 'or': {
      const operands = flatten(expr.kind, expr.operands).map(conditionOf);
      // A chain of one (left by error recovery) means its operand; keep the tree canonical.
      if (operands.length === 1) return operands[0]!;
      return expr.kind === 'and' ? { and: operands } : { or: operands };
    }
    case 'not':
      return { not: conditionOf(expr.operand) };
    case 'compare':
      return { op: expr.op, path: pathOf(expr.path), value: literalOf(expr.value) };
    case 'in':
      return { op: expr.negated ? 'not_in' : 'in', path: pathOf(expr.path), value: expr.values.map(literalOf) };
    case 'matches': {
      const pattern = literalOf(expr.pattern);
      // Checks reject a pattern that is not a string; the compiler still writes something exact.
      return { op: 'matches', path: pathOf(expr.path), value: typeof pattern === 'string' ? pattern : JSON.stringify(pattern) };
    }
    case 'exists':
      return { op: 'exists', path: pathOf(expr.path) };
  }
}

function flatten(kind: 'and' | 'or', operands: readonly Expr[]): Expr[] {
  return operands.flatMap((operand) => (operand.kind === kind ? flatten(kind, operand.operands) : [operand]));
}

function pathOf(path: PathNode): string[] {
  return [...path.segments];
}

function literalOf(literal: LiteralNode): JsonValue {
  return jsonCopy(literal.value);
}

/**
 * A copy that JSON can hold exactly. A number JSON cannot write (an overflowing literal) becomes
 * null: comparing with null is a type error at run time, which never opens a door (SPEC §2.4).
 */
function jsonCopy(value: JsonValue): JsonValue {
  if (typeof value === 'number') return Number.isFinite(value) ? (Object.is(value, -0) ? 0 : value) : null;
  if (Array.isArray(value)) return value.map(jsonCopy);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, jsonCopy(item)]));
  }
  return value;
}

/** Every leaf of a condition, in order. */
export function leavesOf(condition: Condition): LeafCondition[] {
  if ('and' in condition) return condition.and.flatMap(leavesOf);
  if ('or' in condition) return condition.or.flatMap(leavesOf);
  if ('not' in condition) return leavesOf(condition.not);
  return [condition];
}

/** The top-level arguments a condition reads: the first segment of each path. */
export function argumentsRead(condition: Condition): string[] {
  return leavesOf(condition).flatMap((leaf) => (leaf.path.length > 0 ? [leaf.path[0]!] : []));
}
