// The shipped Futu catalogue is built from the facts file; this keeps the two from drifting:
// the same tools in the same order with the same input schemas, and class and risk as the facts
// propose unless the catalogue says why it differs (`rationale`).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

import { builtinCatalog } from '../../src/catalog/builtin.js';

interface FactTool {
  name: string;
  inputSchema: unknown;
  class: string;
  risk: string;
}

const facts = JSON.parse(readFileSync('fixtures/futu/futu-stock-mcp-server.tools.json', 'utf8')) as { tools: FactTool[] };
const catalog = builtinCatalog('futu-stock-mcp-server')!;

describe('the shipped Futu catalogue against the facts file', () => {
  it('lists the same 44 tools in the same order', () => {
    expect(facts.tools).toHaveLength(44);
    expect(catalog.tools.map((t) => t.name)).toEqual(facts.tools.map((t) => t.name));
  });

  it.each(facts.tools.map((fact, index) => [fact.name, index] as const))('%s has the input schema of the facts', (_, index) => {
    expect(catalog.tools[index]!.inputSchema).toEqual(facts.tools[index]!.inputSchema);
  });

  it.each(facts.tools.map((fact, index) => [fact.name, index] as const))('%s keeps class and risk, or says why not', (_, index) => {
    const fact = facts.tools[index]!;
    const tool = catalog.tools[index]!;
    if (tool.class !== fact.class || tool.risk !== fact.risk) {
      expect(tool.rationale, `${tool.name}: ${fact.class}/${fact.risk} → ${tool.class}/${tool.risk} without a rationale`).toMatch(/\S/);
    } else {
      expect([tool.class, tool.risk]).toEqual([fact.class, fact.risk]);
    }
  });
});
