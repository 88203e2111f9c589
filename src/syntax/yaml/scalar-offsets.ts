// Where each character of a YAML string value was written in the file. A `when:` or selector
// string is parsed as DSL text, and its diagnostics must point at the YAML line and column: so
// this module decodes the scalar itself (quotes, escapes, line folding, block indentation),
// recording the source offset of every character it produces. The result is used only when it
// equals the value `yaml` decoded; otherwise block scalars fall back to a line-by-line mapping
// and the rest to the scalar's start, which is never wrong, only less precise.

import type { Scalar } from 'yaml';

/** Offset in the scalar's value → offset in the file. */
export type OffsetMap = (offset: number) => number;

export interface Decoded {
  text: string;
  /** offsets[i] is where value character i was written; offsets[text.length] is the end. */
  offsets: number[];
}

interface Line {
  start: number;
  /** Where the line's text ends (its line break, or the end of the scalar). */
  end: number;
}

export function scalarOffsetMap(fileText: string, scalar: Scalar.Parsed): OffsetMap {
  const [start, end] = scalar.range;
  const value = typeof scalar.value === 'string' ? scalar.value : String(scalar.source ?? '');
  const decoded = decodeScalar(fileText, scalar);
  if (decoded && decoded.text === value) return fromOffsets(decoded.offsets);
  if (scalar.type === 'BLOCK_LITERAL' || scalar.type === 'BLOCK_FOLDED') return lineByLine(fileText, start, end, value, parentIndent(scalar));
  return (offset) => (Number.isFinite(offset) && offset >= value.length ? end : start);
}

function fromOffsets(offsets: readonly number[]): OffsetMap {
  const last = offsets.length - 1;
  return (offset) => offsets[Number.isFinite(offset) ? Math.max(0, Math.min(last, Math.trunc(offset))) : 0]!;
}

/** The scalar's value as decoded here, with the source offset of every character; exposed for tests. */
export function decodeScalar(text: string, scalar: Scalar.Parsed): Decoded | undefined {
  const [start, end] = scalar.range;
  switch (scalar.type) {
    case 'PLAIN':
      return decodeFlow(text, start, end, 'plain');
    case 'QUOTE_SINGLE':
      return text[start] === "'" && text[end - 1] === "'" && end - start >= 2 ? decodeFlow(text, start + 1, end - 1, 'single') : undefined;
    case 'QUOTE_DOUBLE':
      return text[start] === '"' && text[end - 1] === '"' && end - start >= 2 ? decodeFlow(text, start + 1, end - 1, 'double') : undefined;
    case 'BLOCK_LITERAL':
    case 'BLOCK_FOLDED':
      return decodeBlock(text, start, end, scalar.type === 'BLOCK_FOLDED', parentIndent(scalar));
    default:
      return undefined;
  }
}

function splitLines(text: string, from: number, to: number): Line[] {
  const lines: Line[] = [];
  let lineStart = from;
  for (let i = from; i < to; i++) {
    const ch = text[i];
    if (ch !== '\n' && ch !== '\r') continue;
    lines.push({ start: lineStart, end: i });
    if (ch === '\r' && text[i + 1] === '\n') i++;
    lineStart = i + 1;
  }
  lines.push({ start: lineStart, end: to });
  return lines;
}

const isBlank = (ch: string | undefined) => ch === ' ' || ch === '\t';

function collector(): Decoded & { push(chars: string, offset: number): void } {
  const result = {
    text: '',
    offsets: [] as number[],
    push(chars: string, offset: number) {
      result.text += chars;
      for (let i = 0; i < chars.length; i++) result.offsets.push(offset);
    },
  };
  return result;
}

/** Plain and quoted scalars: a line break folds to a space, n empty lines to n newlines. */
function decodeFlow(text: string, from: number, to: number, style: 'plain' | 'single' | 'double'): Decoded | undefined {
  const lines = splitLines(text, from, to);
  const out = collector();
  const escaped = (at: number) => {
    let count = 0;
    while (at - 1 - count >= from && text[at - 1 - count] === '\\') count++;
    return style === 'double' && count % 2 === 1;
  };
  for (let k = 0; k < lines.length; ) {
    const line = lines[k]!;
    const isLast = k === lines.length - 1;
    let s = line.start;
    let e = line.end;
    if (k > 0) while (s < e && isBlank(text[s])) s++;
    if (!isLast) while (e > s && isBlank(text[e - 1]) && !escaped(e - 1)) e--;
    let escapedBreak = false;
    for (let i = s; i < e; ) {
      const ch = text[i]!;
      if (style === 'single' && ch === "'" && text[i + 1] === "'") {
        out.push("'", i);
        i += 2;
      } else if (style === 'double' && ch === '\\') {
        if (i + 1 === line.end && !isLast) {
          escapedBreak = true;
          break;
        }
        const escape = decodeEscape(text, i);
        if (!escape) return undefined;
        out.push(escape.value, i);
        i += escape.length;
      } else {
        out.push(ch, i);
        i++;
      }
    }
    if (isLast) break;
    let next = k + 1;
    const empty: Line[] = [];
    while (next < lines.length - 1 && lineIsBlank(text, lines[next]!)) empty.push(lines[next++]!);
    // After an escaped line break `yaml` folds what follows as if it were one line break fewer.
    const folded = escapedBreak ? empty.slice(1) : empty;
    if (folded.length === 0 && !(escapedBreak && empty.length === 0)) out.push(' ', escapedBreak ? empty[0]!.end : e);
    for (const blank of folded) out.push('\n', blank.end);
    k = next;
  }
  out.offsets.push(to);
  return out;
}

