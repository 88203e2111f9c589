import type { RelatedLocation } from '../../diagnostics/diagnostic.js';
import type { HideNode, RuleNode } from '../../model/policy.js';
import { selectorText } from '../../model/text.js';
import type { Caller, CheckContext } from '../context.js';
import type { Rule } from '../rule.js';
import { coverSpans, listNames } from '../wording.js';

export const hiddenAndAllowed: Rule = {
  code: 'hidden-and-allowed',
  requiresCatalog: false,
  description: 'An allow or approve rule that selects a tool hidden for the same caller.',
  check(context) {
    for (const rule of context.rules) {
      if (rule.effect === 'deny') continue;
      checkRule(context, rule);
    }
  },
};

function checkRule(context: CheckContext, rule: RuleNode): void {
  const caller = context.callerOf(rule);
  const tools = context.toolsOf(rule);
  const hiddenBy = new Map<string, HideNode>();
  for (const tool of tools) {
    const hide = context.hiddenBy(caller, tool);
    if (hide) hiddenBy.set(tool, hide);
  }
  if (hiddenBy.size === 0) return;
  const forWhom = caller.identity === undefined ? '' : ` for identity "${caller.identity}"`;

  const first = rule.selectors[0];
  const last = rule.selectors[rule.selectors.length - 1];
  if (hiddenBy.size === tools.length && first && last) {
    const names = [...hiddenBy.keys()];
    const subject = names.length === 1 ? `${names[0]}, the only tool this rule selects, is` : `every tool this rule selects (${listNames(names)}) is`;
    context.report(
      'hidden-and-allowed',
      coverSpans(first.span, last.span),
      `${subject} hidden${forWhom}, so this \`${rule.effect}\` never takes effect (a hidden tool is always denied); remove the rule, or take the ${names.length === 1 ? 'tool' : 'tools'} out of \`hide\`.`,
      { related: relatedHides(hiddenBy.values(), caller) },
    );
    return;
  }

  for (const selector of rule.selectors) {
    const hidden = context.toolsOfSelector(selector).filter((tool) => hiddenBy.has(tool));
    if (hidden.length === 0) continue;
    const verb = hidden.length === 1 ? 'is' : 'are';
    context.report(
      'hidden-and-allowed',
      selector.span,
      `${listNames(hidden)} ${verb} hidden${forWhom}, so \`${rule.effect} ${selectorText(selector)}\` never takes effect for ${hidden.length === 1 ? 'it' : 'them'} (a hidden tool is always denied); narrow the selector, or take ${hidden.length === 1 ? 'it' : 'them'} out of \`hide\`.`,
      { related: relatedHides(hidden.map((tool) => hiddenBy.get(tool)!), caller) },
    );
  }
}

function relatedHides(hides: Iterable<HideNode>, caller: Caller): RelatedLocation[] {
  const distinct = [...new Set(hides)];
  return distinct.map((hide) => ({
    message:
      hide.identity === undefined && caller.identity !== undefined
        ? 'hidden here, for every caller'
        : 'hidden here',
    span: hide.span,
  }));
}
