import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { checkPolicy } from '../../src/check/check.js';
import { SourceText } from '../../src/diagnostics/source.js';
import { parseYaml } from '../../src/syntax/yaml/index.js';
import { FUTU } from './rule-tester.js';

function lintYaml(text: string) {
  const { model, diagnostics } = parseYaml(new SourceText('test.policy.yaml', text));
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return checkPolicy(model, FUTU).map((d) => `${d.span.start.line}:${d.span.start.column} ${d.code} ${d.severity}`);
}

describe('checks on the YAML spelling', () => {
  it('the SPEC example gives the same warnings as the DSL spelling, at the YAML positions', () => {
    const text = readFileSync(new URL('../../fixtures/policies/trading.policy.yaml', import.meta.url), 'utf8');
    expect(lintYaml(text)).toEqual(['11:13 redundant-rule warning', '12:12 destructive-allowed warning']);
  });

  it('positions inside a `when:` string point at the YAML line and column', () => {
    const text = ['version: 1', 'rules:', '  - allow: place_order', '    when: trd_env == "simulate" and qtty < 5', ''].join('\n');
    // The condition never holds (the upper-cased trd_env is never "simulate"), so nothing is allowed.
    expect(lintYaml(text)).toEqual([
      '4:22 condition-type-mismatch error',
      '4:37 unknown-parameter error',
    ]);
  });

  it('a duration the DSL could not even parse is an invalid limit', () => {
    const text = ['version: 1', 'limits:', '  - { max: 0, per: 1w }', ''].join('\n');
    const { model, diagnostics } = parseYaml(new SourceText('test.policy.yaml', text));
    const found = [...diagnostics, ...checkPolicy(model, FUTU)].map((d) => `${d.span.start.line}:${d.span.start.column} ${d.code}`);
    expect(found).toContain('3:12 invalid-limit');
  });
});
