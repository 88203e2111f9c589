// Small helpers for writing messages the same way in every rule.

import type { Span } from '../diagnostics/diagnostic.js';

/** `a, b, c` — or `a, b, c and 4 more` once the list is long enough to drown the message. */
export function listNames(names: readonly string[], max = 6): string {
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

/** `1 tool`, `3 tools`. */
export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nouns}`;
}

/** Where a statement is, for a message: `line 6`. */
export function lineOf(span: Span): string {
  return `line ${span.start.line}`;
}

/** The smallest span covering both (they must be in the same file). */
export function coverSpans(first: Span, last: Span): Span {
  const start = first.start.offset <= last.start.offset ? first.start : last.start;
  const end = first.end.offset >= last.end.offset ? first.end : last.end;
  return { file: first.file, start, end };
}

/** A JSON literal as the policy would write it: `"SIMULATE"`, `100`, `null`. */
export function literalText(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}
