import { policy, ruleTester } from '../rule-tester.js';

ruleTester('overridden-rule', {
  valid: [
    { name: 'the deny covers only some calls', policy: 'deny place_order when qty > 10\nallow place_order\n' },
    { name: 'overlapping, not covering', policy: 'deny place_order when qty > 10\nallow place_order when qty > 5\n' },
    { name: 'hidden tools are hidden-and-allowed’s', policy: 'hide place_order\nallow place_order\n' },
    { name: 'a grant that never applies is unsatisfiable-condition’s', policy: 'deny place_order\nallow place_order when qty > 10 and qty < 5\n' },
    { name: 'an identity’s deny does not override a top-level allow', policy: 'allow get_funds\nidentity "x" {\n  deny get_funds\n}\n' },
    { name: 'no catalogue', policy: 'deny place_order\nallow place_order\n', catalog: null },
  ],
  invalid: [
    {
      name: 'an unconditional deny',
      policy: 'deny place_order\nallow place_order when qty < 5\n',
      errors: [{ line: 2, column: 7, endColumn: 18, severity: 'warning', related: 1 }],
    },
    {
      name: 'a class deny over a list of names',
      policy: 'deny class financial\napprove place_order, modify_order\n',
      errors: [{ line: 2, column: 9, endColumn: 34, related: 1 }],
    },
    {
      // Where qty is missing or not a number, the deny's condition errs, and an erring deny applies.
      name: 'a deny that holds or errs for every call',
      policy: 'deny place_order when qty > 10 or qty <= 10\nallow place_order\n',
      errors: [{ line: 2, column: 7 }],
    },
    {
      name: 'an identity’s allow under a top-level deny',
      policy: policy`
        deny get_funds
        identity "x" {
          allow get_funds
        }
      `,
      errors: [{ line: 3, column: 9, related: 1 }],
    },
  ],
});
