// The short diff `fmt --check` shows.

import { describe, expect, it } from 'vitest';

import { shortDiff } from '../../src/fmt/diff.js';

describe('shortDiff', () => {
  it('shows changed lines with two lines of context, in unified format', () => {
    const before = 'a\nb\nc\nd  \ne\nf\ng\nh\n';
    const after = 'a\nb\nc\nd\ne\nf\ng\nh\n';
    expect(shortDiff('p.policy', before, after)).toBe(['--- p.policy', '+++ p.policy (formatted)', '@@ -2,5 +2,5 @@', ' b', ' c', '-d  ', '+d', ' e', ' f', ''].join('\n'));
  });

  it('counts inserted and deleted lines in the hunk header', () => {
    expect(shortDiff('p', 'x\ny\n', 'x\n\ny\nz\n')).toBe(['--- p', '+++ p (formatted)', '@@ -1,2 +1,4 @@', ' x', '+', ' y', '+z', ''].join('\n'));
    expect(shortDiff('p', 'x\n\n\ny\n', 'x\n\ny\n')).toBe(['--- p', '+++ p (formatted)', '@@ -1,4 +1,3 @@', ' x', ' ', '-', ' y', ''].join('\n'));
  });

  it('is empty when only line endings or the final newline differ', () => {
    expect(shortDiff('p', 'a\r\nb', 'a\nb\n')).toBe('');
  });

  it('stops after maxLines and says how many changed lines it left out', () => {
    const before = Array.from({ length: 100 }, (_, i) => `line ${i}  `).join('\n');
    const after = Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n');
    const diff = shortDiff('p', before, after, { maxLines: 10 }).split('\n');
    expect(diff.slice(3, 13)).toHaveLength(10);
    expect(diff).toContain('… and 190 more changed lines');
  });
});
