// The statements of a parsed file, in source order, each with the tokens it was written with and,
// for every token, the piece of the printed statement it belongs to (see print/layout.ts). This
// is how `fmt` knows on which output line a comment's neighbouring token ends up.
//
// The model says what each statement is and where it starts and ends; the tokens fill in what
// the model does not keep (a `when` keyword, the `and` between two operands).

import type { IdentityNode, LimitNode, PolicyModel, RuleNode } from '../model/policy.js';
import type { DslToken } from '../syntax/dsl/index.js';
import type { PieceId } from '../syntax/print/layout.js';

export type StatementNode =
  | { kind: 'version'; node: NonNullable<PolicyModel['version']> }
  | { kind: 'server'; node: NonNullable<PolicyModel['server']> }
  | { kind: 'default'; node: NonNullable<PolicyModel['default']> }
  | { kind: 'hide'; node: PolicyModel['hide'][number] }
  | { kind: 'rule'; node: RuleNode }
  | { kind: 'limitAll'; node: LimitNode }
  | { kind: 'identity'; node: IdentityNode };

export type Statement = StatementNode & {
  /** Indexes of the statement's first and last token (inclusive). */
  first: number;
  last: number;
  /** For an identity block: the statements inside it, in source order. */
  children: Statement[];
};

/** The model and the tokens disagree: a bug in the front end or here, never the user's input. */
export class TokenMismatch extends Error {
  override readonly name = 'TokenMismatch';
}

interface TokenIndex {
  byStart: Map<number, number>;
  byEnd: Map<number, number>;
}

function indexTokens(tokens: readonly DslToken[]): TokenIndex {
  const byStart = new Map<number, number>();
  const byEnd = new Map<number, number>();
  tokens.forEach((token, index) => {
    byStart.set(token.start, index);
    byEnd.set(token.end, index);
  });
  return { byStart, byEnd };
}

function tokenStartingAt(index: TokenIndex, offset: number): number {
  const found = index.byStart.get(offset);
  if (found === undefined) throw new TokenMismatch(`no token starts at offset ${offset}`);
  return found;
}

function tokenEndingAt(index: TokenIndex, offset: number): number {
  const found = index.byEnd.get(offset);
  if (found === undefined) throw new TokenMismatch(`no token ends at offset ${offset}`);
  return found;
}

function spanned(index: TokenIndex, statement: StatementNode, span: { start: { offset: number }; end: { offset: number } }): Statement {
  return { ...statement, first: tokenStartingAt(index, span.start.offset), last: tokenEndingAt(index, span.end.offset), children: [] };
}

/** `version 1`: the model keeps the value's span; the keyword is the token before it. */
function keywordStatement(index: TokenIndex, statement: StatementNode, span: { start: { offset: number }; end: { offset: number } }): Statement {
  const value = tokenStartingAt(index, span.start.offset);
  return { ...statement, first: value - 1, last: tokenEndingAt(index, span.end.offset), children: [] };
}

function inSourceOrder(statements: Statement[]): Statement[] {
  return statements.sort((a, b) => a.first - b.first);
}

/** Every statement of the model with its token range, top level and inside identity blocks. */
export function statementTree(model: PolicyModel, tokens: readonly DslToken[]): Statement[] {
  const index = indexTokens(tokens);
  const top: Statement[] = [];
  if (model.version) top.push(keywordStatement(index, { kind: 'version', node: model.version }, model.version.span));
  if (model.server) top.push(keywordStatement(index, { kind: 'server', node: model.server }, model.server.span));
  if (model.default) top.push(keywordStatement(index, { kind: 'default', node: model.default }, model.default.span));
  for (const hide of model.hide) top.push(spanned(index, { kind: 'hide', node: hide }, hide.span));
  for (const rule of model.rules) top.push(spanned(index, { kind: 'rule', node: rule }, rule.span));
  for (const limit of model.limits) top.push(spanned(index, { kind: 'limitAll', node: limit }, limit.span));
  for (const identity of model.identities) {
    const block = spanned(index, { kind: 'identity', node: identity }, identity.span);
    block.children = inSourceOrder([
      ...identity.hide.map((hide) => spanned(index, { kind: 'hide', node: hide }, hide.span)),
      ...identity.rules.map((rule) => spanned(index, { kind: 'rule', node: rule }, rule.span)),
    ]);
    top.push(block);
  }
  return inSourceOrder(top);
}

