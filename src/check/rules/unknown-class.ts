import { TOOL_CLASSES } from '../../catalog/types.js';
import { didYouMean } from '../../diagnostics/did-you-mean.js';
import type { Rule } from '../rule.js';

export const unknownClass: Rule = {
  code: 'unknown-class',
  requiresCatalog: false,
  description: '`class` names a class that does not exist.',
  check(context) {
    for (const { selector } of context.selectors) {
      if (selector.kind !== 'class' || (TOOL_CLASSES as readonly string[]).includes(selector.class)) continue;
      const suggestion = didYouMean(selector.class, TOOL_CLASSES);
      const hint = suggestion ? `did you mean \`class ${suggestion}\`? ` : '';
      context.report(
        'unknown-class',
        selector.span,
        `unknown class \`${selector.class}\`, so this selector matches no tool; ${hint}The classes are ${TOOL_CLASSES.join(', ')}.`,
        suggestion ? { suggestion: `class ${suggestion}` } : {},
      );
    }
  },
};
