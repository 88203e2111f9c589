// Where statements begin, read from the tokens alone. The parser knows this exactly; the
// passes that run before it (nesting depth) or look around an error need a cheap answer. A
// statement keyword opens a statement except where the grammar uses it inside one: `allow` and
// `deny` after `default`, `identity` after `by`.

import type { IToken, TokenType } from 'chevrotain';

import * as t from './tokens.js';

const OPENERS: ReadonlySet<TokenType> = new Set([
  t.Version,
  t.Server,
  t.Default,
  t.Hide,
  t.Allow,
  t.Deny,
  t.Approve,
  t.LimitAll,
  t.Identity,
]);

export function opensStatement(tokens: readonly IToken[], index: number): boolean {
  const token = tokens[index];
  if (token === undefined || !OPENERS.has(token.tokenType)) return false;
  const before = tokens[index - 1]?.tokenType;
  switch (token.tokenType) {
    case t.Allow:
    case t.Deny:
      return before !== t.Default;
    case t.Identity:
      return before !== t.By;
    default:
      return true;
  }
}

/** The keyword that opens the statement `index` sits in, if any (searching back at most to a `{` or `}`). */
export function statementOpenerBefore(tokens: readonly IToken[], index: number): IToken | undefined {
  for (let i = Math.min(index, tokens.length - 1); i >= 0; i--) {
    const type = tokens[i]!.tokenType;
    if (opensStatement(tokens, i)) return tokens[i];
    if (type === t.LBrace || type === t.RBrace) return undefined;
  }
  return undefined;
}

/**
 * Which statement the text at `offset` belongs to, as the index of its opening token (or of the
 * `{` / `}` before it; -1 before any). Text between statements belongs to the one before: that is
 * where recovery put what it skipped.
 */
export function statementKeyAt(tokens: readonly IToken[], offset: number): number {
  let low = 0;
  let high = tokens.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (tokens[mid]!.startOffset <= offset) low = mid + 1;
    else high = mid;
  }
  for (let i = low - 1; i >= 0; i--) {
    const type = tokens[i]!.tokenType;
    if (opensStatement(tokens, i) || type === t.LBrace || type === t.RBrace) return i;
  }
  return -1;
}
