import { describe, expect, it } from 'vitest';

import { evaluateCondition } from '../../src/enforce/condition.js';
import type { ConditionValue } from '../../src/enforce/types.js';
import type { Condition } from '../../src/model/condition.js';
import type { JsonObject } from '../../src/model/json.js';
import { and, eq, exists, not, or } from './build.js';

// Three leaves with known values on ARGS: T holds, F does not, E cannot be evaluated.
const ARGS: JsonObject = { x: 1 };
const LEAF = {
  T: eq('x', 1),
  F: eq('x', 2),
  E: eq('missing', 1),
} as const;
type Leaf = keyof typeof LEAF;
const VALUE: Record<Leaf, ConditionValue> = { T: true, F: false, E: 'error' };

function value(condition: Condition, args: JsonObject = ARGS): ConditionValue {
  return evaluateCondition(condition, args).value;
}

describe('three-valued logic (SPEC §2.4)', () => {
  // Written out, not computed: `false and ERROR` = false, `true or ERROR` = true, in either
  // order; any other error spreads.
  const AND: [Leaf, Leaf, ConditionValue][] = [
    ['T', 'T', true],
    ['T', 'F', false],
    ['T', 'E', 'error'],
    ['F', 'T', false],
    ['F', 'F', false],
    ['F', 'E', false],
    ['E', 'T', 'error'],
    ['E', 'F', false],
    ['E', 'E', 'error'],
  ];
  const OR: [Leaf, Leaf, ConditionValue][] = [
    ['T', 'T', true],
    ['T', 'F', true],
    ['T', 'E', true],
    ['F', 'T', true],
    ['F', 'F', false],
    ['F', 'E', 'error'],
    ['E', 'T', true],
    ['E', 'F', 'error'],
    ['E', 'E', 'error'],
  ];

  it.each(AND)('%s and %s = %s', (a, b, expected) => {
    expect(value(and(LEAF[a], LEAF[b]))).toBe(expected);
  });

  it.each(OR)('%s or %s = %s', (a, b, expected) => {
    expect(value(or(LEAF[a], LEAF[b]))).toBe(expected);
  });

  it.each([
    ['T', false],
    ['F', true],
    ['E', 'error'],
  ] as [Leaf, ConditionValue][])('not %s = %s', (a, expected) => {
    expect(value(not(LEAF[a]))).toBe(expected);
  });

  it('evaluates the leaves as the tables assume', () => {
    for (const leaf of ['T', 'F', 'E'] as const) expect(value(LEAF[leaf])).toBe(VALUE[leaf]);
  });

  it('reads flattened chains the same way: an absorbing value anywhere wins', () => {
    expect(value(and(LEAF.E, LEAF.T, LEAF.E, LEAF.F))).toBe(false);
    expect(value(or(LEAF.E, LEAF.F, LEAF.E, LEAF.T))).toBe(true);
    expect(value(and(LEAF.T, LEAF.E, LEAF.T))).toBe('error');
    expect(value(and())).toBe(true);
    expect(value(or())).toBe(false);
  });

  it('reports the error that made the whole expression an error, not an absorbed one', () => {
    const absorbed = and(eq('gone', 1), LEAF.F); // false: its error does not count
    expect(evaluateCondition(or(eq('lost', 1), absorbed), ARGS)).toEqual({ value: 'error', error: 'lost is missing' });
    expect(evaluateCondition(or(absorbed, eq('lost', 1)), ARGS)).toEqual({ value: 'error', error: 'lost is missing' });
    expect(evaluateCondition(and(LEAF.T, eq('a', 1), eq('b', 1)), ARGS)).toEqual({ value: 'error', error: 'a is missing' });
    expect(evaluateCondition(not(eq('a', 1)), ARGS)).toEqual({ value: 'error', error: 'a is missing' });
    expect(evaluateCondition(and(LEAF.E, LEAF.F), ARGS)).toEqual({ value: false });
  });
});

type Row = [name: string, condition: Condition, args: JsonObject, expected: ConditionValue, error?: string];

function table(rows: Row[]): void {
  it.each(rows)('%s', (_name, condition, args, expected, error) => {
    const result = evaluateCondition(condition, args);
    expect(result.value).toBe(expected);
    if (expected === 'error') expect(result.error).toBe(error);
    else expect(result.error).toBeUndefined();
  });
}

