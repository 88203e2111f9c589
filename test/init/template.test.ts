// `policyc init`'s starting policy: what it allows, approves and hides, and the promise that it
// lints with no errors and no warnings — for the Futu catalogue, for an imported catalogue, and
// for any catalogue fast-check can think of.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { builtinCatalog } from '../../src/catalog/builtin.js';
import { RISKS, TOOL_CLASSES, type Catalog, type CatalogTool } from '../../src/catalog/types.js';
import { checkPolicy } from '../../src/check/check.js';
import { compilePolicy } from '../../src/compile/compile.js';
import type { Diagnostic } from '../../src/diagnostics/diagnostic.js';
import { SourceText } from '../../src/diagnostics/source.js';
import { decide, preparePolicy } from '../../src/enforce/index.js';
import { startingPolicy, toolSelector } from '../../src/init/template.js';
import { parseDsl } from '../../src/syntax/dsl/index.js';

const FUTU = builtinCatalog('futu-stock-mcp-server')!;

function lintOf(catalog: Catalog): { text: string; problems: Diagnostic[]; decideFor: (tool: string) => string } {
  const text = startingPolicy(catalog);
  const { model, diagnostics } = parseDsl(new SourceText('policy.policy', text));
  const problems = [...diagnostics, ...checkPolicy(model, catalog)].filter((d) => d.severity !== 'info');
  const prepared = preparePolicy(compilePolicy(model, catalog).policy);
  const decideFor = (tool: string): string => {
    const decision = decide(prepared, { tool, args: {} });
    return decision.basis === 'hidden' ? 'hidden' : decision.outcome;
  };
  return { text, problems, decideFor };
}

const describeProblems = (problems: Diagnostic[]) => problems.map((d) => `${d.span.start.line}:${d.span.start.column} ${d.code} ${d.message}`);

describe('for the Futu catalogue', () => {
  const { text, problems, decideFor } = lintOf(FUTU);

  it('lints with no errors and no warnings', () => {
    expect(describeProblems(problems)).toEqual([]);
  });

  it('allows reads, approves subscriptions, orders and cancellations, hides unlock_trade, denies the rest', () => {
    expect(decideFor('get_stock_quote')).toBe('allow');
    expect(decideFor('get_funds')).toBe('allow');
    for (const tool of ['subscribe', 'place_order', 'modify_order', 'cancel_order', 'cancel_all_orders']) expect([tool, decideFor(tool)]).toEqual([tool, 'approve']);
    expect(decideFor('unlock_trade')).toBe('hidden');
    expect(decideFor('some_new_tool')).toBe('deny');
  });

  it('reads as a policy a person would write', () => {
    const statements = text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    expect(statements).toEqual([
      'version 1',
      'server "futu-stock-mcp-server"',
      'default deny',
      'allow class read',
      'approve class write',
      '  reason "changes state: a person approves each call"',
      'approve place_order, modify_order, cancel_order, cancel_all_orders',
      '  reason "moves money or cannot be undone: a person approves each call"',
      'hide unlock_trade',
      'limit all 120 per 1m',
    ]);
    expect(text).toContain('#   unlock_trade takes password, password_md5');
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
  });
});

describe('selectors', () => {
  it('quotes names the DSL would read otherwise', () => {
    expect(toolSelector('get-env')).toBe('get-env');
    expect(toolSelector('deny')).toBe('"deny"');
    expect(toolSelector('tools/list')).toBe('"tools/list"');
    expect(toolSelector('9lives')).toBe('"9lives"');
  });
});

const tool = (name: string, klass: CatalogTool['class'], risk: CatalogTool['risk'], secrets?: string[]): CatalogTool => ({
  name,
  description: '',
  inputSchema: { type: 'object', properties: Object.fromEntries((secrets ?? []).map((secret) => [secret, { type: 'string' }])) },
  class: klass,
  risk,
  capabilities: [],
  ...(secrets ? { secrets } : {}),
  reviewed: true,
});

describe('for catalogues with awkward corners', () => {
  it('names the reads one by one when a read is sensitive or takes a secret, and still lints clean', () => {
    const catalog: Catalog = {
      name: 'odd',
      tools: [tool('get-a', 'read', 'low'), tool('get_env', 'read', 'high'), tool('read_vault', 'read', 'low', ['api_key']), tool('deny', 'write', 'medium'), tool('wipe', 'destructive', 'critical')],
    };
    const { text, problems, decideFor } = lintOf(catalog);
    expect(describeProblems(problems)).toEqual([]);
    expect(text).toContain('allow get-a\n');
    expect(text).toContain('approve get_env\n');
    expect(text).toContain('approve class write\n');
    expect(text).toContain('approve class destructive\n');
    expect(text).toContain('hide read_vault\n');
    expect([decideFor('get-a'), decideFor('get_env'), decideFor('read_vault'), decideFor('deny'), decideFor('wipe')]).toEqual(['allow', 'approve', 'hidden', 'approve', 'approve']);
  });

  it('writes a policy that denies everything for an empty catalogue', () => {
    const { problems, text } = lintOf({ name: 'empty', tools: [] });
    expect(describeProblems(problems)).toEqual([]);
    expect(text).toContain('default deny');
  });
});

const toolName = fc.oneof(
  fc.stringMatching(/^[a-z][a-z0-9_-]{0,20}$/),
  fc.constantFrom('deny', 'allow', 'class', 'risk', 'all', 'limit', 'when', 'tools/call', 'a.b', 'x y', '9lives'),
);

const catalogs = fc
  .uniqueArray(
    fc.record({
      name: toolName,
      class: fc.constantFrom(...TOOL_CLASSES),
      risk: fc.constantFrom(...RISKS),
      secret: fc.boolean(),
      reviewed: fc.boolean(),
    }),
    { selector: (entry) => entry.name, maxLength: 40 },
  )
  .map((entries): Catalog => ({
    name: 'generated',
    tools: entries.map((entry) => ({ ...tool(entry.name, entry.class, entry.risk, entry.secret ? ['password'] : undefined), reviewed: entry.reviewed })),
  }));

describe('for any catalogue', () => {
  it('lints with no errors and no warnings, and never allows what is not a harmless read', () => {
    fc.assert(
      fc.property(catalogs, (catalog) => {
        const { problems, decideFor } = lintOf(catalog);
        expect(describeProblems(problems)).toEqual([]);
        for (const entry of catalog.tools) {
          const decision = decideFor(entry.name);
          if (entry.secrets) expect([entry.name, decision]).toEqual([entry.name, 'hidden']);
          else if (entry.class === 'read' && (entry.risk === 'low' || entry.risk === 'medium')) expect([entry.name, decision]).toEqual([entry.name, 'allow']);
          else expect([entry.name, decision]).toEqual([entry.name, 'approve']);
        }
      }),
      { numRuns: 150 },
    );
  });
});
