// The configuration's say over lint: a severity per rule id (or `off`), and `strict`, which makes
// warnings fail like errors. Applied by the pipeline to every policy it reads, so lint, build,
// serve, explain and test all judge a policy the same way.

import type { Code } from '../diagnostics/codes.js';
import type { Diagnostic, Severity } from '../diagnostics/diagnostic.js';

export type RuleSetting = Severity | 'off';

export interface LintSettings {
  /** Rule id → the severity it reports with, or `off` to drop it. */
  severities?: ReadonlyMap<string, RuleSetting>;
  /** Warnings become errors (after the overrides): lint fails, build writes nothing, serve does not start. */
  strict?: boolean;
}

/**
 * Codes the configuration cannot change: what the front ends and the catalogue lookup report.
 * A policy that does not parse, or whose catalogue is unknown, cannot be checked at all;
 * turning that off would make lint pass a policy it never read.
 */
export const FIXED_CODES: ReadonlySet<string> = new Set<Code>([
  'syntax-error',
  'schema-error',
  'invalid-encoding',
  'file-too-large',
  'nesting-too-deep',
  'duplicate-statement',
  'duplicate-identity',
  'misplaced-statement',
  'unsupported-version',
  'unknown-server',
  'invalid-config',
  'invalid-test',
]);

export function applyLintSettings(diagnostics: readonly Diagnostic[], settings: LintSettings | undefined): Diagnostic[] {
  if (!settings || ((settings.severities?.size ?? 0) === 0 && !settings.strict)) return [...diagnostics];
  const result: Diagnostic[] = [];
  for (const diagnostic of diagnostics) {
    const setting = FIXED_CODES.has(diagnostic.code) ? undefined : settings.severities?.get(diagnostic.code);
    if (setting === 'off') continue;
    let severity = setting ?? diagnostic.severity;
    if (settings.strict && severity === 'warning') severity = 'error';
    result.push(severity === diagnostic.severity ? diagnostic : { ...diagnostic, severity });
  }
  return result;
}
