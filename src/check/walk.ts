// Walking a `when` expression: the leaves (comparisons, `in`, `matches`, `exists`) are where
// paths and literals sit, and most rules only care about those.

import type { Expr, PathNode } from '../model/policy.js';

export type LeafExpr = Exclude<Expr, { kind: 'and' | 'or' | 'not' }>;

/** Every leaf of the expression, left to right. */
export function leavesOf(expr: Expr): LeafExpr[] {
  const leaves: LeafExpr[] = [];
  const stack: Expr[] = [expr];
  while (stack.length > 0) {
    const node = stack.pop()!;
    switch (node.kind) {
      case 'and':
      case 'or':
        for (let i = node.operands.length - 1; i >= 0; i--) stack.push(node.operands[i]!);
        break;
      case 'not':
        stack.push(node.operand);
        break;
      default:
        leaves.push(node);
    }
  }
  return leaves;
}

/** Every argument path the expression reads, left to right (repeats included). */
export function pathsOf(expr: Expr): PathNode[] {
  return leavesOf(expr).map((leaf) => leaf.path);
}
