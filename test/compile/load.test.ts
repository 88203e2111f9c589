import { describe, expect, it } from 'vitest';

import { builtinCatalog } from '../../src/catalog/builtin.js';
import { formatPolicyJson, formatSourceMap } from '../../src/compile/canonical-json.js';
import { compilePolicy } from '../../src/compile/compile.js';
import { loadCompiledPolicy, loadSourceMap } from '../../src/compile/load.js';
import type { Diagnostic } from '../../src/diagnostics/diagnostic.js';
import { SourceText } from '../../src/diagnostics/source.js';
import { schemaValidator } from '../../src/json/schema.js';
import { hide, identity, limit, model, rule, smallCatalog, when } from './model-builder.js';

function load(text: string) {
  return loadCompiledPolicy(new SourceText('policy.json', text));
}

/** [code, line, column] of each diagnostic: what the tests pin down, not the wording. */
function where(diagnostics: readonly Diagnostic[]): [string, number, number][] {
  return diagnostics.map((d) => [d.code, d.span.start.line, d.span.start.column]);
}

/**
 * The expected [code, line, column] of a diagnostic, with the column found from the text it
 * points at: `at(text, 'schema-error', 4, '"value"')` is the column where `"value"` starts on line 4.
 */
function at(text: string, code: string, line: number, needle: string): [string, number, number] {
  const index = (text.split('\n')[line - 1] ?? '').indexOf(needle);
  if (index < 0) throw new Error(`test bug: ${needle} is not on line ${line}`);
  return [code, line, index + 1];
}

/** A policy.json spread over lines so that positions mean something; `lines` go inside the top object. */
function file(...lines: string[]): string {
  return ['{', '  "version": "1",', ...lines, '}'].join('\n');
}

const example = compilePolicy(
  model({
    server: 'small',
    hide: [hide(['cancel'])],
    rules: [
      rule('allow', ['class read']),
      rule('allow', ['place'], {
        when: when.and(when.cmp('env', '==', 'SIMULATE'), when.or(when.matches('code', 'HK\\..*'), when.not(when.exists('x'))), when.notIn('side', ['SELL'])),
        limit: limit(10, '1m', 'session'),
        reason: 'paper',
      }),
    ],
    limits: [limit(100, '1m'), limit(1000, '1d', 'global')],
    identities: [identity('bot', { hide: [hide(['quote'])], rules: [rule('deny', ['place'], { when: when.in('env', ['REAL']) })] })],
  }),
  smallCatalog(),
);

describe('loadCompiledPolicy: our canonical form', () => {
  it('reads back exactly what the compiler wrote', () => {
    const loaded = load(formatPolicyJson(example.policy));
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.policy).toEqual(example.policy);
    expect(formatPolicyJson(loaded.policy!)).toBe(formatPolicyJson(example.policy));
  });

  it('reads back a policy compiled against the Futu catalogue', () => {
    const futu = builtinCatalog('futu-stock-mcp-server')!;
    const { policy } = compilePolicy(model({ server: futu.name, rules: [rule('allow', ['class read']), rule('approve', ['risk >= high'])] }), futu);
    const loaded = load(formatPolicyJson(policy));
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.policy).toEqual(policy);
  });

  it('validates against grammar/policy.schema.json', () => {
    const validate = schemaValidator('urn:policyc:schema:policy');
    expect(validate(JSON.parse(formatPolicyJson(example.policy)))).toBe(true);
  });
});

describe("loadCompiledPolicy: PolicyLayer's minimal form", () => {
  it('fills in the members it leaves out', () => {
    const loaded = load('{"version":"1","default":"deny","hide":["cancel_order"]}');
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.policy).toEqual({
      version: '1',
      default: 'deny',
      hide: ['cancel_order'],
      tools: {},
      all_tools: { limits: [] },
      identities: {},
      rules: [],
    });
  });

  it('reads a missing default as deny, and keeps "*" in hide for the enforcer', () => {
    expect(load('{"version": "1", "hide": ["*"]}').policy).toMatchObject({ default: 'deny', hide: ['*'] });
  });

  it('fills in an identity that gives only hide or only tools', () => {
    const loaded = load(file('  "identities": {"bot": {"hide": ["quote"]}, "ops": {}}'));
    expect(loaded.policy?.identities).toEqual({ bot: { hide: ['quote'], tools: {} }, ops: { hide: [], tools: {} } });
  });

  it('refuses PolicyLayer features policyc does not enforce, rather than ignoring them', () => {
    const text = file('  "on_deny": {"message": "no"},', '  "tools": {"place_order": {"rules": [], "deny_if": {}}}');
    const loaded = load(text);
    expect(loaded.policy).toBeUndefined();
    expect(where(loaded.diagnostics)).toEqual([at(text, 'schema-error', 3, '"on_deny"'), at(text, 'schema-error', 4, '"deny_if"')]);
    expect(loaded.diagnostics[0]!.message).toMatch(/on_deny is not supported/);
    expect(loaded.diagnostics[1]!.message).toMatch(/deny_if is not supported/);
  });
});

