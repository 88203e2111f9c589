// Shared by the DSL front end's tests: parse a text, and read results in a form a table can state.

import type { Diagnostic, Span } from '../../../src/diagnostics/diagnostic.js';
import { SourceText } from '../../../src/diagnostics/source.js';
import type { FrontEndResult } from '../../../src/syntax/fragment.js';
import { parseDsl } from '../../../src/syntax/dsl/index.js';

export function parse(text: string, file = 'test.policy'): FrontEndResult {
  return parseDsl(new SourceText(file, text));
}

/** `code@line:column` for each diagnostic, in order. */
export function located(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((d) => `${d.code}@${d.span.start.line}:${d.span.start.column}`);
}

/** `line:column-line:column`: a span as a table can state it. */
export function at(span: Span | undefined): string {
  return span === undefined ? 'none' : `${span.start.line}:${span.start.column}-${span.end.line}:${span.end.column}`;
}

/** The value with every span (any `span`, `…Span` key) removed, to compare meaning only. */
export function withoutSpans(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSpans);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (key === 'span' || key.endsWith('Span')) continue;
    out[key] = withoutSpans(inner);
  }
  return out;
}

/** The text a span covers, to check spans without counting columns by hand. */
export function textAt(text: string, span: Span): string {
  return text.slice(span.start.offset, span.end.offset);
}
