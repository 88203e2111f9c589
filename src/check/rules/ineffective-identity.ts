import { identityChangesNothing } from '../../analysis/queries.js';
import type { Rule } from '../rule.js';

export const ineffectiveIdentity: Rule = {
  code: 'ineffective-identity',
  requiresCatalog: true,
  description: 'An identity block that changes no decision for its caller: every call is decided as at the top level.',
  check(context) {
    const analysis = context.analysis;
    if (analysis === undefined) return;
    for (const caller of context.callers) {
      const block = caller.blocks[0];
      if (caller.identity === undefined || !block) continue;
      if (identityChangesNothing(analysis, caller.identity) !== true) continue;
      const what = block.rules.length === 0 && block.hide.length === 0 ? 'it is empty' : 'its rules and hides repeat what the top level already decides, or never apply';
      context.report(
        'ineffective-identity',
        block.nameSpan,
        `identity "${caller.identity}" changes no decision: every call it can make is decided (outcome and limits) as for a caller without a block, because ${what}; remove the block, or add the rules it was meant to hold.`,
      );
    }
  },
};