describe('comparisons', () => {
  table([
    ['== number', { op: '==', path: ['qty'], value: 100 }, { qty: 100 }, true],
    ['== string', { op: '==', path: ['env'], value: 'SIMULATE' }, { env: 'SIMULATE' }, true],
    ['== is case-sensitive', { op: '==', path: ['env'], value: 'SIMULATE' }, { env: 'simulate' }, false],
    ['== null', { op: '==', path: ['v'], value: null }, { v: null }, true],
    ['== boolean', { op: '==', path: ['v'], value: false }, { v: false }, true],
    ['!= number', { op: '!=', path: ['qty'], value: 1 }, { qty: 2 }, true],
    ['!= equal', { op: '!=', path: ['qty'], value: 1 }, { qty: 1 }, false],
    ['== deep array', { op: '==', path: ['v'], value: [1, 'a', [null]] }, { v: [1, 'a', [null]] }, true],
    ['== array order matters', { op: '==', path: ['v'], value: [1, 2] }, { v: [2, 1] }, false],
    ['== array lengths differ', { op: '==', path: ['v'], value: [1, 2] }, { v: [1, 2, 3] }, false],
    ['== deep object, key order ignored', { op: '==', path: ['v'], value: { a: 1, b: [2] } }, { v: { b: [2], a: 1 } }, true],
    ['== object with an extra key', { op: '==', path: ['v'], value: { a: 1 } }, { v: { a: 1, b: 2 } }, false],
    ['== nested types differ: false, not an error', { op: '==', path: ['v'], value: [1] }, { v: ['1'] }, false],
    ['!= deep', { op: '!=', path: ['v'], value: { a: 1 } }, { v: { a: 2 } }, true],
    ['0 == -0', { op: '==', path: ['v'], value: 0 }, { v: -0 }, true],
  ]);
});

describe('type mismatches are errors, not false', () => {
  table([
    ['string vs number', { op: '<=', path: ['qty'], value: 100 }, { qty: '100' }, 'error', 'qty is a string, compared with a number'],
    ['== string vs number', { op: '==', path: ['qty'], value: 100 }, { qty: '100' }, 'error', 'qty is a string, compared with a number'],
    ['!= string vs number', { op: '!=', path: ['qty'], value: 100 }, { qty: '100' }, 'error', 'qty is a string, compared with a number'],
    ['null vs string', { op: '==', path: ['env'], value: 'REAL' }, { env: null }, 'error', 'env is null, compared with a string'],
    ['array vs string', { op: '==', path: ['env'], value: 'REAL' }, { env: ['REAL'] }, 'error', 'env is an array, compared with a string'],
    ['object vs number', { op: '>', path: ['qty'], value: 1 }, { qty: { n: 2 } }, 'error', 'qty is an object, compared with a number'],
    ['boolean vs number', { op: '<', path: ['qty'], value: 1 }, { qty: true }, 'error', 'qty is a boolean, compared with a number'],
    ['number vs string ordering', { op: '>=', path: ['code'], value: 'A' }, { code: 5 }, 'error', 'code is a number, compared with a string'],
  ]);
});

describe('ordering', () => {
  table([
    ['< number', { op: '<', path: ['n'], value: 10 }, { n: 9.5 }, true],
    ['< at the bound', { op: '<', path: ['n'], value: 10 }, { n: 10 }, false],
    ['<= at the bound', { op: '<=', path: ['n'], value: 10 }, { n: 10 }, true],
    ['> number', { op: '>', path: ['n'], value: -1 }, { n: 0 }, true],
    ['>= number', { op: '>=', path: ['n'], value: 3 }, { n: 2 }, false],
    ['strings by code unit: "B" < "a"', { op: '<', path: ['s'], value: 'a' }, { s: 'B' }, true],
    ['strings by code unit: "é" > "z"', { op: '>', path: ['s'], value: 'z' }, { s: 'é' }, true],
    // U+1F600 is the surrogate pair D83D DE00, below U+FFFF in code-unit order (above it in code points).
    ['strings by code unit, not code point', { op: '<', path: ['s'], value: '\uFFFF' }, { s: '😀' }, true],
    ['prefix is smaller', { op: '<', path: ['s'], value: 'HK.1' }, { s: 'HK.' }, true],
  ]);
});

