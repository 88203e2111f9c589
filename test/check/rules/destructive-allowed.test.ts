import { readFileSync } from 'node:fs';

import { policy, ruleTester } from '../rule-tester.js';

const SPEC_EXAMPLE = readFileSync(new URL('../../../fixtures/policies/trading.policy', import.meta.url), 'utf8');

ruleTester('destructive-allowed', {
  valid: [
    'allow class read\n',
    { name: 'approval', policy: 'approve place_order, cancel_order\n' },
    { name: 'hidden', policy: 'hide place_order\nallow place_order\n' },
    { name: 'hidden by class', policy: 'hide class financial\nallow place_order\n' },
    { name: 'an unconditional deny closes the door', policy: 'allow place_order\ndeny place_order\n' },
    { name: 'an unconditional approve closes it too', policy: 'allow class financial\napprove class financial\n' },
    { name: 'default deny with no allow', policy: 'default deny\ndeny get_funds\n' },
    {
      name: 'a top-level deny applies inside identity blocks',
      policy: policy`
        deny cancel_order
        identity "ops" {
          allow cancel_order
        }
      `,
    },
    { name: 'no catalogue: classes unknown', policy: 'allow place_order\n', catalog: null },
    // Exact: an allow whose condition never holds opens nothing (condition-type-mismatch says why).
    { name: 'a condition that never holds', policy: 'allow place_order when trd_env == "simulate"\n' },
    { name: 'a conditional deny that holds or errs for every call', policy: 'allow place_order\ndeny place_order when qty > 0 or qty <= 0\n' },
  ],
  invalid: [
    {
      name: 'the SPEC §1.1 example gives one warning, never an error',
      policy: SPEC_EXAMPLE,
      errors: [{ line: 11, column: 7, endColumn: 18, severity: 'warning', related: 1 }],
    },
    {
      name: 'unconditional allow: error',
      policy: 'version 1\nallow cancel_order\n',
      errors: [{ line: 2, column: 7, severity: 'error', related: 1 }],
    },
    {
      name: 'a class selector reports once for all its tools',
      policy: 'allow class financial\n',
      errors: [{ line: 1, column: 7, endColumn: 22, severity: 'error' }],
    },
    {
      name: 'a risk selector',
      policy: 'allow risk >= critical\n',
      errors: [{ line: 1, column: 7, severity: 'error' }],
    },
    {
      name: 'a conditional deny narrows an unconditional allow: a warning',
      policy: 'allow place_order\ndeny place_order when trd_env == "REAL"\n',
      errors: [{ line: 1, column: 7, severity: 'warning', related: 2 }],
    },
    {
      name: 'default allow reaches every dangerous tool no rule covers',
      policy: policy`
        default allow
        hide cancel_all_orders
        deny unlock_trade
        approve place_order, modify_order
      `,
      errors: [{ line: 1, column: 9, endColumn: 14, severity: 'error' }],
    },
    {
      name: 'default allow behind a conditional allow',
      policy: 'default allow\napprove class destructive, unlock_trade, modify_order\nallow place_order when qty < 10\n',
      errors: [
        { line: 1, column: 9, severity: 'error' },
        { line: 3, column: 7, severity: 'warning' },
      ],
    },
    {
      name: 'an allow inside an identity block',
      policy: policy`
        default deny
        identity "trader" {
          allow place_order
        }
      `,
      errors: [{ line: 3, column: 9, severity: 'error' }],
    },
    {
      name: 'hidden for one identity, still reachable at the top level',
      policy: policy`
        allow cancel_order when trd_env == "SIMULATE"
        identity "bot" {
          hide cancel_order
        }
      `,
      errors: [{ line: 1, column: 7, severity: 'warning' }],
    },
    {
      name: 'a conditional approve narrows an unconditional allow: a warning',
      policy: 'allow cancel_order\napprove cancel_order when trd_env == "REAL"\n',
      errors: [{ line: 1, column: 7, severity: 'warning', related: 2 }],
    },
    {
      // Without trd_env both conditions are errors, and an erring approve does not apply.
      name: 'approves whose conditions seem to cover every call leave the calls without trd_env allowed',
      policy: 'allow cancel_order\napprove cancel_order when trd_env == "REAL"\napprove cancel_order when not (trd_env == "REAL")\n',
      errors: [{ line: 1, column: 7, severity: 'warning', related: 3 }],
    },
    {
      name: "an identity's deny does not soften the top-level finding",
      policy: policy`
        allow place_order
        identity "x" {
          deny place_order when qty > 5
        }
      `,
      errors: [{ line: 1, column: 7, severity: 'error' }],
    },
    {
      name: 'where the analysis cannot decide every call, an allow is still reported (as possible)',
      policy: 'allow place_order when code matches "A.*" and code matches "B.*"\n',
      errors: [{ line: 1, column: 7, severity: 'warning', related: 1 }],
    },
    {
      name: 'one report per selector',
      policy: 'allow place_order, get_stock_quote, cancel_order\n',
      errors: [
        { line: 1, column: 7, severity: 'error' },
        { line: 1, column: 37, severity: 'error' },
      ],
    },
  ],
});
