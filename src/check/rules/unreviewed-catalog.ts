import { fileSpan } from '../../diagnostics/diagnostic.js';
import { isEmptyPolicy } from '../facts.js';
import type { Rule } from '../rule.js';

/** How many unreviewed tools a message names before it says "and N more". */
const NAMED = 5;

export const unreviewedCatalog: Rule = {
  code: 'unreviewed-catalog',
  requiresCatalog: true,
  description: 'The catalogue has tools whose class and risk were guessed by `policyc catalog import` and not reviewed.',
  check(context) {
    const { model } = context;
    const catalog = context.catalog!;
    if (isEmptyPolicy(model)) return;
    const unreviewed = catalog.tools.filter((tool) => !tool.reviewed).map((tool) => tool.name);
    if (unreviewed.length === 0) return;
    const named = unreviewed.slice(0, NAMED).join(', ');
    const more = unreviewed.length > NAMED ? ` and ${unreviewed.length - NAMED} more` : '';
    const all = unreviewed.length === catalog.tools.length ? 'all' : `${unreviewed.length} of ${catalog.tools.length}`;
    // Once per policy, at the statement that picks the catalogue (or the file, for --catalog FILE).
    context.report(
      'unreviewed-catalog',
      model.server?.span ?? fileSpan(model.file),
      `${all} tools of the catalogue "${catalog.name}" are guesses by \`policyc catalog import\` that nobody has reviewed (${named}${more}); lint's safety checks are only as right as their class and risk, so review them and set "reviewed": true.`,
    );
  },
};