describe('in and not_in', () => {
  const codes: Condition = { op: 'in', path: ['code'], value: ['HK.00700', 'US.AAPL'] };
  const mixed: Condition = { op: 'in', path: ['v'], value: ['A', 1] };
  table([
    ['in: first', codes, { code: 'HK.00700' }, true],
    ['in: second', codes, { code: 'US.AAPL' }, true],
    ['in: neither', codes, { code: 'US.TSLA' }, false],
    ['in: wrong type', codes, { code: 700 }, 'error', 'code is a number, compared with a string'],
    ['in: missing', codes, {}, 'error', 'code is missing'],
    ['in: mixed list, a match beats a mismatch', mixed, { v: 'A' }, true],
    ['in: mixed list, a match after a mismatch', mixed, { v: 1 }, true],
    ['in: mixed list, no match and a mismatch', mixed, { v: 'B' }, 'error', 'v is a string, compared with a number'],
    ['in: deep values', { op: 'in', path: ['v'], value: [[1, 2], { a: 1 }] }, { v: { a: 1 } }, true],
    ['in: empty list', { op: 'in', path: ['v'], value: [] }, { v: 1 }, false],
    ['not_in: listed', { op: 'not_in', path: ['code'], value: ['HK.00700'] }, { code: 'HK.00700' }, false],
    ['not_in: not listed', { op: 'not_in', path: ['code'], value: ['HK.00700'] }, { code: 'US.AAPL' }, true],
    ['not_in: error stays an error', { op: 'not_in', path: ['code'], value: ['HK.00700'] }, { code: 1 }, 'error', 'code is a number, compared with a string'],
    ['not_in: missing', { op: 'not_in', path: ['code'], value: ['HK.00700'] }, {}, 'error', 'code is missing'],
  ]);
});

