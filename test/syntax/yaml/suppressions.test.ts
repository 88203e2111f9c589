// `# policyc-ignore RULE[, RULE…]: why` in YAML: on its own line it covers the next list item or
// key (all its lines); at the end of a line, the outermost item or key starting on that line.

import { describe, expect, test } from 'vitest';

import { builtinCatalog } from '../../../src/catalog/builtin.js';
import { checkPolicy } from '../../../src/check/check.js';
import { SourceText } from '../../../src/diagnostics/source.js';
import { parseYaml } from '../../../src/syntax/yaml/index.js';

const policy = [
  'version: 1', //                                                                              1
  'rules:', //                                                                                  2
  '  # policyc-ignore destructive-allowed, unpinned-trading-environment: paper trading only', // 3
  '  - allow: place_order', //                                                                  4
  '    when: trd_env == "SIMULATE"', //                                                         5
  '    reason: small', //                                                                       6
  '  - deny: unlock_trade  # policyc-ignore redundant-rule: kept for clarity', //               7
  '    reason: never', //                                                                       8
  '  - allow: x', //                                                                            9
  '    when: a == 1 #policyc-ignore unknown-parameter', //                                     10
  'hide: [a, b]  # policyc-ignore unknown-tool: not in this catalogue', //                     11
  'identities:', //                                                                            12
  '', //                                                                                       13
  '  # policyc-ignore ineffective-identity: placeholder', //                                   14
  '', //                                                                                       15
  '  bot:', //                                                                                 16
  '    hide: x', //                                                                            17
  '# policyc-ignored is not a directive, and neither is # policyc-ignore in the middle', //    18
  '# policyc-ignore unused-suppression: nothing follows', //                                    19
  '',
].join('\n');

describe('suppressions in YAML', () => {
  const { model, diagnostics } = parseYaml(new SourceText('p.yaml', policy));
  const summary = model.suppressions.map((s) => ({
    at: `${s.span.start.line}:${s.span.start.column}`,
    codes: s.codes,
    reason: s.reason,
    lines: `${s.appliesTo.startLine}-${s.appliesTo.endLine}`,
  }));

  test('are read without diagnostics', () => {
    expect(diagnostics).toEqual([]);
  });

  test('on a line of their own cover the next item, all its lines', () => {
    expect(summary[0]).toEqual({ at: '3:3', codes: ['destructive-allowed', 'unpinned-trading-environment'], reason: 'paper trading only', lines: '4-6' });
  });

  test('at the end of a rule\'s first line cover the whole rule', () => {
    expect(summary[1]).toEqual({ at: '7:25', codes: ['redundant-rule'], reason: 'kept for clarity', lines: '7-8' });
  });

  test('at the end of a key\'s line cover that key; without a colon there is no reason', () => {
    expect(summary[2]).toEqual({ at: '10:18', codes: ['unknown-parameter'], reason: undefined, lines: '10-10' });
    expect(summary[3]).toEqual({ at: '11:15', codes: ['unknown-tool'], reason: 'not in this catalogue', lines: '11-11' });
  });

  test('skip blank lines to the next key', () => {
    expect(summary[4]).toEqual({ at: '14:3', codes: ['ineffective-identity'], reason: 'placeholder', lines: '16-17' });
  });

  test('with nothing after them cover their own line; look-alikes are not directives', () => {
    expect(summary.slice(5)).toEqual([{ at: '19:1', codes: ['unused-suppression'], reason: 'nothing follows', lines: '19-19' }]);
  });

  test('a `#` inside a string or a block scalar is not a YAML comment', () => {
    const text = 'rules:\n  - allow: "a # policyc-ignore x: y"\n    when: |\n      b == 1 # policyc-ignore x: y\n';
    const result = parseYaml(new SourceText('p.yaml', text));
    expect(result.model.suppressions).toEqual([]);
  });

  test('a flow-style rule list: the comment covers the item on the next line', () => {
    const text = 'rules: [\n  # policyc-ignore default-allow: test\n  {allow: a},\n  {deny: b}\n]\n';
    const result = parseYaml(new SourceText('p.yaml', text));
    expect(result.diagnostics).toEqual([]);
    expect(result.model.suppressions.map((s) => s.appliesTo)).toEqual([{ startLine: 3, endLine: 3 }]);
  });

  test('silence the checks\' diagnostics on the lines they cover', () => {
    const lint = (text: string) => {
      const { model, diagnostics } = parseYaml(new SourceText('p.yaml', text));
      expect(diagnostics).toEqual([]);
      return checkPolicy(model, builtinCatalog('futu-stock-mcp-server'))
        .filter((d) => d.code === 'destructive-allowed' || d.code === 'unused-suppression')
        .map((d) => `${d.code} ${d.span.start.line}`);
    };
    const rules = ['version: 1', 'server: futu-stock-mcp-server', 'default: deny', 'rules:', '  - allow: place_order', '    when: trd_env == "SIMULATE"', ''];
    expect(lint(rules.join('\n'))).toEqual(['destructive-allowed 5']);
    const ownLine = [...rules.slice(0, 4), '  # policyc-ignore destructive-allowed: paper trading only', ...rules.slice(4)];
    expect(lint(ownLine.join('\n'))).toEqual([]);
    const endOfLine = rules.map((line) => (line.startsWith('  - allow') ? `${line}  # policyc-ignore destructive-allowed: paper only` : line));
    expect(lint(endOfLine.join('\n'))).toEqual([]);
    const wrongPlace = [...rules.slice(0, 5), '    # policyc-ignore destructive-allowed: too late', ...rules.slice(5)];
    expect(lint(wrongPlace.join('\n'))).toEqual(['destructive-allowed 5', 'unused-suppression 6']);
  });
});