function lineIsBlank(text: string, line: Line): boolean {
  for (let i = line.start; i < line.end; i++) if (!isBlank(text[i])) return false;
  return true;
}

/** In a block scalar only spaces indent; a tab is content. */
function lineIsSpaces(text: string, line: Line): boolean {
  for (let i = line.start; i < line.end; i++) if (text[i] !== ' ') return false;
  return true;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  '\t': '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  N: '\x85',
  _: '\xa0',
  L: '\u2028',
  P: '\u2029',
};

const HEX_LENGTH: Record<string, number> = { x: 2, u: 4, U: 8 };

function decodeEscape(text: string, at: number): { value: string; length: number } | undefined {
  const kind = text[at + 1];
  if (kind === undefined) return undefined;
  const simple = SIMPLE_ESCAPES[kind];
  if (simple !== undefined) return { value: simple, length: 2 };
  const digits = HEX_LENGTH[kind];
  if (digits === undefined) return undefined;
  const hex = text.slice(at + 2, at + 2 + digits);
  if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== digits) return undefined;
  const code = parseInt(hex, 16);
  if (code > 0x10ffff) return undefined;
  return { value: String.fromCodePoint(code), length: 2 + digits };
}

interface BlockLine extends Line {
  /** A line with nothing but spaces up to the content indentation. */
  empty: boolean;
}

/** `|` and `>` scalars: the header line, then lines indented by the content indentation. */
function decodeBlock(text: string, start: number, end: number, folded: boolean, parent: number | undefined): Decoded | undefined {
  const layout = blockLayout(text, start, end, parent);
  if (!layout) return undefined;
  const { lines, chomp } = layout;
  const out = collector();
  // `yaml` reads a block of nothing but spaces as empty, whatever the indentation says.
  if (lines.every((line) => lineIsSpaces(text, line))) {
    if (chomp === '+' && lines.length > 0) return undefined;
    out.offsets.push(start);
    return out;
  }
  let lastText = -1;
  lines.forEach((line, index) => {
    if (!line.empty) lastText = index;
  });
  const moreIndented = (line: BlockLine) => isBlank(text[line.start]);
  let previous = -1;
  for (let index = 0; index <= lastText; index++) {
    const line = lines[index]!;
    if (line.empty) continue;
    const gap = lines.slice(previous + 1, index);
    const before = lines[previous];
    if (!before) {
      for (const blank of gap) out.push('\n', blank.end);
    } else if (!folded || moreIndented(before) || moreIndented(line)) {
      out.push('\n', before.end);
      for (const blank of gap) out.push('\n', blank.end);
    } else if (gap.length === 0) {
      out.push(' ', before.end);
    } else {
      for (const blank of gap) out.push('\n', blank.end);
    }
    for (let i = line.start; i < line.end; i++) out.push(text[i]!, i);
    previous = index;
  }
  const previousText = lines[previous];
  if (previousText && chomp !== '-') out.push('\n', previousText.end);
  if (chomp === '+') {
    for (const blank of lines.slice(lastText + 1)) out.push('\n', blank.end);
  }
  out.offsets.push(previousText ? previousText.end : end);
  return out;
}

/** The indentation of the collection holding a block scalar, which an explicit `|2` counts from. */
function parentIndent(scalar: Scalar.Parsed): number | undefined {
  const token: unknown = scalar.srcToken;
  const indent = typeof token === 'object' && token !== null ? (token as { indent?: unknown }).indent : undefined;
  return typeof indent === 'number' ? indent : undefined;
}

function blockLayout(text: string, start: number, end: number, parent: number | undefined): { lines: BlockLine[]; chomp: '' | '-' | '+' } | undefined {
  const all = splitLines(text, start, end);
  const header = all[0];
  if (!header) return undefined;
  const indicators = /^[|>]([1-9]?)([-+]?)([1-9]?)/.exec(text.slice(header.start, header.end));
  if (!indicators) return undefined;
  const chomp = (indicators[2] ?? '') as '' | '-' | '+';
  const explicit = Number(indicators[1] || indicators[3] || 0);
  const body = all.slice(1);
  if (body.length > 0 && body[body.length - 1]!.start === end) body.pop();
  let indent = 0;
  if (explicit > 0) {
    if (parent === undefined) return undefined;
    indent = Math.max(0, parent) + explicit;
  } else {
    const firstText = body.find((line) => !lineIsSpaces(text, line));
    if (firstText) while (text[firstText.start + indent] === ' ') indent++;
    else for (const line of body) indent = Math.max(indent, line.end - line.start);
  }
  const lines = body.map((line): BlockLine => {
    const width = line.end - line.start;
    if (lineIsSpaces(text, line) && width <= indent) return { start: line.end, end: line.end, empty: true };
    return { start: line.start + indent, end: line.end, empty: false };
  });
  return { lines, chomp };
}

/** For a block scalar whose exact decoding was not reproduced: value line n is source line n. */
function lineByLine(text: string, start: number, end: number, value: string, parent: number | undefined): OffsetMap {
  const layout = blockLayout(text, start, end, parent);
  const lines = layout?.lines ?? [];
  const lineStarts = [0];
  for (let i = 0; i < value.length; i++) if (value[i] === '\n') lineStarts.push(i + 1);
  return (offset) => {
    if (!Number.isFinite(offset)) return start;
    const clamped = Math.max(0, Math.min(value.length, Math.trunc(offset)));
    let index = lineStarts.length - 1;
    while (index > 0 && lineStarts[index]! > clamped) index--;
    const line = lines[index];
    if (!line) return start;
    return Math.min(line.start + (clamped - lineStarts[index]!), line.end);
  };
}
