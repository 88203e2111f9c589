// A `when:` or selector string is DSL text inside a YAML scalar; its diagnostics and spans must
// point at the exact YAML line and column, whatever the scalar's style: plain, double-quoted
// (escapes), single-quoted (''), block literal (|) and folded (>), one line or several.

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { isMap, isScalar, isSeq, parseDocument, stringify, type Scalar } from 'yaml';

import { SourceText } from '../../../src/diagnostics/source.js';
import type { Expr } from '../../../src/model/policy.js';
import { parseYaml } from '../../../src/syntax/yaml/index.js';
import { decodeScalar, scalarOffsetMap } from '../../../src/syntax/yaml/scalar-offsets.js';

/** 1-based line:column of the `nth` occurrence of `needle` in `text`. */
function where(text: string, needle: string, nth = 0): string {
  let offset = -1;
  for (let i = 0; i <= nth; i++) {
    offset = text.indexOf(needle, offset + 1);
    if (offset < 0) throw new Error(`${needle} not in text`);
  }
  const position = new SourceText('t', text).positionAt(offset);
  return `${position.line}:${position.column}`;
}

function firstDiagnosticAt(text: string): string {
  const { diagnostics } = parseYaml(new SourceText('p.yaml', text));
  expect(diagnostics.length).toBeGreaterThan(0);
  return `${diagnostics[0]!.span.start.line}:${diagnostics[0]!.span.start.column}`;
}

const rule = (when: string) => `rules:\n  - allow: place_order\n    when: ${when}\n    reason: r\n`;

describe('a syntax error inside `when:` is reported at its YAML position', () => {
  const cases: { style: string; text: string; at: [string, number?] }[] = [
    { style: 'plain', text: rule('trd_env == "SIMULATE" and qty = 100'), at: ['= 1'] },
    { style: 'plain over two lines', text: rule('trd_env == "SIMULATE"\n      and qty = 100'), at: ['= 1'] },
    { style: 'plain over lines with a blank line between', text: rule('trd_env == "SIMULATE"\n\n      and qty = 100'), at: ['= 1'] },
    { style: 'plain, CRLF line ends', text: rule('trd_env == "SIMULATE"\r\n      and qty = 100').replace(/\n/g, '\r\n').replace(/\r\r/g, '\r'), at: ['= 1'] },
    { style: 'double-quoted with \\" escapes', text: rule('"code == \\"HK.00700\\" and qty = 1"'), at: ['= 1'] },
    { style: 'double-quoted with \\u and \\\\ escapes', text: rule('"code == \\"\\u00e9\\\\\\\\\\" and qty = 1"'), at: ['= 1'] },
    { style: 'double-quoted over two lines', text: rule('"code == \\"x\\"\n      and qty = 1"'), at: ['= 1'] },
    { style: 'double-quoted with an escaped line break', text: rule('"code == \\"x\\" and \\\n      qty = 1"'), at: ['= 1'] },
    { style: "single-quoted with ''", text: rule(`'code == "it''s" and qty = 1'`), at: ['= 1'] },
    { style: 'single-quoted over two lines', text: rule(`'code == "x"\n      and qty = 1'`), at: ['= 1'] },
    { style: 'block literal', text: rule('|\n      trd_env == "SIMULATE"\n      and qty = 100'), at: ['= 1'] },
    { style: 'block literal, strip', text: rule('|-\n      trd_env == "SIMULATE"\n\n      and qty = 100'), at: ['= 1'] },
    { style: 'block folded', text: rule('>\n      trd_env == "SIMULATE"\n      and qty = 100'), at: ['= 1'] },
    { style: 'block folded with a more-indented line', text: rule('>\n      trd_env == "SIMULATE"\n        and qty = 100'), at: ['= 1'] },
    { style: 'an unknown character', text: rule('qty @ 1'), at: ['@'] },
    { style: 'an unterminated DSL string in a quoted scalar', text: rule(`'code == "HK'`), at: ['"HK'] },
  ];
  test.each(cases)('$style', ({ text, at: [needle, nth] }) => {
    expect(firstDiagnosticAt(text)).toBe(where(text, needle, nth));
  });
});

