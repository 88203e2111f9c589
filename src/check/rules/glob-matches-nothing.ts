import { RISKS, TOOL_CLASSES } from '../../catalog/types.js';
import { selectorText } from '../../model/text.js';
import type { Rule } from '../rule.js';

export const globMatchesNothing: Rule = {
  code: 'glob-matches-nothing',
  requiresCatalog: true,
  description: 'A glob, class or risk selector that matches no catalogued tool.',
  check(context) {
    const catalog = context.catalog;
    if (catalog === undefined) return;
    for (const { selector } of context.selectors) {
      // Unknown classes and risks have their own codes; `*` on an empty catalogue is not a typo.
      if (selector.kind === 'class' && !(TOOL_CLASSES as readonly string[]).includes(selector.class)) continue;
      if (selector.kind === 'risk' && !(RISKS as readonly string[]).includes(selector.risk)) continue;
      if (selector.kind !== 'glob' && selector.kind !== 'class' && selector.kind !== 'risk') continue;
      if (context.toolsOfSelector(selector).length > 0) continue;
      const what = selector.kind === 'glob' ? 'no tool name' : 'no tool';
      context.report(
        'glob-matches-nothing',
        selector.span,
        `\`${selectorText(selector)}\` matches ${what} in the catalogue of ${catalog.name}, so it has no effect; fix the pattern (see \`policyc catalog show ${catalog.name}\`) or remove it.`,
      );
    }
  },
};
