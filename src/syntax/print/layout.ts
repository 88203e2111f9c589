// The shape of printed DSL text: lines made of pieces of the model, and the widths that decide
// where a rule breaks. `policyc fmt` lays comments out against the pieces, so it can tell on
// which output line each token of the input ended up.

/** Lines are kept within this many columns where the printer can break them (conditions). */
export const LINE_WIDTH = 80;

/**
 * A rule is written on one line only when that line is at most this wide: a one-line rule should
 * read at a glance in a list of them. Longer rules put `when`, `limit` and `reason` on lines of
 * their own.
 */
export const ONE_LINE_RULE_WIDTH = 72;

/** One level of indentation: identity blocks, continuation clauses, continued conditions. */
export const INDENT = 2;

/**
 * The trailing comments of a run of consecutive lines start at this column (0-based; column 42
 * as editors count) or two columns past the run's widest code, whichever is further right.
 */
export const COMMENT_COLUMN = 41;

/**
 * Which part of a statement a piece of text prints. A rule has `head` (effect and selectors),
 * `when:0`, `when:1`, … (the top-level operands of its condition, each after the first with its
 * `and` / `or`), `limit` and `reason`; an identity block has `open` and `close`; every other
 * statement is one `line`.
 */
export type PieceId = string;

export interface PrintedLine {
  /** Columns of indentation. */
  indent: number;
  text: string;
  /** The pieces this line prints, in order. */
  pieces: PieceId[];
}

/** Width in columns: one per code point (policy text is mostly ASCII; no East Asian width table). */
export function width(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

export function lineWidth(line: Pick<PrintedLine, 'indent' | 'text'>): number {
  return line.indent + width(line.text);
}

export function renderLine(line: PrintedLine): string {
  return ' '.repeat(line.indent) + line.text;
}
