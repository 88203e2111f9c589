// Selector resolution answers from a per-catalogue index (sorted names, glob prefixes, cached
// answers); it must give exactly what testing every selector against every tool gives.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { compareStrings, resolveSelectors, selectorMatches } from '../../src/catalog/resolve.js';
import { RISKS, TOOL_CLASSES, type Catalog, type CatalogTool } from '../../src/catalog/types.js';
import type { Selector } from '../../src/model/policy.js';

const span = { file: 't', start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } };
const NAME = fc.stringMatching(/^[ab_?*é]{0,5}$/);

const tool = fc.record({ name: NAME.map((n) => n.replace(/[?*]/g, '')), class: fc.constantFrom(...TOOL_CLASSES), risk: fc.constantFrom(...RISKS) });
const catalog = fc.array(tool, { maxLength: 30 }).map(
  (tools): Catalog => ({ name: 'c', tools: tools.map((t) => ({ ...t, description: '', inputSchema: {}, capabilities: [], reviewed: true }) as CatalogTool) }),
);
const selector: fc.Arbitrary<Selector> = fc.oneof(
  NAME.map((name) => ({ kind: 'name' as const, name: name.replace(/[?*]/g, ''), span })),
  NAME.map((pattern) => ({ kind: 'glob' as const, pattern, span })),
  fc.constantFrom(...TOOL_CLASSES, 'nonsense').map((c) => ({ kind: 'class' as const, class: c, span })),
  fc.record({ op: fc.constantFrom('==', '>=', '>', '<=', '<' as const), risk: fc.constantFrom(...RISKS, 'nonsense') }).map((r) => ({ kind: 'risk' as const, ...r, span })),
  fc.constant({ kind: 'all' as const, span }),
);

function naive(selectors: readonly Selector[], from: Catalog): string[] {
  const names = new Set<string>();
  for (const s of selectors) {
    if (s.kind === 'name') names.add(s.name);
    else for (const t of from.tools) if (selectorMatches(s, t)) names.add(t.name);
  }
  return [...names].sort(compareStrings);
}

describe('resolveSelectors', () => {
  it('equals testing every selector against every tool, asked once or many times', () => {
    fc.assert(
      fc.property(catalog, fc.array(fc.array(selector, { maxLength: 4 }), { minLength: 1, maxLength: 5 }), (from, lists) => {
        for (const selectors of [...lists, ...lists]) expect(resolveSelectors(selectors, from)).toEqual(naive(selectors, from));
      }),
      { numRuns: 500 },
    );
  });

  it('a glob with a literal prefix finds the names around the prefix run', () => {
    const from: Catalog = {
      name: 'c',
      tools: ['get_a', 'get_b', 'getx', 'get', 'gat', 'get_', 'set_a'].map((name) => ({ name, description: '', inputSchema: {}, class: 'read', risk: 'low', capabilities: [], reviewed: true })),
    };
    expect(resolveSelectors([{ kind: 'glob', pattern: 'get_*', span }], from)).toEqual(['get_', 'get_a', 'get_b']);
    expect(resolveSelectors([{ kind: 'glob', pattern: 'get?', span }], from)).toEqual(['get_', 'getx']);
    expect(resolveSelectors([{ kind: 'glob', pattern: '*_a', span }], from)).toEqual(['get_a', 'set_a']);
  });

  it('hands out a fresh array each time', () => {
    const from: Catalog = { name: 'c', tools: [{ name: 'a', description: '', inputSchema: {}, class: 'read', risk: 'low', capabilities: [], reviewed: true }] };
    const first = resolveSelectors([{ kind: 'all', span }], from);
    first.push('mutated');
    expect(resolveSelectors([{ kind: 'all', span }], from)).toEqual(['a']);
  });
});
