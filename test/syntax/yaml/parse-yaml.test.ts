// The YAML spelling gives the same PolicyModel as the DSL, with spans at YAML lines and columns.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { describe, expect, test } from 'vitest';

import type { Span } from '../../../src/diagnostics/diagnostic.js';
import { SourceText } from '../../../src/diagnostics/source.js';
import type { PolicyModel } from '../../../src/model/policy.js';
import { parseDsl } from '../../../src/syntax/dsl/index.js';
import { parseYaml } from '../../../src/syntax/yaml/index.js';

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../../../fixtures/policies/${name}`, import.meta.url)), 'utf8');

/** `line:column-line:column` */
const at = (span: Span | undefined) => span && `${span.start.line}:${span.start.column}-${span.end.line}:${span.end.column}`;

/** The model without positions and without what says which file and spelling it came from. */
function meaning(model: PolicyModel): unknown {
  return JSON.parse(JSON.stringify(model, (key, value: unknown) => (key === 'span' || key.endsWith('Span') || key === 'file' || key === 'syntax' ? undefined : value)));
}

function parse(text: string) {
  return parseYaml(new SourceText('p.yaml', text));
}

describe('the example policy, trading.policy.yaml', () => {
  const { model, diagnostics } = parseYaml(new SourceText('trading.policy.yaml', fixture('trading.policy.yaml')));

  test('parses without diagnostics', () => {
    expect(diagnostics).toEqual([]);
    expect(model.file).toBe('trading.policy.yaml');
    expect(model.syntax).toBe('yaml');
  });

  test('gives the same model as trading.policy, apart from positions', () => {
    const dsl = parseDsl(new SourceText('trading.policy', fixture('trading.policy')));
    expect(dsl.diagnostics).toEqual([]);
    expect(meaning(model)).toEqual(meaning(dsl.model));
  });

  test('points at the YAML: statements, values, rules, keys', () => {
    expect([at(model.version?.span), at(model.server?.span), at(model.default?.span)]).toEqual(['3:10-3:11', '4:9-4:30', '5:10-5:14']);
    expect(at(model.hide[0]!.span)).toBe('7:1-7:24');
    const [readRule, globRule, placeOrder, approve] = model.rules;
    expect(at(readRule!.span)).toBe('10:3-10:22');
    expect(at(readRule!.effectSpan)).toBe('10:5-10:10');
    expect(at(readRule!.selectors[0]!.span)).toBe('10:12-10:22');
    expect(globRule!.selectors.map((s) => at(s.span))).toEqual(['11:13-11:24', '11:26-11:39']);
    expect(at(placeOrder!.span)).toBe('12:3-15:43');
    expect(at(placeOrder!.when?.span)).toBe('13:11-13:83');
    expect(at(placeOrder!.limit?.span)).toBe('14:5-14:32');
    expect([at(placeOrder!.limit?.maxSpan), at(placeOrder!.limit?.per.span), placeOrder!.limit?.bySpan]).toEqual(['14:19-14:21', '14:28-14:30', undefined]);
    expect(at(placeOrder!.reason?.span)).toBe('15:13-15:43');
    expect(at(approve!.effectSpan)).toBe('16:5-16:12');
    expect(at(model.limits[0]!.span)).toBe('22:3-22:26');
    const identity = model.identities[0]!;
    expect([identity.name, at(identity.nameSpan), at(identity.span)]).toEqual(['research-bot', '25:3-25:15', '25:3-29:45']);
    expect(at(identity.rules[0]!.span)).toBe('28:7-29:45');
    expect(identity.rules[0]!.identity).toBe('research-bot');
    expect(identity.hide[0]!.identity).toBe('research-bot');
  });
});

describe('spellings that mean the same', () => {
  test('flow and block style, scalar and list selectors, quoted and plain values', () => {
    const block = 'version: 1\ndefault: deny\nhide:\n  - a\nrules:\n  - allow:\n      - class read\n    limit:\n      max: 5\n      per: 30s\n      by: session\n';
    const flow = '{version: "1", default: "deny", hide: a, rules: [{allow: "class read", limit: {max: 5, per: "30s", by: session}}]}';
    const left = parse(block);
    const right = parse(flow);
    expect([left.diagnostics, right.diagnostics]).toEqual([[], []]);
    const withoutVersion = (model: PolicyModel) => ({ ...(meaning(model) as object), version: undefined });
    expect(withoutVersion(right.model)).toEqual(withoutVersion(left.model));
    expect([left.model.version?.value, right.model.version?.value]).toEqual([1, '1']);
    expect(left.model.rules[0]!.limit).toMatchObject({ max: 5, per: { text: '30s', ms: 30_000 }, by: 'session' });
    expect(at(left.model.rules[0]!.limit!.bySpan)).toBe('11:7-11:18');
  });

  test('an editor\'s schema comment is just a comment', () => {
    const result = parse('# yaml-language-server: $schema=../../grammar/policy-source.schema.json\nversion: 1\n');
    expect(result.diagnostics).toEqual([]);
    expect(result.model.version?.value).toBe(1);
  });

  test('a selector string may hold several selectors, as in the DSL', () => {
    const { model, diagnostics } = parse('rules:\n  - deny: "get_funds, get_positions, risk >= high, *"\n');
    expect(diagnostics).toEqual([]);
    expect(model.rules[0]!.selectors.map((s) => s.kind)).toEqual(['name', 'name', 'risk', 'all']);
  });

  test('rules keep their source order, top level first, then identities in order', () => {
    const text = 'identities:\n  b:\n    rules: [{deny: x}]\n  a:\n    rules: [{allow: y}]\nrules:\n  - approve: z\n';
    const { model } = parse(text);
    expect(model.rules.map((rule) => rule.effect)).toEqual(['approve']);
    expect(model.identities.map((identity) => [identity.name, identity.rules.map((rule) => rule.effect)])).toEqual([
      ['b', ['deny']],
      ['a', ['allow']],
    ]);
  });

  test('the first of duplicate statements is kept; duplicate identity blocks are both kept', () => {
    const { model } = parse('default: deny\ndefault: allow\nidentities:\n  bot: {hide: a}\n  bot: {hide: b}\n');
    expect(model.default?.value).toBe('deny');
    expect(model.identities.map((identity) => identity.name)).toEqual(['bot', 'bot']);
  });

  test('a `when` with an error leaves the rule without a condition, and the rule in the model', () => {
    const { model, diagnostics } = parse('rules:\n  - deny: x\n    when: a = 1\n');
    expect(diagnostics.map((d) => d.code)).toEqual(['syntax-error']);
    expect(model.rules).toHaveLength(1);
    expect(model.rules[0]!.when).toBeUndefined();
  });
});
