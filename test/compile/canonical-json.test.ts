import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { canonicalJson } from '../../src/compile/canonical-json.js';

describe('canonicalJson', () => {
  it('sorts keys at every level, keeps array order, indents by two spaces and ends with a newline', () => {
    const text = canonicalJson({ b: [3, { z: 1, a: [] }, 'x'], a: { d: {}, c: null }, c: true });
    expect(text).toBe(
      [
        '{',
        '  "a": {',
        '    "c": null,',
        '    "d": {}',
        '  },',
        '  "b": [',
        '    3,',
        '    {',
        '      "a": [],',
        '      "z": 1',
        '    },',
        '    "x"',
        '  ],',
        '  "c": true',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('orders keys by UTF-16 code unit, not by locale', () => {
    const keys = ['b', 'a', 'B', '_', 'é', 'z', '\uff01', '\u{1f600}', '10', '9'];
    const text = canonicalJson(Object.fromEntries(keys.map((k) => [k, 0])));
    const order = [...text.matchAll(/^ {2}"(.*)": 0,?$/gmu)].map((m) => JSON.parse(`"${m[1]}"`) as string);
    // U+1F600 is the surrogate pair D83D DE00, which sorts before U+FF01.
    expect(order).toEqual(['10', '9', 'B', '_', 'a', 'b', 'z', 'é', '\u{1f600}', '\uff01']);
  });

  it('writes -0 as 0 and leaves undefined members out', () => {
    expect(canonicalJson({ a: -0, b: undefined, c: [-0] })).toBe('{\n  "a": 0,\n  "c": [\n    0\n  ]\n}\n');
  });

  it('escapes strings as JSON does', () => {
    const value = 'quote " backslash \\ newline \n tab \t nul \u0000 lone \ud800 emoji \u{1f600}';
    expect(canonicalJson(value)).toBe(`${JSON.stringify(value)}\n`);
  });

  it('writes scalars at the top level', () => {
    expect(canonicalJson(null)).toBe('null\n');
    expect(canonicalJson(1.5e-7)).toBe('1.5e-7\n');
    expect(canonicalJson([])).toBe('[]\n');
  });

  it('refuses what JSON cannot hold instead of writing something else', () => {
    expect(() => canonicalJson({ a: NaN })).toThrow(/NaN/);
    expect(() => canonicalJson([Infinity])).toThrow(/Infinity/);
    expect(() => canonicalJson([undefined])).toThrow(/undefined/);
    expect(() => canonicalJson({ a: 1n })).toThrow(/bigint/);
    expect(() => canonicalJson(new Map())).toThrow(/Map/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(/contains itself/);
  });

  it('allows the same object twice when it is not its own ancestor', () => {
    const shared = { x: 1 };
    expect(() => canonicalJson({ a: shared, b: shared })).not.toThrow();
  });

  it('writes what the key-by-key writer writes, whichever way it goes', () => {
    // Keys that objects order as array indices, __proto__ and deep nesting take the writer's way.
    const key = fc.oneof(fc.string(), fc.constantFrom('0', '1', '10', '9', '01', '4294967295', '__proto__', '-1', '1.5'));
    const value = fc.letrec((tie) => ({
      any: fc.oneof({ depthSize: 'small' }, fc.jsonValue({ maxDepth: 2 }), tie('object'), tie('array')),
      object: fc.dictionary(key, tie('any'), { maxKeys: 5 }),
      array: fc.array(tie('any'), { maxLength: 4 }),
    })).any;
    fc.assert(
      fc.property(value, (v) => {
        expect(canonicalJson(v)).toBe(reference(v));
      }),
    );
    const deep = JSON.parse('['.repeat(300) + ']'.repeat(300)) as unknown;
    expect(canonicalJson(deep)).toBe(reference(deep));
  });

  it('reads back to the same value, and is a fixed point', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        const back: unknown = JSON.parse(text);
        expect(back).toEqual(JSON.parse(JSON.stringify(value)));
        expect(canonicalJson(back)).toBe(text);
      }),
    );
  });
});

/** The writer as it was before JSON.stringify took the common case: one key at a time, sorted. */
function reference(value: unknown, indent = ''): string {
  const inner = `${indent}  `;
  const text = (v: unknown): string => {
    if (v === null || typeof v !== 'object') return Object.is(v, -0) ? '0' : JSON.stringify(v);
    if (Array.isArray(v)) return v.length === 0 ? '[]' : `[\n${v.map((item) => inner + reference(item, inner).trimEnd()).join(',\n')}\n${indent}]`;
    const record = v as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((k) => record[k] !== undefined)
      .sort();
    return keys.length === 0 ? '{}' : `{\n${keys.map((k) => `${inner}${JSON.stringify(k)}: ${reference(record[k], inner).trimEnd()}`).join(',\n')}\n${indent}}`;
  };
  return `${text(value)}\n`;
}
