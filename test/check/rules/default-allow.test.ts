import { policy, ruleTester } from '../rule-tester.js';

ruleTester('default-allow', {
  valid: ['version 1\ndefault deny\n', 'version 1\n', { policy: 'default deny\n', catalog: null }],
  invalid: [
    {
      policy: policy`
        version 1
        server "futu-stock-mcp-server"
          default allow
      `,
      errors: [{ line: 3, column: 11, endLine: 3, endColumn: 16, severity: 'warning' }],
    },
    { name: 'without a catalogue', policy: 'default allow\n', catalog: null, errors: [{ line: 1, column: 9 }] },
  ],
});
