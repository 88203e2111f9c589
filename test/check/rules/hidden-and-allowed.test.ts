import { policy, ruleTester } from '../rule-tester.js';

ruleTester('hidden-and-allowed', {
  valid: [
    'hide cancel_all_orders\nallow class read\n',
    { name: 'a deny of a hidden tool is harmless', policy: 'hide unlock_trade\ndeny unlock_trade\n' },
    {
      name: "an identity's hide does not make a top-level rule dead",
      policy: policy`
        allow get_funds
        identity "bot" {
          hide get_funds
        }
      `,
    },
    {
      name: "another identity's hide",
      policy: policy`
        identity "a" {
          hide get_funds
        }
        identity "b" {
          allow get_funds
        }
      `,
    },
    { name: 'without a catalogue, names still count', policy: 'hide foo\nallow bar\n', catalog: null },
  ],
  invalid: [
    {
      name: 'every selected tool hidden: the rule is dead',
      policy: 'hide cancel_all_orders\nallow cancel_all_orders\n',
      errors: [{ line: 2, column: 7, endColumn: 24, severity: 'warning', related: 1 }],
    },
    {
      name: 'dead over several selectors',
      policy: 'hide class destructive\napprove cancel_order, cancel_all_orders\n',
      errors: [{ line: 2, column: 9, endColumn: 40, related: 1 }],
    },
    {
      name: 'only some: named per selector',
      policy: 'hide cancel_all_orders\napprove get_order_list, cancel_*\n',
      errors: [{ line: 2, column: 25, endColumn: 33, related: 1 }],
    },
    {
      name: 'top-level hide applies inside identity blocks',
      policy: policy`
        hide place_order
        identity "trader" {
          approve place_order
        }
      `,
      errors: [{ line: 3, column: 11, related: 1 }],
    },
    {
      name: "an identity's own hide",
      policy: policy`
        identity "bot" {
          hide class financial
          allow get_stock_quote, unlock_trade
        }
      `,
      errors: [{ line: 3, column: 26, related: 1 }],
    },
    {
      name: 'hide * hides everything catalogued',
      policy: 'hide *\nallow class read\n',
      errors: [{ line: 2, column: 7 }],
    },
    {
      name: 'without a catalogue, exact names',
      policy: 'hide foo\nallow foo\n',
      catalog: null,
      errors: [{ line: 2, column: 7 }],
    },
  ],
});
