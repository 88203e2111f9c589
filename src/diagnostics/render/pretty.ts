// The output for people: one block per diagnostic, like rustc and tsc —
//
//   policy.policy:2:7 - error unknown-tool: unknown tool `get_stok_quote`; did you mean `get_stock_quote`?
//
//     2 | allow get_stok_quote
//       |       ^^^^^^^^^^^^^^
//     help: did you mean `get_stock_quote`?
//
// with each related location as a `note:` and its own frame, and a summary line at the end.

import { Chalk, type ChalkInstance } from 'chalk';

import { compareDiagnostics, type Diagnostic, type Severity, type Span } from '../diagnostic.js';
import type { SourceText } from '../source.js';
import { codeFrame, type FramePaint } from './code-frame.js';
import { countSeverities, summaryText } from './summary.js';

export interface PrettyOptions {
  /** Colour with ANSI escapes; the CLI decides (TTY, NO_COLOR, FORCE_COLOR). */
  color: boolean;
}

const INDENT = '  ';

interface Palette {
  severity: Record<Severity, (text: string) => string>;
  location(text: string): string;
  code(text: string): string;
  gutter(text: string): string;
  label(text: string): string;
  help(text: string): string;
}

function palette(color: boolean): Palette {
  // Level 1 (16 colours) reads on every terminal and keeps the output the same everywhere.
  const chalk: ChalkInstance = new Chalk({ level: color ? 1 : 0 });
  return {
    severity: { error: chalk.red.bold, warning: chalk.yellow.bold, info: chalk.blue.bold },
    location: chalk.cyan,
    code: chalk.gray,
    gutter: chalk.blue,
    label: chalk.cyan.bold,
    help: chalk.green.bold,
  };
}

function where(span: Span): string {
  const { line, column } = span.start;
  return Number.isFinite(line) && line >= 1 ? `${span.file}:${line}:${Number.isFinite(column) && column >= 1 ? column : 1}` : span.file;
}

function gutterWidth(diagnostic: Diagnostic): number {
  const lines = [diagnostic.span, ...(diagnostic.related ?? []).map((r) => r.span)].map((span) =>
    Math.max(span.start.line, span.end.line),
  );
  return Math.max(...lines.filter(Number.isFinite).map((line) => String(line).length), 1);
}

function renderOne(diagnostic: Diagnostic, sources: ReadonlyMap<string, SourceText>, colors: Palette): string {
  const severity = colors.severity[diagnostic.severity];
  // A message is one paragraph; should one hold a line break, keep its lines under the header.
  const message = diagnostic.message.replace(/\r?\n/g, `\n${INDENT}`);
  const out = [`${colors.location(where(diagnostic.span))} - ${severity(diagnostic.severity)} ${colors.code(diagnostic.code)}: ${message}`];
  const width = gutterWidth(diagnostic);
  const primary: FramePaint = { gutter: colors.gutter, underline: severity };
  const source = sources.get(diagnostic.span.file);
  const frame = source ? codeFrame(source, diagnostic.span, { char: '^', paint: primary, indent: INDENT, gutterWidth: width }) : [];
  if (frame.length > 0) out.push('', ...frame);
  if (diagnostic.suggestion !== undefined) out.push(`${INDENT}${colors.help('help')}: did you mean \`${diagnostic.suggestion}\`?`);
  for (const related of diagnostic.related ?? []) {
    out.push(`${INDENT}${colors.label('note')}: ${colors.location(where(related.span))} - ${related.message}`);
    const relatedSource = sources.get(related.span.file);
    if (relatedSource) {
      out.push(...codeFrame(relatedSource, related.span, { char: '-', paint: { gutter: colors.gutter, underline: colors.label }, indent: INDENT, gutterWidth: width }));
    }
  }
  return out.join('\n');
}

/**
 * Diagnostics for a terminal, sorted by file and position, each with a code frame from
 * `sources` (file → text) where the file is there, and a summary line. Empty for no diagnostics.
 */
export function renderPretty(diagnostics: readonly Diagnostic[], sources: ReadonlyMap<string, SourceText>, options: PrettyOptions): string {
  if (diagnostics.length === 0) return '';
  const colors = palette(options.color);
  const blocks = [...diagnostics].sort(compareDiagnostics).map((diagnostic) => renderOne(diagnostic, sources, colors));
  const counts = countSeverities(diagnostics);
  const summary = summaryText(counts);
  const tone = counts.errors > 0 ? colors.severity.error : counts.warnings > 0 ? colors.severity.warning : colors.severity.info;
  return `${blocks.join('\n\n')}\n\n${tone(summary)}\n`;
}
