import type { Catalog } from '../../../src/catalog/types.js';
import { FUTU, policy, ruleTester } from '../rule-tester.js';

/** The Futu catalogue with some tools marked as unreviewed guesses. */
function withUnreviewed(count: number): Catalog {
  return { ...FUTU, tools: FUTU.tools.map((tool, index) => ({ ...tool, reviewed: index >= count })) };
}

const POLICY = policy`
  version 1
  server "futu-stock-mcp-server"
  default deny
  allow class read
`;

ruleTester('unreviewed-catalog', {
  valid: [
    { name: 'a reviewed catalogue', policy: POLICY },
    { name: 'no catalogue', policy: 'version 1\ndefault deny\n', catalog: null },
    { name: 'an empty policy (empty-policy says it all)', policy: '# nothing yet\n', catalog: withUnreviewed(3) },
  ],
  invalid: [
    { name: 'once per policy, at the server statement', policy: POLICY, catalog: withUnreviewed(3), errors: [{ line: 2, column: 8, severity: 'info' }] },
    { name: 'every tool unreviewed', policy: POLICY, catalog: withUnreviewed(FUTU.tools.length), errors: [{ line: 2, column: 8, severity: 'info' }] },
    {
      name: 'at the file start when the catalogue comes from --catalog (no server statement)',
      policy: 'version 1\ndefault deny\nallow class read\n',
      catalog: withUnreviewed(1),
      errors: [{ line: 1, column: 1, endLine: 1, endColumn: 1 }],
    },
  ],
});
