import { RISKS } from '../../catalog/types.js';
import { didYouMean } from '../../diagnostics/did-you-mean.js';
import type { Rule } from '../rule.js';

export const unknownRisk: Rule = {
  code: 'unknown-risk',
  requiresCatalog: false,
  description: '`risk` names a risk level that does not exist.',
  check(context) {
    for (const { selector } of context.selectors) {
      if (selector.kind !== 'risk' || (RISKS as readonly string[]).includes(selector.risk)) continue;
      const suggestion = didYouMean(selector.risk, RISKS);
      const prefix = selector.op === '==' ? 'risk' : `risk ${selector.op}`;
      const hint = suggestion ? `did you mean \`${prefix} ${suggestion}\`? ` : '';
      context.report(
        'unknown-risk',
        selector.span,
        `unknown risk level \`${selector.risk}\`, so this selector matches no tool; ${hint}The levels are ${RISKS.join(', ')}.`,
        suggestion ? { suggestion: `${prefix} ${suggestion}` } : {},
      );
    }
  },
};
