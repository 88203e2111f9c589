import { ruleTester } from '../rule-tester.js';

ruleTester('empty-policy', {
  valid: ['version 1\n', 'default deny\n', 'allow get_stock_quote\n', 'identity "x" {\n}\n'],
  invalid: [
    { name: 'empty file', policy: '', errors: [{ line: 1, column: 1 }] },
    { name: 'only comments', policy: '# nothing here\n\n# still nothing\n', errors: [{ line: 1, column: 1 }] },
    { name: 'without a catalogue', policy: '\n', catalog: null, errors: [{ line: 1, column: 1 }] },
  ],
});
