import { describe, expect, it } from 'vitest';

import { nestedRepetition } from '../../../src/check/rules/slow-regex.js';
import { ruleTester } from '../rule-tester.js';

ruleTester('slow-regex', {
  valid: [
    'allow place_order when code matches "HK\\\\..*"\n',
    'allow place_order when code matches "(HK|US)\\\\.[0-9]+"\n',
    'allow place_order when remark matches "([0-9]+\\\\.){3}[0-9]+"\n',
    'allow place_order when remark matches "(ab?)+"\n',
    'allow place_order when remark matches "(a+){2}"\n',
    // Not a valid pattern: invalid-regex says so, this rule does not pile on.
    'allow place_order when remark matches "(a+)+("\n',
  ],
  invalid: [
    { name: 'the textbook case', policy: 'allow place_order when remark matches "(a+)+b"\n', errors: [{ line: 1, column: 39, endColumn: 47 }] },
    { name: 'star of star in a non-capturing group', policy: 'deny place_order when remark matches "(?:\\\\w*\\\\s?)*x"\n', errors: [{ line: 1, column: 38 }] },
    { name: 'an unbounded brace repetition', policy: 'deny place_order when remark matches "([a-z]{1,}){2,}"\n', errors: [{ line: 1, column: 38 }] },
    { name: 'inside an identity block, without a catalogue', policy: 'identity "bot" {\n  deny place_order when remark matches "x(.*)*"\n}\n', catalog: null, errors: [{ line: 2, column: 40 }] },
  ],
});

describe('nestedRepetition', () => {
  it.each([
    ['(a+)+', '(a+)+'],
    ['x(a*)*y', '(a*)*'],
    ['((ab)+c)*', '((ab)+c)*'],
    ['(?<w>\\w+\\s)+$', '(?<w>\\w+\\s)+'],
    ['([^,]+,?)*', '([^,]+,?)*'],
    ['(a+)+?', '(a+)+?'],
    ['(\\u{1F600}+)*', '(\\u{1F600}+)*'],
  ])('finds %s', (pattern, part) => {
    const found = nestedRepetition(pattern);
    expect(found && pattern.slice(found.start, found.end)).toBe(part);
  });

  it.each(['a+b+', '(ab)+', '(a|b)*', '[(a+)+]', '\\(a+\\)+', '(a{2,3})+', '(a+)?', '(a+){3}', 'a\\+*', '(?:[+*]+)'])('leaves %s alone', (pattern) => {
    expect(nestedRepetition(pattern)).toBeUndefined();
  });
});
