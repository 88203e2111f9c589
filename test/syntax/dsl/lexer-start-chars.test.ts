// The lexer's first-character table for `Unexpected` is built from one code unit per chevrotain
// bucket (src/syntax/dsl/tokens.ts). Every code unit the DSL does not read must still start an
// `Unexpected` token, whatever bucket it falls in; a missed bucket would turn it into a lexer error.

import { describe, expect, it } from 'vitest';

import { dslLexer } from '../../../src/syntax/dsl/tokens.js';

const READABLE = ' \t\r\n\f\vABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_"`\'#.,()[]{}=!<>&|;*?-';

describe('Unexpected start characters', () => {
  it('every code unit outside the DSL alphabet lexes as one Unexpected token', () => {
    const codes: number[] = [];
    for (let code = 0; code < 0x10000; code++) if (!READABLE.includes(String.fromCharCode(code))) codes.push(code);
    expect(codes).toHaveLength(0x10000 - READABLE.length);
    // Each code unit stands alone between spaces, so each one starts a token of its own.
    const text = codes.map((code) => String.fromCharCode(code)).join(' ');
    const result = dslLexer.tokenize(text);
    expect(result.errors).toEqual([]);
    const unexpected = result.groups.unexpected ?? [];
    expect(unexpected.map((token) => token.image.charCodeAt(0))).toEqual(codes);
    expect(result.tokens).toEqual([]);
  });
});
