import { ruleTester } from '../rule-tester.js';

ruleTester('unknown-risk', {
  valid: ['hide risk critical\n', 'approve risk >= high\n', 'allow risk < medium\n'],
  invalid: [
    { policy: 'approve risk >= hgh\n', errors: [{ line: 1, column: 9, endColumn: 20, suggestion: 'risk >= high' }] },
    { policy: 'hide risk critcal\n', catalog: null, errors: [{ line: 1, column: 6, suggestion: 'risk critical' }] },
    { policy: 'hide risk extreme\n', errors: [{ line: 1, column: 6, suggestion: '(none)' }] },
  ],
});
