import type { Rule } from '../rule.js';
import { leavesOf } from '../walk.js';
import { literalText } from '../wording.js';
import { regexProblem } from './invalid-regex.js';

/**
 * A `matches` pattern that can take exponential time: a repetition that repeats something that
 * itself repeats without bound, as in `(a+)+` or `(\w*\s?)*`. JavaScript's regular expressions
 * backtrack, so such a pattern tested against a crafted argument (`aaaa…ab`) can run for minutes,
 * and the gateway decides every caller's calls on one thread. The enforcer also refuses to test a
 * string longer than MAX_MATCHES_LENGTH, which bounds the polynomial cases, not this one.
 */
export const slowRegex: Rule = {
  code: 'slow-regex',
  requiresCatalog: false,
  description: 'A `matches` pattern with nested repetition, which can take exponential time on a crafted argument.',
  check(context) {
    for (const rule of context.rules) {
      if (rule.when === undefined) continue;
      for (const leaf of leavesOf(rule.when)) {
        if (leaf.kind !== 'matches') continue;
        const pattern = leaf.pattern.value;
        if (typeof pattern !== 'string' || regexProblem(pattern) !== undefined) continue;
        const nested = nestedRepetition(pattern);
        if (nested === undefined) continue;
        context.report(
          'slow-regex',
          leaf.pattern.span,
          `\`${literalText(pattern)}\` repeats a part that itself repeats (\`${pattern.slice(nested.start, nested.end)}\`): on an argument such as ${nested.example} it can backtrack for minutes, and the gateway decides every call on one thread. Rewrite it without nested repetition (\`(a+)+\` matches what \`a+\` matches).`,
        );
      }
    }
  },
};

interface Group {
  start: number;
  /** Something inside repeats without bound (`*`, `+`, `{n,}`). */
  unbounded: boolean;
}

interface Quantifier {
  end: number;
  /** Repeats without bound: `*`, `+`, `{n,}`. */
  unbounded: boolean;
}

/** The quantifier starting at `at`, if any: `*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`, each maybe lazy. */
function quantifierAt(pattern: string, at: number): Quantifier | undefined {
  const char = pattern[at];
  let end: number;
  let unbounded: boolean;
  if (char === '*' || char === '+') {
    end = at + 1;
    unbounded = true;
  } else if (char === '?') {
    end = at + 1;
    unbounded = false;
  } else if (char === '{') {
    const match = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(at));
    if (!match) return undefined;
    end = at + match[0].length;
    unbounded = match[2] !== undefined && match[3] === '';
  } else {
    return undefined;
  }
  if (pattern[end] === '?') end++;
  return { end, unbounded };
}

/** Where an escape starting at `at` (a backslash) ends: `\d`, `\u{1F600}`, `\p{L}`, `\k<name>`. */
function escapeEnd(pattern: string, at: number): number {
  const next = pattern[at + 1];
  const braced = /^[uxpPk]/.test(next ?? '') ? /^.[{<][^}>]*[}>]/.exec(pattern.slice(at + 1)) : null;
  return at + 1 + (braced ? braced[0].length : 1);
}

/** Where a character class starting at `at` (`[`) ends, just after its `]`. */
function classEnd(pattern: string, at: number): number {
  let i = at + 1;
  if (pattern[i] === '^') i++;
  if (pattern[i] === ']') i++;
  while (i < pattern.length && pattern[i] !== ']') i = pattern[i] === '\\' ? escapeEnd(pattern, i) : i + 1;
  return i + 1;
}

/**
 * The first group that is repeated without bound and holds an unbounded repetition itself
 * (star height 2: the shape behind catastrophic backtracking), with an input that shows it; or
 * undefined. A reading of the pattern's structure, not a proof: overlapping alternatives under a
 * repetition (`(a|ab)*`) are not found.
 */
export function nestedRepetition(pattern: string): { start: number; end: number; example: string } | undefined {
  const stack: Group[] = [{ start: 0, unbounded: false }];
  let i = 0;
  while (i < pattern.length) {
    const char = pattern[i] as string;
    if (char === '(') {
      stack.push({ start: i, unbounded: false });
      // Skip the group's prefix (`?:`, `?=`, `?<name>`…): it is not an atom.
      const prefix = /^\(\?(?::|=|!|<=|<!|<[^>]+>)?/.exec(pattern.slice(i));
      i += prefix ? prefix[0].length : 1;
      continue;
    }
    if (char === ')') {
      const group = stack.length > 1 ? (stack.pop() as Group) : { start: 0, unbounded: false };
      const quantifier = quantifierAt(pattern, i + 1);
      if (quantifier?.unbounded && group.unbounded) {
        return { start: group.start, end: quantifier.end, example: 'a long run of one character followed by one it does not expect' };
      }
      const parent = stack[stack.length - 1] as Group;
      parent.unbounded ||= group.unbounded || quantifier?.unbounded === true;
      i = quantifier?.end ?? i + 1;
      continue;
    }
    // An atom: an escape, a class, or one character; then maybe its quantifier.
    const atomEnd = char === '\\' ? escapeEnd(pattern, i) : char === '[' ? classEnd(pattern, i) : i + 1;
    const quantifier = char === '|' ? undefined : quantifierAt(pattern, atomEnd);
    if (quantifier?.unbounded) (stack[stack.length - 1] as Group).unbounded = true;
    i = quantifier?.end ?? atomEnd;
  }
  return undefined;
}
