import { readFileSync } from 'node:fs';

import { policy, ruleTester } from '../rule-tester.js';

const SPEC_EXAMPLE = readFileSync(new URL('../../../fixtures/policies/trading.policy', import.meta.url), 'utf8');

ruleTester('secret-argument', {
  valid: [
    { name: 'the SPEC §1.1 example denies it', policy: SPEC_EXAMPLE },
    { name: 'hidden', policy: 'hide unlock_trade\nallow unlock_trade\n' },
    { name: 'denied whatever else allows it', policy: 'allow class financial\ndeny unlock_trade\n' },
    {
      name: 'allowed only for calls that pass no secret',
      policy: 'allow unlock_trade when not (password exists) and not (password_md5 exists)\n',
    },
    { name: 'a tool without secrets', policy: 'allow get_funds\n' },
    { name: 'no catalogue', policy: 'allow unlock_trade\n', catalog: null },
  ],
  invalid: [
    { name: 'allow', policy: 'allow unlock_trade\n', errors: [{ line: 1, column: 7, severity: 'error', related: 1 }] },
    { name: 'approve does not keep the password out of the model', policy: 'approve unlock_trade\n', errors: [{ line: 1, column: 9, severity: 'error' }] },
    { name: 'a class selector', policy: 'allow class financial\n', errors: [{ line: 1, column: 7, endColumn: 22 }] },
    { name: 'default allow', policy: 'default allow\n', errors: [{ line: 1, column: 9, related: 0 }] },
    {
      name: 'a condition on something else still lets the password through',
      policy: 'allow unlock_trade when is_unlock == true\n',
      errors: [{ line: 1, column: 7 }],
    },
    {
      name: 'inside an identity block',
      policy: policy`
        identity "ops" {
          approve unlock_trade
        }
      `,
      errors: [{ line: 2, column: 11 }],
    },
  ],
});
