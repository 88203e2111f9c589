import { fileSpan } from '../../diagnostics/diagnostic.js';
import { isEmptyPolicy } from '../facts.js';
import type { Rule } from '../rule.js';

export const emptyPolicy: Rule = {
  code: 'empty-policy',
  requiresCatalog: false,
  judgesAbsence: true,
  description: 'The file has no statements at all.',
  check(context) {
    if (!isEmptyPolicy(context.model)) return;
    context.report(
      'empty-policy',
      fileSpan(context.model.file),
      'the policy has no statements, so every call falls to the built-in `default deny`; write at least `version 1`, `server "NAME"` and `default deny`, or start from `policyc init`.',
    );
  },
};
