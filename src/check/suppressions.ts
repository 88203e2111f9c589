// `# policyc-ignore CODE: why` — silences CODE on the lines the comment covers. A suppression
// must say why (reviewers read the reason, not the code), and one that silences nothing is
// reported, so that stale comments do not pile up and hide the next real problem.

import { CODES, codeInfo, report, type Code } from '../diagnostics/codes.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { didYouMean } from '../diagnostics/did-you-mean.js';
import type { Suppression } from '../model/policy.js';

/** Codes about suppressions themselves: silencing them would defeat their purpose. */
const UNSUPPRESSIBLE: ReadonlySet<string> = new Set<Code>(['suppression-without-reason', 'unused-suppression']);

export interface SuppressionOptions {
  /**
   * The codes whose rules ran. A suppression of a code that did not run cannot be judged
   * unused; undefined means every code ran.
   */
  ranCodes?: ReadonlySet<string>;
}

function silences(suppression: Suppression, code: string, diagnostic: Diagnostic): boolean {
  return (
    suppression.codes.includes(code) &&
    diagnostic.span.file === suppression.span.file &&
    diagnostic.span.start.line >= suppression.appliesTo.startLine &&
    diagnostic.span.start.line <= suppression.appliesTo.endLine
  );
}

/**
 * The diagnostics that no suppression silences, plus what is wrong with the suppressions
 * themselves (`suppression-without-reason`, `unused-suppression`), which are never silenced.
 */
export function applySuppressions(
  diagnostics: readonly Diagnostic[],
  suppressions: readonly Suppression[],
  options: SuppressionOptions = {},
): Diagnostic[] {
  const used = new Set<string>();
  const kept = diagnostics.filter((diagnostic) => {
    if (UNSUPPRESSIBLE.has(diagnostic.code)) return true;
    let silenced = false;
    suppressions.forEach((suppression, index) => {
      if (silences(suppression, diagnostic.code, diagnostic)) {
        used.add(`${index}:${diagnostic.code}`);
        silenced = true;
      }
    });
    return !silenced;
  });

  const own: Diagnostic[] = [];
  suppressions.forEach((suppression, index) => {
    if (suppression.reason === undefined || suppression.reason.trim() === '') {
      const codes = suppression.codes.join(', ') || 'RULE';
      own.push(
        report(
          'suppression-without-reason',
          suppression.span,
          `this \`policyc-ignore\` does not say why; write \`# policyc-ignore ${codes}: <why this is safe>\` so a reviewer can judge it.`,
        ),
      );
    }
    if (suppression.codes.length === 0) {
      own.push(report('unused-suppression', suppression.span, 'this `policyc-ignore` names no rule, so it suppresses nothing; name the rule id, e.g. `# policyc-ignore default-allow: why`.'));
    }
    for (const code of new Set(suppression.codes)) {
      if (used.has(`${index}:${code}`)) continue;
      const problem = unusedReason(code, suppression, options);
      if (problem) own.push(report('unused-suppression', suppression.span, problem.message, problem.suggestion ? { suggestion: problem.suggestion } : {}));
    }
  });
  return [...kept, ...own];
}

function unusedReason(code: string, suppression: Suppression, options: SuppressionOptions): { message: string; suggestion?: string } | undefined {
  if (UNSUPPRESSIBLE.has(code)) {
    return { message: `\`${code}\` cannot be suppressed; remove it from this \`policyc-ignore\`.` };
  }
  if (codeInfo(code) === undefined) {
    const suggestion = didYouMean(code, Object.keys(CODES));
    return suggestion
      ? { message: `\`${code}\` is not a policyc rule id; did you mean \`${suggestion}\`?`, suggestion }
      : { message: `\`${code}\` is not a policyc rule id, so this \`policyc-ignore\` suppresses nothing; see \`policyc lint --help\` for the rule ids.` };
  }
  // A rule that did not run (no catalogue, or only some rules asked for) may well have fired.
  if (options.ranCodes !== undefined && !options.ranCodes.has(code)) return undefined;
  const { startLine, endLine } = suppression.appliesTo;
  const lines = startLine === endLine ? `line ${startLine}` : `lines ${startLine}–${endLine}`;
  return { message: `\`policyc-ignore ${code}\` suppresses nothing: there is no ${code} problem on ${lines}; remove the comment.` };
}
