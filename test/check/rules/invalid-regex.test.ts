import { ruleTester } from '../rule-tester.js';

ruleTester('invalid-regex', {
  valid: [
    'allow place_order when code matches "HK\\\\..*"\n',
    'allow place_order when code matches "[A-Z]{2}\\\\.[0-9]+"\n',
    { policy: 'deny place_order when remark matches "\\\\p{L}+"\n', catalog: null },
  ],
  invalid: [
    { name: 'unterminated group', policy: 'allow place_order when code matches "(HK"\n', errors: [{ line: 1, column: 37, endColumn: 42 }] },
    { name: 'invalid only with the u flag', policy: 'allow place_order when code matches "\\\\q"\n', errors: [{ line: 1, column: 37 }] },
    {
      name: 'nested, and without a catalogue',
      policy: 'deny place_order\n  when not (qty > 5 or remark matches "a{2,1}")\n',
      catalog: null,
      errors: [{ line: 2, column: 39 }],
    },
    {
      // Only a hand-made or future front end could give a non-string pattern; still no crash.
      name: 'not a string',
      policy: 'allow place_order when code matches "x"\n',
      edit: (model) => {
        const when = model.rules[0]!.when!;
        if (when.kind === 'matches') when.pattern = { ...when.pattern, value: 5 };
      },
      errors: [{ line: 1, column: 37 }],
    },
  ],
});
