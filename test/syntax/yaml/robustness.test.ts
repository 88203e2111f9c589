// No input makes the YAML front end throw or hang: random text, YAML token soup, binary garbage,
// a 10 MB file, 100,000-deep nesting, alias bombs and cycles, tabs, a BOM, CRLF line ends.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';

import type { Diagnostic } from '../../../src/diagnostics/diagnostic.js';
import { SourceText } from '../../../src/diagnostics/source.js';
import { parseYaml } from '../../../src/syntax/yaml/index.js';

const example = readFileSync(fileURLToPath(new URL('../../../fixtures/policies/trading.policy.yaml', import.meta.url)), 'utf8');

function wellFormed(diagnostic: Diagnostic): boolean {
  const { start, end } = diagnostic.span;
  return (
    diagnostic.span.file === 'f.yaml' &&
    diagnostic.message.length > 0 &&
    [start.line, start.column, end.line, end.column].every((n) => Number.isInteger(n) && n >= 1) &&
    end.offset >= start.offset
  );
}

function parse(text: string) {
  const result = parseYaml(new SourceText('f.yaml', text));
  expect(result.diagnostics.every(wellFormed)).toBe(true);
  expect(result.model.syntax).toBe('yaml');
  return result;
}

const summary = (diagnostics: Diagnostic[]) => diagnostics.map((d) => `${d.code} ${d.span.start.line}:${d.span.start.column}`);

const yamlTokens = [
  'version: 1', 'rules:', 'limits:', 'identities:', 'hide:', '- ', 'allow: ', 'deny: ', 'approve: ', 'when: ', 'limit: ', 'reason: ',
  '{max: 1, per: 1m}', 'qty == 1', 'class read', '"', "'", '\\', '[', ']', '{', '}', ',', ':', '? ', '&a ', '*a', '!!str ', '!x ', '|', '>-',
  '#', '# policyc-ignore x: y', '---', '...', '%YAML 1.2', '\n', '\r\n', '  ', '    ', '\t', '\uFEFF', '\u0000', '😀', '<<: ', 'null', '~', '.inf',
];

describe('parseYaml never throws', () => {
  test('on random text', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => void parse(text)), { numRuns: 1500 });
  });

  test('on YAML token soup', () => {
    const soup = fc.array(fc.constantFrom(...yamlTokens), { maxLength: 60 }).map((parts) => parts.join(''));
    fc.assert(fc.property(soup, (text) => void parse(text)), { numRuns: 2000 });
  });

  test('on the example policy with random damage', () => {
    const damaged = fc.tuple(fc.nat(example.length), fc.nat(20), fc.string({ maxLength: 10 })).map(([at, cut, insert]) => example.slice(0, at) + insert + example.slice(at + cut));
    fc.assert(fc.property(damaged, (text) => void parse(text)), { numRuns: 1000 });
  });

  test('on binary garbage', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => void parse(Buffer.from(bytes).toString('latin1'))), { numRuns: 500 });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => void parse(Buffer.from(bytes).toString('utf8'))), { numRuns: 500 });
  });
});

describe('resource limits', () => {
  test('100,000-deep flow sequences: one nesting-too-deep, at the first level too deep', () => {
    const text = `rules: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`;
    const { diagnostics, model } = parse(text);
    expect(summary(diagnostics)).toEqual(['nesting-too-deep 1:71']);
    expect(model.rules).toEqual([]);
  });

  test('100,000-deep unclosed flow mappings and compact block sequences', () => {
    expect(summary(parse(`a: ${'{a: '.repeat(100_000)}`).diagnostics)).toEqual(['nesting-too-deep 1:256']);
    expect(summary(parse('- '.repeat(100_000)).diagnostics)).toEqual(['nesting-too-deep 1:129']);
  });

  test('30,000 wrong items: at most a hundred diagnostics, in source order, plus a note', () => {
    const text = `hide: [${Array(30_000).fill('1').join(', ')}]\nrules:\n${'  - alow: x\n'.repeat(1_000)}`;
    const started = Date.now();
    const { diagnostics } = parse(text);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(diagnostics).toHaveLength(101);
    expect(summary(diagnostics.slice(0, 2))).toEqual(['schema-error 1:8', 'schema-error 1:11']);
    expect(diagnostics[100]!.message).toMatch(/^30900 more schema errors/);
  });

  test('an alias bomb is stopped, quickly', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) {
      const name = String.fromCharCode(97 + i);
      const previous = String.fromCharCode(96 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]`);
    }
    const started = Date.now();
    const { diagnostics } = parse(levels.join('\n') + '\n');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(diagnostics.map((d) => d.code)).toEqual(['syntax-error']);
    expect(diagnostics[0]!.message).toMatch(/alias bomb/);
  });

  test('aliases that expand within reason are read as their values', () => {
    const text = 'hide: &risky [class destructive, class financial]\nidentities:\n  bot:\n    hide: *risky\n';
    const { diagnostics, model } = parse(text);
    expect(diagnostics).toEqual([]);
    expect(model.identities[0]!.hide[0]!.selectors.map((s) => s.kind === 'class' && s.class)).toEqual(['destructive', 'financial']);
  });

  test('a 10 MB file is read without throwing', () => {
    const text = `server: ${'a'.repeat(5_000_000)}\n# ${'b'.repeat(5_000_000)}\n`;
    const { diagnostics, model } = parse(text);
    expect(diagnostics).toEqual([]);
    expect(model.server?.name.length).toBe(5_000_000);
  });

  test('a policy of a thousand rules', () => {
    const rule = '  - allow: [get_order_list, class read]\n    when: trd_env == "SIMULATE" and qty <= 100\n    limit: { max: 10, per: 1m }\n    reason: "x"\n';
    const text = 'version: 1\nrules:\n' + rule.repeat(1_000);
    const { diagnostics, model } = parse(text);
    expect(diagnostics).toEqual([]);
    expect(model.rules).toHaveLength(1_000);
  });
});

describe('layout variants give the same model', () => {
  const strip = (value: unknown) => JSON.parse(JSON.stringify(value, (key, v: unknown) => (key === 'span' || key.endsWith('Span') ? undefined : v))) as unknown;
  const base = parse(example);

  test('CRLF line ends: same model, same lines and columns', () => {
    const crlf = parse(example.replace(/\n/g, '\r\n'));
    expect(crlf.diagnostics).toEqual([]);
    expect(strip(crlf.model)).toEqual(strip(base.model));
    const lineColumn = (model: typeof base.model) => JSON.stringify(model, (key, v: unknown) => (key === 'offset' ? undefined : v));
    expect(lineColumn(crlf.model)).toBe(lineColumn(base.model));
  });

  test('a byte-order mark', () => {
    const bom = parse('\uFEFF' + example);
    expect(bom.diagnostics).toEqual([]);
    expect(strip(bom.model)).toEqual(strip(base.model));
  });

  test('tabs inside values and after keys are fine; tabs as indentation are a syntax error', () => {
    expect(parse('version:\t1\nrules:\n  - allow:\tclass read\n    when: a ==\t1\n').diagnostics).toEqual([]);
    expect(summary(parse('rules:\n  - allow: x\n\twhen: a == 1\n').diagnostics)[0]).toMatch(/^syntax-error 3:1/);
  });
});
