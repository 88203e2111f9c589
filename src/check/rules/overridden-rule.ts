import { overriddenBy } from '../../analysis/queries.js';
import type { RelatedLocation } from '../../diagnostics/diagnostic.js';
import { grantOfHiddenTools, neverHolds } from '../rule-effects.js';
import type { Rule } from '../rule.js';
import { coverSpans, lineOf } from '../wording.js';

export const overriddenRule: Rule = {
  code: 'overridden-rule',
  requiresCatalog: true,
  description: 'An allow or approve that never takes effect: for every call it matches, a deny applies.',
  check(context) {
    const analysis = context.analysis;
    if (analysis === undefined) return;
    for (const rule of context.rules) {
      if (rule.effect === 'deny' || grantOfHiddenTools(context, rule) || neverHolds(context, rule)) continue;
      const override = overriddenBy(analysis, context.ruleId(rule));
      if (!override) continue;
      const denies = override.denies.flatMap((id) => {
        const deny = context.ruleById(id);
        return deny ? [{ id, deny }] : [];
      });
      const named = denies.map(({ id, deny }) => `${id} (${lineOf(deny.span)})`).join(', ');
      const related: RelatedLocation[] = denies.slice(0, 3).map(({ deny }) => ({ message: `denied here, whenever this ${rule.effect} would apply`, span: deny.span }));
      context.report(
        'overridden-rule',
        coverSpans(rule.selectors[0]!.span, rule.selectors[rule.selectors.length - 1]!.span),
        `this \`${rule.effect}\` never takes effect: every call it matches is denied by ${named} (deny wins whatever the order); narrow the deny, or remove this rule.`,
        { related },
      );
    }
  },
};
