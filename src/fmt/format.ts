// `policyc fmt`: a .policy file → the same policy in the canonical layout, comments kept.
//
//   text ─► parseDsl (refuse on any error) ─► statements with their tokens ─► layout per statement
//        ─► comments placed against the tokens they follow ─► text ─► verify (same model, same comments)
//
// Statements are printed from the model (print/dsl.ts), in the order they were written; only
// blank lines between statements and the comments come from the input. Docs: docs/fmt.md.

import { hasErrors, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceText } from '../diagnostics/source.js';
import { parseDsl, tokenizeDsl, type DslToken } from '../syntax/dsl/index.js';
import {
  compactRuleLine,
  defaultLine,
  expandedRuleLines,
  hideLine,
  identityOpenText,
  limitAllLine,
  serverLine,
  versionLine,
} from '../syntax/print/dsl.js';
import { COMMENT_COLUMN, INDENT, lineWidth, type PieceId, type PrintedLine } from '../syntax/print/layout.js';
import { piecesOf, statementTree, type Statement } from './statements.js';
import { verifyFormatted } from './verify.js';

export interface FormatResult {
  /** The formatted text; absent when the file has errors, which `diagnostics` then lists. */
  text?: string;
  diagnostics: Diagnostic[];
}

/** Formats a whole .policy file. Never guesses: a file with any error is refused, not formatted. */
export function formatDsl(source: SourceText): FormatResult {
  const parsed = parseDsl(source);
  if (hasErrors(parsed.diagnostics)) return { diagnostics: parsed.diagnostics };
  const lexed = tokenizeDsl(source.text);
  const text = layOut(source, statementTree(parsed.model, lexed.tokens), lexed.tokens, lexed.comments);
  verifyFormatted(source, parsed.model, lexed.comments, text);
  return { text, diagnostics: [] };
}

// --- what the input says besides the model -------------------------------------------------------

interface Comment {
  text: string;
  start: number;
  /** The last token before the comment, or -1 at the top of the file. */
  anchor: number;
  /** Written after code on the same line (else on a line of its own). */
  trailing: boolean;
  /** A blank line separates it from what comes before. */
  blankBefore: boolean;
}

interface Input {
  tokens: readonly DslToken[];
  /** Own-line and trailing comments, by anchor token, in text order. */
  commentsAfter: Map<number, Comment[]>;
  /** Token indexes that a blank line separates from what comes before. */
  blankBeforeToken: Set<number>;
}

function readInput(source: SourceText, tokens: readonly DslToken[], commentTokens: readonly DslToken[]): Input {
  const endLine = (item: DslToken) => source.positionAt(Math.max(item.start, item.end - 1)).line;
  const items = [...tokens.map((token, index) => ({ token, index })), ...commentTokens.map((token) => ({ token, index: -1 }))].sort(
    (a, b) => a.token.start - b.token.start,
  );
  const commentsAfter = new Map<number, Comment[]>();
  const blankBeforeToken = new Set<number>();
  let anchor = -1;
  items.forEach(({ token, index }, position) => {
    const previous = items[position - 1]?.token;
    const blankBefore = previous !== undefined && token.line - endLine(previous) >= 2;
    if (index >= 0) {
      anchor = index;
      if (blankBefore) blankBeforeToken.add(index);
      return;
    }
    const trailing = anchor >= 0 && endLine(tokens[anchor]!) === token.line;
    const comment: Comment = { text: token.image.trimEnd(), start: token.start, anchor, trailing, blankBefore };
    commentsAfter.set(anchor, [...(commentsAfter.get(anchor) ?? []), comment]);
  });
  return { tokens, commentsAfter, blankBeforeToken };
}

// --- layout ----------------------------------------------------------------------------------------

interface OutLine {
  indent: number;
  text: string;
  owner: Statement;
  /** `open` is an identity block's first line, `close` its `}`; `compact` a whole `{}` block. */
  role: 'body' | 'open' | 'close' | 'compact';
  /** The next line of the same statement (not of a statement inside it), if any. */
  next?: OutLine;
}

interface Layout {
  /** Lines of each statement, its own only (an identity block: open and close, or compact). */
  lines: Map<Statement, OutLine[]>;
  lineOfToken: Map<number, OutLine>;
}