describe('matches: a whole-string JavaScript regex with the u flag', () => {
  const hk: Condition = { op: 'matches', path: ['code'], value: 'HK\\..*' };
  table([
    ['matches the whole string', hk, { code: 'HK.00700' }, true],
    ['a prefix does not pass', hk, { code: 'XHK.1' }, false],
    ['a suffix does not pass', { op: 'matches', path: ['code'], value: 'HK\\.\\d+' }, { code: 'HK.1X' }, false],
    ['alternation is anchored as a whole', { op: 'matches', path: ['v'], value: 'a|ab' }, { v: 'ab' }, true],
    ['alternation: no partial match', { op: 'matches', path: ['v'], value: 'a|b' }, { v: 'ab' }, false],
    ['the u flag: . is one code point', { op: 'matches', path: ['v'], value: '.' }, { v: '😀' }, true],
    ['the u flag: \\u{…} escapes', { op: 'matches', path: ['v'], value: '\\u{1F600}' }, { v: '😀' }, true],
    ['empty string against .*', { op: 'matches', path: ['v'], value: '.*' }, { v: '' }, true],
    ['a number is an error', hk, { code: 700 }, 'error', 'code is a number; matches needs a string'],
    ['null is an error', hk, { code: null }, 'error', 'code is null; matches needs a string'],
    ['missing is an error', hk, {}, 'error', 'code is missing'],
  ]);

  it.each(['(', 'a)|(b', '[z-a]', '\\', 'a{2,1}', '\\p{Nope}'])('an invalid pattern %j is an error, never a throw', (pattern) => {
    const condition: Condition = { op: 'matches', path: ['v'], value: pattern };
    // `a)|(b` wrapped as ^(?:a)|(b)$ would be valid and match "a": it must not.
    for (const v of ['a', 'b', '(', 'anything']) {
      const result = evaluateCondition(condition, { v });
      expect(result.value).toBe('error');
      expect(result.error).toMatch(new RegExp(`^the pattern ${escape(JSON.stringify(pattern))} is not a valid regular expression`));
    }
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('exists: present (even null) is true, and it never errors', () => {
  table([
    ['present', exists('v'), { v: 1 }, true],
    ['present and null', exists('v'), { v: null }, true],
    ['absent', exists('v'), {}, false],
    ['nested present', exists('order.qty'), { order: { qty: 0 } }, true],
    ['nested absent', exists('order.qty'), { order: {} }, false],
    ['through a string', exists('order.qty'), { order: 'x' }, false],
    ['through an array', exists('legs.0'), { legs: [1] }, false],
    ['a NaN is still present', exists('v'), { v: Number.NaN }, true],
    ['not exists', not(exists('v')), {}, true],
  ]);
});

describe('paths', () => {
  table([
    ['nested', eq('order.qty', 5), { order: { qty: 5 } }, true],
    ['deeply nested', eq('a.b.c.d', 'x'), { a: { b: { c: { d: 'x' } } } }, true],
    ['missing leaf', eq('order.qty', 5), { order: {} }, 'error', 'order.qty is missing'],
    ['missing intermediate', eq('order.qty', 5), {}, 'error', 'order is missing'],
    ['intermediate is a string', eq('order.qty', 5), { order: 'big' }, 'error', 'order is a string, not an object (order.qty)'],
    ['intermediate is null', eq('order.qty', 5), { order: null }, 'error', 'order is null, not an object (order.qty)'],
    ['arrays are not indexed', eq('legs.0', 5), { legs: [5] }, 'error', 'legs is an array; a path does not index into arrays (legs.0)'],
    ['array "length" is not read', eq('legs.length', 1), { legs: [5] }, 'error', 'legs is an array; a path does not index into arrays (legs.length)'],
    ['NaN is an error', eq('qty', 1), { qty: Number.NaN }, 'error', 'qty is not a finite number'],
    ['Infinity is an error', { op: '<', path: ['qty'], value: 1 }, { qty: Number.NEGATIVE_INFINITY }, 'error', 'qty is not a finite number'],
    ['a key with a dot is one segment', { op: '==', path: ['a.b'], value: 1 }, { 'a.b': 1 }, true],
  ]);

  it('reads only own properties: inherited names are missing', () => {
    for (const key of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
      expect(evaluateCondition(exists(key), {})).toEqual({ value: false });
      expect(evaluateCondition({ op: '!=', path: [key], value: 'x' }, {})).toEqual({ value: 'error', error: `${key} is missing` });
      expect(evaluateCondition({ op: '==', path: ['o', key], value: 'x' }, { o: {} })).toEqual({ value: 'error', error: `o.${key} is missing` });
    }
  });

  it('treats a __proto__ key in the arguments as plain data', () => {
    const args = JSON.parse('{"__proto__": {"admin": true}, "constructor": {"prototype": {"x": 1}}}') as JsonObject;
    expect(evaluateCondition(eq('__proto__.admin', true), args)).toEqual({ value: true });
    expect(evaluateCondition(exists('__proto__'), args)).toEqual({ value: true });
    expect(evaluateCondition(eq('constructor.prototype.x', 1), args)).toEqual({ value: true });
    expect(evaluateCondition({ op: '==', path: ['__proto__'], value: { admin: true } }, args)).toEqual({ value: true });
    // …and nothing reached Object.prototype.
    expect(({} as Record<string, unknown>)['admin']).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('admin');
  });

  it('does not read through a non-plain object', () => {
    class Box {
      qty = 5;
    }
    const args = { order: new Box() } as unknown as JsonObject;
    expect(evaluateCondition(eq('order.qty', 5), args).value).toBe('error');
  });

  it('treats a non-object arguments value as having nothing in it', () => {
    expect(evaluateCondition(eq('qty', 1), 'x' as unknown as JsonObject)).toEqual({
      value: 'error',
      error: 'the arguments are a string, not an object (qty)',
    });
  });
});

describe('malformed conditions', () => {
  it.each([
    [{ op: 'like', path: ['x'], value: 1 }, 'the condition is malformed: unknown operator "like"'],
    [{ op: '==', path: 'x', value: 1 }, 'the condition is malformed: the path of an == test is not a list of keys'],
    [{ op: 'in', path: ['x'], value: 1 }, 'the condition is malformed: the value of an in test is not a list'],
    [{ op: '<', path: ['x'], value: true }, 'the condition is malformed: < compares numbers or strings, but the value compared with x is a boolean'],
    [{ and: 'x' }, 'the condition is malformed: and does not hold a list'],
    [{}, 'the condition is malformed: a node has neither and, or, not nor op'],
    [null, 'the condition is malformed: expected an object, found null'],
  ])('%j errors and does not throw', (condition, error) => {
    expect(evaluateCondition(condition as unknown as Condition, { x: 1 })).toEqual({ value: 'error', error });
  });

  it('an error inside an or is absorbed by a true operand like any other', () => {
    expect(value(or({ op: 'bogus' } as unknown as Condition, LEAF.T))).toBe(true);
  });
});
