// Every diagnostic code policyc can report, as data: its default severity, what it is about, and
// the help a reader of SARIF or `--format json` gets. Codes are stable: tests, suppressions and
// CI configurations name them, so a code is never renamed, only added.

import type { Diagnostic, Severity, Span } from './diagnostic.js';

export type CodeCategory = 'syntax' | 'structure' | 'reference' | 'safety' | 'correctness' | 'suppression';

export interface CodeInfo {
  severity: Severity;
  category: CodeCategory;
  /** One line: what the code finds. */
  summary: string;
  /** What to do about it. */
  help: string;
  /** SARIF `security-severity` (0–10) for codes that are about safety. */
  securitySeverity?: number;
}

export const CODES = {
  // --- reading the file ---------------------------------------------------------------------
  'syntax-error': {
    severity: 'error',
    category: 'syntax',
    summary: 'The text is not valid policy DSL or YAML.',
    help: 'Fix the statement at the position shown; the message says what was expected there.',
  },
  'schema-error': {
    severity: 'error',
    category: 'structure',
    summary: 'A YAML or JSON policy has a key or value the policy schema does not allow.',
    help: 'Use only the keys of the policy schema (grammar/policy-source.schema.json) with values of the right type.',
  },
  'invalid-encoding': {
    severity: 'error',
    category: 'syntax',
    summary: 'The file is not UTF-8 text.',
    help: 'Save the policy as UTF-8 text; policy files never contain binary data.',
  },
  'file-too-large': {
    severity: 'error',
    category: 'syntax',
    summary: 'The file is larger than policyc reads.',
    help: 'Split the policy or remove generated content; a policy is a few hundred kilobytes at most.',
  },
  'nesting-too-deep': {
    severity: 'error',
    category: 'syntax',
    summary: 'Expressions or lists are nested deeper than policyc evaluates.',
    help: 'Flatten the condition: combine terms with `and` / `or` instead of nesting parentheses.',
  },
  'empty-policy': {
    severity: 'error',
    category: 'structure',
    summary: 'The policy file says nothing.',
    help: 'Start from `policyc init`, or write at least `version 1` and `default deny`.',
  },
  'duplicate-statement': {
    severity: 'error',
    category: 'structure',
    summary: '`version`, `server` or `default` is given more than once.',
    help: 'Keep one of them; remove the others.',
  },
  'duplicate-identity': {
    severity: 'error',
    category: 'structure',
    summary: 'Two identity blocks have the same name.',
    help: 'Merge the two blocks into one.',
  },
  'misplaced-statement': {
    severity: 'error',
    category: 'structure',
    summary: 'A statement appears where it has no meaning (e.g. `default` inside an identity block).',
    help: 'Move the statement to the top level of the policy.',
  },
  'unsupported-version': {
    severity: 'error',
    category: 'structure',
    summary: 'The policy declares a language version this policyc does not know.',
    help: 'Write `version 1`.',
  },
  'missing-version': {
    severity: 'warning',
    category: 'structure',
    summary: 'The policy does not say which language version it is written in.',
    help: 'Add `version 1` at the top so a future policyc reads it the same way.',
  },
  'missing-server': {
    severity: 'warning',
    category: 'reference',
    summary: 'The policy does not name the server whose catalogue it is checked against.',
    help: 'Add `server "NAME"` (see `policyc catalog list`) or pass `--catalog FILE`; without a catalogue, tool names, classes and parameters cannot be checked.',
  },
  'unknown-server': {
    severity: 'error',
    category: 'reference',
    summary: 'No catalogue is known for the server the policy names.',
    help: 'Use a name from `policyc catalog list`, or pass `--catalog FILE` (see `policyc catalog import`).',
  },
  'unreviewed-catalog': {
    severity: 'info',
    category: 'reference',
    summary: 'The catalogue the policy is checked against has tools whose class and risk were guessed by `policyc catalog import` and not reviewed.',
    help: 'Review each tool marked `"reviewed": false` in the catalogue (class, risk, secrets, capabilities), then set it to true; lint is only as right as the catalogue.',
  },
  'invalid-config': {
    severity: 'error',
    category: 'structure',
    summary: 'The policyc configuration file names a rule id, severity or catalogue that policyc cannot use.',
    help: 'Use rule ids from `docs/checks.md` (front-end codes such as syntax-error cannot be changed) and catalogue files that load.',
  },
  'invalid-test': {
    severity: 'error',
    category: 'reference',
    summary: 'A decision test names a tool, identity or rule that the policy or its catalogue does not have.',
    help: 'Check the spelling against the policy and `policyc catalog show`; a test of a misspelt tool passes for the wrong reason.',
  },

  // --- names and references -----------------------------------------------------------------
  'unknown-tool': {
    severity: 'error',
    category: 'reference',
    summary: 'A rule names a tool the catalogue does not have.',
    help: 'Check the spelling against `policyc catalog show`; a misspelt deny protects nothing.',
    securitySeverity: 7.5,
  },
  'unknown-class': {
    severity: 'error',
    category: 'reference',
    summary: '`class` names a class that does not exist.',
    help: 'Use one of: read, write, financial, destructive.',
  },
  'unknown-risk': {
    severity: 'error',
    category: 'reference',
    summary: '`risk` names a risk level that does not exist.',
    help: 'Use one of: low, medium, high, critical.',
  },
  'glob-matches-nothing': {
    severity: 'warning',
    category: 'reference',
    summary: 'A glob, class or risk selector matches no catalogued tool.',
    help: 'Fix the pattern, or remove the selector if the tools it meant are gone.',
  },
  'unknown-parameter': {
    severity: 'error',
    category: 'reference',
    summary: 'A condition reads an argument that the tool does not take.',
    help: 'Use a parameter from the tool\'s input schema (`policyc catalog show TOOL`); a condition on a missing argument never holds for allow and always holds for deny.',
    securitySeverity: 5.0,
  },
  'condition-type-mismatch': {
    severity: 'error',
    category: 'correctness',
    summary: 'A condition compares an argument with a value of a type the argument never has.',
    help: 'Compare with a value of the parameter\'s type (see its input schema); comparing different JSON types is an error at run time.',
    securitySeverity: 5.0,
  },
  'invalid-regex': {
    severity: 'error',
    category: 'correctness',
    summary: 'A `matches` pattern is not a valid regular expression.',
    help: 'Fix the pattern; it is a JavaScript regular expression matched against the whole string.',
  },
  'slow-regex': {
    severity: 'warning',
    category: 'safety',
    summary: 'A `matches` pattern repeats a part that itself repeats, and can take exponential time on a crafted argument.',
    help: 'Rewrite the pattern without nested repetition (`(a+)+` matches what `a+` matches); the gateway tests every call on one thread.',
    securitySeverity: 5.0,
  },
  'invalid-limit': {
    severity: 'error',
    category: 'correctness',
    summary: 'A rate limit has a count or window that cannot work.',
    help: 'Write `limit N per DURATION` with N a whole number from 1 to 1000000 and DURATION such as 30s, 1m, 1h or 1d (at most 366d).',
  },

  // --- safety -------------------------------------------------------------------------------
  'destructive-allowed': {
    severity: 'error',
    category: 'safety',
    summary: 'A destructive or financial tool, or one of critical risk, can be called without a person approving it.',
    help: 'Use `approve` instead of `allow`, or narrow the allow with a `when` condition (which still warns), or hide the tool.',
    securitySeverity: 9.1,
  },
  'default-allow': {
    severity: 'warning',
    category: 'safety',
    summary: '`default allow` lets every tool that no rule mentions through, including tools the server adds later.',
    help: 'Write `default deny` and allow what the agent needs, e.g. `allow class read`.',
    securitySeverity: 7.0,
  },
  'hidden-and-allowed': {
    severity: 'warning',
    category: 'correctness',
    summary: 'A rule allows or approves a tool that is hidden, so the rule never takes effect.',
    help: 'Remove the tool from `hide`, or remove the rule.',
  },
  'capability-leak': {
    severity: 'error',
    category: 'safety',
    summary: 'Something the policy forbids through one tool is still possible through another.',
    help: 'Apply the same rule to every tool that has the capability (the message names them), e.g. with a `when` on the argument that selects it.',
    securitySeverity: 8.5,
  },
  'secret-argument': {
    severity: 'error',
    category: 'safety',
    summary: 'A tool that takes a secret (a password) is allowed, so the secret passes through the model.',
    help: 'Deny or hide the tool and unlock trading out of band; never let a model handle the password.',
    securitySeverity: 8.0,
  },
  'unpinned-trading-environment': {
    severity: 'warning',
    category: 'safety',
    summary: 'A trading tool is allowed without pinning its trading environment to simulation.',
    help: 'Add `when trd_env == "SIMULATE"` (or the tool\'s equivalent), or require approval.',
    securitySeverity: 8.0,
  },

  // --- correctness of the rule set ----------------------------------------------------------
  'redundant-rule': {
    severity: 'warning',
    category: 'correctness',
    summary: 'Removing the rule would change no decision.',
    help: 'Remove the rule; the message names the rule that already covers it.',
  },
  'unsatisfiable-condition': {
    severity: 'warning',
    category: 'correctness',
    summary: 'A `when` condition can never hold, so the rule never applies.',
    help: 'Fix the condition (e.g. `qty > 10 and qty < 5` holds for no qty).',
  },
  'overridden-rule': {
    severity: 'warning',
    category: 'correctness',
    summary: 'An allow or approve never takes effect because a deny covers every call it matches.',
    help: 'Narrow the deny, or remove the rule that never applies.',
  },
  'ineffective-identity': {
    severity: 'warning',
    category: 'correctness',
    summary: 'An identity block changes no decision for its caller.',
    help: 'Remove the block, or add the rules it was meant to hold.',
  },
  'limit-never-binds': {
    severity: 'warning',
    category: 'correctness',
    summary: 'A rate limit can never be reached because a tighter limit always applies first.',
    help: 'Remove the looser limit or change its numbers.',
  },
  'approve-read-only': {
    severity: 'info',
    category: 'correctness',
    summary: 'A read-only tool requires approval, which asks a person for something harmless.',
    help: 'Use `allow` for read-only tools so approvals stay meaningful.',
  },
  'analysis-incomplete': {
    severity: 'info',
    category: 'correctness',
    summary: 'The exact analysis could not decide every call of some tools (a pattern it cannot represent, too many combinations).',
    help: 'The analysis checks then report only what they proved with an example call; simplify the conditions (fewer `matches` patterns on one argument) to have them checked exhaustively.',
  },
  'confusable-name': {
    severity: 'error',
    category: 'safety',
    summary: 'A tool name contains invisible, non-ASCII or look-alike characters.',
    help: 'Write tool names in plain ASCII; a name that looks like another tool\'s can hide a bypass.',
    securitySeverity: 7.0,
  },

  // --- suppressions -------------------------------------------------------------------------
  'suppression-without-reason': {
    severity: 'warning',
    category: 'suppression',
    summary: 'A `policyc-ignore` comment does not say why.',
    help: 'Write `# policyc-ignore RULE: why this is safe`.',
  },
  'unused-suppression': {
    severity: 'warning',
    category: 'suppression',
    summary: 'A `policyc-ignore` comment suppresses nothing.',
    help: 'Remove the comment, or fix the rule id it names.',
  },
} as const satisfies Record<string, CodeInfo>;

export type Code = keyof typeof CODES;

export function codeInfo(code: string): CodeInfo | undefined {
  return (CODES as Record<string, CodeInfo>)[code];
}

/** A diagnostic with the code's default severity. */
export function report(
  code: Code,
  span: Span,
  message: string,
  extra: Pick<Diagnostic, 'related' | 'suggestion'> = {},
): Diagnostic {
  return { code, severity: CODES[code].severity, message, span, ...extra };
}
