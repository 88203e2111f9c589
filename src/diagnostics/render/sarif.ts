// `--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers. One run, the
// whole rule table in `tool.driver.rules` (so results can point at rules by index and viewers
// can show help for every rule), results sorted by file and position.

import { CODES, type CodeInfo } from '../codes.js';
import { compareDiagnostics, type Diagnostic, type Severity, type Span } from '../diagnostic.js';
import { artifactUri } from './paths.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

export interface SarifOptions {
  /** The version of policyc that produced the results. */
  toolVersion: string;
  /** The code table (default: every code policyc has). */
  rules?: Readonly<Record<string, CodeInfo>>;
  /** Where people can read about policyc. */
  informationUri?: string;
  /** The repository root: absolute file paths under it are written relative to it. */
  root?: string;
}

type SarifLevel = 'error' | 'warning' | 'note';

const LEVEL: Record<Severity, SarifLevel> = { error: 'error', warning: 'warning', info: 'note' };

interface SarifRegion {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}

/** A region with the 1-based positions SARIF requires, whatever a recovered span holds. */
function region(span: Span): SarifRegion {
  const whole = (value: number) => (Number.isFinite(value) && value >= 1 ? Math.floor(value) : 1);
  const startLine = whole(span.start.line);
  const startColumn = whole(span.start.column);
  let endLine = whole(span.end.line);
  let endColumn = whole(span.end.column);
  if (endLine < startLine || (endLine === startLine && endColumn < startColumn)) {
    endLine = startLine;
    endColumn = startColumn;
  }
  return { startLine, startColumn, endLine, endColumn };
}

function physicalLocation(span: Span, root: string | undefined) {
  return { artifactLocation: { uri: artifactUri(span.file, root) }, region: region(span) };
}

/** `unknown-tool` → `UnknownTool`: SARIF's rule `name` is an identifier-like word. */
function ruleName(code: string): string {
  return code.replace(/(^|-)([a-z0-9])/g, (_match, _dash: string, letter: string) => letter.toUpperCase());
}

function sarifRule(code: string, info: CodeInfo) {
  const security = info.securitySeverity !== undefined;
  const tags = security ? [info.category, 'security'] : [info.category];
  return {
    id: code,
    name: ruleName(code),
    shortDescription: { text: info.summary },
    fullDescription: { text: `${info.summary} ${info.help}` },
    help: { text: info.help, markdown: info.help },
    defaultConfiguration: { level: LEVEL[info.severity] },
    properties: {
      tags,
      precision: 'very-high',
      ...(security ? { 'security-severity': (info.securitySeverity ?? 0).toFixed(1) } : {}),
    },
  };
}

export function renderSarif(diagnostics: readonly Diagnostic[], options: SarifOptions): string {
  const table: Record<string, CodeInfo> = { ...(options.rules ?? CODES) };
  // A code missing from the table (a newer stage, a typo) still needs a rule for its results.
  for (const diagnostic of diagnostics) {
    if (!Object.hasOwn(table, diagnostic.code)) {
      table[diagnostic.code] = { severity: diagnostic.severity, category: 'correctness', summary: diagnostic.code, help: diagnostic.code };
    }
  }
  const codes = Object.keys(table);
  const index = new Map(codes.map((code, i) => [code, i]));

  const results = [...diagnostics].sort(compareDiagnostics).map((diagnostic) => {
    const result: Record<string, unknown> = {
      ruleId: diagnostic.code,
      ruleIndex: index.get(diagnostic.code),
      level: LEVEL[diagnostic.severity],
      message: { text: diagnostic.message },
      locations: [{ physicalLocation: physicalLocation(diagnostic.span, options.root) }],
    };
    if (diagnostic.related && diagnostic.related.length > 0) {
      result.relatedLocations = diagnostic.related.map((related, i) => ({
        id: i + 1,
        message: { text: related.message },
        physicalLocation: physicalLocation(related.span, options.root),
      }));
    }
    if (diagnostic.suggestion !== undefined) {
      result.fixes = [
        {
          description: { text: `Replace with \`${diagnostic.suggestion}\`` },
          artifactChanges: [
            {
              artifactLocation: { uri: artifactUri(diagnostic.span.file, options.root) },
              replacements: [{ deletedRegion: region(diagnostic.span), insertedContent: { text: diagnostic.suggestion } }],
            },
          ],
        },
      ];
    }
    return result;
  });

  const driver: Record<string, unknown> = {
    name: 'policyc',
    version: options.toolVersion,
    semanticVersion: options.toolVersion,
  };
  if (options.informationUri !== undefined) driver.informationUri = options.informationUri;
  driver.rules = codes.map((code) => sarifRule(code, table[code]!));

  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [{ tool: { driver }, columnKind: 'utf16CodeUnits', results }],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