/** The piece each token of a statement (not of its children) belongs to, by token index. */
export function piecesOf(statement: Statement, tokens: readonly DslToken[]): Map<number, PieceId> {
  const pieces = new Map<number, PieceId>();
  switch (statement.kind) {
    case 'rule':
      return rulePieces(statement, tokens);
    case 'identity': {
      let open = statement.first;
      while (open <= statement.last && tokens[open]?.type !== 'LBrace') open++;
      if (open > statement.last) throw new TokenMismatch('an identity block without `{`');
      for (let i = statement.first; i <= open; i++) pieces.set(i, 'open');
      pieces.set(statement.last, 'close');
      return pieces;
    }
    default:
      for (let i = statement.first; i <= statement.last; i++) pieces.set(i, 'line');
      return pieces;
  }
}

const CLAUSE_KEYWORDS: Readonly<Record<string, PieceId>> = { When: 'when', Limit: 'limit', Reason: 'reason' };

/**
 * A rule's tokens: `head` up to the first clause, then each clause. A clause keyword after a `.`
 * is a path segment (`x.limit`), not a clause. The `when` clause is split at its top-level
 * `and` / `or`, each operator going with the operand after it, as the printer breaks it.
 */
function rulePieces(statement: Statement & { kind: 'rule' }, tokens: readonly DslToken[]): Map<number, PieceId> {
  const pieces = new Map<number, PieceId>();
  let clause: PieceId = 'head';
  const whenTokens: number[] = [];
  for (let i = statement.first; i <= statement.last; i++) {
    const token = tokens[i]!;
    const keyword = CLAUSE_KEYWORDS[token.type];
    if (keyword !== undefined && tokens[i - 1]?.type !== 'Dot') clause = keyword;
    if (clause === 'when') whenTokens.push(i);
    else pieces.set(i, clause);
  }
  const when = statement.node.when;
  if (when === undefined) {
    if (whenTokens.length > 0) throw new TokenMismatch('a `when` clause the model does not have');
    return pieces;
  }
  const operands = when.kind === 'and' || when.kind === 'or' ? when.operands.length : 1;
  const separators = operands > 1 ? topLevelSeparators(tokens, whenTokens, when.kind === 'and' ? 'And' : 'Or') : new Set<number>();
  if (separators.size !== operands - 1) throw new TokenMismatch(`a condition of ${operands} operands with ${separators.size} separators`);
  let operand = 0;
  for (const i of whenTokens) {
    if (separators.has(i)) operand++;
    pieces.set(i, `when:${operand}`);
  }
  return pieces;
}

/**
 * The operators that join the top-level operands: tokens of the chain's kind at the shallowest
 * parenthesis depth at which any appears (outer parentheses around the whole condition are
 * dropped by the model, and a nested chain of the same kind is always in parentheses).
 */
function topLevelSeparators(tokens: readonly DslToken[], indexes: readonly number[], type: 'And' | 'Or'): Set<number> {
  let depth = 0;
  const found: { index: number; depth: number }[] = [];
  for (const i of indexes) {
    const token = tokens[i]!;
    if (token.type === 'LParen') depth++;
    else if (token.type === 'RParen') depth--;
    else if (token.type === type) found.push({ index: i, depth });
  }
  const shallowest = Math.min(...found.map((entry) => entry.depth));
  return new Set(found.filter((entry) => entry.depth === shallowest).map((entry) => entry.index));
}
