// No input may throw, hang or overflow the stack: random strings, random token soups, and the
// shapes that break recursive parsers. Every diagnostic must point inside the text.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import type { Diagnostic } from '../../../src/diagnostics/diagnostic.js';
import { SourceText } from '../../../src/diagnostics/source.js';
import { parseConditionFragment, parseDsl, parseSelectorFragment, tokenizeDsl } from '../../../src/syntax/dsl/index.js';
import { located } from './helpers.js';

/** Runs every entry point on `text`, and checks what a renderer relies on. */
function survives(text: string): void {
  const source = new SourceText('fuzz.policy', text);
  const fragment = { source, text, toFileOffset: (offset: number) => offset };
  const results: Diagnostic[][] = [
    parseDsl(source).diagnostics,
    parseConditionFragment(fragment).diagnostics,
    parseSelectorFragment(fragment).diagnostics,
  ];
  tokenizeDsl(text);
  for (const diagnostic of results.flat()) {
    const { start, end } = diagnostic.span;
    if (!(start.offset >= 0 && start.offset <= end.offset && end.offset <= text.length && start.line >= 1 && start.column >= 1)) {
      throw new Error(`diagnostic outside the text: ${JSON.stringify(diagnostic)}`);
    }
    if (diagnostic.message === '' || /\{"kind"/.test(diagnostic.message)) throw new Error(`raw message: ${diagnostic.message}`);
  }
}

const PIECES = [
  'version', 'server', 'default', 'hide', 'allow', 'deny', 'approve', 'when', 'limit', 'limit all', 'per', 'by', 'reason',
  'identity', 'class', 'risk', 'and', 'or', 'not', 'in', 'matches', 'exists', 'true', 'false', 'null', 'session', 'global',
  'x', 'qty', 'a.b', 'a.', 'get_*', '*', '?', '"s"', '"u', '"\\q"', '`k`', '`u', '.', '0', '1', '-2.5e3', '1e999', '1m', '0s',
  '5min', '==', '!=', '<', '<=', '>', '>=', '=', '(', ')', '[', ']', '{', '}', ',', ';', '&&', '||', '!', "'q'", '@', '\u200b',
  'é', '#', '# policyc-ignore x: y', '\n', '\r\n', '\t', ' ',
];

const soup = fc.array(fc.constantFrom(...PIECES), { maxLength: 60 }).chain((pieces) =>
  fc.constantFrom(' ', '', '\n').map((separator) => pieces.join(separator)),
);

describe('the DSL front end never throws', () => {
  it('on random strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), survives), { numRuns: 1500 });
  });

  it('on random unicode, including lone surrogates', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 120 }), survives), { numRuns: 800 });
  });

  it('on random token soups', () => {
    fc.assert(fc.property(soup, survives), { numRuns: 3000 });
  });

  it('on random edits of the example policy', () => {
    const example = 'version 1\nserver "s"\ndefault deny\nhide a\nallow class read\nallow p when t == "S" and q <= 100 and c in ["A", "B"] limit 10 per 1m reason "r"\nlimit all 5 per 1m\nidentity "i" { hide class financial\n deny f reason "x" }\n';
    const edit = fc.record({ at: fc.nat(example.length), cut: fc.nat(8), insert: fc.constantFrom(...PIECES) });
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
        let text = example;
        for (const { at, cut, insert } of edits) text = text.slice(0, at) + insert + text.slice(at + cut);
        survives(text);
      }),
      { numRuns: 1500 },
    );
  });
});

describe('inputs that break recursive parsers', () => {
  it.each<[string, string, string[]]>([
    ['100,000 `(`', 'allow x when ' + '('.repeat(100_000), ['nesting-too-deep@1:78']],
    ['100,000 `[`', 'allow x when a in ' + '['.repeat(100_000), ['nesting-too-deep@1:83']],
    ['100,000 `not`', 'allow x when ' + 'not '.repeat(100_000) + 'a exists', ['nesting-too-deep@1:270']],
    ['100,000 `(` alone', '('.repeat(100_000), ['nesting-too-deep@1:65']],
    // The 64 blocks that are read lack their `}`; the 65th and everything in it is cut.
    ['10,000 nested blocks', 'identity "a" {'.repeat(10_000), ['syntax-error@1:897', 'nesting-too-deep@1:910']],
    ['100,000 `}`', '}'.repeat(100_000), ['syntax-error@1:1']],
  ])('%s', (_name, text, expected) => {
    expect(located(parseDsl(new SourceText('deep.policy', text)).diagnostics)).toEqual(expected);
  });

  it('reads a balanced 100,000-deep expression as one error, and the statements around it', () => {
    const text = `allow a\nallow b when ${'('.repeat(100_000)}x == 1${')'.repeat(100_000)}\nallow c`;
    const { model, diagnostics } = parseDsl(new SourceText('deep.policy', text));
    expect(located(diagnostics)).toEqual(['nesting-too-deep@2:78']);
    expect(model.rules.map((rule) => rule.span.start.line)).toEqual([1, 3]);
  });

  it('reads a 20,000-term `and` chain as one n-ary node', () => {
    const text = `allow x when ${Array.from({ length: 20_000 }, (_, i) => `a${i} == ${i}`).join(' and ')}`;
    const { model, diagnostics } = parseDsl(new SourceText('long.policy', text));
    expect(diagnostics).toEqual([]);
    const when = model.rules[0]?.when;
    expect(when?.kind === 'and' ? when.operands.length : 0).toBe(20_000);
  });

  it('reads 20,000 junk lines as one error', () => {
    const { diagnostics } = parseDsl(new SourceText('junk.policy', 'alow x\n'.repeat(20_000) + 'allow y'));
    expect(located(diagnostics)).toEqual(['syntax-error@1:1']);
  });

  it('reads a megabyte of unreadable characters as one error', () => {
    const { diagnostics } = parseDsl(new SourceText('junk.policy', '@'.repeat(1_000_000)));
    expect(located(diagnostics)).toEqual(['syntax-error@1:1']);
  });

  it('stops reading a flood of errors, with a bounded number of diagnostics', () => {
    const { diagnostics } = parseDsl(new SourceText('flood.policy', 'allow x when\n'.repeat(20_000)));
    expect(diagnostics).toHaveLength(101);
  });
});
