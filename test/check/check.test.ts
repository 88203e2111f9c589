import { readdirSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { checkPolicy } from '../../src/check/check.js';
import { RULES } from '../../src/check/rules/index.js';
import { CODES } from '../../src/diagnostics/codes.js';
import { compareDiagnostics } from '../../src/diagnostics/diagnostic.js';
import { parsePolicy } from './parse.js';
import { FUTU, lint, policy } from './rule-tester.js';

const at = (d: { code: string; span: { start: { line: number; column: number } } }) => `${d.span.start.line}:${d.span.start.column} ${d.code}`;

describe('checkPolicy', () => {
  it('returns diagnostics in output order', () => {
    const { diagnostics } = lint(policy`
      default allow
      allow get_stok_quote
      hide class destuctive
    `);
    expect(diagnostics.map(at)).toEqual([
      '1:1 missing-version',
      '1:9 default-allow',
      '1:9 destructive-allowed',
      '1:9 secret-argument',
      '1:9 unpinned-trading-environment',
      '2:7 unknown-tool',
      '3:6 unknown-class',
    ]);
    expect([...diagnostics].sort(compareDiagnostics)).toEqual(diagnostics);
  });

  it('skips the catalogue rules when there is no catalogue', () => {
    const { diagnostics } = lint('allow get_stok_quote when qtty == "1"\nallow class reed\n', null);
    expect(diagnostics.map(at)).toEqual(['1:1 missing-server', '1:1 missing-version', '2:7 unknown-class']);
  });

  it('runs only the rules asked for', () => {
    const model = parsePolicy('default allow\nallow get_stok_quote\n');
    expect(checkPolicy(model, FUTU, { only: ['unknown-tool'] }).map(at)).toEqual(['2:7 unknown-tool']);
  });

  it('gives no diagnostic at all for the SPEC example but the place_order warning', () => {
    const { diagnostics } = lint(
      policy`
        version 1
        server "futu-stock-mcp-server"
        default deny
        allow class read
        allow place_order when trd_env == "SIMULATE" and qty <= 100
        approve modify_order, cancel_order
        deny unlock_trade
      `,
    );
    expect(diagnostics.map((d) => `${at(d)} ${d.severity}`)).toEqual(['5:7 destructive-allowed warning']);
  });
});

describe('suppressions', () => {
  it('silence the named code on the next statement', () => {
    const { diagnostics } = lint(policy`
      version 1
      # policyc-ignore default-allow: a sandbox server with nothing of value
      default allow
      # policyc-ignore unknown-tool: the tool ships in the next server release
      allow get_stok_quote
    `);
    expect(diagnostics.map(at)).toEqual(['3:9 destructive-allowed', '3:9 secret-argument', '3:9 unpinned-trading-environment']);
  });

  it('silence several codes, and only on the lines they cover', () => {
    const { diagnostics } = lint(policy`
      version 1
      # policyc-ignore default-allow, destructive-allowed: a sandbox
      default allow
      allow get_stok_quote
    `);
    expect(diagnostics.map(at)).toEqual(['3:9 secret-argument', '3:9 unpinned-trading-environment', '4:7 unknown-tool']);
  });

  it('cover a statement over several lines', () => {
    const { diagnostics } = lint(policy`
      version 1
      # policyc-ignore unknown-parameter: reviewed
      allow place_order
        when qtty < 5
    `);
    expect(diagnostics.map(at)).toEqual(['3:7 destructive-allowed', '3:7 unpinned-trading-environment']);
  });

  it('on the same line cover that line', () => {
    const { diagnostics } = lint('version 1\nallow get_stok_quote # policyc-ignore unknown-tool: next release\n');
    expect(diagnostics.map(at)).toEqual([]);
  });

  it('without a reason still silence, and are reported', () => {
    const { diagnostics } = lint('version 1\n# policyc-ignore unknown-tool\nallow get_stok_quote\n');
    expect(diagnostics.map(at)).toEqual(['2:1 suppression-without-reason']);
  });

  it('that silence nothing are reported', () => {
    const { diagnostics } = lint('version 1\n# policyc-ignore unknown-tool: why\nallow get_stock_quote\n');
    expect(diagnostics.map(at)).toEqual(['2:1 unused-suppression']);
  });

  it('of a code that does not exist are reported with did-you-mean', () => {
    const { diagnostics } = lint('version 1\n# policyc-ignore unknown-tol: why\nallow get_stok_quote\n');
    expect(diagnostics.map(at)).toEqual(['2:1 unused-suppression', '3:7 unknown-tool']);
    expect(diagnostics[0]?.suggestion).toBe('unknown-tool');
  });

  it('cannot silence the suppression codes themselves', () => {
    const { diagnostics } = lint(policy`
      version 1
      # policyc-ignore unused-suppression: try
      # policyc-ignore default-allow
      default allow
    `);
    expect(diagnostics.map(at)).toEqual([
      '2:1 unused-suppression',
      '3:1 suppression-without-reason',
      '4:9 destructive-allowed',
      '4:9 secret-argument',
      '4:9 unpinned-trading-environment',
    ]);
  });

  it('of a rule that did not run are not judged', () => {
    // Without a catalogue unknown-tool does not run, so its suppression may well be needed.
    const { diagnostics } = lint('version 1\nserver "x"\n# policyc-ignore unknown-tool: why\nallow get_stok_quote\n', null);
    expect(diagnostics.map(at)).toEqual([]);
  });
});

describe('the rule registry', () => {
  it('has one rule per file, named after its code, each code in the code table', () => {
    const files = readdirSync(new URL('../../src/check/rules/', import.meta.url))
      .filter((file) => file.endsWith('.ts') && file !== 'index.ts')
      .map((file) => file.replace(/\.ts$/, ''))
      .sort();
    expect(RULES.map((rule) => rule.code).sort()).toEqual(files);
    for (const rule of RULES) expect(Object.keys(CODES)).toContain(rule.code);
  });
});

describe('messages', () => {
  it('show invisible characters from the policy instead of printing them', () => {
    const { diagnostics } = lint('version 1\nallow "get_stock_quote\u200B\u202E"\n');
    expect(diagnostics.map(at)).toEqual(['2:7 confusable-name', '2:7 unknown-tool']);
    for (const diagnostic of diagnostics) {
      expect(diagnostic.message).not.toMatch(/[\u200B\u202E]/u);
      expect(diagnostic.message).toContain('\\u{200B}');
    }
  });
});
