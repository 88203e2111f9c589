import { redundantRules, tablesOfRule } from '../../analysis/queries.js';
import type { RelatedLocation } from '../../diagnostics/diagnostic.js';
import { reportedElsewhere } from '../rule-effects.js';
import { exampleText } from '../reach.js';
import type { Rule } from '../rule.js';
import { coverSpans, lineOf } from '../wording.js';

export const redundantRule: Rule = {
  code: 'redundant-rule',
  requiresCatalog: true,
  description: 'A rule whose removal changes no decision (outcome or limits) for any caller, tool and arguments.',
  check(context) {
    const analysis = context.analysis;
    if (analysis === undefined) return;
    // Later rules first: of two rules that cover each other, the later one is reported.
    const order = [...context.rules].reverse();
    const skipped = new Set(order.filter((rule) => reportedElsewhere(context, rule)).map((rule) => context.ruleId(rule)));
    const found = redundantRules(
      analysis,
      order.map((rule) => context.ruleId(rule)),
      (id) => skipped.has(id),
    );
    for (const rule of context.rules) {
      const id = context.ruleId(rule);
      const redundancy = found.get(id);
      if (!redundancy) continue;
      const covering = redundancy.coveredBy.flatMap((by) => {
        const node = context.ruleById(by);
        return node ? [{ by, node }] : [];
      });
      const first = covering[0];
      if (!first) continue;
      const example = firstMatch(context, id);
      const related: RelatedLocation[] = covering.slice(0, 2).map(({ node }) => ({ message: 'this rule already decides the same calls the same way', span: node.span }));
      context.report(
        'redundant-rule',
        coverSpans(rule.selectors[0]!.span, rule.selectors[rule.selectors.length - 1]!.span),
        `removing this \`${rule.effect}\` changes no decision: every call it matches is decided the same way by ${covering.map(({ by, node }) => `${by} (${lineOf(node.span)})`).join(', ')}${example ? `, e.g. ${example}` : ''}; remove it.`,
        { related },
      );
    }
  },
};

function firstMatch(context: Parameters<Rule['check']>[0], id: string): string | undefined {
  const analysis = context.analysis!;
  for (const table of tablesOfRule(analysis, id)) {
    const i = table.rules.findIndex((rule) => rule.id === id);
    const region = table.regions.find((r) => r.matched[i] && r.basis === 'rule');
    // Shown as decided without the rule: by the rule that covers it.
    if (region) return exampleText(context, table.tool, { ...region, ...analysis.verdictWithout(table, region, new Set([id])) });
  }
  return undefined;
}
