// How single values are spelt: bare where the DSL's lexer reads them back as themselves, quoted
// or backquoted otherwise, and a throw for what no DSL text can hold.

import { describe, expect, it } from 'vitest';

import { globText, literalText, numberText, pathText, toolNameText, UnprintableModel, wordText } from '../../../src/syntax/print/lexical.js';
import { yamlQuoted } from '../../../src/syntax/print/yaml.js';

describe('tool names', () => {
  it.each([
    ['get_order_list', 'get_order_list'],
    ['get-env', 'get-env'],
    ['x.y', 'x.y'],
    ['allowed', 'allowed'],
    ['allow', '"allow"'],
    ['class', '"class"'],
    ['true', '"true"'],
    ['limit', '"limit"'],
    ['my tool', '"my tool"'],
    ['1st', '"1st"'],
    ['get_*', '"get_*"'],
    ['a"b', '"a\\"b"'],
    ['ünï', '"ünï"'],
    ['x.', '"x."'],
  ])('%s → %s', (name, text) => {
    expect(toolNameText(name)).toBe(text);
  });

  it('an empty name has no spelling', () => {
    expect(() => toolNameText('')).toThrow(UnprintableModel);
  });
});

describe('argument paths', () => {
  it.each([
    [['qty'], 'qty'],
    [['order', 'qty'], 'order.qty'],
    [['x', 'limit'], 'x.limit'],
    [['limit', 'x'], 'limit.x'],
    [['limit'], '`limit`'],
    [['a b'], '`a b`'],
    [['a b', 'c', 'd'], '`a b`.c.d'],
    [['a b', 'limit'], '`a b`.limit'],
    [['a b', '1'], '`a b`.`1`'],
    [['x', '1'], 'x.1'],
    [['1x'], '`1x`'],
    [['a.b'], '`a.b`'],
    [[''], '``'],
    [['__proto__'], '__proto__'],
  ])('%j → %s', (segments, text) => {
    expect(pathText(segments)).toBe(text);
  });

  it.each([[['a`b']], [['a\nb']], [[]]])('%j has no spelling', (segments) => {
    expect(() => pathText(segments)).toThrow(UnprintableModel);
  });
});

describe('literals', () => {
  it.each<[unknown, string]>([
    [1, '1'],
    [-0, '-0'],
    [0.5, '0.5'],
    [1e21, '1e+21'],
    [5e-324, '5e-324'],
    ['a"b\\c\n', '"a\\"b\\\\c\\n"'],
    ['\u0000\u001f', '"\\u0000\\u001f"'],
    ['\ud800', '"\\ud800"'],
    ['é😀', '"é😀"'],
    [true, 'true'],
    [null, 'null'],
    [[1, ['a', []]], '[1, ["a", []]]'],
  ])('%j → %s', (value, text) => {
    expect(literalText(value as never)).toBe(text);
  });

  it('non-finite numbers and objects have no spelling', () => {
    expect(() => numberText(Infinity)).toThrow(UnprintableModel);
    expect(() => literalText({ a: 1 })).toThrow(UnprintableModel);
  });
});

describe('selector words', () => {
  it('globs are written as they are, and must be one glob token', () => {
    expect(globText('get_order_*')).toBe('get_order_*');
    expect(globText('?et-1.*')).toBe('?et-1.*');
    expect(() => globText('get order*')).toThrow(UnprintableModel);
    expect(() => globText('*')).toThrow(UnprintableModel);
  });

  it('a class or risk word is a bare name', () => {
    expect(wordText('read')).toBe('read');
    expect(() => wordText('allow')).toThrow(UnprintableModel);
  });
});

describe('YAML double-quoted scalars', () => {
  it.each([
    ['plain', '"plain"'],
    ['a"b\\c', '"a\\"b\\\\c"'],
    ['\n\t\r', '"\\n\\t\\r"'],
    ['\u0000\u007f\u0085\u2028\ufeff', '"\\u0000\\u007F\\u0085\\u2028\\uFEFF"'],
    ['\ud800x', '"\\uD800x"'],
    ['é😀', '"é😀"'],
  ])('%j → %s', (value, text) => {
    expect(yamlQuoted(value)).toBe(text);
  });
});
