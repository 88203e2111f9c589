import { policy, ruleTester } from '../rule-tester.js';

ruleTester('condition-type-mismatch', {
  valid: [
    'allow place_order when trd_env == "SIMULATE" and qty <= 100 and code in ["HK.00700", "US.AAPL"]\n',
    { name: 'null is a value trd_env can have', policy: 'deny place_order when trd_env == null\n' },
    { name: 'ordering strings', policy: 'allow get_history_kline when start >= "2024-01-01"\n' },
    { name: 'matches on a string', policy: 'allow place_order when code matches "HK\\\\..*"\n' },
    { name: 'exists never mismatches', policy: 'allow place_order when fill_outside_rth exists\n' },
    { name: 'lists compare with lists', policy: 'allow get_stock_quote when symbols == ["HK.00700"]\n' },
    { name: 'enum value in a list', policy: 'deny place_order when trd_side not in ["SELL_SHORT", "BUY_BACK"]\n' },
    {
      name: 'the type is possible in one of the selected tools',
      policy: 'deny get_order_list, get_order_fee when order_id == "1"\n',
    },
    { name: 'a path a tool lacks is unknown-parameter, not this', policy: 'allow get_funds when acc_id == "x"\n' },
    { name: 'no catalogue: parameter types unknown', policy: 'allow place_order when qty == "100"\n', catalog: null },
    { name: 'unknown tool: parameter types unknown', policy: 'allow place_ordr when qty == "100"\n' },
    {
      // Regression: `normalize[path]` read Object.prototype for `__proto__` and lint threw.
      name: 'an open schema and a `normalize` map: `__proto__` and `constructor` are plain keys',
      policy: 'allow open when __proto__ == "x" or constructor in ["y"]\n',
      catalog: {
        name: 'open',
        tools: [{ name: 'open', description: '', inputSchema: { type: 'object' }, class: 'read', risk: 'low', capabilities: [], reviewed: true, normalize: { mode: 'upper' } }],
      },
    },
  ],
  invalid: [
    {
      name: 'string literal for a number parameter',
      policy: 'allow place_order when qty == "100"\n',
      errors: [{ line: 1, column: 31, endColumn: 36, suggestion: '100' }],
    },
    {
      name: 'number literal for an enum string parameter',
      policy: 'deny place_order when trd_env == 5\n',
      errors: [{ line: 1, column: 34, suggestion: '"5"' }],
    },
    {
      name: 'outside the enum, with did-you-mean',
      policy: 'allow place_order when trd_env == "SIMULATED"\n',
      errors: [{ line: 1, column: 35, suggestion: '"SIMULATE"' }],
    },
    {
      name: 'the server upper-cases trd_env, so lower case never matches',
      policy: 'allow place_order when trd_env == "simulate"\n',
      errors: [{ line: 1, column: 35, suggestion: '"SIMULATE"' }],
    },
    {
      name: 'normalised and outside the enum',
      policy: 'deny place_order when trd_env != "simulated"\n',
      errors: [{ line: 1, column: 34, suggestion: '"SIMULATE"' }],
    },
    {
      name: 'each impossible element of a list',
      policy: 'allow place_order when trd_env in ["SIMULATE", "real", 7]\n',
      errors: [
        { line: 1, column: 48, suggestion: '"REAL"' },
        { line: 1, column: 56, suggestion: '"7"' },
      ],
    },
    {
      name: 'ordering on a boolean parameter',
      policy: 'allow place_order when fill_outside_rth > 0\n',
      errors: [{ line: 1, column: 24, endColumn: 40 }],
    },
    {
      name: 'ordering with a literal that cannot be ordered, even without a catalogue',
      policy: 'deny place_order when qty < true\n',
      catalog: null,
      errors: [{ line: 1, column: 29 }],
    },
    {
      name: 'ordering a number parameter against a string',
      policy: 'allow place_order when qty <= "100"\n',
      errors: [{ line: 1, column: 31, suggestion: '100' }],
    },
    {
      name: 'matches on a number parameter',
      policy: 'allow place_order when price matches "1.*"\n',
      errors: [{ line: 1, column: 24 }],
    },
    {
      name: 'a list parameter compared with a string',
      policy: 'allow get_stock_quote when symbols == "HK.00700"\n',
      errors: [{ line: 1, column: 39 }],
    },
    {
      name: 'inside identity blocks and nested expressions',
      policy: policy`
        identity "bot" {
          approve place_order
            when not (qty > 10 and (trd_side == "buy" or price == null))
        }
      `,
      errors: [
        { line: 3, column: 41, suggestion: '"BUY"' },
        { line: 3, column: 59 },
      ],
    },
    {
      name: 'another enum',
      policy: 'allow get_cur_kline when ktype == "K_DAYS"\n',
      errors: [{ line: 1, column: 35, suggestion: '"K_DAY"' }],
    },
  ],
});
