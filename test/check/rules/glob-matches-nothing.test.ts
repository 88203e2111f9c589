import type { Catalog } from '../../../src/catalog/types.js';
import { FUTU, ruleTester } from '../rule-tester.js';

const READ_ONLY: Catalog = { ...FUTU, tools: FUTU.tools.filter((tool) => tool.class === 'read') };

ruleTester('glob-matches-nothing', {
  valid: [
    'allow get_order_*\n',
    'allow get_?rder_list\n',
    'allow class read\n',
    'approve risk >= high\n',
    { name: 'unknown classes have their own code', policy: 'allow class reed\n' },
    { name: 'unknown risks have their own code', policy: 'allow risk hgh\n' },
    { name: 'no catalogue', policy: 'allow get_nothing_*\n', catalog: null },
    { name: 'exact names are unknown-tool', policy: 'allow get_nothing\n' },
  ],
  invalid: [
    { policy: 'allow get_ordr_*\n', errors: [{ line: 1, column: 7, endColumn: 17, severity: 'warning' }] },
    { name: 'a class no tool has', policy: 'hide class write\n', catalog: READ_ONLY, errors: [{ line: 1, column: 6 }] },
    { name: 'a risk no tool has', policy: 'deny risk critical\n', catalog: READ_ONLY, errors: [{ line: 1, column: 6 }] },
    {
      name: 'in an identity block',
      policy: 'identity "bot" {\n  hide *_orders_all\n}\n',
      errors: [{ line: 2, column: 8 }],
    },
  ],
});
