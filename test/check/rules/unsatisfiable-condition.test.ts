import { policy, ruleTester } from '../rule-tester.js';

ruleTester('unsatisfiable-condition', {
  valid: [
    'allow place_order when qty > 5 and qty < 10\n',
    'deny place_order when qty > 10 or qty < 5\n',
    { name: 'a single impossible comparison is condition-type-mismatch’s finding', policy: 'allow place_order when trd_env == "simulate"\n' },
    { name: 'exists holds for any value', policy: 'allow place_order when qty exists and not (qty == 1)\n' },
    { name: 'no catalogue', policy: 'allow place_order when qty > 10 and qty < 5\n', catalog: null },
  ],
  invalid: [
    {
      name: 'an empty range',
      policy: 'allow place_order when qty > 10 and qty < 5\n',
      errors: [{ line: 1, column: 24, endColumn: 44, severity: 'warning' }],
    },
    {
      name: 'two environments at once, in a deny (which then applies only on errors)',
      policy: 'deny place_order when trd_env == "REAL" and trd_env == "SIMULATE"\n',
      errors: [{ line: 1, column: 23 }],
    },
    {
      name: 'a negation that contradicts',
      policy: 'allow place_order when qty >= 5 and not (qty > 4)\n',
      errors: [{ line: 1, column: 24 }],
    },
    {
      name: 'over several tools and lines',
      policy: policy`
        approve modify_order
          when modify_order_op == "CANCEL"
           and modify_order_op in ["NORMAL", "ENABLE"]
      `,
      errors: [{ line: 2, column: 8, endLine: 3 }],
    },
  ],
});
