// Every mistake the YAML front end reports: code, line and column of the first diagnostic (and
// only one diagnostic per mistake), plus the did-you-mean suggestion and the related location
// where there is one. Wording is not asserted, except that a message is never empty.

import { describe, expect, test } from 'vitest';

import type { Diagnostic } from '../../../src/diagnostics/diagnostic.js';
import { SourceText } from '../../../src/diagnostics/source.js';
import { parseYaml } from '../../../src/syntax/yaml/index.js';

interface Case {
  name: string;
  text: string;
  code: string;
  line: number;
  column: number;
  suggestion?: string;
  /** line:column of the related location */
  related?: string;
}

const cases: Case[] = [
  // --- YAML syntax
  { name: 'a tab as indentation', text: 'rules:\n\t- allow: x\n', code: 'syntax-error', line: 2, column: 1 },
  { name: 'an unclosed quoted string', text: 'server: "futu\n', code: 'syntax-error', line: 2, column: 1 },
  { name: 'a key without a colon', text: 'rules:\n  - allow x\n    when: y\n', code: 'syntax-error', line: 2, column: 5 },
  { name: 'two documents', text: 'version: 1\n---\nversion: 1\n', code: 'syntax-error', line: 2, column: 1 },
  { name: 'a custom tag', text: 'default: !custom deny\n', code: 'syntax-error', line: 1, column: 10 },
  { name: 'an alias without an anchor', text: 'rules:\n  - allow: *nope\n', code: 'syntax-error', line: 2, column: 12 },
  { name: 'an alias inside its own anchor', text: 'rules: &r\n  - allow: *r\n', code: 'syntax-error', line: 2, column: 12 },
  { name: 'an unquoted `*` (a YAML alias)', text: 'rules:\n  - allow: *\n', code: 'syntax-error', line: 2, column: 12 },
  { name: 'an unquoted glob starting with `*`', text: 'rules:\n  - allow: [a, *_order]\n', code: 'syntax-error', line: 2, column: 16 },
  { name: 'a condition with `: ` left unquoted', text: 'rules:\n  - allow: x\n    when: a == "x: y"\n', code: 'syntax-error', line: 3, column: 11 },
  { name: 'a condition starting with a quote', text: 'rules:\n  - allow: x\n    when: "SIM" == trd_env\n', code: 'syntax-error', line: 3, column: 17 },
  { name: 'a list as a key', text: '? [a]\n: x\n', code: 'schema-error', line: 1, column: 3 },

  // --- unknown keys
  { name: 'a misspelt top-level key', text: 'version: 1\nrule:\n  - allow: x\n', code: 'schema-error', line: 2, column: 1, suggestion: 'rules' },
  { name: 'a misspelt rule key', text: 'rules:\n  - allow: x\n    resaon: y\n', code: 'schema-error', line: 3, column: 5, suggestion: 'reason' },
  { name: 'a misspelt effect', text: 'rules:\n  - alow: x\n', code: 'schema-error', line: 2, column: 5, suggestion: 'allow' },
  { name: 'a misspelt limit key', text: 'rules:\n  - allow: x\n    limit: { max: 1, peer: 1m }\n', code: 'schema-error', line: 3, column: 22, suggestion: 'per' },
  { name: 'an unknown identity key', text: 'identities:\n  bot:\n    rule: []\n', code: 'schema-error', line: 3, column: 5, suggestion: 'rules' },
  { name: 'a merge key', text: 'rules:\n  - <<: {allow: x}\n    allow: y\n', code: 'schema-error', line: 2, column: 5 },
  { name: '`default` inside an identity', text: 'identities:\n  bot:\n    default: allow\n', code: 'misplaced-statement', line: 3, column: 5 },
  { name: '`limits` inside an identity', text: 'identities:\n  bot:\n    limits: []\n', code: 'misplaced-statement', line: 3, column: 5 },

  // --- rules
  { name: 'a rule without an effect', text: 'rules:\n  - when: a == 1\n    reason: x\n', code: 'schema-error', line: 2, column: 5 },
  { name: 'a rule with two effects (at the second)', text: 'rules:\n  - allow: x\n    deny: y\n', code: 'schema-error', line: 3, column: 5 },
  { name: 'a rule written as a string', text: 'rules:\n  - allow x\n', code: 'schema-error', line: 2, column: 5 },
  { name: 'rules as a mapping', text: 'rules:\n  allow: x\n', code: 'schema-error', line: 2, column: 3 },
  { name: 'an effect with no value (at the key)', text: 'rules:\n  - allow:\n', code: 'schema-error', line: 2, column: 5 },
  { name: 'an effect with a number', text: 'rules:\n  - deny: 123\n', code: 'schema-error', line: 2, column: 11 },
  { name: 'an effect with an empty list', text: 'rules:\n  - allow: []\n', code: 'schema-error', line: 2, column: 12 },
  { name: 'an effect with an empty string', text: 'rules:\n  - allow: ""\n', code: 'schema-error', line: 2, column: 12 },
  { name: 'a number in a selector list (at the item)', text: 'rules:\n  - allow: [a, 1]\n', code: 'schema-error', line: 2, column: 16 },
  { name: 'a mapping as a selector', text: 'hide: {a: 1}\n', code: 'schema-error', line: 1, column: 7 },
  { name: '`when` that is not text', text: 'rules:\n  - allow: x\n    when: true\n', code: 'schema-error', line: 3, column: 11 },
  { name: '`reason` that is not text', text: 'rules:\n  - allow: x\n    reason: 12\n', code: 'schema-error', line: 3, column: 13 },

  // --- limits
  { name: '`max` that is not whole', text: 'rules:\n  - allow: x\n    limit: { max: 1.5, per: 1m }\n', code: 'schema-error', line: 3, column: 19 },
  { name: '`max` that is a word', text: 'limits:\n  - { max: ten, per: 1m }\n', code: 'schema-error', line: 2, column: 12 },
  { name: '`per` that is a number', text: 'limits:\n  - { max: 10, per: 60 }\n', code: 'schema-error', line: 2, column: 21 },
  { name: 'a limit without `per` (at the limit)', text: 'limits:\n  - max: 10\n', code: 'schema-error', line: 2, column: 5 },
  { name: 'a misspelt scope', text: 'limits:\n  - { max: 10, per: 1m, by: sesion }\n', code: 'schema-error', line: 2, column: 29, suggestion: 'session' },
  { name: '`limits` as a mapping', text: 'limits: {max: 1, per: 1m}\n', code: 'schema-error', line: 1, column: 9 },

  // --- top-level values
  { name: 'a misspelt default', text: 'default: alow\n', code: 'schema-error', line: 1, column: 10, suggestion: 'allow' },
  { name: 'version 2', text: 'version: 2\n', code: 'unsupported-version', line: 1, column: 10 },
  { name: 'version "2"', text: 'version: "2"\n', code: 'unsupported-version', line: 1, column: 10 },
  { name: 'a list as version', text: 'version: [1]\n', code: 'schema-error', line: 1, column: 10 },
  { name: 'an empty server', text: 'server: ""\n', code: 'schema-error', line: 1, column: 9 },
  { name: 'a list as the policy', text: '- allow: x\n', code: 'schema-error', line: 1, column: 1 },
  { name: 'a scalar as the policy', text: 'hello\n', code: 'schema-error', line: 1, column: 1 },
  { name: 'identities as a list', text: 'identities: [a]\n', code: 'schema-error', line: 1, column: 13 },
  { name: 'an identity with no body (at the name)', text: 'identities:\n  bot:\n', code: 'schema-error', line: 2, column: 3 },
  { name: 'an identity with an empty name', text: 'identities:\n  "":\n    hide: x\n', code: 'schema-error', line: 2, column: 3 },

  // --- duplicate keys: at the second, related to the first
  { name: 'a duplicate rule key', text: 'rules:\n  - allow: x\n    reason: a\n    reason: b\n', code: 'schema-error', line: 4, column: 5, related: '3:5' },
  { name: 'a duplicate default', text: 'default: deny\ndefault: allow\n', code: 'duplicate-statement', line: 2, column: 1, related: '1:1' },
  { name: 'a duplicate rules key', text: 'rules: []\nhide: x\nrules: []\n', code: 'schema-error', line: 3, column: 1, related: '1:1' },
  { name: 'a duplicate identity', text: 'identities:\n  bot:\n    hide: x\n  bot:\n    hide: y\n', code: 'duplicate-identity', line: 4, column: 3, related: '2:3' },

  // --- DSL fragments, at their YAML position
  { name: 'a bad selector', text: 'rules:\n  - allow: "class"\n', code: 'syntax-error', line: 2, column: 18 },
  { name: 'a bad condition', text: 'rules:\n  - allow: x\n    when: qty = 1\n', code: 'syntax-error', line: 3, column: 15 },
  { name: 'a bad condition in a list-item selector', text: 'hide: [a, "risk >="]\n', code: 'syntax-error', line: 1, column: 19 },

  // --- suppressions
  { name: 'a suppression naming no rule', text: '# policyc-ignore\nversion: 1\n', code: 'syntax-error', line: 1, column: 1 },
];

