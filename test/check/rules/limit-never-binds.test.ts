import { readFileSync } from 'node:fs';

import { ruleTester } from '../rule-tester.js';

const SPEC_EXAMPLE = readFileSync(new URL('../../../fixtures/policies/trading.policy', import.meta.url), 'utf8');

ruleTester('limit-never-binds', {
  valid: [
    { name: 'the SPEC §1.1 example', policy: SPEC_EXAMPLE },
    { name: 'the rule limit is the tighter one, and limit all counts other tools too', policy: 'allow get_funds limit 5 per 1m\nallow get_positions\nlimit all 10 per 1m\n' },
    { name: 'different tools', policy: 'allow get_funds limit 5 per 1m\nallow get_positions limit 1 per 1m\n' },
    { name: 'each binds on its own time scale', policy: 'allow class read\nlimit all 100 per 1m\nlimit all 1000 per 1h\n' },
    { name: 'a narrower counter cannot stand in for a wider one', policy: 'allow get_funds limit 10 per 1m by global\nlimit all 5 per 1m\n' },
    { name: 'the tighter limit is not claimed on every call', policy: 'allow get_funds limit 10 per 1m\nallow get_funds when x == 1 limit 1 per 1m\n' },
  ],
  invalid: [
    {
      name: 'limit all over the one tool a tighter rule limit covers',
      policy: 'allow get_funds limit 5 per 1m\nlimit all 10 per 1m\n',
      errors: [{ line: 2, column: 1, related: 1 }],
    },
    {
      name: 'limit all is tighter than the rule limit',
      policy: 'allow get_funds limit 10 per 1m\nlimit all 5 per 1m\n',
      errors: [{ line: 1, column: 17, severity: 'warning', related: 1 }],
    },
    {
      name: 'a longer window with the same count',
      policy: 'allow class read\nlimit all 5 per 1m\nlimit all 5 per 1h\n',
      errors: [{ line: 2, column: 1 }],
    },
    {
      name: 'another rule claimed on every call of this one',
      policy: 'allow get_funds limit 10 per 1m\nallow class read limit 5 per 1h\n',
      errors: [{ line: 1, column: 17 }],
    },
  ],
});
