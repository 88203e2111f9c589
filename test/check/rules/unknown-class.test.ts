import { ruleTester } from '../rule-tester.js';

ruleTester('unknown-class', {
  valid: ['allow class read\n', 'hide class financial, class destructive\n', 'approve class write\n', { policy: 'allow class read\n', catalog: null }],
  invalid: [
    { policy: 'hide class destuctive\n', errors: [{ line: 1, column: 6, endColumn: 22, suggestion: 'class destructive' }] },
    { name: 'no catalogue needed', policy: 'allow class reed\n', catalog: null, errors: [{ line: 1, column: 7, suggestion: 'class read' }] },
    { name: 'nothing close', policy: 'allow read, class trading\n', errors: [{ line: 1, column: 13, suggestion: '(none)' }] },
  ],
});
