import { conditionFacts, knownToolsOfRule } from '../../analysis/queries.js';
import type { Rule } from '../rule.js';
import { listNames, plural } from '../wording.js';

export const unsatisfiableCondition: Rule = {
  code: 'unsatisfiable-condition',
  requiresCatalog: true,
  description: 'A `when` that no arguments satisfy, although each comparison in it can hold on its own.',
  check(context) {
    const analysis = context.analysis;
    if (analysis === undefined) return;
    for (const rule of context.rules) {
      if (rule.when === undefined) continue;
      const id = context.ruleId(rule);
      const facts = conditionFacts(analysis, id);
      // A comparison that can never hold by itself is condition-type-mismatch's finding.
      if (!facts.exact || facts.canHold || !facts.everyLeafCanHold) continue;
      const tools = knownToolsOfRule(analysis, id);
      const consequence =
        rule.effect === 'deny'
          ? 'so this deny applies only to calls whose arguments the condition cannot read (missing or of another type)'
          : `so this ${rule.effect} never applies`;
      context.report(
        'unsatisfiable-condition',
        rule.when.span,
        `no arguments of ${tools.length === 1 ? tools[0] : `${plural(tools.length, 'tool')} (${listNames(tools)})`} satisfy this condition (every combination of the values its comparisons tell apart was checked), ${consequence}; fix the condition, or remove the rule.`,
      );
    }
  },
};