function layOutStatements(statements: readonly Statement[], input: Input, indent: number, layout: Layout): void {
  for (const statement of statements) {
    const pieces = piecesOf(statement, input.tokens);
    const printed = printStatement(statement, pieces, input, indent);
    const lines = printed.map((line): OutLine => ({ indent: line.indent, text: line.text, owner: statement, role: roleOf(statement, line) }));
    lines.forEach((line, i) => {
      if (i + 1 < lines.length) line.next = lines[i + 1];
    });
    const lineOfPiece = new Map<PieceId, OutLine>();
    printed.forEach((line, i) => line.pieces.forEach((piece) => lineOfPiece.set(piece, lines[i]!)));
    for (const [token, piece] of pieces) {
      const line = lineOfPiece.get(piece);
      if (line === undefined) throw new Error(`internal: fmt printed no line for the piece ${piece}`);
      layout.lineOfToken.set(token, line);
    }
    layout.lines.set(statement, lines);
    layOutStatements(statement.children, input, indent + INDENT, layout);
  }
}

function roleOf(statement: Statement, line: PrintedLine): OutLine['role'] {
  if (statement.kind !== 'identity') return 'body';
  if (line.pieces.includes('open')) return line.pieces.includes('close') ? 'compact' : 'open';
  return 'close';
}

function commentsOn(input: Input, statement: Statement, from = statement.first, to = statement.last): Comment[] {
  const found: Comment[] = [];
  for (let i = from; i <= to; i++) found.push(...(input.commentsAfter.get(i) ?? []));
  return found;
}

function printStatement(statement: Statement, pieces: Map<number, PieceId>, input: Input, indent: number): PrintedLine[] {
  const line = (text: string): PrintedLine[] => [{ indent, text, pieces: ['line'] }];
  switch (statement.kind) {
    case 'version':
      return line(versionLine(statement.node));
    case 'server':
      return line(serverLine(statement.node));
    case 'default':
      return line(defaultLine(statement.node));
    case 'hide':
      return line(hideLine(statement.node));
    case 'limitAll':
      return line(limitAllLine(statement.node));
    case 'rule':
      return ruleLayout(statement, pieces, input, indent);
    case 'identity': {
      const open = identityOpenText(statement.node);
      const header = [...pieces].filter(([, piece]) => piece === 'open').map(([token]) => token);
      // A comment of its own line after the header is inside the block: the block needs a body.
      const commentInside = commentsOn(input, statement, Math.min(...header), Math.max(...header)).some((comment) => !comment.trailing);
      if (statement.children.length === 0 && !commentInside) return [{ indent, text: `${open}}`, pieces: ['open', 'close'] }];
      return [
        { indent, text: open, pieces: ['open'] },
        { indent, text: '}', pieces: ['close'] },
      ];
    }
  }
}

/**
 * A rule goes on one line when it fits in ONE_LINE_RULE_WIDTH and no comment sits inside it,
 * that is after a token that the expanded layout does not print on its last line; such a
 * comment stays with its clause, so the rule is expanded. The choice depends on the model and
 * the comments only, never on how the input was laid out.
 */
function ruleLayout(statement: Statement & { kind: 'rule' }, pieces: Map<number, PieceId>, input: Input, indent: number): PrintedLine[] {
  const expanded = expandedRuleLines(statement.node, indent);
  const lastPieces = new Set(expanded[expanded.length - 1]!.pieces);
  const commentInside = [...pieces].some(([token, piece]) => !lastPieces.has(piece) && (input.commentsAfter.get(token)?.length ?? 0) > 0);
  const compact = commentInside ? undefined : compactRuleLine(statement.node, indent);
  return compact ? [compact] : expanded;
}

// --- placing comments --------------------------------------------------------------------------------

type Entry = { kind: 'code'; line: OutLine; trailing?: string } | { kind: 'comment'; indent: number; text: string } | { kind: 'blank' };

interface Placement {
  trailing: Map<OutLine, Comment>;
  /** Trailing comments that lost their line to a later one: written on their own before the statement. */
  hoisted: Map<Statement, Comment[]>;
  /** Own-line comments, after the line that holds the token before them. */
  after: Map<OutLine, Comment[]>;
}

/**
 * A trailing comment stays at the end of the line that holds the token before it; when several
 * end up on one line, the last keeps it and the others move to lines of their own just before
 * the statement (where a `# policyc-ignore` still covers the same statement). A comment on its
 * own line follows the line that holds the token before it.
 */
