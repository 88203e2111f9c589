// Code frames: the lines a span covers, with line numbers and an underline beneath the span.
// Written here rather than taken from @babel/code-frame because spans are 1-based UTF-16
// columns, because notes need a second style of underline, and because a policy line may hold
// tabs, wide (CJK, emoji) characters, and invisible or bidi-control characters that must be
// shown, not obeyed, by the terminal.

import type { Span } from '../diagnostic.js';
import type { SourceText } from '../source.js';

const TAB = '    ';
/** Spans over more lines than this show their first and last lines around an ellipsis. */
const MAX_FRAME_LINES = 6;
/** Lines wider than this show a window around the span (a generated line can be megabytes long). */
const MAX_FRAME_WIDTH = 120;
/** How much of the line before the span such a window keeps. */
const WINDOW_LEAD = 40;

export interface FramePaint {
  gutter(text: string): string;
  underline(text: string): string;
}

export const PLAIN_PAINT: FramePaint = { gutter: (text) => text, underline: (text) => text };

/** A line as the terminal should show it, and where each UTF-16 column lands on screen. */
interface DisplayLine {
  text: string;
  /** `columns[i]` is the screen column (0-based) of UTF-16 index i; one extra entry for the end. */
  columns: number[];
  /** Each shown character's text and the screen column it starts at, for windowing long lines. */
  cells: { text: string; at: number }[];
}

function isWide(codePoint: number): boolean {
  return (
    (codePoint >= 0x1100 && codePoint <= 0x115f) ||
    (codePoint >= 0x2e80 && codePoint <= 0x303e) ||
    (codePoint >= 0x3041 && codePoint <= 0x33ff) ||
    (codePoint >= 0x3400 && codePoint <= 0x4dbf) ||
    (codePoint >= 0x4e00 && codePoint <= 0x9fff) ||
    (codePoint >= 0xa000 && codePoint <= 0xa4cf) ||
    (codePoint >= 0xac00 && codePoint <= 0xd7a3) ||
    (codePoint >= 0xf900 && codePoint <= 0xfaff) ||
    (codePoint >= 0xfe30 && codePoint <= 0xfe4f) ||
    (codePoint >= 0xff00 && codePoint <= 0xff60) ||
    (codePoint >= 0xffe0 && codePoint <= 0xffe6) ||
    (codePoint >= 0x1f300 && codePoint <= 0x1f64f) ||
    (codePoint >= 0x1f900 && codePoint <= 0x1f9ff) ||
    (codePoint >= 0x20000 && codePoint <= 0x3fffd)
  );
}

const COMBINING = /^[\p{Mn}\p{Me}]$/u;
// Format and control characters (zero-width, bidi overrides, tags, NUL…) are shown by code point:
// printed raw they would be invisible, or would reorder the line the reader sees.
const INVISIBLE = /^[\p{Cf}\p{Cc}\p{Zl}\p{Zp}]$/u;

/** How one character is shown: its text on screen and its width in columns. */
function display(ch: string, screenColumn: number): { text: string; width: number } {
  if (ch === '\t') {
    return { text: TAB, width: TAB.length };
  }
  const codePoint = ch.codePointAt(0) ?? 0;
  if (INVISIBLE.test(ch)) {
    const text = `<U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}>`;
    return { text, width: text.length };
  }
  if (COMBINING.test(ch)) return { text: screenColumn === 0 ? ` ${ch}` : ch, width: screenColumn === 0 ? 1 : 0 };
  return { text: ch, width: isWide(codePoint) ? 2 : 1 };
}

export function displayLine(line: string): DisplayLine {
  let text = '';
  const columns: number[] = [];
  const cells: DisplayLine['cells'] = [];
  let screen = 0;
  for (const ch of line) {
    const shown = display(ch, screen);
    for (let unit = 0; unit < ch.length; unit++) columns.push(screen);
    cells.push({ text: shown.text, at: screen });
    text += shown.text;
    screen += shown.width;
  }
  columns.push(screen);
  return { text, columns, cells };
}

