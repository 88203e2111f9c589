import { readFileSync } from 'node:fs';

import { policy, ruleTester } from '../rule-tester.js';

const SPEC_EXAMPLE = readFileSync(new URL('../../../fixtures/policies/trading.policy', import.meta.url), 'utf8');

ruleTester('ineffective-identity', {
  valid: [
    { name: 'the SPEC §1.1 example', policy: SPEC_EXAMPLE },
    { name: 'a deny the top level does not have', policy: 'allow class read\nidentity "x" {\n  deny get_funds\n}\n' },
    { name: 'a limit of its own', policy: 'allow get_funds\nidentity "x" {\n  allow get_funds limit 5 per 1m\n}\n' },
    { name: 'a hide', policy: 'allow get_funds\nidentity "x" {\n  hide get_funds\n}\n' },
    { name: 'no catalogue', policy: 'identity "x" {\n}\n', catalog: null },
  ],
  invalid: [
    { name: 'an empty block', policy: 'identity "x" {\n}\n', errors: [{ line: 1, column: 10, endColumn: 13, severity: 'warning' }] },
    {
      name: 'rules and hides that repeat the top level',
      policy: policy`
        allow class read
        hide cancel_all_orders
        identity "x" {
          allow get_funds
          hide cancel_all_orders
          deny unlock_trade
        }
      `,
      errors: [{ line: 3, column: 10 }],
    },
  ],
});
