// A policy author's `matches` pattern against an attacker's argument. The enforcer tests at most
// MAX_MATCHES_LENGTH characters (longer is an error: deny rules apply, allow rules do not), so a
// polynomial pattern stays cheap; lint's slow-regex finds the exponential shapes.

import { describe, expect, it } from 'vitest';

import { evaluateCondition, MAX_MATCHES_LENGTH } from '../../src/enforce/condition.js';
import type { Condition } from '../../src/model/condition.js';

const matches = (pattern: string): Condition => ({ op: 'matches', path: ['remark'], value: pattern }) as unknown as Condition;

describe('matches on long strings', () => {
  it('tests a string up to the cap, and calls a longer one an error', () => {
    const condition = matches('x*');
    expect(evaluateCondition(condition, { remark: 'x'.repeat(MAX_MATCHES_LENGTH) })).toEqual({ value: true });
    expect(evaluateCondition(condition, { remark: 'x'.repeat(MAX_MATCHES_LENGTH + 1) })).toEqual({
      value: 'error',
      error: `remark is ${MAX_MATCHES_LENGTH + 1} characters long; matches tests at most ${MAX_MATCHES_LENGTH}`,
    });
  });

  it('answers at once for a quadratic pattern on a 1 MB argument', () => {
    const started = performance.now();
    const result = evaluateCondition(matches('(.*,.*)*;'), { remark: ','.repeat(1_000_000) });
    expect(result.value).toBe('error');
    expect(performance.now() - started).toBeLessThan(50);
  });
});
