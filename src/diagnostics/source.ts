import type { Position, Span } from './diagnostic.js';

/** A source file's text with a line index, so any offset turns into a line and column in O(log n). */
export class SourceText {
  readonly lineStarts: number[];
  /** The line (0-based) of the last lookup: the front ends ask about offsets in text order. */
  private lastLine = 0;

  constructor(
    readonly file: string,
    readonly text: string,
  ) {
    const starts = [0];
    // A line ends at \n, \r\n or a lone \r.
    const breaks = /\r\n?|\n/g;
    while (breaks.exec(text) !== null) starts.push(breaks.lastIndex);
    this.lineStarts = starts;
  }

  positionAt(offset: number): Position {
    const clamped = Math.max(0, Math.min(Number.isFinite(offset) ? offset : 0, this.text.length));
    const starts = this.lineStarts;
    let line = this.lastLine;
    if (!(starts[line]! <= clamped && (line + 1 >= starts.length || clamped < starts[line + 1]!))) {
      let low = 0;
      let high = starts.length - 1;
      while (low < high) {
        const mid = (low + high + 1) >> 1;
        if (starts[mid]! <= clamped) low = mid;
        else high = mid - 1;
      }
      line = low;
      this.lastLine = line;
    }
    return { line: line + 1, column: clamped - starts[line]! + 1, offset: clamped };
  }

  /** The span of [start, end) in this file. */
  span(start: number, end: number = start): Span {
    return { file: this.file, start: this.positionAt(start), end: this.positionAt(Math.max(start, end)) };
  }

  /** The text of line `line` (1-based) without its line break. */
  lineText(line: number): string {
    const start = this.lineStarts[line - 1];
    if (start === undefined) return '';
    const next = this.lineStarts[line];
    const end = next === undefined ? this.text.length : next;
    return this.text.slice(start, end).replace(/\r?\n$|\r$/, '');
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }
}
