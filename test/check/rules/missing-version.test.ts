import { policy, ruleTester } from '../rule-tester.js';

ruleTester('missing-version', {
  valid: [
    policy`
      version 1
      default deny
    `,
    { name: 'an empty file is reported as empty-policy only', policy: '' },
  ],
  invalid: [
    {
      policy: policy`
        server "futu-stock-mcp-server"
        default deny
      `,
      errors: [{ line: 1, column: 1, severity: 'warning' }],
    },
    { policy: '# a comment first\nallow get_stock_quote\n', errors: [{ line: 1, column: 1 }] },
  ],
});
