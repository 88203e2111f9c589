import type { RelatedLocation } from '../../diagnostics/diagnostic.js';
import type { Selector } from '../../model/policy.js';
import { selectorText } from '../../model/text.js';
import { exampleText } from '../reach.js';
import type { Rule } from '../rule.js';
import { listNames } from '../wording.js';

export const approveReadOnly: Rule = {
  code: 'approve-read-only',
  requiresCatalog: true,
  description: 'An approve that sends calls of read-only tools (class read) to a person.',
  check(context) {
    const analysis = context.analysis;
    if (analysis === undefined) return;
    for (const rule of context.rules) {
      if (rule.effect !== 'approve') continue;
      const id = context.ruleId(rule);
      const bySelector = new Map<Selector, { tools: string[]; example: string }>();
      for (const tool of analysis.toolsOfRule(id)) {
        if (context.tool(tool)?.class !== 'read') continue;
        const table = analysis.table(rule.identity, tool);
        const i = table.rules.findIndex((prepared) => prepared.id === id);
        // Only where this approve really sends a call to a person.
        const region = table.regions.find((r) => r.matched[i] && r.outcome === 'approve');
        if (!region) continue;
        const selector = rule.selectors.find((s) => context.toolsOfSelector(s).includes(tool));
        if (!selector) continue;
        let entry = bySelector.get(selector);
        if (!entry) bySelector.set(selector, (entry = { tools: [], example: exampleText(context, tool, region) }));
        entry.tools.push(tool);
      }
      for (const [selector, { tools, example }] of bySelector) {
        const related: RelatedLocation[] = [{ message: 'write `allow` here', span: rule.effectSpan }];
        context.report(
          'approve-read-only',
          selector.span,
          `\`approve ${selectorText(selector)}\` asks a person to confirm calls of ${listNames(tools)}, which only read (class read), e.g. ${example}; use \`allow\` so that approvals stay rare and meaningful.`,
          { related },
        );
      }
    }
  },
};
