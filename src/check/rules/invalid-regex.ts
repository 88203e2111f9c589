import type { Rule } from '../rule.js';
import { leavesOf } from '../walk.js';
import { literalText } from '../wording.js';

export const invalidRegex: Rule = {
  code: 'invalid-regex',
  requiresCatalog: false,
  description: 'A `matches` pattern that is not a valid regular expression.',
  check(context) {
    for (const rule of context.rules) {
      if (rule.when === undefined) continue;
      for (const leaf of leavesOf(rule.when)) {
        if (leaf.kind !== 'matches') continue;
        const pattern = leaf.pattern.value;
        if (typeof pattern !== 'string') {
          context.report(
            'invalid-regex',
            leaf.pattern.span,
            `\`matches\` needs a pattern in a string, not \`${literalText(pattern)}\`; write it in quotes, e.g. \`matches "HK\\\\..*"\`.`,
          );
          continue;
        }
        const problem = regexProblem(pattern);
        if (problem === undefined) continue;
        context.report(
          'invalid-regex',
          leaf.pattern.span,
          `${code(literalText(pattern))} is not a valid regular expression (${problem}); fix the pattern: it is a JavaScript regular expression with the \`u\` flag, matched against the whole string.`,
        );
      }
    }
  },
};

function code(text: string): string {
  return `\`${text}\``;
}

/**
 * Why the enforcer could not compile the pattern, or undefined. It compiles `^(?:p)$` with the
 * `u` flag (whole-string match), so that is what is tried here too.
 */
export function regexProblem(pattern: string): string | undefined {
  for (const source of [pattern, `^(?:${pattern})$`]) {
    try {
      new RegExp(source, 'u');
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // V8 says "Invalid regular expression: /…/u: Unterminated group"; keep the reason only.
      return message.replace(/^Invalid regular expression: \/[^]*\/[a-z]*: /, '').replace(/^Invalid regular expression: /, '');
    }
  }
  return undefined;
}
