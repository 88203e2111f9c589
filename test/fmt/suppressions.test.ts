// `# policyc-ignore` after formatting: each directive still covers the statement it covered, so
// lint reports exactly what it reported before (no finding comes back, no suppression becomes
// unused). Each case also runs without its directive, to show that the directive matters.

import { describe, expect, it } from 'vitest';

import { builtinCatalog } from '../../src/catalog/builtin.js';
import { checkPolicy } from '../../src/check/check.js';
import { SourceText } from '../../src/diagnostics/source.js';
import { formatDsl } from '../../src/fmt/format.js';
import { parseDsl } from '../../src/syntax/dsl/index.js';

const futu = builtinCatalog('futu-stock-mcp-server')!;
const HEADER = 'version 1\nserver "futu-stock-mcp-server"\ndefault deny\n';

/** Lint's findings as codes, sorted: what a directive changes, whatever the lines. */
function findings(text: string): string[] {
  const { model, diagnostics } = parseDsl(new SourceText('s.policy', text));
  expect(diagnostics).toEqual([]);
  return checkPolicy(model, futu)
    .map((d) => d.code)
    .sort();
}

function format(text: string): string {
  const formatted = formatDsl(new SourceText('s.policy', text)).text;
  expect(formatted).toBeDefined();
  return formatted!;
}

const DIRECTIVE = /# policyc-ignore unknown-tool: [^\n]*/;

describe('suppressions cover the same statements after formatting', () => {
  it.each([
    ['own line, before the statement', '  # policyc-ignore unknown-tool: on purpose\n\n\nallow   get_stok_quote\n'],
    ['trailing, on the first line of a rule that gets joined', 'allow get_stok_quote # policyc-ignore unknown-tool: on purpose\n  when qty <= 100\n'],
    ['trailing, on the last line of a rule that gets joined', 'allow get_stok_quote\n  when qty <= 100 # policyc-ignore unknown-tool: on purpose\n'],
    [
      'trailing, on a line that meets another trailing comment (moved before the rule)',
      'allow get_order_list, # policyc-ignore unknown-tool: on purpose\n  get_stok_quote # the typo is the test\n',
    ],
    ['trailing, in the middle of a condition split over lines', 'deny get_stok_quote when qty > 1 and # policyc-ignore unknown-tool: on purpose\n  price > 2 # why price\n'],
    ['trailing on an identity block header: the whole block', 'identity "i" { # policyc-ignore unknown-tool: on purpose\n  deny get_stok_quote\n  hide get_stok_quote\n}\n'],
    ['trailing on a block’s `}`: the whole block', 'identity "i" {\n  deny get_stok_quote\n} # policyc-ignore unknown-tool: on purpose\n'],
    ['own line inside a rule: the next statement', 'allow place_order\n# policyc-ignore unknown-tool: on purpose\n  when qty>1\nallow get_stok_quote\n'],
    ['own line at the end of a block: the statement after the block', 'identity "i" { deny get_funds\n# policyc-ignore unknown-tool: on purpose\n}\nallow get_stok_quote\n'],
    ['trailing on a statement inside a block written on one line', 'identity "i" { deny get_stok_quote # policyc-ignore unknown-tool: on purpose\n}\n'],
  ])('%s', (_name, body) => {
    const text = HEADER + body;
    const formatted = format(text);
    expect(formatted).not.toBe(text);
    expect(findings(formatted)).toEqual(findings(text));
    expect(findings(text)).not.toContain('unknown-tool');
    expect(findings(text)).not.toContain('unused-suppression');
    // The control: without the directive, the finding is there.
    expect(findings(text.replace(DIRECTIVE, '# no directive'))).toContain('unknown-tool');
  });
});