/** Every path in a condition, with its span's text. */
function pathTexts(source: SourceText, expr: Expr | undefined): [string, string][] {
  if (!expr) return [];
  switch (expr.kind) {
    case 'and':
    case 'or':
      return expr.operands.flatMap((operand) => pathTexts(source, operand));
    case 'not':
      return pathTexts(source, expr.operand);
    default:
      return [[expr.path.segments.join('.'), source.text.slice(expr.path.span.start.offset, expr.path.span.end.offset)]];
  }
}

describe('the spans of a valid condition point at its text in the YAML file', () => {
  test('string literals after escapes start at their escaped quote', () => {
    const text = rule('"code == \\"HK.00700\\" and qty <= 100"');
    const source = new SourceText('p.yaml', text);
    const when = parseYaml(source).model.rules[0]!.when!;
    expect(when.kind).toBe('and');
    const [code, qty] = (when as Extract<Expr, { operands: Expr[] }>).operands as Extract<Expr, { kind: 'compare' }>[];
    expect(text.slice(code!.value.span.start.offset, code!.value.span.end.offset)).toBe('\\"HK.00700\\"');
    expect(`${qty!.path.span.start.line}:${qty!.path.span.start.column}`).toBe(where(text, 'qty'));
    expect(text.slice(qty!.value.span.start.offset, qty!.value.span.end.offset)).toBe('100');
  });

  test('whatever style `yaml` writes the condition in', () => {
    const paths = ['trd_env', 'qty', 'order.code', 'acc_id', 'price'];
    const operators = ['==', '!=', '<=', '>', 'in'];
    const condition = fc
      .array(fc.tuple(fc.constantFrom(...paths), fc.constantFrom(...operators), fc.constantFrom('"SIM\\"ULATE"', '100', "\"it's\"", '"é😀"', '["a", "b"]'), fc.constantFrom(' and ', ' or ', ' and not ')), { minLength: 1, maxLength: 5 })
      .map((terms) => terms.map(([path, op, value, join], i) => `${i === 0 ? '' : join}${path} ${op === 'in' ? 'in ["x", "y"]' : `${op} ${value}`}`).join(''));
    fc.assert(
      fc.property(condition, fc.constantFrom('PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE', 'BLOCK_LITERAL', 'BLOCK_FOLDED'), fc.integer({ min: 12, max: 80 }), (when, style, lineWidth) => {
        const yaml = stringify({ rules: [{ allow: 'place_order', when }] }, { defaultStringType: style as Scalar.Type, lineWidth, minContentWidth: 0 });
        const source = new SourceText('p.yaml', yaml);
        const result = parseYaml(source);
        expect(result.diagnostics).toEqual([]);
        // A double-quoted line may break inside a word with an escaped line break (`\` at the end).
        for (const [path, written] of pathTexts(source, result.model.rules[0]!.when)) expect(written.replace(/\\\r?\n[ \t]*/g, '')).toBe(path);
      }),
      { numRuns: 300 },
    );
  });
});

describe('selector spans', () => {
  test('plain, quoted and flow-list selectors', () => {
    const text = `hide: "class  destructive"\nrules:\n  - allow: [get_order_*, 'class read', "risk >= high"]\n  - deny: >\n      unlock_trade,\n      get_funds\n`;
    const source = new SourceText('p.yaml', text);
    const { model, diagnostics } = parseYaml(source);
    expect(diagnostics).toEqual([]);
    const spanText = (span: { start: { offset: number }; end: { offset: number } }) => text.slice(span.start.offset, span.end.offset);
    expect(model.hide[0]!.selectors.map((s) => spanText(s.span))).toEqual(['class  destructive']);
    expect(model.rules[0]!.selectors.map((s) => spanText(s.span))).toEqual(['get_order_*', 'class read', 'risk >= high']);
    expect(model.rules[1]!.selectors.map((s) => spanText(s.span))).toEqual(['unlock_trade', 'get_funds']);
  });
});

