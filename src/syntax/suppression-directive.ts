// The text of a `# policyc-ignore RULE[, RULE…]: reason` comment, read the same way in both
// spellings. Which statement a suppression covers is each front end's business; what it says is
// decided here.

/** What a comment says: not a directive, a directive that names no rule, or codes and a reason. */
export type SuppressionDirective = { kind: 'none' } | { kind: 'no-codes' } | { kind: 'directive'; codes: string[]; reason?: string };

const DIRECTIVE = /^#\s*policyc-ignore(?=[\s:]|$)(.*)$/;

export const NO_CODES_MESSAGE = 'name the rule to ignore: `# policyc-ignore RULE: why`';

export function readSuppressionDirective(comment: string): SuppressionDirective {
  const match = DIRECTIVE.exec(comment.trimEnd());
  if (!match) return { kind: 'none' };
  const body = match[1] ?? '';
  const colon = body.indexOf(':');
  const codes = (colon < 0 ? body : body.slice(0, colon))
    .split(',')
    .map((code) => code.trim())
    .filter((code) => code !== '');
  if (codes.length === 0) return { kind: 'no-codes' };
  const reason = colon < 0 ? '' : body.slice(colon + 1).trim();
  return reason === '' ? { kind: 'directive', codes } : { kind: 'directive', codes, reason };
}
