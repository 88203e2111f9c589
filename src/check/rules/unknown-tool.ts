import { didYouMean } from '../../diagnostics/did-you-mean.js';
import type { Rule } from '../rule.js';

export const unknownTool: Rule = {
  code: 'unknown-tool',
  requiresCatalog: true,
  description: 'An exact tool name that the catalogue does not have (a misspelt deny protects nothing).',
  check(context) {
    const catalog = context.catalog;
    if (catalog === undefined) return;
    const names = catalog.tools.map((tool) => tool.name);
    for (const { selector, owner } of context.selectors) {
      if (selector.kind !== 'name' || context.tool(selector.name) !== undefined) continue;
      const suggestion = didYouMean(selector.name, names);
      const consequence =
        owner.kind === 'hide' || owner.rule.effect === 'deny'
          ? 'so this protects nothing'
          : 'so this rule never matches a call the server knows';
      const message = suggestion
        ? `unknown tool \`${selector.name}\`; did you mean \`${suggestion}\`?`
        : `unknown tool \`${selector.name}\`: the catalogue of ${catalog.name} has no tool of that name, ${consequence}; check the spelling with \`policyc catalog show ${catalog.name}\`.`;
      context.report('unknown-tool', selector.span, message, suggestion ? { suggestion } : {});
    }
  },
};
