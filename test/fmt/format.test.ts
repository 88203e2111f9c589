// `policyc fmt`'s layout, case by case: spacing, rule layout, identity blocks, blank lines,
// comments (own-line, trailing, aligned, inside a rule, several on one line), files it refuses,
// and the example policies.

import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { builtinCatalog } from '../../src/catalog/builtin.js';
import { formatPolicyJson } from '../../src/compile/canonical-json.js';
import { compilePolicy } from '../../src/compile/compile.js';
import { SourceText } from '../../src/diagnostics/source.js';
import { formatDsl } from '../../src/fmt/format.js';
import { parseDsl } from '../../src/syntax/dsl/index.js';

function fmt(text: string): string {
  const result = formatDsl(new SourceText('t.policy', text));
  if (result.text === undefined) throw new Error(`refused: ${result.diagnostics.map((d) => d.message).join('; ')}`);
  // Every expected output below is itself formatted.
  expect(formatDsl(new SourceText('t.policy', result.text)).text).toBe(result.text);
  return result.text;
}

const lines = (...text: string[]) => `${text.join('\n')}\n`;

describe('spacing and spelling', () => {
  it.each([
    ['allow   a,b ,c', 'allow a, b, c'],
    ['allow a when x==1 and(y!=2or z<3)', 'allow a when x == 1 and (y != 2 or z < 3)'],
    ['allow a when x in[ 1,2 ]and y not  in [ ]', 'allow a when x in [1, 2] and y not in []'],
    ['allow a when 100>=qty', 'allow a when qty <= 100'],
    ['allow a when ((x exists))', 'allow a when x exists'],
    ['allow a when x == 1.50e1', 'allow a when x == 15'],
    ['allow a when x == "\\u0041\\/"', 'allow a when x == "A/"'],
    ['allow risk>=high, risk == low, class read', 'allow risk >= high, risk low, class read'],
    ['allow "get_stock_quote", "allow"', 'allow get_stock_quote, "allow"'],
    ['server futu', 'server "futu"'],
    ['limit  all\n 5 per 1m', 'limit all 5 per 1m'],
    ['allow a limit 5 per 60s by identity', 'allow a limit 5 per 60s by identity'],
    ['allow a when x.`limit` == 1 and `a b` exists', 'allow a when x.limit == 1 and `a b` exists'],
  ])('%j → %j', (input, output) => {
    expect(fmt(`${input}\n`)).toBe(`${output}\n`);
  });
});

describe('rule layout', () => {
  const expanded = lines('deny unlock_trade', '  reason "the trade password must never pass through the model"');

  it('depends on the rule, not on how it was written', () => {
    expect(fmt('deny unlock_trade reason "the trade password must never pass through the model"\n')).toBe(expanded);
    expect(fmt('deny\nunlock_trade\n\n   reason\n"the trade password must never pass through the model"\n')).toBe(expanded);
    expect(fmt('deny a\n  reason "short"\n')).toBe('deny a reason "short"\n');
  });

  it('puts clauses in the order when, limit, reason', () => {
    expect(fmt('allow place_order reason "r" limit 10 per 1m when qty <= 100 and trd_env == "SIMULATE" and price > 0\n')).toBe(
      lines('allow place_order', '  when qty <= 100 and trd_env == "SIMULATE" and price > 0', '  limit 10 per 1m', '  reason "r"'),
    );
  });

  it('keeps a rule with a comment inside expanded, the comment with its clause', () => {
    expect(fmt('allow a # why a\n  when x == 1\n')).toBe(lines('allow a                                  # why a', '  when x == 1'));
    expect(fmt('allow a\n  # only when x\n  when x == 1\n  reason "r"\n')).toBe(lines('allow a', '  # only when x', '  when x == 1', '  reason "r"'));
    // A comment after the last clause is not inside: the rule fits on one line.
    expect(fmt('allow a\n  when x == 1 # why\n')).toBe(lines('allow a when x == 1                      # why'));
  });
});

describe('identity blocks', () => {
  it('indents their statements two spaces, one per line', () => {
    expect(fmt('identity ops{hide a deny b reason "r"}\n')).toBe(lines('identity "ops" {', '  hide a', '  deny b reason "r"', '}'));
  });

  it('writes an empty block as `{}`, unless a comment is inside', () => {
    expect(fmt('identity "a" {\n\n}\n')).toBe('identity "a" {}\n');
    expect(fmt('identity "a" { # a note\n}\n')).toBe('identity "a" {}                          # a note\n');
    expect(fmt('identity "a" {\n# inside\n}\n')).toBe(lines('identity "a" {', '  # inside', '}'));
  });
});

