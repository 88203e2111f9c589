import { ruleTester } from '../rule-tester.js';

ruleTester('approve-read-only', {
  valid: [
    'approve place_order\n',
    { name: 'an approve that never asks (denied)', policy: 'deny get_funds\napprove get_funds\n' },
    { name: 'no catalogue', policy: 'approve get_funds\n', catalog: null },
  ],
  invalid: [
    { name: 'a read-only tool', policy: 'approve get_funds\n', errors: [{ line: 1, column: 9, severity: 'info', related: 1 }] },
    { name: 'a class', policy: 'approve class read\n', errors: [{ line: 1, column: 9, endColumn: 19 }] },
    { name: 'only the read-only selector of a list', policy: 'approve place_order, get_funds\n', errors: [{ line: 1, column: 22 }] },
    { name: 'a conditional approve that asks for some calls', policy: 'allow get_funds\napprove get_funds when x == 1\n', errors: [{ line: 2, column: 9 }] },
  ],
});
