import { describe, expect, it } from 'vitest';

import { skeleton } from '../../../src/check/rules/confusable-name.js';
import { ruleTester } from '../rule-tester.js';

ruleTester('confusable-name', {
  valid: ['allow get_stock_quote\n', 'allow get_order_*\n', { policy: 'deny unlock_trade\n', catalog: null }],
  invalid: [
    {
      name: 'Cyrillic о in place of o',
      policy: 'allow "get_stock_qu\u043Ete"\n',
      errors: [{ line: 1, column: 7, suggestion: 'get_stock_quote' }],
    },
    {
      name: 'Greek ο and Cyrillic р',
      policy: 'deny "\u0440lace_\u03BFrder"\n',
      errors: [{ line: 1, column: 6, suggestion: 'place_order' }],
    },
    {
      name: 'a zero-width space',
      policy: 'deny "unlock\u200B_trade"\n',
      errors: [{ line: 1, column: 6, suggestion: 'unlock_trade' }],
    },
    {
      name: 'a bidi control, without a catalogue',
      policy: 'deny "unlock_trade\u202E"\n',
      catalog: null,
      errors: [{ line: 1, column: 6, suggestion: '(none)' }],
    },
    {
      name: 'a tag character',
      policy: 'hide "cancel_all_orders\u{E0041}"\n',
      errors: [{ line: 1, column: 6, suggestion: 'cancel_all_orders' }],
    },
    {
      name: 'fullwidth letters fold under NFKC',
      policy: 'deny "\uFF55nlock_trade"\n',
      errors: [{ line: 1, column: 6, suggestion: 'unlock_trade' }],
    },
    {
      name: 'non-ASCII that looks like nothing known',
      policy: 'allow "gét_funds"\n',
      errors: [{ line: 1, column: 7, suggestion: '(none)' }],
    },
  ],
});

describe('skeleton', () => {
  it.each([
    ['get_stock_qu\u043Ete', 'get_stock_quote'],
    ['\u0440lace_\u03BFrder', 'place_order'],
    ['unlock\u200B_trade', 'unlock_trade'],
    ['\uFF55nlock_trade', 'unlock_trade'],
    ['plain_ascii', 'plain_ascii'],
  ])('%s → %s', (name, expected) => {
    expect(skeleton(name)).toBe(expected);
  });

  it('keeps every printable ASCII character (plain names take a short cut)', () => {
    for (let code = 0x20; code < 0x7f; code++) {
      const ch = String.fromCharCode(code);
      // The Cyrillic а sends the name through the full skeleton.
      expect(skeleton(`\u0430${ch}`)).toBe(`a${ch}`);
      expect(skeleton(ch)).toBe(ch);
    }
  });
});
