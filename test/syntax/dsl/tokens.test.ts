// The token stream, as a formatter will read it: every token with its type and position,
// comments kept apart, and characters the lexer could not read reported, not dropped silently.

import { describe, expect, it } from 'vitest';

import { tokenizeDsl } from '../../../src/syntax/dsl/index.js';

const brief = (text: string) => tokenizeDsl(text).tokens.map((token) => `${token.type}:${token.image}`);

describe('tokenizeDsl', () => {
  it.each<[string, string[]]>([
    ['allow get_order_*, x', ['Allow:allow', 'Glob:get_order_*', 'Comma:,', 'Name:x']],
    ['allowed limit.max', ['Name:allowed', 'Name:limit.max']], // keywords only as whole words
    ['order.`limit`.x', ['Name:order', 'Dot:.', 'BackquotedKey:`limit`', 'Dot:.', 'Name:x']],
    ['limit all 5 per 1m', ['LimitAll:limit all', 'NumberLiteral:5', 'Per:per', 'Duration:1m']],
    ['limit allx', ['Limit:limit', 'Name:allx']],
    ['1ms 5min 30s', ['NumberLiteral:1', 'Name:ms', 'NumberLiteral:5', 'Name:min', 'Duration:30s']],
    ['-1.5e3 007', ['NumberLiteral:-1.5e3', 'NumberLiteral:0', 'NumberLiteral:0', 'NumberLiteral:7']],
    ['a<=1 b>=2 c!=3 d==4 e<5 f>6', [
      'Name:a', 'LessEqual:<=', 'NumberLiteral:1', 'Name:b', 'GreaterEqual:>=', 'NumberLiteral:2', 'Name:c', 'NotEqual:!=',
      'NumberLiteral:3', 'Name:d', 'Equal:==', 'NumberLiteral:4', 'Name:e', 'Less:<', 'NumberLiteral:5', 'Name:f', 'Greater:>',
      'NumberLiteral:6',
    ]],
    ['x = 1 && y || !z', ['Name:x', 'SingleEquals:=', 'NumberLiteral:1', 'AmpersandAnd:&&', 'Name:y', 'BarOr:||', 'Bang:!', 'Name:z']],
    ['"a\\"b" "open', ['StringLiteral:"a\\"b"', 'StringLiteral:"open']],
    ['{ [ ( ) ] }', ['LBrace:{', 'LBracket:[', 'LParen:(', 'RParen:)', 'RBracket:]', 'RBrace:}']],
  ])('%s', (text, expected) => {
    expect(brief(text)).toEqual(expected);
  });

  it('gives positions', () => {
    expect(tokenizeDsl('deny x\n  reason "r"').tokens.at(-1)).toEqual({
      type: 'StringLiteral',
      image: '"r"',
      start: 16,
      end: 19,
      line: 2,
      column: 10,
    });
  });

  it('keeps comments apart', () => {
    const { tokens, comments } = tokenizeDsl('allow x # why\n# policyc-ignore a: b\ndeny y');
    expect(tokens.map((token) => token.image)).toEqual(['allow', 'x', 'deny', 'y']);
    expect(comments.map((comment) => [comment.image, comment.line])).toEqual([
      ['# why', 1],
      ['# policyc-ignore a: b', 2],
    ]);
  });

  it('reports unreadable characters as runs', () => {
    const { tokens, errors } = tokenizeDsl('allow x @@ y é');
    expect(tokens.map((token) => token.image)).toEqual(['allow', 'x', 'y']);
    expect(errors).toEqual([
      { offset: 8, length: 2, message: 'unexpected characters `@@`' },
      { offset: 13, length: 1, message: 'unexpected character U+00E9; policy text outside strings and comments is plain ASCII' },
    ]);
  });
});
