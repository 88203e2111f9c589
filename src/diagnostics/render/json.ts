// `--format json`: a stable document for scripts. Every diagnostic has every key (absent values
// are null or []), keys in a fixed order, sorted by file and position, two-space indentation.

import { compareDiagnostics, type Diagnostic, type Span } from '../diagnostic.js';
import { countSeverities } from './summary.js';

function position(span: Span): { file: string; line: number; column: number; endLine: number; endColumn: number } {
  return { file: span.file, line: span.start.line, column: span.start.column, endLine: span.end.line, endColumn: span.end.column };
}

export function renderJson(diagnostics: readonly Diagnostic[]): string {
  const sorted = [...diagnostics].sort(compareDiagnostics);
  const document = {
    diagnostics: sorted.map((diagnostic) => ({
      code: diagnostic.code,
      severity: diagnostic.severity,
      message: diagnostic.message,
      ...position(diagnostic.span),
      related: (diagnostic.related ?? []).map((related) => ({ message: related.message, ...position(related.span) })),
      suggestion: diagnostic.suggestion ?? null,
    })),
    summary: countSeverities(diagnostics),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
