import type { Catalog } from '../../../src/catalog/types.js';
import { FUTU, policy, ruleTester } from '../rule-tester.js';

/** A catalogue with nested and open schemas, to follow paths below the top level. */
const NESTED: Catalog = {
  name: 'nested',
  tools: [
    {
      name: 'submit',
      description: 'submits an order object',
      class: 'write',
      risk: 'medium',
      capabilities: [],
      reviewed: true,
      inputSchema: {
        type: 'object',
        properties: {
          order: { type: 'object', properties: { qty: { type: 'number' }, side: { type: 'string' } } },
          meta: { type: 'object', additionalProperties: true },
          tags: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } },
        },
      },
    },
    { name: 'anything', description: 'no schema to speak of', class: 'read', risk: 'low', capabilities: [], reviewed: true, inputSchema: { type: 'object' } },
  ],
};

ruleTester('unknown-parameter', {
  valid: [
    'allow place_order when trd_env == "SIMULATE" and qty <= 100 and code in ["HK.00700"]\n',
    { name: 'every selected tool takes trd_env', policy: 'deny place_order, modify_order, cancel_order when trd_env == "REAL"\n' },
    { name: 'nested property', policy: 'allow submit when order.qty < 10\n', catalog: NESTED },
    { name: 'open object: any key may be there', policy: 'allow submit when meta.anything.at.all exists\n', catalog: NESTED },
    { name: 'a schema without properties says nothing', policy: 'allow anything when whatever == 1\n', catalog: NESTED },
    { name: 'no catalogue', policy: 'allow place_order when qtty < 5\n', catalog: null },
    { name: 'unknown tools are unknown-tool, not this', policy: 'allow place_ordr when qtty < 5\n' },
  ],
  invalid: [
    {
      name: 'misspelt, with a suggestion',
      policy: 'allow place_order when qtty <= 100\n',
      errors: [{ line: 1, column: 24, endColumn: 28, suggestion: 'qty' }],
    },
    {
      name: 'each occurrence, in identity blocks too',
      policy: policy`
        identity "bot" {
          deny modify_order
            when price > 10 and prise < 100 or not (prise exists)
        }
      `,
      errors: [
        { line: 3, column: 25, suggestion: 'price' },
        { line: 3, column: 45, suggestion: 'price' },
      ],
    },
    {
      name: 'missing from only some of the selected tools: no suggestion',
      policy: 'allow get_order_list, get_order_fee, get_deal_list when code == "HK.00700"\n',
      errors: [{ line: 1, column: 57, suggestion: '(none)' }],
    },
    {
      name: 'a tool that takes no arguments at all',
      policy: 'allow get_funds when acc_id == 1\n',
      errors: [{ line: 1, column: 22 }],
    },
    {
      name: 'a deeper segment: points at the segment',
      policy: 'allow submit when order.qtty < 10\n',
      catalog: NESTED,
      errors: [{ line: 1, column: 25, endColumn: 29, suggestion: 'qty' }],
    },
    {
      name: 'arrays are not indexed',
      policy: 'allow submit when tags.name == "x"\n',
      catalog: NESTED,
      errors: [{ line: 1, column: 24 }],
    },
    {
      name: 'a path below a string',
      policy: 'allow submit when order.side.x == "x"\n',
      catalog: NESTED,
      errors: [{ line: 1, column: 30 }],
    },
    {
      name: 'unknown-parameter is not skipped for glob selectors',
      policy: 'allow class read when trd_env == "SIMULATE"\n',
      catalog: FUTU,
      errors: [{ line: 1, column: 23 }],
    },
  ],
});