describe('scalar offset maps', () => {
  /** Every `k:` scalar of a document `k: …`. */
  function scalarOf(text: string): Scalar.Parsed {
    const doc = parseDocument(text, { keepSourceTokens: true });
    expect(doc.errors).toEqual([]);
    const node = isMap(doc.contents) ? doc.contents.get('k', true) : undefined;
    if (!isScalar(node)) throw new Error('no scalar');
    return node as Scalar.Parsed;
  }

  test('reproduce `yaml`\'s decoding for any layout it accepts', () => {
    const unit = fc.constantFrom('a', 'b', ' ', '\t', '"', "'", '\\', '#', ':', 'é', '😀', '\\n', '\\"', "''", '\\x41', '\\u00e9', '\\U0001F600');
    const layout = fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.string({ unit, maxLength: 10 })), { minLength: 1, maxLength: 5 });
    let exact = 0;
    fc.assert(
      fc.property(fc.constantFrom('', '"', "'", '|', '>', '|-', '>+', '|2', '>-1'), layout, fc.constantFrom('\n', '\r\n'), (open, lines, newline) => {
        const block = open.startsWith('|') || open.startsWith('>');
        const body = block
          ? open + newline + lines.map(([indent, line]) => ' '.repeat(indent + 2) + line).join(newline) + newline
          : open + lines.map(([indent, line], k) => (k === 0 ? line : ' '.repeat(indent + 2) + line)).join(newline) + open + newline;
        const text = `k: ${body}z: 1${newline}`;
        const doc = parseDocument(text, { keepSourceTokens: true });
        const node = isMap(doc.contents) ? doc.contents.get('k', true) : undefined;
        if (doc.errors.length > 0 || !isScalar(node) || typeof node.value !== 'string') return;
        const decoded = decodeScalar(text, node as Scalar.Parsed);
        // Only a value of nothing but line breaks may fall back to the approximate mapping.
        if (decoded === undefined) expect(node.value).toMatch(/^\n*$/);
        else expect(decoded.text).toBe(node.value);
        exact++;
      }),
      { numRuns: 3000 },
    );
    expect(exact).toBeGreaterThan(1000);
  });

  test('a character written literally maps to itself; an escape maps to its backslash', () => {
    const text = 'k: "a\\tb\\u00e9c"\n';
    const map = scalarOffsetMap(text, scalarOf(text));
    expect([0, 1, 2, 3, 4].map((i) => text[map(i)])).toEqual(['a', '\\', 'b', '\\', 'c']);
    expect(map(5)).toBe(text.lastIndexOf('"'));
  });

  test('folded line breaks map to the end of the line they fold', () => {
    const text = 'k: one\n   two\n\n   three\n';
    const scalar = scalarOf(text);
    expect(scalar.value).toBe('one two\nthree');
    const map = scalarOffsetMap(text, scalar);
    expect(map(3)).toBe(text.indexOf('\n'));
    expect(text[map(4)]).toBe('t');
    expect(map(8)).toBe(text.indexOf('three'));
  });

  test('out-of-range and non-finite offsets are clamped, never thrown', () => {
    const text = 'k: abc\n';
    const map = scalarOffsetMap(text, scalarOf(text));
    expect([map(-5), map(99), map(Number.NaN), map(1.7)]).toEqual([3, 6, 3, 4]);
  });

  test('an undecodable scalar falls back to its start (a block scalar: line by line)', () => {
    // `|1` counts from the parent's indentation, which a bare scalar token in a flow context lacks.
    const text = 'k: |\n  abc\n  def\n';
    const scalar = scalarOf(text);
    const map = scalarOffsetMap(text, { ...scalar, value: 'abc\ndeX\n', srcToken: undefined } as unknown as Scalar.Parsed);
    expect(map(4)).toBe(text.indexOf('def'));
    expect(map(5)).toBe(text.indexOf('ef'));
    const plain = 'k: abc\n';
    const fallback = scalarOffsetMap(plain, { ...scalarOf(plain), value: 'zzz' } as unknown as Scalar.Parsed);
    expect([fallback(0), fallback(2), fallback(3)]).toEqual([3, 3, 6]);
  });

  test('a sequence of scalars keeps each item\'s own mapping', () => {
    const text = 'k: [ "a\\"b", \'c\'\'d\' ]\n';
    const doc = parseDocument(text, { keepSourceTokens: true });
    const seq = isMap(doc.contents) ? doc.contents.get('k', true) : undefined;
    if (!isSeq(seq)) throw new Error('no seq');
    const [first, second] = seq.items as Scalar.Parsed[];
    expect(text[scalarOffsetMap(text, first!)(2)]).toBe('b');
    expect(text[scalarOffsetMap(text, second!)(2)]).toBe('d');
  });
});
