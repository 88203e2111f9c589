import { limitsThatNeverBind } from '../../analysis/queries.js';
import type { LimitNode } from '../../model/policy.js';
import type { Rule } from '../rule.js';
import { lineOf } from '../wording.js';

export const limitNeverBinds: Rule = {
  code: 'limit-never-binds',
  requiresCatalog: true,
  description: 'A rate limit that is never the one to refuse a call: a tighter limit counting the same calls is always full first.',
  check(context) {
    const analysis = context.analysis;
    if (analysis === undefined) return;
    const limits: Array<{ id: string; node: LimitNode }> = [];
    context.rules.forEach((rule) => {
      if (rule.limit && rule.effect !== 'deny') limits.push({ id: context.ruleId(rule), node: rule.limit });
    });
    context.model.limits.forEach((node, i) => limits.push({ id: `a${i + 1}`, node }));
    // Later limits first: of two equal limits, the later one is reported.
    limits.sort((a, b) => b.node.span.start.offset - a.node.span.start.offset);
    const found = limitsThatNeverBind(
      analysis,
      limits.map((limit) => limit.id),
    );
    for (const { id, node } of limits) {
      const binder = found.get(id);
      const binding = binder === undefined ? undefined : context.limitById(binder);
      if (!binding) continue;
      const owner = binder!.startsWith('a') ? '`limit all`' : `the limit of ${binder}`;
      context.report(
        'limit-never-binds',
        node.span,
        `this limit (${limitText(node)}) never refuses a call: ${owner} (${limitText(binding)}, ${lineOf(binding.span)}) counts every call this one counts and is always full first; remove this limit or change its numbers.`,
        { related: [{ message: 'this limit is reached first', span: binding.span }] },
      );
    }
  },
};

function limitText(limit: LimitNode): string {
  return `${limit.max} per ${limit.per.text} by ${limit.by}`;
}
