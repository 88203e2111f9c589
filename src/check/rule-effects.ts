// Which rules another analysis check already reports, so that one fact about a rule is reported
// once: a grant whose tools are all hidden (hidden-and-allowed), a `when` that never holds
// (unsatisfiable-condition), a grant a deny always overrides (overridden-rule). redundant-rule
// and approve-read-only leave those rules alone.

import { conditionFacts, knownToolsOfRule, overriddenBy } from '../analysis/queries.js';
import type { RuleNode } from '../model/policy.js';
import type { CheckContext } from './context.js';

/** True when the rule's `when` provably never holds (exhaustive tables, no call makes it true). */
export function neverHolds(context: CheckContext, rule: RuleNode): boolean {
  const analysis = context.analysis;
  if (analysis === undefined || rule.when === undefined) return false;
  const facts = conditionFacts(analysis, context.ruleId(rule));
  return facts.exact && !facts.canHold;
}

/** True when every catalogued tool a grant names is hidden for its caller. */
export function grantOfHiddenTools(context: CheckContext, rule: RuleNode): boolean {
  if (rule.effect === 'deny' || context.analysis === undefined) return false;
  const caller = context.callerOf(rule);
  const tools = knownToolsOfRule(context.analysis, context.ruleId(rule));
  return tools.length > 0 && tools.every((tool) => context.hiddenBy(caller, tool) !== undefined);
}

/** True when another check reports the rule as never taking effect. */
export function reportedElsewhere(context: CheckContext, rule: RuleNode): boolean {
  if (context.analysis === undefined) return false;
  return grantOfHiddenTools(context, rule) || neverHolds(context, rule) || overriddenBy(context.analysis, context.ruleId(rule)) !== undefined;
}
