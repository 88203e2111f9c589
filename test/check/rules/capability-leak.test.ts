import { readFileSync } from 'node:fs';

import { policy, ruleTester } from '../rule-tester.js';

const SPEC_EXAMPLE = readFileSync(new URL('../../../fixtures/policies/trading.policy', import.meta.url), 'utf8');

ruleTester('capability-leak', {
  valid: [
    { name: 'the SPEC §1.1 example', policy: SPEC_EXAMPLE },
    { name: 'both doors closed', policy: 'deny cancel_order, modify_order\n' },
    { name: 'both behind approval', policy: 'approve cancel_order, place_order, modify_order\n' },
    {
      name: 'the home allowed as freely as the side door',
      policy: policy`
        allow cancel_order, place_order when trd_env == "SIMULATE"
        allow modify_order when trd_env == "SIMULATE"
      `,
    },
    {
      name: 'the side door closed for exactly the calls that have the capability',
      policy: policy`
        default deny
        deny cancel_order
        approve place_order
        approve modify_order
        deny modify_order when modify_order_op in ["CANCEL", "DISABLE", "DELETE"]
      `,
    },
    { name: 'hidden side door', policy: 'deny cancel_order\nhide modify_order\n' },
    {
      name: 'an identity that closes both',
      policy: policy`
        approve cancel_order, modify_order, place_order
        identity "bot" {
          deny cancel_order, modify_order
        }
      `,
    },
    { name: 'no catalogue, no capabilities', policy: 'deny cancel_order\nallow modify_order\n', catalog: null },
  ],
  invalid: [
    {
      name: 'deny cancel_order, allow modify_order: cancelling and placing stay possible',
      policy: policy`
        default deny
        deny cancel_order
        allow modify_order
      `,
      // order.cancel (denied at line 2), order.place (denied by default at line 1).
      errors: [
        { line: 3, column: 7, endColumn: 19, severity: 'error', related: 1 },
        { line: 3, column: 7, endColumn: 19, severity: 'error', related: 1 },
      ],
    },
    {
      name: 'approve place_order, allow modify_order: placing without approval',
      policy: policy`
        approve place_order
        allow modify_order when modify_order_op == "NORMAL"
      `,
      errors: [{ line: 2, column: 7, severity: 'error', related: 1 }],
    },
    {
      name: 'a leak only for one identity, reported at the top-level rule that opens it',
      policy: policy`
        approve cancel_order, modify_order, place_order
        identity "bot" {
          deny cancel_order
        }
      `,
      errors: [{ line: 1, column: 23, severity: 'error', related: 1 }],
    },
    {
      name: 'default allow is the side door',
      policy: policy`
        default allow
        deny cancel_order
      `,
      errors: [{ line: 1, column: 9, severity: 'error', related: 1 }],
    },
  ],
});
