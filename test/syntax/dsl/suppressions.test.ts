// `# policyc-ignore RULE[, RULE…]: reason` comments → model.suppressions, with the lines they cover.

import { describe, expect, it } from 'vitest';

import { at, located, parse } from './helpers.js';

function suppressions(text: string) {
  const { model, diagnostics } = parse(text);
  expect(diagnostics).toEqual([]);
  return model.suppressions.map((s) => ({ codes: s.codes, reason: s.reason, lines: `${s.appliesTo.startLine}-${s.appliesTo.endLine}` }));
}

describe('suppressions', () => {
  it('on a line of its own, covers every line of the next statement', () => {
    const text = 'default deny\n# policyc-ignore unpinned-trading-environment: paper account only\nallow place_order\n  when qty <= 100\n  reason "r"\nallow x';
    expect(suppressions(text)).toEqual([{ codes: ['unpinned-trading-environment'], reason: 'paper account only', lines: '3-5' }]);
  });

  it('at the end of a statement\'s line, covers that statement', () => {
    expect(suppressions('allow x # policyc-ignore unknown-tool: it exists upstream\nallow y')).toEqual([
      { codes: ['unknown-tool'], reason: 'it exists upstream', lines: '1-1' },
    ]);
  });

  it('at the end of any line of a statement, covers the whole statement', () => {
    const text = 'allow place_order\n  when qty <= 100 # policyc-ignore destructive-allowed: small size\n  reason "r"\nallow y';
    expect(suppressions(text)).toEqual([{ codes: ['destructive-allowed'], reason: 'small size', lines: '1-3' }]);
  });

  it('reads several rules, and no reason', () => {
    expect(suppressions('# policyc-ignore unknown-tool, glob-matches-nothing\nallow x')).toEqual([
      { codes: ['unknown-tool', 'glob-matches-nothing'], reason: undefined, lines: '2-2' },
    ]);
    expect(suppressions('allow x #policyc-ignore unknown-tool:')).toEqual([{ codes: ['unknown-tool'], reason: undefined, lines: '1-1' }]);
  });

  it('inside an identity block, covers the next statement of the block', () => {
    const text = 'identity "bot" {\n  # policyc-ignore redundant-rule: kept for clarity\n  deny x\n  deny y\n}';
    expect(suppressions(text)).toEqual([{ codes: ['redundant-rule'], reason: 'kept for clarity', lines: '3-3' }]);
  });

  it('before an identity block, covers the whole block', () => {
    const text = '# policyc-ignore ineffective-identity: placeholder\nidentity "bot" {\n  deny x\n}';
    expect(suppressions(text)).toEqual([{ codes: ['ineffective-identity'], reason: 'placeholder', lines: '2-4' }]);
  });

  it('with no statement after it, covers only its own line', () => {
    expect(suppressions('allow x\n# policyc-ignore unknown-tool: nothing follows')).toEqual([
      { codes: ['unknown-tool'], reason: 'nothing follows', lines: '2-2' },
    ]);
  });

  it('keeps the comment\'s span', () => {
    const { model } = parse('allow x   # policyc-ignore unknown-tool: why');
    expect(at(model.suppressions[0]?.span)).toBe('1:11-1:45');
  });

  it('ignores comments that are not suppressions', () => {
    expect(suppressions('# policyc-ignored unknown-tool\n# see policyc-ignore docs\nallow x # policyc-ignore-next unknown-tool')).toEqual([]);
  });

  it('reports a suppression that names no rule', () => {
    const { model, diagnostics } = parse('allow x\n# policyc-ignore: no rule named\nallow y');
    expect(located(diagnostics)).toEqual(['syntax-error@2:1']);
    expect(model.suppressions).toEqual([]);
  });
});
