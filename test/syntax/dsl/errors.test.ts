// Every mistake the front end reports, one table row each: the text and the one diagnostic it
// must give (code, line, column). Wording is free to improve; codes and positions are not. Each
// row also asserts that the mistake gives exactly one diagnostic, not a cascade.

import { describe, expect, it } from 'vitest';

import { located, parse } from './helpers.js';

const deep = (n: number, open: string) => open.repeat(n);

describe('one mistake, one diagnostic', () => {
  it.each<[string, string, string]>([
    // --- statements -----------------------------------------------------------------------------
    ['unknown statement', 'version 1\nalow class read', 'syntax-error@2:1'],
    ['unknown statement, first line', 'alow class read\nallow x', 'syntax-error@1:1'],
    ['stray token at statement start', '5\nallow x', 'syntax-error@1:1'],
    ['stray `}`', 'allow x\n}', 'syntax-error@2:1'],
    ['version without a number', 'version one', 'syntax-error@1:9'],
    ['default without allow or deny', 'default permit', 'syntax-error@1:9'],
    ['server without a name', 'server 5', 'syntax-error@1:8'],
    ['identity without a name', 'identity { deny x }', 'syntax-error@1:10'],
    ['identity without `{`', 'identity "a" deny x }', 'syntax-error@1:14'],
    ['missing `}` at the end', 'identity "a" {\n  deny x\n', 'syntax-error@2:9'],
    ['`;` after a statement', 'allow x;\ndeny y', 'syntax-error@1:8'],
    ['`limit` after hide', 'hide x limit 10 per 1m', 'syntax-error@1:8'],
    ['`when` after hide', 'hide x when a == 1', 'syntax-error@1:8'],
    ['lone rule limit at statement start', 'version 1\nlimit 10 per 1m', 'syntax-error@2:1'],
    ['misspelt `limit all`', 'limit al 5 per 1m', 'syntax-error@1:1'],

    // --- selectors ------------------------------------------------------------------------------
    ['rule without selectors', 'allow\ndeny y', 'syntax-error@1:6'],
    ['rule without selectors at the end', 'allow', 'syntax-error@1:6'],
    ['selector missing after a comma', 'allow a,\ndeny y', 'syntax-error@1:9'],
    ['two selectors without a comma', 'allow a b', 'syntax-error@1:9'],
    ['class without a class', 'allow class', 'syntax-error@1:12'],
    ['risk with `!=`', 'allow risk != high', 'syntax-error@1:12'],
    ['tool name starting with a digit', 'allow 3com_tool', 'syntax-error@1:7'],
    ['empty quoted tool name', 'allow ""', 'syntax-error@1:7'],

    // --- clauses --------------------------------------------------------------------------------
    ['misspelt `when`', 'allow x wen a == 1', 'syntax-error@1:9'],
    ['`when` without a condition', 'allow x when\ndeny y', 'syntax-error@1:13'],
    ['limit without a number', 'allow x limit ten per 1m', 'syntax-error@1:15'],
    ['limit without `per`', 'allow x limit 10 1m', 'syntax-error@1:18'],
    ['limit with a bad duration', 'allow x limit 10 per 5min', 'syntax-error@1:22'],
    ['limit with a number for a duration', 'allow x limit 10 per 60', 'syntax-error@1:22'],
    ['unknown scope', 'allow x limit 10 per 1m by sesion', 'syntax-error@1:28'],
    ['reason without a string', 'allow x reason because', 'syntax-error@1:16'],
    ['two `when` clauses', 'allow x when a == 1 when b == 2', 'syntax-error@1:21'],
    ['two `limit` clauses', 'allow x limit 1 per 1m limit 2 per 1m', 'syntax-error@1:24'],
    ['two `reason` clauses', 'allow x reason "a" reason "b"', 'syntax-error@1:20'],

    // --- conditions -----------------------------------------------------------------------------
    ['`=` for `==`', 'allow x when qty = 5', 'syntax-error@1:18'],
    ['`=` for `==` mid-condition', 'allow x when a == 1 and qty = 5 limit 1 per 1m', 'syntax-error@1:29'],
    ['`&&` for `and`', 'allow x when a == 1 && b == 2', 'syntax-error@1:21'],
    ['`||` for `or`', 'allow x when a == 1 || b == 2', 'syntax-error@1:21'],
    ['`!` for `not`', 'allow x when !a exists', 'syntax-error@1:14'],
    ['single-quoted string', "allow x when a == 'q'", 'syntax-error@1:19'],
    ['missing operator', 'allow x when a 5', 'syntax-error@1:16'],
    ['missing value', 'allow x when a ==', 'syntax-error@1:18'],
    ['missing `)`', 'allow x when (a == 1', 'syntax-error@1:21'],
    ['missing `)` before limit', 'allow x when (a == 1 limit 1 per 1m', 'syntax-error@1:22'],
    ['missing `]`', 'allow x when a in [1, 2', 'syntax-error@1:24'],
    ['`in` without a list', 'allow x when a in 5', 'syntax-error@1:19'],
    ['`matches` without a string', 'allow x when a matches b', 'syntax-error@1:24'],
    ['key missing after a dot', 'allow x when a. == 1', 'syntax-error@1:17'],
    ['a keyword as a first key', 'allow x when limit == 1', 'syntax-error@1:14'],
    ['two paths compared', 'allow x when a == b', 'syntax-error@1:14'],
    ['two values compared', 'allow x when 1 == 2', 'syntax-error@1:14'],
    ['`in` with a value on the left', 'allow x when 1 in [1]', 'syntax-error@1:14'],
    ['`matches` with a value on the left', 'allow x when "a" matches "b"', 'syntax-error@1:14'],
    ['`exists` with a value on the left', 'allow x when 1 exists', 'syntax-error@1:14'],
    ['trailing comma in a list', 'allow x when a in [1, ]', 'syntax-error@1:23'],

    // --- lexical --------------------------------------------------------------------------------
    ['unterminated string', 'deny x reason "oops\ndeny y', 'syntax-error@1:15'],
    ['invalid escape', 'allow x when a == "\\q"', 'syntax-error@1:20'],
    ['control character in a string', 'allow x when a == "a\tb"', 'syntax-error@1:21'],
    ['unterminated backquoted key', 'allow x when `limit == 1', 'syntax-error@1:14'],
    ['number out of range', 'allow x when a == 1e999', 'syntax-error@1:19'],
    ['unexpected character', 'allow x @ y', 'syntax-error@1:9'],
    ['unexpected characters in a run', 'allow x when a ~~ 1', 'syntax-error@1:16'],
    ['unexpected character where a selector goes', 'allow @', 'syntax-error@1:7'],
    ['invisible character', 'allow x\u200b', 'syntax-error@1:8'],
    ['non-ASCII letter', 'allow ｘ', 'syntax-error@1:7'],

    // --- structure ------------------------------------------------------------------------------
    ['second version', 'version 1\nversion 1', 'duplicate-statement@2:1'],
    ['second server', 'server "a"\nserver "b"', 'duplicate-statement@2:1'],
    ['second default', 'default deny\ndefault allow', 'duplicate-statement@2:1'],
    ['second identity block', 'identity "a" { deny x }\nidentity "a" { deny y }', 'duplicate-identity@2:10'],
    ['default in a block', 'identity "a" {\n  default allow\n}', 'misplaced-statement@2:3'],
    ['version in a block', 'identity "a" {\n  version 1\n}', 'misplaced-statement@2:3'],
    ['server in a block', 'identity "a" {\n  server "x"\n}', 'misplaced-statement@2:3'],
    ['limit all in a block', 'identity "a" {\n  limit all 1 per 1m\n}', 'misplaced-statement@2:3'],
    ['identity in a block', 'identity "a" {\n  identity "b" { deny x }\n}', 'misplaced-statement@2:3'],
    ['version 2', 'version 2', 'unsupported-version@1:9'],
    ['version "2"', 'version "2"', 'unsupported-version@1:9'],
    ['version 1.5', 'version 1.5', 'unsupported-version@1:9'],

    // --- nesting --------------------------------------------------------------------------------
    ['65 parentheses', `allow x when ${deep(65, '(')}a == 1${deep(65, ')')}`, 'nesting-too-deep@1:78'],
    ['65 lists', `allow x when a in ${deep(65, '[')}1${deep(65, ']')}`, 'nesting-too-deep@1:83'],
    ['65 nots', `allow x when ${deep(65, 'not ')}a == 1`, 'nesting-too-deep@1:270'],
  ])('%s', (_name, text, expected) => {
    expect(located(parse(text).diagnostics)).toEqual([expected]);
  });
});

