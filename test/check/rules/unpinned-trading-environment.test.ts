import { readFileSync } from 'node:fs';

import { policy, ruleTester } from '../rule-tester.js';

const SPEC_EXAMPLE = readFileSync(new URL('../../../fixtures/policies/trading.policy', import.meta.url), 'utf8');

ruleTester('unpinned-trading-environment', {
  valid: [
    { name: 'the SPEC §1.1 example pins SIMULATE', policy: SPEC_EXAMPLE },
    'allow place_order when trd_env == "SIMULATE"',
    { name: 'approval', policy: 'approve place_order, modify_order, cancel_order\n' },
    { name: 'a list of safe values only', policy: 'allow cancel_order when trd_env in ["SIMULATE"]\n' },
    {
      // A missing trd_env makes the deny's condition an error, and an erroring deny applies.
      name: 'pinned by a deny whose condition cannot be read without trd_env',
      policy: 'allow place_order\ndeny place_order when not (trd_env == "SIMULATE")\n',
    },
    { name: 'a tool without a trading environment', policy: 'allow get_funds\n' },
    { name: 'no catalogue', policy: 'allow place_order\n', catalog: null },
  ],
  invalid: [
    { name: 'no condition', policy: 'allow place_order\n', errors: [{ line: 1, column: 7, severity: 'warning', related: 0 }] },
    {
      name: 'a deny-list lets other environments through',
      policy: 'allow place_order when trd_env != "REAL"\n',
      errors: [{ line: 1, column: 7, related: 1 }],
    },
    {
      name: 'a condition on something else',
      policy: 'allow place_order when qty < 10\n',
      errors: [{ line: 1, column: 7, related: 1 }],
    },
    {
      name: 'denying REAL leaves a missing trd_env (the server default) open',
      policy: 'allow place_order\ndeny place_order when trd_env == "REAL"\n',
      errors: [{ line: 1, column: 7 }],
    },
    {
      name: 'one report per selector, naming every tool',
      policy: 'allow class financial\n',
      errors: [{ line: 1, column: 7, endColumn: 22 }],
    },
    { name: 'default allow', policy: 'default allow\n', errors: [{ line: 1, column: 9 }] },
    {
      name: 'inside an identity block',
      policy: policy`
        identity "trader" {
          allow cancel_order when qty > 0
        }
      `,
      errors: [{ line: 2, column: 9 }],
    },
  ],
});
