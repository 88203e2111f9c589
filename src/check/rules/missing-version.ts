import { fileSpan } from '../../diagnostics/diagnostic.js';
import { isEmptyPolicy } from '../facts.js';
import type { Rule } from '../rule.js';

export const missingVersion: Rule = {
  code: 'missing-version',
  requiresCatalog: false,
  judgesAbsence: true,
  description: 'The policy does not declare its language version.',
  check(context) {
    const { model } = context;
    // An empty file gets one diagnostic (empty-policy), not three.
    if (model.version !== undefined || isEmptyPolicy(model)) return;
    const fix = model.syntax === 'yaml' ? '`version: 1`' : '`version 1`';
    context.report(
      'missing-version',
      fileSpan(model.file),
      `the policy does not say which language version it is written in; it is read as version 1. Add ${fix} at the top so a future policyc reads it the same way.`,
    );
  },
};
