import { knownToolsOfRule, tablesOfRule } from '../../analysis/queries.js';
import type { RuleNode } from '../../model/policy.js';
import type { Rule } from '../rule.js';
import { listNames } from '../wording.js';

/**
 * Where the exact analysis had to stop (a pattern whose strings it could not represent, paths that
 * depend on each other, too many combinations), it says so once per rule whose condition is
 * involved: the analysis checks then report only what they proved with an example, and make no
 * claim about every call of those tools.
 */
export const analysisIncomplete: Rule = {
  code: 'analysis-incomplete',
  requiresCatalog: true,
  description: 'The exact analysis could not decide every call of some tools; its checks say nothing about those calls.',
  check(context) {
    const analysis = context.analysis;
    if (analysis === undefined) return;
    const byRule = new Map<RuleNode, { tools: Set<string>; gaps: Set<string> }>();
    const seen = new Set<string>();
    for (const rule of context.rules) {
      if (rule.when === undefined || knownToolsOfRule(analysis, context.ruleId(rule)).length === 0) continue;
      for (const table of tablesOfRule(analysis, context.ruleId(rule))) {
        const key = `${table.identity ?? ''}\u0000${table.tool}`;
        if (table.gaps.length === 0 || seen.has(key)) continue;
        seen.add(key);
        // Blamed on the first rule (in id order) with a condition on this tool.
        const first = table.rules.find((prepared) => prepared.test !== undefined);
        const owner = first === undefined ? rule : (context.ruleById(first.id) ?? rule);
        let entry = byRule.get(owner);
        if (!entry) byRule.set(owner, (entry = { tools: new Set(), gaps: new Set() }));
        entry.tools.add(table.tool);
        for (const gap of table.gaps) entry.gaps.add(gap);
      }
    }
    for (const [rule, { tools, gaps }] of byRule) {
      context.report(
        'analysis-incomplete',
        rule.when?.span ?? rule.span,
        `the analysis could not decide every call of ${listNames([...tools])}: ${[...gaps].join('; ')}. Lint reports only what it proved with an example call for ${tools.size === 1 ? 'this tool' : 'these tools'}, and makes no claim about every call (redundant-rule, overridden-rule and the like stay silent); simplify the conditions to have them checked exhaustively.`,
      );
    }
  },
};