/**
 * The part of a long line worth showing: a window of MAX_FRAME_WIDTH columns that starts a
 * little before `from`, with `…` where text was cut. `shift` is how far the window moved the
 * line to the left, so the underline can move with it.
 */
function windowed(line: DisplayLine, from: number): { text: string; shift: number } {
  const width = line.columns[line.columns.length - 1] ?? 0;
  if (width <= MAX_FRAME_WIDTH) return { text: line.text, shift: 0 };
  const start = Math.max(0, Math.min(from - WINDOW_LEAD, width - MAX_FRAME_WIDTH));
  const end = start + MAX_FRAME_WIDTH;
  const kept = line.cells.filter((cell) => cell.at >= start && cell.at < end);
  const head = start > 0 ? '…' : '';
  const tail = end < width ? '…' : '';
  // The `…` in front takes one column, so the line moves left by one column less.
  return { text: head + kept.map((cell) => cell.text).join('') + tail, shift: start - head.length };
}

/** The screen column of a 1-based UTF-16 column, clamped to the line. */
function screenColumn(line: DisplayLine, column: number): number {
  const index = Math.max(0, Math.min(column - 1, line.columns.length - 1));
  return line.columns[index] ?? 0;
}

function finite(value: number): boolean {
  return Number.isFinite(value) && value >= 1;
}

/**
 * The frame of `span` in `source`: one entry per output line, without a trailing newline,
 * `indent` before each. Empty when the span's lines are not in the source.
 */
export function codeFrame(source: SourceText, span: Span, options: { char: '^' | '-'; paint: FramePaint; indent?: string; gutterWidth?: number }): string[] {
  const { start } = span;
  if (!finite(start.line) || !finite(start.column) || start.line > source.lineCount) return [];
  let end = finite(span.end.line) && finite(span.end.column) && span.end.line >= start.line ? span.end : start;
  // A span that ends at the very start of a line really ends at the end of the line before.
  if (end.line > start.line && end.column === 1) end = { ...end, line: end.line - 1, column: source.lineText(end.line - 1).length + 1 };
  const lastLine = Math.min(end.line, source.lineCount);

  const numbers: Array<number | undefined> = [];
  for (let line = start.line; line <= lastLine; line++) numbers.push(line);
  const shown =
    numbers.length > MAX_FRAME_LINES ? [...numbers.slice(0, MAX_FRAME_LINES - 2), undefined, ...numbers.slice(-1)] : numbers;

  const indent = options.indent ?? '';
  const width = Math.max(options.gutterWidth ?? 0, String(lastLine).length);
  const { paint } = options;
  const out: string[] = [];
  for (const number of shown) {
    if (number === undefined) {
      out.push(`${indent}${paint.gutter(`${'.'.repeat(width)} |`)}`);
      continue;
    }
    const line = displayLine(source.lineText(number));
    const from = number === start.line ? screenColumn(line, start.column) : firstNonBlank(line);
    const to = number === lastLine && number === end.line ? screenColumn(line, end.column) : (line.columns[line.columns.length - 1] ?? 0);
    const view = windowed(line, from);
    out.push(`${indent}${paint.gutter(`${String(number).padStart(width)} |`)}${view.text === '' ? '' : ` ${view.text}`}`);
    const shownFrom = from - view.shift;
    const length = Math.max(1, Math.min(to - from, MAX_FRAME_WIDTH + 1 - shownFrom));
    out.push(`${indent}${paint.gutter(`${' '.repeat(width)} |`)} ${' '.repeat(shownFrom)}${paint.underline(options.char.repeat(length))}`);
  }
  return out;
}

function firstNonBlank(line: DisplayLine): number {
  const match = /^ */.exec(line.text);
  return match ? match[0].length : 0;
}
