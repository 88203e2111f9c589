// The classes of one path's values: one per behaviour the leaves can tell apart, none missing.

import { describe, expect, it } from 'vitest';

import { normaliseSteps } from '../../src/enforce/normalize.js';
import type { LeafCondition } from '../../src/model/condition.js';
import { MISSING, pathDomain, type PathLeaf } from '../../src/analysis/values.js';

const E = 2;
const leaves = (list: LeafCondition[], how?: 'upper'): PathLeaf[] => list.map((leaf) => ({ leaf, steps: how ? normaliseSteps([{ x: how }]) : [] }));
const answers = (list: LeafCondition[], how?: 'upper') =>
  pathDomain(['x'], leaves(list, how))
    .classes.map((cls) => cls.answers.join(''))
    .sort();

function nextUp(x: number): number {
  const buffer = new Float64Array([x]);
  new BigInt64Array(buffer.buffer)[0]! += 1n;
  return buffer[0]!;
}

describe('pathDomain', () => {
  it('splits numbers at ordered literals and keeps one class per behaviour', () => {
    const domain = pathDomain(['x'], leaves([{ op: '>', path: ['x'], value: 10 }, { op: '<', path: ['x'], value: 5 }]));
    expect(domain.inexact).toBeUndefined();
    // below 5, 5..10, above 10, and not a number (or missing): an error for both.
    expect(domain.classes.map((cls) => cls.answers.join('')).sort()).toEqual(['01', '00', '10', `${E}${E}`].sort());
  });

  it('knows that no double lies between two adjacent ones', () => {
    const next = nextUp(1);
    expect(answers([{ op: '>', path: ['x'], value: 1 }, { op: '<', path: ['x'], value: next }])).not.toContain('11');
    expect(answers([{ op: '>', path: ['x'], value: 1 }, { op: '<', path: ['x'], value: 3 }])).toContain('11');
  });

  it('knows that no string lies between "a" and "a\\u0000"', () => {
    expect(answers([{ op: '>', path: ['x'], value: 'a' }, { op: '<', path: ['x'], value: 'a\u0000' }])).not.toContain('11');
    expect(answers([{ op: '>', path: ['x'], value: 'a' }, { op: '<', path: ['x'], value: 'b' }])).toContain('11');
  });

  it('finds no value equal to a literal the server normalises away', () => {
    expect(answers([{ op: '==', path: ['x'], value: 'simulate' }], 'upper')).not.toContain('1');
    expect(answers([{ op: '==', path: ['x'], value: 'SIMULATE' }], 'upper')).toContain('1');
  });

  it('represents the strings a pattern matches and those it does not', () => {
    const domain = pathDomain(['x'], leaves([{ op: 'matches', path: ['x'], value: '[a-z]+-[0-9]' }, { op: '==', path: ['x'], value: 'ab-1' }]));
    expect(domain.inexact).toBeUndefined();
    // The literal itself, another matching string, a string that does not match, not a string.
    expect(domain.classes.map((cls) => cls.answers.join('')).sort()).toEqual(['11', '10', '00', `${E}${E}`].sort());
  });

  it('says when patterns split the strings in ways it cannot represent', () => {
    expect(pathDomain(['x'], leaves([{ op: 'matches', path: ['x'], value: '(?=HK)HK\\..+' }])).inexact).toMatch(/could not all be represented/);
    expect(pathDomain(['x'], leaves([{ op: 'matches', path: ['x'], value: 'A.*' }, { op: 'matches', path: ['x'], value: 'B.*' }])).inexact).toBeDefined();
  });

  it('tells arrays, objects and null apart from the literals they equal', () => {
    expect(answers([{ op: '==', path: ['x'], value: [1] }])).toEqual(['0', '1', `${E}`].sort());
    // A list of two types: any other value differs in type from one of them, an error (SPEC §2.4).
    expect(answers([{ op: 'in', path: ['x'], value: [{ a: 1 }, null] }])).toEqual(['1', `${E}`]);
  });

  it('keeps "missing" apart where `exists` reads the path', () => {
    const domain = pathDomain(['x'], leaves([{ op: 'exists', path: ['x'] }]));
    expect(domain.classes.map((cls) => [cls.sample === MISSING ? 'missing' : 'present', cls.answers.join('')])).toContainEqual(['missing', '0']);
    expect(domain.classes).toHaveLength(2);
  });

  it('builds nested arguments for a nested path', () => {
    const domain = pathDomain(['o', 'c'], [{ leaf: { op: '==', path: ['o', 'c'], value: 1 }, steps: [] }]);
    expect(domain.classes.map((cls) => cls.sample)).toContain(1);
  });

  it('prefers the values the schema admits as representatives', () => {
    const domain = pathDomain(['x'], leaves([{ op: '==', path: ['x'], value: 'CANCEL' }]), { types: new Set(['string']), values: ['NORMAL', 'CANCEL'] });
    expect(domain.classes.map((cls) => cls.sample).slice(0, 2)).toEqual(['CANCEL', 'NORMAL']);
  });
});
