import { fileSpan } from '../../diagnostics/diagnostic.js';
import { isEmptyPolicy } from '../facts.js';
import type { Rule } from '../rule.js';

export const missingServer: Rule = {
  code: 'missing-server',
  requiresCatalog: false,
  judgesAbsence: true,
  description: 'The policy names no server and no catalogue was given.',
  check(context) {
    const { model } = context;
    // With `--catalog FILE` the policy is checked against that catalogue: nothing is missing.
    if (model.server !== undefined || context.catalog !== undefined || isEmptyPolicy(model)) return;
    const fix = model.syntax === 'yaml' ? '`server: NAME`' : '`server "NAME"`';
    context.report(
      'missing-server',
      fileSpan(model.file),
      `the policy does not name its server, so tool names, classes and parameters cannot be checked and globs and classes match nothing; add ${fix} (see \`policyc catalog list\`) or pass --catalog FILE.`,
    );
  },
};
