import { policy, ruleTester } from '../rule-tester.js';

ruleTester('missing-server', {
  valid: [
    { name: 'server named', policy: 'version 1\nserver "futu-stock-mcp-server"\n', catalog: null },
    { name: 'catalogue given with --catalog', policy: 'version 1\ndefault deny\n' },
    { name: 'empty file', policy: '', catalog: null },
  ],
  invalid: [
    {
      name: 'no server and no catalogue',
      policy: policy`
        version 1
        default deny
        allow get_stock_quote
      `,
      catalog: null,
      errors: [{ line: 1, column: 1, endLine: 1, endColumn: 1, severity: 'warning' }],
    },
  ],
});