function placeComments(input: Input, layout: Layout): Placement {
  const placement: Placement = { trailing: new Map(), hoisted: new Map(), after: new Map() };
  const byStart = (a: Comment, b: Comment) => a.start - b.start;
  const all = [...input.commentsAfter.entries()].filter(([anchor]) => anchor >= 0);
  for (const [anchor, comments] of all) {
    const line = layout.lineOfToken.get(anchor);
    if (line === undefined) throw new Error(`internal: fmt placed no line for token ${anchor}`);
    for (const comment of comments) {
      if (!comment.trailing) {
        placement.after.set(line, [...(placement.after.get(line) ?? []), comment].sort(byStart));
        continue;
      }
      const earlier = placement.trailing.get(line);
      const [keep, move] = earlier === undefined || earlier.start < comment.start ? [comment, earlier] : [earlier, comment];
      placement.trailing.set(line, keep);
      if (move) placement.hoisted.set(line.owner, [...(placement.hoisted.get(line.owner) ?? []), move].sort(byStart));
    }
  }
  return placement;
}

function emit(statements: readonly Statement[], input: Input, layout: Layout, placement: Placement): Entry[] {
  const entries: Entry[] = [];
  const blank = () => {
    const last = entries[entries.length - 1];
    if (last === undefined || last.kind === 'blank' || (last.kind === 'code' && last.line.role === 'open')) return;
    entries.push({ kind: 'blank' });
  };
  const comment = (item: Comment, indent: number, mayBlank: boolean) => {
    if (mayBlank && item.blankBefore) blank();
    entries.push({ kind: 'comment', indent, text: item.text });
  };

  for (const item of input.commentsAfter.get(-1) ?? []) comment(item, 0, true);

  const statement = (current: Statement, indent: number) => {
    if (input.blankBeforeToken.has(current.first)) blank();
    for (const item of placement.hoisted.get(current) ?? []) comment(item, indent, false);
    for (const line of layout.lines.get(current)!) {
      if (line.role === 'close') for (const child of current.children) statement(child, indent + INDENT);
      const trailing = placement.trailing.get(line);
      entries.push(trailing === undefined ? { kind: 'code', line } : { kind: 'code', line, trailing: trailing.text });
      if (line.role === 'open') {
        for (const item of placement.after.get(line) ?? []) comment(item, indent + INDENT, true);
      } else if (line.next !== undefined) {
        for (const item of placement.after.get(line) ?? []) comment(item, line.next.indent, false);
      } else {
        for (const item of placement.after.get(line) ?? []) comment(item, indent, true);
      }
    }
  };
  for (const top of statements) statement(top, 0);
  return entries;
}

/** Trailing comments of consecutive lines line up, at COMMENT_COLUMN or two past the widest code. */
function render(entries: readonly Entry[]): string {
  const out: string[] = [];
  let i = 0;
  while (i < entries.length) {
    const entry = entries[i]!;
    if (entry.kind === 'code' && entry.trailing !== undefined) {
      let end = i;
      while (end < entries.length && isCommented(entries[end]!)) end++;
      const run = entries.slice(i, end) as (Entry & { kind: 'code'; trailing: string })[];
      const column = Math.max(COMMENT_COLUMN, ...run.map((item) => lineWidth(item.line) + 2));
      for (const item of run) out.push(`${codeText(item.line)}${' '.repeat(column - lineWidth(item.line))}${item.trailing}`);
      i = end;
      continue;
    }
    if (entry.kind === 'code') out.push(codeText(entry.line));
    else if (entry.kind === 'comment') out.push(`${' '.repeat(entry.indent)}${entry.text}`);
    else out.push('');
    i++;
  }
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}

function isCommented(entry: Entry): boolean {
  return entry.kind === 'code' && entry.trailing !== undefined;
}

function codeText(line: OutLine): string {
  return ' '.repeat(line.indent) + line.text;
}

function layOut(source: SourceText, statements: readonly Statement[], tokens: readonly DslToken[], comments: readonly DslToken[]): string {
  const input = readInput(source, tokens, comments);
  const layout: Layout = { lines: new Map(), lineOfToken: new Map() };
  layOutStatements(statements, input, 0, layout);
  return render(emit(statements, input, layout, placeComments(input, layout)));
}
