import { ruleTester } from '../rule-tester.js';

ruleTester('analysis-incomplete', {
  valid: [
    { name: 'one pattern is represented exactly', policy: 'allow place_order when code matches "HK\\\\..*"\n' },
    { name: 'patterns on different arguments', policy: 'allow place_order when code matches "HK\\\\..*" and trd_side matches "B.*"\n' },
    'allow place_order when qty > 5 and qty < 10 and code in ["HK.00700"]\n',
  ],
  invalid: [
    {
      name: 'two patterns on one argument whose common strings the generator cannot find',
      policy: 'allow place_order when code matches "A.*" and code matches "B.*"\n',
      errors: [{ line: 1, column: 24, severity: 'info' }],
    },
    {
      name: 'a lookahead the generator does not know',
      policy: 'deny place_order when code matches "(?=HK)HK\\\\..*"\n',
      errors: [{ line: 1, column: 23 }],
    },
  ],
});
