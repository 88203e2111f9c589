import type { Rule } from '../rule.js';

export const defaultAllow: Rule = {
  code: 'default-allow',
  requiresCatalog: false,
  description: '`default allow` lets through every tool no rule mentions.',
  check(context) {
    const statement = context.model.default;
    if (statement?.value !== 'allow') return;
    context.report(
      'default-allow',
      statement.span,
      '`default allow` lets every tool that no rule mentions through, including tools the server adds later; write `default deny` and allow what the agent needs (e.g. `allow class read`).',
    );
  },
};
