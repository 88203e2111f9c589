import { policy, ruleTester } from '../rule-tester.js';

ruleTester('unknown-tool', {
  valid: [
    'allow get_stock_quote\n',
    'hide cancel_all_orders\ndeny unlock_trade\n',
    { name: 'globs are glob-matches-nothing, not unknown-tool', policy: 'allow get_nothing_*\n' },
    { name: 'no catalogue: nothing to check against', policy: 'allow get_stok_quote\n', catalog: null },
    'identity "bot" {\n  deny get_funds\n}\n',
  ],
  invalid: [
    {
      name: 'did you mean',
      policy: 'version 1\nallow get_stok_quote\n',
      errors: [{ line: 2, column: 7, endColumn: 21, suggestion: 'get_stock_quote' }],
    },
    {
      name: 'camelCase spelling',
      policy: 'deny unlockTrade\n',
      errors: [{ line: 1, column: 6, suggestion: 'unlock_trade' }],
    },
    {
      name: 'no suggestion for nonsense',
      policy: 'deny transfer_everything\n',
      errors: [{ line: 1, column: 6, suggestion: '(none)' }],
    },
    {
      name: 'in hide, among other selectors, and in identity blocks',
      policy: policy`
        hide cancel_all_order
        allow get_stock_quote, get_markt_snapshot
        identity "bot" {
          hide place_ordr
          deny get_fund
        }
      `,
      errors: [
        { line: 1, column: 6, suggestion: 'cancel_all_orders' },
        { line: 2, column: 24, suggestion: 'get_market_snapshot' },
        { line: 4, column: 8, suggestion: 'place_order' },
        { line: 5, column: 8, suggestion: 'get_funds' },
      ],
    },
  ],
});
