import { describe, expect, it } from 'vitest';

import { regexWitnesses } from '../../src/analysis/regex-witness.js';

const whole = (pattern: string) => new RegExp(`^(?:${pattern})$`, 'u');

describe('regexWitnesses', () => {
  it.each([
    ['[a-z]+-123'],
    ['HK\\..*'],
    ['(BUY|SELL)_\\d{2,3}'],
    ['\\w+@\\w+\\.com'],
    ['a|b|c'],
    ['[^]*'],
    ['x?y{2}'],
    ['\\u{1F600}\\x41\\n'],
    ['(?:ab)+(?<name>c)'],
    ['^US\\.[A-Z]{1,5}$'],
  ])('proposes strings that %s matches', (pattern) => {
    const witnesses = regexWitnesses(pattern);
    expect(witnesses.length).toBeGreaterThan(0);
    for (const text of witnesses) expect(whole(pattern).test(text)).toBe(true);
  });

  it('proposes one string per top-level alternative', () => {
    expect(regexWitnesses('a|b|c')).toEqual(['a', 'b', 'c']);
  });

  it.each([['(?=a)a'], ['(a)\\1'], ['\\bword'], ['(unclosed']])('gives up on %s', (pattern) => {
    expect(regexWitnesses(pattern)).toEqual([]);
  });
});