describe('blank lines', () => {
  it('keeps one blank line where there were any between statements, none at the ends or inside blocks', () => {
    const input = '\n\n\nversion 1\n\n\n\ndefault deny\nallow a\n\n\n\n\n# note\n\nallow b\nidentity "i" {\n\n  deny c\n\n  deny d\n\n}\n\n\n';
    expect(fmt(input)).toBe(lines('version 1', '', 'default deny', 'allow a', '', '# note', '', 'allow b', 'identity "i" {', '  deny c', '', '  deny d', '}'));
  });

  it('drops blank lines inside a statement', () => {
    expect(fmt('allow a\n\n  when x == 1\n\n  limit 1 per 1s\n\n  reason "a reason that makes the rule too long for one line"\n')).toBe(
      lines('allow a', '  when x == 1', '  limit 1 per 1s', '  reason "a reason that makes the rule too long for one line"'),
    );
  });

  it('reads CRLF and writes LF', () => {
    expect(fmt('version 1\r\n\r\n# c\r\nallow a\r\n')).toBe(lines('version 1', '', '# c', 'allow a'));
  });
});

describe('comments', () => {
  it('keeps own-line comments before the statement they precede, indented with it', () => {
    expect(fmt('# top\nversion 1\nidentity "i" {\n# for c\n      deny c\n   # at the end of the block\n}\n# at the end\n')).toBe(
      lines('# top', 'version 1', 'identity "i" {', '  # for c', '  deny c', '  # at the end of the block', '}', '# at the end'),
    );
  });

  it('aligns the trailing comments of consecutive lines at column 42, or two past the widest code', () => {
    expect(fmt('allow a # one\ndeny b # two\n\nhide c # alone\n')).toBe(
      lines('allow a                                  # one', 'deny b                                   # two', '', 'hide c                                   # alone'),
    );
    const wide = `allow ${'x'.repeat(45)}`;
    expect(fmt(`allow a # one\n${wide} # two\ndeny b\nallow c # three\n`)).toBe(
      lines(`allow a${' '.repeat(wide.length - 5)}# one`, `${wide}  # two`, 'deny b', 'allow c                                  # three'),
    );
  });

  it('trims blank space at the end of a comment, and keeps its text otherwise', () => {
    expect(fmt('#no space   \n#   odd   spacing\t\nallow a\n')).toBe(lines('#no space', '#   odd   spacing', 'allow a'));
  });

  it('moves all but the last of several trailing comments that meet on one line to lines before the statement', () => {
    expect(fmt('allow a, # first\n  b # second\n')).toBe(lines('# first', 'allow a, b                               # second'));
    expect(fmt('allow a, # first\n  b # second\n  when x == 1 # third\n')).toBe(lines('# first', 'allow a, b                               # second', '  when x == 1                            # third'));
    expect(fmt('identity "i" {\n  allow a, # first\n    b # second\n}\n')).toBe(lines('identity "i" {', '  # first', '  allow a, b                             # second', '}'));
  });

  it('keeps an own-line comment inside a condition inside the rule', () => {
    const text = 'allow a\n  when x == 1 and\n  # why y\n  y == 2\n  reason "r"\n';
    expect(fmt(text)).toBe(lines('allow a', '  when x == 1 and y == 2', '  # why y', '  reason "r"'));
  });

  it('a comment-only file stays as it is', () => {
    expect(fmt('# just\n\n\n# notes\n')).toBe(lines('# just', '', '# notes'));
    expect(fmt('')).toBe('');
    expect(fmt('\n\n')).toBe('');
  });
});

describe('refusals', () => {
  it.each([
    ['allow a when', 'syntax-error', 1],
    ['version 1\nversion 1', 'duplicate-statement', 2],
    ['identity "i" {\n  default deny\n}', 'misplaced-statement', 2],
    ['allow a when x == 1 when y == 2', 'syntax-error', 1],
    ['# policyc-ignore\nallow a', 'syntax-error', 1],
    ['allow a @', 'syntax-error', 1],
  ])('%j: %s on line %i, no text', (text, code, line) => {
    const result = formatDsl(new SourceText('t.policy', `${text}\n`));
    expect(result.text).toBeUndefined();
    expect(result.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.code, d.span.start.line])).toContainEqual([code, line]);
  });
});

describe('the example policies', () => {
  const futu = builtinCatalog('futu-stock-mcp-server')!;
  const compiled = (text: string) => formatPolicyJson(compilePolicy(parseDsl(new SourceText('x.policy', text)).model, futu).policy);

  it('fixtures/policies/trading.policy is formatted', () => {
    const text = readFileSync('fixtures/policies/trading.policy', 'utf8');
    expect(fmt(text)).toBe(text);
  });

  it.each(['fixtures/policies/trading.policy', 'fixtures/policies/desk.policy', 'fixtures/policies/hide-all.policy', 'fixtures/gateway/everything.policy'])(
    '%s: formatting keeps the compiled policy byte for byte',
    (path) => {
      const text = readFileSync(path, 'utf8');
      expect(compiled(fmt(text))).toBe(compiled(text));
    },
  );
});
