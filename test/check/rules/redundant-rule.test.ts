import { readFileSync } from 'node:fs';

import { policy, ruleTester } from '../rule-tester.js';

const SPEC_EXAMPLE = readFileSync(new URL('../../../fixtures/policies/trading.policy', import.meta.url), 'utf8');

ruleTester('redundant-rule', {
  valid: [
    { name: 'a limit makes it count', policy: 'allow class read\nallow get_funds limit 5 per 1m\n' },
    { name: 'an explicit deny under default deny states intent', policy: 'default deny\ndeny unlock_trade\n' },
    { name: 'a deny of a hidden tool is harmless', policy: 'hide get_funds\ndeny get_funds\n' },
    { name: 'overlapping conditions, neither covering the other', policy: 'allow place_order when qty > 1\nallow place_order when qty < 3\n' },
    { name: 'a deny that narrows an allow', policy: 'deny place_order when qty > 10\nallow place_order\n' },
    { name: 'an overridden rule is overridden-rule’s', policy: 'deny place_order\nallow place_order\n' },
    { name: 'no catalogue', policy: 'allow get_funds\nallow get_funds\n', catalog: null },
  ],
  invalid: [
    {
      name: 'the SPEC §1.1 example: `allow class read` already allows get_order_* and get_deal_list',
      policy: SPEC_EXAMPLE,
      errors: [{ line: 9, column: 7, endColumn: 33, severity: 'warning', related: 1 }],
    },
    {
      name: 'of two equal rules, the later one',
      policy: 'allow get_funds\nallow get_funds\n',
      errors: [{ line: 2, column: 7, related: 1 }],
    },
    {
      name: 'an identity repeating a top-level allow',
      policy: policy`
        allow class read
        identity "x" {
          allow get_funds
        }
      `,
      errors: [{ line: 3, column: 9 }],
    },
    {
      name: 'a conditional deny inside an unconditional one',
      policy: 'deny place_order\ndeny place_order when qty > 10\nallow get_funds\n',
      errors: [{ line: 2, column: 6 }],
    },
    {
      name: 'a narrower approve',
      policy: 'approve place_order\napprove place_order when qty > 3\n',
      errors: [{ line: 2, column: 9 }],
    },
  ],
});