function summary(diagnostic: Diagnostic): string {
  return `${diagnostic.code} ${diagnostic.span.start.line}:${diagnostic.span.start.column}`;
}

describe('YAML front-end errors', () => {
  test.each(cases)('$name', ({ text, code, line, column, suggestion, related }) => {
    const { diagnostics } = parseYaml(new SourceText('policy.yaml', text));
    expect(diagnostics.map(summary)).toEqual([`${code} ${line}:${column}`]);
    const [diagnostic] = diagnostics;
    expect(diagnostic!.message.length).toBeGreaterThan(10);
    expect(diagnostic!.span.file).toBe('policy.yaml');
    expect(diagnostic!.suggestion).toBe(suggestion);
    const relatedAt = diagnostic!.related?.map((entry) => `${entry.span.start.line}:${entry.span.start.column}`);
    expect(relatedAt).toEqual(related === undefined ? undefined : [related]);
  });

  test('the invalid-limit check, not the schema, judges a limit\'s numbers and window (as in the DSL)', () => {
    const { diagnostics, model } = parseYaml(new SourceText('p.yaml', 'limits:\n  - { max: 0, per: 1w }\n  - { max: 2000000, per: 0s }\n'));
    expect(diagnostics).toEqual([]);
    expect(model.limits.map((limit) => [limit.max, limit.per.text, limit.per.ms])).toEqual([
      [0, '1w', Number.NaN],
      [2000000, '0s', Number.NaN],
    ]);
  });

  test('independent mistakes are each reported once, in source order', () => {
    const text = ['version: 1', 'defualt: deny', 'rules:', '  - allow: x', '    whn: a == 1', '  - deny: y', '    limit: { max: 1.5, per: 1m }', ''].join('\n');
    const { diagnostics } = parseYaml(new SourceText('p.yaml', text));
    expect(diagnostics.map(summary)).toEqual(['schema-error 2:1', 'schema-error 5:5', 'schema-error 7:19']);
  });

  test('a malformed rule is left out of the model; the rest is still read', () => {
    const text = 'rules:\n  - allow: a\n    deny: b\n  - deny: c\n  - allow: d\n    limit: { max: x, per: 1m }\n';
    const { model } = parseYaml(new SourceText('p.yaml', text));
    expect(model.rules.map((rule) => [rule.effect, rule.selectors.map((s) => s.kind === 'name' && s.name), rule.limit])).toEqual([
      ['deny', ['c'], undefined],
      ['allow', ['d'], undefined],
    ]);
  });

  test('an empty file and a file of comments are empty policies without diagnostics (the checks report empty-policy)', () => {
    for (const text of ['', '# nothing here\n', '---\n', '\uFEFF']) {
      const result = parseYaml(new SourceText('p.yaml', text));
      expect(result.diagnostics).toEqual([]);
      expect(result.model).toMatchObject({ syntax: 'yaml', rules: [], hide: [], limits: [], identities: [] });
    }
  });
});
