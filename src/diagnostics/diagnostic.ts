// The one diagnostic type every stage of policyc reports with: front ends, checks, the compiler,
// the CLI. Renderers (pretty, json, sarif, github) only ever see this shape.

export type Severity = 'error' | 'warning' | 'info';

/** A point in a source file. `line` and `column` are 1-based (as editors show them); `offset` is 0-based UTF-16. */
export interface Position {
  line: number;
  column: number;
  offset: number;
}

/** A half-open range [start, end) in one file. */
export interface Span {
  file: string;
  start: Position;
  end: Position;
}

/** A second place that explains the first: "denied here … but allowed again here". */
export interface RelatedLocation {
  message: string;
  span: Span;
}

export interface Diagnostic {
  /** Stable rule id, e.g. `unknown-tool`. Listed in `codes.ts`. */
  code: string;
  severity: Severity;
  /** What is wrong and what to do about it, in one or two sentences. */
  message: string;
  span: Span;
  related?: RelatedLocation[];
  /** A replacement for the text under `span` that would fix it (did-you-mean). */
  suggestion?: string;
}

export const START: Position = { line: 1, column: 1, offset: 0 };

/** A span covering the first character of a file, for problems that belong to the file as a whole. */
export function fileSpan(file: string): Span {
  return { file, start: START, end: START };
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Order for output: by file, then position, then code; stable so golden files do not churn. */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  if (a.span.file !== b.span.file) return a.span.file < b.span.file ? -1 : 1;
  if (a.span.start.offset !== b.span.start.offset) return a.span.start.offset - b.span.start.offset;
  if (a.code !== b.code) return a.code < b.code ? -1 : 1;
  return a.message < b.message ? -1 : a.message > b.message ? 1 : 0;
}