describe('identity blocks nested 65 deep', () => {
  it('report the nesting once, and the misplaced inner block once', () => {
    const text = `${deep(65, 'identity "a" {\n')}${deep(65, '}\n')}`;
    expect(located(parse(text).diagnostics)).toEqual(['misplaced-statement@2:1', 'nesting-too-deep@65:14']);
  });
});

describe('limits of the language that are not errors', () => {
  it.each<[string, string]>([
    ['64 parentheses', `allow x when ${deep(64, '(')}a == 1${deep(64, ')')}`],
    ['64 lists', `allow x when a in ${deep(63, '[')}1${deep(63, ']')}`],
    ['64 nots', `allow x when ${deep(64, 'not ')}a == 1`],
    ['a long `and` chain', `allow x when ${Array.from({ length: 2000 }, (_, i) => `a${i} == ${i}`).join(' and ')}`],
  ])('%s', (_name, text) => {
    expect(parse(text).diagnostics).toEqual([]);
  });
});

describe('what the diagnostics say', () => {
  const message = (text: string) => parse(text).diagnostics.map((d) => d.message);

  it('names the expected kind of token and what was found', () => {
    expect(message('allow\ndeny y')).toEqual([
      'expected a tool selector after `allow` (a tool name, a glob, `class C`, `risk R` or `*`), found `deny`',
    ]);
  });

  it('suggests the keyword a typo stands for', () => {
    expect(message('alow class read')).toEqual(['unknown statement `alow`; did you mean `allow`?']);
    expect(message('allow x wen a == 1')).toEqual(['unexpected `wen`; did you mean `when`?']);
    expect(parse('allow x limit 1 per 1m by sesion').diagnostics[0]?.suggestion).toBe('session');
  });

  it('answers `=` with `==`', () => {
    expect(message('allow x when qty = 5')).toEqual(['`=` is not an operator; did you mean `==`?']);
  });

  it('says where an unclosed bracket opens', () => {
    const [diagnostic] = parse('identity "a" {\n  deny x\n').diagnostics;
    expect(diagnostic?.related?.map((r) => `${r.span.start.line}:${r.span.start.column}`)).toEqual(['1:14']);
    const [paren] = parse('allow x when (a == 1').diagnostics;
    expect(paren?.related?.map((r) => `${r.span.start.line}:${r.span.start.column}`)).toEqual(['1:14']);
  });

  it('points a duplicate at the first one', () => {
    const [diagnostic] = parse('default deny\n\ndefault allow').diagnostics;
    expect(diagnostic?.related?.map((r) => `${r.span.start.line}:${r.span.start.column}`)).toEqual(['1:1']);
    const [identity] = parse('identity "a" { deny x }\nidentity "a" { deny y }').diagnostics;
    expect(identity?.related?.map((r) => `${r.span.start.line}:${r.span.start.column}`)).toEqual(['1:1']);
  });

  it('says how to spell a tool name with a leading digit', () => {
    expect(message('allow 3com_tool')).toEqual(['a tool name that starts with a digit is written in double quotes: "3com_tool"']);
  });

  it('shows invisible characters by code point', () => {
    expect(message('allow x\u200b')).toEqual(['unexpected character U+200B; policy text outside strings and comments is plain ASCII']);
  });

  it('gives every diagnostic the default severity of its code', () => {
    expect(parse('version 2\nalow x').diagnostics.map((d) => `${d.code}:${d.severity}`)).toEqual(['unsupported-version:error', 'syntax-error:error']);
  });

  it('says a keyword used as a key needs backquotes', () => {
    expect(message('allow x when limit == 1')).toEqual(['`limit` is a keyword; to read an argument called limit, write it in backquotes: ``limit``']);
  });
});
