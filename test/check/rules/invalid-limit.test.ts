import { policy, ruleTester } from '../rule-tester.js';

ruleTester('invalid-limit', {
  valid: [
    'allow get_stock_quote limit 10 per 1m\n',
    'limit all 1000000 per 366d\n',
    'limit all 1 per 1s by global\n',
    { policy: 'allow get_stock_quote limit 5 per 30s by session\n', catalog: null },
  ],
  invalid: [
    { name: 'zero', policy: 'allow get_stock_quote limit 0 per 1m\n', errors: [{ line: 1, column: 29, endColumn: 30 }] },
    { name: 'too many', policy: 'limit all 1000001 per 1m\n', errors: [{ line: 1, column: 11 }] },
    { name: 'not whole', policy: 'limit all 2.5 per 1m\n', errors: [{ line: 1, column: 11 }] },
    { name: 'negative', policy: 'limit all -3 per 1m\n', errors: [{ line: 1, column: 11 }] },
    {
      // The DSL refuses `1w` as a syntax error; YAML's `per: 1w` reaches the checks.
      name: 'unreadable duration',
      policy: 'limit all 10 per 1m\n',
      edit: (model) => {
        model.limits[0]!.per = { ...model.limits[0]!.per, text: '1w', ms: Number.NaN };
      },
      errors: [{ line: 1, column: 18, endColumn: 20 }],
    },
    { name: 'window too long', policy: 'limit all 10 per 367d\n', errors: [{ line: 1, column: 18 }] },
    {
      name: 'both parts wrong, in an identity block',
      policy: policy`
        identity "bot" {
          allow get_stock_quote
            limit 0 per 0s
        }
      `,
      errors: [
        { line: 3, column: 11 },
        { line: 3, column: 17 },
      ],
    },
  ],
});
