import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { SourceText } from '../../src/diagnostics/source.js';
import { jsonValueOf, MAX_JSON_DEPTH, parseJsonDocument, parseJsonFast, readablePointer, resolvePointer } from '../../src/json/document.js';

function parse(text: string) {
  return parseJsonDocument(new SourceText('x.json', text));
}

function errorAt(text: string): [string, number, number, string] {
  const { root, diagnostics } = parse(text);
  expect(root).toBeUndefined();
  expect(diagnostics).toHaveLength(1);
  const d = diagnostics[0]!;
  return [d.code, d.span.start.line, d.span.start.column, d.message];
}

describe('parseJsonDocument', () => {
  it('reads what JSON.parse reads, to the same value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(undefined, 2, '\t'), (value, indent) => {
        const text = JSON.stringify(value, null, indent);
        const { root, diagnostics } = parse(text);
        expect(diagnostics).toEqual([]);
        expect(jsonValueOf(root!)).toEqual(JSON.parse(text));
      }),
    );
  });

  it('gives every value and key its offsets', () => {
    const { root } = parse('{\n  "a": [1, "two"],\n  "b": {"c": null}\n}');
    const a = resolvePointer(root!, '/a/1')!;
    expect(a.node).toMatchObject({ kind: 'string', value: 'two', start: 13, end: 18 });
    const c = resolvePointer(root!, '/b/c')!;
    expect(c.member).toMatchObject({ key: 'c', keyStart: 29, keyEnd: 32 });
    expect(resolvePointer(root!, '/a/2')).toBeUndefined();
    expect(resolvePointer(root!, '/a/01')).toBeUndefined();
  });

  it.each([
    ['{"a": 1,}', 1, 9, /trailing comma/],
    ['[1, 2,]', 1, 7, /trailing comma/],
    ['{"a" 1}', 1, 6, /expected ':' after a key, found '1'/],
    ['{"a": 1\n "b": 2}', 2, 2, /expected ',' or '}' after a member/],
    ["{'a': 1}", 1, 2, /single quote/],
    ['{a: 1}', 1, 2, /expected a key in double quotes, found 'a'/],
    ['{"a": tru}', 1, 7, /found 'tru'/],
    ['{"a": 01}', 1, 8, /invalid number/],
    ['{"a": .5}', 1, 7, /expected a JSON value/],
    ['{"a": 1e999}', 1, 7, /too large/],
    ['{"a": NaN}', 1, 7, /found 'NaN'/],
    ['{"a": "x\ny"}', 1, 9, /line break inside a string/],
    ['{"a": "\\x"}', 1, 8, /invalid escape \\x/],
    ['{"a": "\\u12"}', 1, 8, /four hexadecimal digits/],
    ['{"a": "open', 1, 7, /not closed/],
    ['// c\n{}', 1, 1, /a comment/],
    ['{} {}', 1, 4, /after the end of the JSON value/],
    ['', 1, 1, /empty/],
    ['  \n ', 2, 2, /empty/],
    ['{"a": [1, 2', 1, 12, /the end of the file/],
  ])('reports %j at %i:%i', (text, line, column, message) => {
    const [code, l, c, m] = errorAt(text);
    expect([code, l, c]).toEqual(['syntax-error', line, column]);
    expect(m).toMatch(message);
  });

  it('reports a duplicate key at the second one, pointing back at the first', () => {
    const { diagnostics } = parse('{\n  "default": "deny",\n  "default": "allow"\n}');
    expect(diagnostics).toHaveLength(1);
    const d = diagnostics[0]!;
    expect([d.code, d.span.start.line, d.span.start.column, d.span.end.column]).toEqual(['syntax-error', 3, 3, 12]);
    expect(d.message).toMatch(/duplicate key "default"/);
    expect(d.related?.[0]?.span.start).toMatchObject({ line: 2, column: 3 });
  });

  it('treats keys that differ only by escapes as the same key', () => {
    expect(errorAt('{"a": 1, "\\u0061": 2}')[3]).toMatch(/duplicate key "a"/);
  });

  it('reports nesting beyond the limit', () => {
    const deep = '['.repeat(MAX_JSON_DEPTH + 2) + ']'.repeat(MAX_JSON_DEPTH + 2);
    expect(errorAt(deep)[0]).toBe('nesting-too-deep');
    const fine = '['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH);
    expect(parse(fine).diagnostics).toEqual([]);
  });

  it('skips a byte order mark, and keeps __proto__ as an own key', () => {
    const { root, diagnostics } = parse('\ufeff{"__proto__": {"x": 1}}');
    expect(diagnostics).toEqual([]);
    const value = jsonValueOf(root!) as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.hasOwn(value, '__proto__')).toBe(true);
    expect(Object.keys(value)).toEqual(['__proto__']);
  });

  it('reads -0 as 0', () => {
    expect(Object.is(jsonValueOf(parse('-0').root!), 0)).toBe(true);
  });
});

describe('parseJsonFast', () => {
  /** The fast reader gives a value exactly when the strict one reads the text, and the same value. */
  function agrees(text: string): void {
    const { root } = parse(text);
    const fast = parseJsonFast(text);
    if (root === undefined) expect(fast).toBeUndefined();
    else expect(fast).toStrictEqual(jsonValueOf(root));
  }

  it('agrees with the strict reader on JSON texts', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(undefined, 2, '\t'), (value, indent) => {
        const text = JSON.stringify(value, null, indent);
        expect(parseJsonFast(text)).toBeDefined();
        agrees(text);
      }),
    );
  });

  it('agrees with the strict reader on texts with repeated keys and broken JSON', () => {
    const piece = fc.constantFrom('{', '}', '[', ']', ',', ':', '"a"', '"b"', '"\\u0061"', '"\\""', '"x:\\\\"', '1', '-0', '1e999', 'null', ' ', '\ufeff');
    fc.assert(fc.property(fc.array(piece, { maxLength: 24 }), (pieces) => agrees(pieces.join(''))), { numRuns: 2000 });
  });

  it.each([
    ['{"a": 1, "a": 2}'],
    ['{"a": 1, "\\u0061": 2}'],
    ['[{"k": {"x": 1, "y": {"x": 2}}}, {"k": 1, "k": 1}]'],
    ['{"__proto__": 1, "__proto__": 2}'],
    ['{"a": 1e999}'],
    ['{"a": "b\\"", "a": 2}'],
    ['["x:", {"y": 1}]'],
    ['\ufeff{"__proto__": {"x": -0}}'],
    ['['.repeat(MAX_JSON_DEPTH + 1) + ']'.repeat(MAX_JSON_DEPTH + 1)],
    ['['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH)],
    ['{"a": 1,}'],
    [''],
  ])('agrees with the strict reader on %j', (text) => agrees(text));

  it('reads -0 as 0 and keeps __proto__ as an own key', () => {
    const value = parseJsonFast('{"__proto__": [-0], "b": -0}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__', 'b']);
    expect(Object.is((value.__proto__ as number[])[0], 0)).toBe(true);
    expect(Object.is(value.b, 0)).toBe(true);
  });
});

describe('readablePointer', () => {
  it.each([
    ['', 'the top level'],
    ['/rules/2/limit/max', 'rules[2].limit.max'],
    ['/tools/get.quote/rules/0', 'tools["get.quote"].rules[0]'],
    ['/a~1b/~0', '["a/b"]["~"]'],
  ])('%s → %s', (pointer, text) => {
    expect(readablePointer(pointer)).toBe(text);
  });
});
