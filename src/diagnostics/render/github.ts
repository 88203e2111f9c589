// `--format github`: GitHub Actions workflow commands, one annotation per diagnostic, shown on
// the pull request's diff:
//
//   ::error file=policy.policy,line=2,col=7,endLine=2,endColumn=21,title=unknown-tool::unknown tool …
//
// Values are escaped as the Actions toolkit does (`%`, CR, LF everywhere; `:` and `,` inside
// properties too), so a message can never end the command early or inject another one.

import { compareDiagnostics, type Diagnostic, type Severity, type Span } from '../diagnostic.js';
import { repoPath } from './paths.js';

const COMMAND: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'notice' };

export interface GithubOptions {
  /** The repository root: absolute file paths under it are written relative to it. */
  root?: string;
}

export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function valid(value: number): boolean {
  return Number.isFinite(value) && value >= 1;
}

function properties(diagnostic: Diagnostic, root: string | undefined): string {
  const { start, end } = diagnostic.span;
  const entries: Array<[string, string]> = [['file', repoPath(diagnostic.span.file, root)]];
  if (valid(start.line)) {
    entries.push(['line', String(start.line)]);
    let endLine = valid(end.line) && end.line >= start.line ? end.line : start.line;
    // A span that ends at the very start of a line ends, for a reader, on the line before.
    if (endLine > start.line && end.column === 1) endLine--;
    // GitHub takes columns only for an annotation on a single line.
    if (endLine === start.line && valid(start.column)) {
      entries.push(['col', String(start.column)]);
      entries.push(['endLine', String(endLine)]);
      if (end.line === start.line && valid(end.column) && end.column > start.column) entries.push(['endColumn', String(end.column)]);
    } else {
      entries.push(['endLine', String(endLine)]);
    }
  }
  entries.push(['title', diagnostic.code]);
  return entries.map(([key, value]) => `${key}=${escapeProperty(value)}`).join(',');
}

function where(span: Span, root: string | undefined): string {
  return valid(span.start.line) ? `${repoPath(span.file, root)}:${span.start.line}:${span.start.column}` : repoPath(span.file, root);
}

/** The message, with each related location on a line of its own (annotations have no notes). */
function body(diagnostic: Diagnostic, root: string | undefined): string {
  const lines = [diagnostic.message];
  for (const related of diagnostic.related ?? []) lines.push(`note: ${where(related.span, root)}: ${related.message}`);
  return lines.join('\n');
}

export function renderGithub(diagnostics: readonly Diagnostic[], options: GithubOptions = {}): string {
  return [...diagnostics]
    .sort(compareDiagnostics)
    .map((diagnostic) => `::${COMMAND[diagnostic.severity]} ${properties(diagnostic, options.root)}::${escapeData(body(diagnostic, options.root))}\n`)
    .join('');
}