describe('loadCompiledPolicy: not JSON', () => {
  it('reports a syntax error at its position', () => {
    const loaded = load(file('  "default": "deny",', '}'));
    expect(loaded.policy).toBeUndefined();
    expect(where(loaded.diagnostics)).toEqual([['syntax-error', 4, 1]]);
  });

  it('refuses a duplicate key, pointing at both', () => {
    const loaded = load(file('  "default": "deny",', '  "hide": [],', '  "default": "allow"'));
    expect(loaded.policy).toBeUndefined();
    expect(where(loaded.diagnostics)).toEqual([['syntax-error', 5, 3]]);
    expect(loaded.diagnostics[0]!.related?.[0]?.span.start.line).toBe(3);
  });
});

describe('loadCompiledPolicy: the schema', () => {
  it.each<[string, string[], [string, number, string][], RegExp]>([
    ['a missing version', ['{', '  "default": "deny"', '}'], [['schema-error', 1, '{']], /missing the key "version"/],
    ['a numeric version', ['{', '  "version": 1', '}'], [['schema-error', 2, '1']], /version must be "1"/],
    ['not an object', ['[]'], [['schema-error', 1, '[']], /must be an object, not an array/],
    ['a misspelt key', ['{', '  "version": "1",', '  "defualt": "deny"', '}'], [['schema-error', 3, '"defualt"']], /unknown key "defualt" at the top level/],
    ['a bad default', ['{', '  "version": "1",', '  "default": "maybe"', '}'], [['schema-error', 3, '"maybe"']], /must be one of "allow", "deny"/],
    ['a repeated hide', ['{', '  "version": "1",', '  "hide": ["a", "b", "a"]', '}'], [['schema-error', 3, '"a"]']], /hide lists "a" twice/],
    ['"*" as a tool key', ['{', '  "version": "1",', '  "tools": {"*": {"rules": []}}', '}'], [['schema-error', 3, '"*"']], /"\*" is not a tool name/],
    [
      '"*" in an identity hide',
      ['{', '  "version": "1",', '  "identities": {"bot": {"hide": ["*"]}}', '}'],
      [['schema-error', 3, '"*"']],
      /only the top-level "hide" accepts "\*"/,
    ],
    [
      'a rule id that is not r1, r2, …',
      ['{', '  "version": "1",', '  "rules": [{"id": "x1", "effect": "deny", "selector": "a"}]', '}'],
      [['schema-error', 3, '"x1"']],
      /must be a rule id/,
    ],
    [
      'a condition of no known kind',
      ['{', '  "version": "1",', '  "rules": [{"id": "r1", "effect": "deny", "selector": "a",', '    "when": {"nand": []}}]', '}'],
      [['schema-error', 4, '{"nand"']],
      /not a condition/,
    ],
    [
      'in with a value that is not a list',
      ['{', '  "version": "1",', '  "rules": [{"id": "r1", "effect": "deny", "selector": "a",', '    "when": {"op": "in", "path": ["a"], "value": "x"}}]', '}'],
      [['schema-error', 4, '"x"']],
      /must be an array, not a string/,
    ],
    [
      'exists with a value',
      ['{', '  "version": "1",', '  "rules": [{"id": "r1", "effect": "deny", "selector": "a",', '    "when": {"op": "exists", "path": ["a"], "value": 1}}]', '}'],
      [['schema-error', 4, '"value"']],
      /unknown key "value"/,
    ],
    [
      'a limit out of range',
      [
        '{',
        '  "version": "1",',
        '  "all_tools": {"limits": [',
        '    {"id": "a1", "max": 1.5, "per": "1w", "window_ms": 0, "by": "me"}',
        '  ]}',
        '}',
      ],
      [
        ['schema-error', 4, '1.5'],
        ['schema-error', 4, '"1w"'],
        ['schema-error', 4, '0,'],
        ['schema-error', 4, '"me"'],
      ],
      /max must be an integer, not a number/,
    ],
  ])('reports %s', (_, lines, expected, message) => {
    const text = lines.join('\n');
    const loaded = load(text);
    expect(loaded.policy).toBeUndefined();
    expect(where(loaded.diagnostics)).toEqual(expected.map(([code, line, needle]) => at(text, code, line, needle)));
    expect(loaded.diagnostics[0]!.message).toMatch(message);
  });

  it('suggests the key that was meant', () => {
    expect(load(file('  "defualt": "deny"')).diagnostics[0]!.suggestion).toBe('"default"');
  });
});

