// The YAML printer: the layout of the example YAML policy, plain scalars only where YAML reads
// them back unchanged, and several `hide` statements as one list.

import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { SourceText } from '../../../src/diagnostics/source.js';
import { parseDsl } from '../../../src/syntax/dsl/index.js';
import { UnprintableModel } from '../../../src/syntax/print/lexical.js';
import { modelShape } from '../../../src/syntax/print/shape.js';
import { printYaml } from '../../../src/syntax/print/yaml.js';
import { parseYaml } from '../../../src/syntax/yaml/index.js';

function dsl(text: string) {
  const { model, diagnostics } = parseDsl(new SourceText('p.policy', text));
  expect(diagnostics).toEqual([]);
  return model;
}

function yaml(text: string) {
  const { model, diagnostics } = parseYaml(new SourceText('p.policy.yaml', text));
  expect(diagnostics).toEqual([]);
  return model;
}

describe('printYaml', () => {
  it('prints the example policy as the example YAML file says it, comments aside', () => {
    const printed = printYaml(dsl(readFileSync('fixtures/policies/trading.policy', 'utf8')));
    const fixture = readFileSync('fixtures/policies/trading.policy.yaml', 'utf8')
      .split('\n')
      .filter((line) => !line.startsWith('#'))
      .join('\n');
    expect(printed).toBe(fixture);
  });

  it.each([
    ['allow *', 'rules:\n  - allow: "*"\n'],
    ['allow "*"', 'rules:\n  - allow: "\\"*\\""\n'],
    ['allow "allow", b', 'rules:\n  - allow: ["\\"allow\\"", b]\n'],
    ['allow a when x == "a: b"', 'rules:\n  - allow: a\n    when: "x == \\"a: b\\""\n'],
    ['allow a when x == 1 reason "# no"', 'rules:\n  - allow: a\n    when: x == 1\n    reason: "# no"\n'],
    ['allow a reason "true"', 'rules:\n  - allow: a\n    reason: "true"\n'],
    ['allow a reason "1m"', 'rules:\n  - allow: a\n    reason: 1m\n'],
    ['allow a reason " padded"', 'rules:\n  - allow: a\n    reason: " padded"\n'],
    ['allow a reason "line\\nbreak\\u0085"', 'rules:\n  - allow: a\n    reason: "line\\nbreak\\u0085"\n'],
    ['version "1"', 'version: "1"\n'],
    ['limit all 5 per 10s by session', 'limits:\n  - { max: 5, per: 10s, by: session }\n'],
    ['identity "a b" {}\nidentity "true" { hide x }', 'identities:\n  a b: {}\n  "true":\n    hide: x\n'],
  ])('%s', (policy, printed) => {
    const model = dsl(`${policy}\n`);
    expect(printYaml(model)).toBe(printed);
    expect(modelShape(yaml(printed))).toEqual(modelShape(model));
  });

  it('several hide statements of a level become one list', () => {
    const printed = printYaml(dsl('hide a\nhide class read, b\nidentity "i" {\n  hide c\n  hide d\n}\n'));
    expect(printed).toBe('hide: [a, class read, b]\n\nidentities:\n  i:\n    hide: [c, d]\n');
  });

  it('refuses what YAML cannot say: two blocks of one identity, an unnamed identity', () => {
    const twice = parseDsl(new SourceText('p.policy', 'identity "a" {}\nidentity "a" {}\n')).model;
    expect(() => printYaml(twice)).toThrow(UnprintableModel);
    expect(() => printYaml(dsl('identity "" {}\n'))).toThrow(UnprintableModel);
  });
});
