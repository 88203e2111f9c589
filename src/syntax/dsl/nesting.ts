// Nesting depth, measured on the token stream before parsing. The parser and every later stage
// recurse once per level of parentheses, lists and `not`s, so 100,000 `(` would overflow the stack
// anywhere downstream. A statement nested deeper than MAX_NESTING is cut out of the token
// stream here (reported once), and never reaches the parser.

import type { IToken } from 'chevrotain';

import { opensStatement } from './boundaries.js';
import * as t from './tokens.js';

/** Deeper than any policy a person writes, shallow enough for every recursive stage. */
export const MAX_NESTING = 64;

export interface TooDeep {
  /** The token that went one level too deep. */
  token: IToken;
  /** What nests: an expression's brackets and `not`s, or identity blocks. */
  kind: 'expression' | 'block';
  /** Token indexes [from, to) cut from the stream: the statement the token sits in. */
  from: number;
  to: number;
}

/** Tokens that end the reach of pending `not`s in the current level, or the whole expression. */
const ENDS_OPERAND = new Set([t.And, t.Or, t.Comma]);
const ENDS_EXPRESSION = new Set([t.When, t.Limit, t.Reason]);

/**
 * Finds every statement nested too deep. In an expression, depth counts open `(` and `[`, plus
 * the `not`s that still apply at this point (a `not` applies until the next `and`, `or`, `,` or
 * closing bracket of its level): an over-estimate for odd spellings, never an under-estimate.
 * Identity blocks (`{`) count on their own: a block too deep is cut with everything in it.
 */
export function findTooDeep(tokens: readonly IToken[], limit = MAX_NESTING): TooDeep[] {
  const found: TooDeep[] = [];
  let statementStart = 0;
  let blocks = 0;
  let levels: number[] = [0]; // pending `not`s per open bracket level
  let depth = 0;
  const reset = () => {
    levels = [0];
    depth = 0;
  };

  for (let i = 0; i < tokens.length; i++) {
    const type = tokens[i]!.tokenType;
    if (opensStatement(tokens, i)) {
      statementStart = i;
      reset();
      continue;
    }
    if (type === t.LBrace && blocks + 1 > limit) {
      const to = afterMatchingBrace(tokens, i);
      found.push({ token: tokens[i]!, kind: 'block', from: statementStart, to });
      i = to - 1;
      statementStart = to;
      reset();
      continue;
    }
    if (type === t.LBrace || type === t.RBrace) {
      blocks = type === t.LBrace ? blocks + 1 : Math.max(0, blocks - 1);
      statementStart = i + 1;
      reset();
      continue;
    }
    if (ENDS_EXPRESSION.has(type)) {
      reset();
      continue;
    }
    if (type === t.LParen || type === t.LBracket || type === t.Not) {
      if (type === t.Not) levels[levels.length - 1]! += 1;
      else levels.push(0);
      depth += 1;
      if (depth > limit) {
        const to = skipStatement(tokens, i + 1);
        found.push({ token: tokens[i]!, kind: 'expression', from: statementStart, to });
        i = to - 1;
        reset();
      }
    } else if (type === t.RParen || type === t.RBracket) {
      if (levels.length > 1) depth -= 1 + levels.pop()!;
    } else if (ENDS_OPERAND.has(type)) {
      depth -= levels[levels.length - 1]!;
      levels[levels.length - 1] = 0;
    }
  }
  return found;
}

/** The index of the next token that opens a statement or ends an identity block. */
function skipStatement(tokens: readonly IToken[], from: number): number {
  for (let i = from; i < tokens.length; i++) {
    if (opensStatement(tokens, i) || tokens[i]!.tokenType === t.RBrace) return i;
  }
  return tokens.length;
}

/** The index just past the `}` that closes the `{` at `open`, or the end. */
function afterMatchingBrace(tokens: readonly IToken[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const type = tokens[i]!.tokenType;
    if (type === t.LBrace) depth++;
    else if (type === t.RBrace && --depth === 0) return i + 1;
  }
  return tokens.length;
}

/** `tokens` without the ranges in `cuts` (sorted, disjoint). */
export function withoutRanges(tokens: IToken[], cuts: readonly TooDeep[]): IToken[] {
  if (cuts.length === 0) return tokens;
  const kept: IToken[] = [];
  let next = 0;
  for (const cut of cuts) {
    for (let i = next; i < cut.from; i++) kept.push(tokens[i]!);
    next = cut.to;
  }
  for (let i = next; i < tokens.length; i++) kept.push(tokens[i]!);
  return kept;
}