describe('loadCompiledPolicy: cross references', () => {
  const rules = (...items: string[]) => `  "rules": [\n${items.map((i) => `    ${i}`).join(',\n')}\n  ]`;

  it.each<[string, string[], [string, number, string][], RegExp]>([
    [
      'a tool listing a rule that does not exist',
      ['  "tools": {"a": {"rules": ["r2"]}},', rules('{"id": "r1", "effect": "deny", "selector": "a"}')],
      [['schema-error', 3, '"r2"']],
      /lists rule r2, which "rules" does not have/,
    ],
    [
      'a rule id used twice',
      [rules('{"id": "r1", "effect": "deny", "selector": "a"}', '{"id": "r1", "effect": "allow", "selector": "b"}')],
      [['schema-error', 5, '"r1"']],
      /rule id r1 is used twice/,
    ],
    [
      'a top-level tool listing an identity rule',
      [
        '  "tools": {"a": {"rules": ["r1"]}},',
        '  "identities": {"bot": {}},',
        rules('{"id": "r1", "effect": "deny", "selector": "a", "identity": "bot"}'),
      ],
      [['schema-error', 3, '"r1"']],
      /which is a rule of identity "bot"/,
    ],
    [
      'an identity tool listing a top-level rule',
      ['  "identities": {"bot": {"tools": {"a": {"rules": ["r1"]}}}},', rules('{"id": "r1", "effect": "deny", "selector": "a"}')],
      [['schema-error', 3, '"r1"']],
      /under identity "bot" lists rule r1, which is a top-level rule/,
    ],
    [
      "another identity's rule",
      [
        '  "identities": {"bot": {"tools": {"a": {"rules": ["r1"]}}}, "ops": {}},',
        rules('{"id": "r1", "effect": "deny", "selector": "a", "identity": "ops"}'),
      ],
      [['schema-error', 3, '"r1"']],
      /which is a rule of identity "ops"/,
    ],
    [
      'a rule of an identity that is not there',
      [rules('{"id": "r1", "effect": "deny", "selector": "a", "identity": "bot"}')],
      [['schema-error', 4, '"bot"']],
      /identity "bot", which "identities" does not have/,
    ],
    [
      'a window that disagrees with per',
      [rules('{"id": "r1", "effect": "deny", "selector": "a", "limit": {"max": 1, "per": "1m", "window_ms": 1000, "by": "global"}}')],
      [['schema-error', 4, '1000']],
      /window_ms is 1000 but per is "1m" \(60000 ms\)/,
    ],
    [
      'a limit id used twice',
      [
        '  "all_tools": {"limits": [',
        '    {"id": "a1", "max": 1, "per": "1s", "window_ms": 1000, "by": "global"},',
        '    {"id": "a1", "max": 1, "per": "1s", "window_ms": 1000, "by": "global"}',
        '  ]}',
      ],
      [['schema-error', 5, '"a1"']],
      /limit id a1 is used twice/,
    ],
    [
      'a pattern that is not a regular expression',
      [rules('{"id": "r1", "effect": "deny", "selector": "a", "when": {"not": {"op": "matches", "path": ["c"], "value": "(("}}}')],
      [['invalid-regex', 4, '"(("']],
      /not a valid regular expression/,
    ],
  ])('reports %s', (_, lines, expected, message) => {
    const text = file(...lines);
    const loaded = load(text);
    expect(loaded.policy).toBeUndefined();
    expect(where(loaded.diagnostics)).toEqual(expected.map(([code, line, needle]) => at(text, code, line, needle)));
    expect(loaded.diagnostics[0]!.message).toMatch(message);
  });

  it('accepts a rule that no tool lists (a glob that matched nothing)', () => {
    const loaded = load(file(rules('{"id": "r1", "effect": "allow", "selector": "zz*"}')));
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.policy?.rules).toHaveLength(1);
  });
});

describe('loadSourceMap', () => {
  it('reads back what the compiler wrote', () => {
    const loaded = loadSourceMap(new SourceText('policy.json.map', formatSourceMap(example.sourceMap)));
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.sourceMap).toEqual(example.sourceMap);
  });

  it('reports what is not a source map', () => {
    const text = ['{', '  "version": 1,', '  "rules": {"r1": {"file": "p.policy", "line": 0, "column": 1}},', '  "hide": {}', '}'].join('\n');
    const loaded = loadSourceMap(new SourceText('policy.json.map', text));
    expect(loaded.sourceMap).toBeUndefined();
    expect(where(loaded.diagnostics)).toEqual([at(text, 'schema-error', 1, '{'), at(text, 'schema-error', 3, '0')]);
    expect(loaded.diagnostics.map((d) => d.message)).toEqual(['the top level is missing the key "identities"', 'rules.r1.line must be >= 1']);
  });
});
