import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

import { builtinCatalog } from '../../src/catalog/builtin.js';
import { loadCatalogFile } from '../../src/catalog/load.js';
import type { Diagnostic } from '../../src/diagnostics/diagnostic.js';
import { SourceText } from '../../src/diagnostics/source.js';
import { schemaDocument, schemaValidator } from '../../src/json/schema.js';

const BUILTIN_PATH = 'src/catalog/builtin/futu-stock-mcp-server.json';

function load(text: string) {
  return loadCatalogFile(new SourceText('catalog.json', text));
}

function at(text: string, code: string, line: number, needle: string): [string, number, number] {
  const index = (text.split('\n')[line - 1] ?? '').indexOf(needle);
  if (index < 0) throw new Error(`test bug: ${needle} is not on line ${line}`);
  return [code, line, index + 1];
}

function where(diagnostics: readonly Diagnostic[]): [string, number, number][] {
  return diagnostics.map((d) => [d.code, d.span.start.line, d.span.start.column]);
}

/** One tool per line inside a minimal catalogue. */
function catalogue(...tools: string[]): string {
  return ['{', '  "name": "t",', '  "tools": [', tools.map((t) => `    ${t}`).join(',\n'), '  ]', '}'].join('\n');
}

const tool = (extra = '', name = 'a') =>
  `{"name": "${name}", "description": "", "inputSchema": {"type": "object", "properties": {"x": {}}}, "class": "read", "risk": "low", "capabilities": [], "reviewed": true${extra}}`;

describe('loadCatalogFile', () => {
  it('reads the shipped Futu catalogue without a diagnostic, to the built-in value', () => {
    const loaded = load(readFileSync(BUILTIN_PATH, 'utf8'));
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.catalog).toEqual(builtinCatalog('futu-stock-mcp-server'));
  });

  it('validates the shipped Futu catalogue against grammar/catalog.schema.json', () => {
    const validate = schemaValidator('urn:policyc:schema:catalog');
    expect(validate(JSON.parse(readFileSync(BUILTIN_PATH, 'utf8')))).toBe(true);
  });

  it('accepts a minimal catalogue, and a $schema key for editors (dropped from the value)', () => {
    const loaded = load('{"$schema": "../grammar/catalog.schema.json", "name": "empty", "tools": []}');
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.catalog).toEqual({ name: 'empty', tools: [] });
  });

  it.each<[string, string[], [string, number, string][], RegExp]>([
    ['a misspelt key that would switch a check off', [tool(', "secret": ["x"]')], [['schema-error', 4, '"secret"']], /unknown key "secret"/],
    ['an unknown class', [tool().replace('"class": "read"', '"class": "admin"')], [['schema-error', 4, '"admin"']], /must be one of "read"/],
    ['a missing reviewed flag', [tool().replace(', "reviewed": true', '')], [['schema-error', 4, '{"name"']], /missing the key "reviewed"/],
    ['an input schema that is not an object schema', [tool().replace('"type": "object"', '"type": "array"')], [['schema-error', 4, '"array"']], /must be "object"/],
    ['a bad normalisation', [tool(', "normalize": {"x": "upcase"}')], [['schema-error', 4, '"upcase"']], /must be one of "upper", "lower", "trim"/],
    [
      'a capability condition that is not a condition',
      [tool(', "capabilities": [{"name": "c", "when": {"op": "in", "path": ["x"], "value": "A"}}]').replace('"capabilities": [], ', '')],
      [['schema-error', 4, '"A"']],
      /must be an array/,
    ],
    ['a tool listed twice', [tool(), tool()], [['schema-error', 5, '"a"']], /lists tool a twice/],
    ['a secret the tool does not take', [tool(', "secrets": ["password"]')], [['schema-error', 4, '"password"']], /no parameter password/],
    [
      'a trading environment the tool does not take',
      [tool(', "tradingEnvironment": {"param": "env", "safe": ["SIMULATE"]}')],
      [['schema-error', 4, '"env"']],
      /no parameter env/,
    ],
    ['a normalised argument the tool does not take', [tool(', "normalize": {"y": "upper"}')], [['schema-error', 4, '"upper"']], /no parameter y/],
  ])('reports %s', (_, tools, expected, message) => {
    const text = catalogue(...tools);
    const loaded = load(text);
    expect(loaded.catalog).toBeUndefined();
    expect(where(loaded.diagnostics)).toEqual(expected.map(([code, line, needle]) => at(text, code, line, needle)));
    expect(loaded.diagnostics[0]!.message).toMatch(message);
  });

  it('reports a capability outside the vocabulary, when the catalogue has one', () => {
    const text = ['{', '  "name": "t",', '  "capabilities": {"order.place": "places"},', '  "tools": [', `    ${tool().replace('"capabilities": []', '"capabilities": [{"name": "order.plcae"}]')}`, '  ]', '}'].join('\n');
    const loaded = load(text);
    expect(where(loaded.diagnostics)).toEqual([at(text, 'schema-error', 5, '"order.plcae"')]);
  });

  it('reports a syntax error and a duplicate key', () => {
    expect(where(load('{"name": "t", "tools": [],}').diagnostics)).toEqual([['syntax-error', 1, 27]]);
    expect(where(load('{"name": "t", "name": "u", "tools": []}').diagnostics)).toEqual([['syntax-error', 1, 15]]);
  });
});

describe('the two schemas', () => {
  it('describe conditions identically', () => {
    const definitions = (ref: 'urn:policyc:schema:policy' | 'urn:policyc:schema:catalog') => (schemaDocument(ref) as { definitions: Record<string, unknown> }).definitions;
    const policy = definitions('urn:policyc:schema:policy');
    const catalog = definitions('urn:policyc:schema:catalog');
    for (const name of ['condition', 'andCondition', 'orCondition', 'notCondition', 'leafCondition']) {
      expect(catalog[name], name).toEqual(policy[name]);
    }
  });
});
