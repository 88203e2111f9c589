import { describe, expect, it } from 'vitest';

import { renderPretty } from '../../../src/diagnostics/render/pretty.js';
import { SourceText } from '../../../src/diagnostics/source.js';
import { DIAGNOSTICS, SOURCES, at, expectGolden } from './sample.js';

describe('renderPretty', () => {
  it('matches the golden output without colour', () => {
    expectGolden(renderPretty(DIAGNOSTICS, SOURCES, { color: false }), 'pretty.txt');
  });

  it('matches the golden output with colour', () => {
    expectGolden(renderPretty(DIAGNOSTICS, SOURCES, { color: true }), 'pretty-color.txt');
  });

  it('uses no escape codes without colour, and some with it', () => {
    const ESC = String.fromCharCode(27);
    expect(renderPretty(DIAGNOSTICS, SOURCES, { color: false })).not.toContain(ESC);
    expect(renderPretty(DIAGNOSTICS, SOURCES, { color: true })).toContain(`${ESC}[31m`);
  });

  it('prints nothing for no diagnostics', () => {
    expect(renderPretty([], SOURCES, { color: false })).toBe('');
  });

  it('ends with the summary', () => {
    const text = renderPretty(DIAGNOSTICS, SOURCES, { color: false });
    expect(text.endsWith('\n\n3 errors, 3 warnings, 1 info\n')).toBe(true);
    expect(renderPretty(DIAGNOSTICS.slice(2, 3), SOURCES, { color: false }).endsWith('\n1 warning\n')).toBe(true);
  });

  it('underlines under wide characters and after tabs', () => {
    const source = new SourceText('w.policy', '\tallow 港股 x\n');
    const text = renderPretty(
      [{ code: 'unknown-tool', severity: 'error', message: 'm', span: at(source, 1, 11, 1, 12) }],
      new Map([[source.file, source]]),
      { color: false },
    );
    expect(text.split('\n').slice(2, 4)).toEqual(['  1 |     allow 港股 x', '    |                ^']);
  });

  it('shows a long span by its first and last lines', () => {
    const source = new SourceText('l.policy', Array.from({ length: 10 }, (_, i) => `line${i + 1}`).join('\n'));
    const text = renderPretty(
      [{ code: 'unknown-tool', severity: 'error', message: 'm', span: at(source, 1, 3, 10, 4) }],
      new Map([[source.file, source]]),
      { color: false },
    );
    expect(text.split('\n').slice(2, 14)).toEqual([
      '   1 | line1',
      '     |   ^^^',
      '   2 | line2',
      '     | ^^^^^',
      '   3 | line3',
      '     | ^^^^^',
      '   4 | line4',
      '     | ^^^^^',
      '  .. |',
      '  10 | line10',
      '     | ^^^',
      '',
    ]);
  });

  it('survives positions a recovering parser could not give', () => {
    const nan = { line: Number.NaN, column: Number.NaN, offset: Number.NaN };
    const text = renderPretty([{ code: 'syntax-error', severity: 'error', message: 'm', span: { file: 'policies/trading.policy', start: nan, end: nan } }], SOURCES, { color: false });
    expect(text).toBe('policies/trading.policy - error syntax-error: m\n\n1 error\n');
  });
});

describe('code frames', () => {
  it('show bidi controls and combining marks without letting them act', () => {
    const source = new SourceText('b.policy', 'deny "a\u202Eb" e\u0301x\n');
    const text = renderPretty(
      [{ code: 'confusable-name', severity: 'error', message: 'm', span: at(source, 1, 13, 1, 14) }],
      new Map([[source.file, source]]),
      { color: false },
    );
    expect(text.split('\n').slice(2, 4)).toEqual(['  1 | deny "a<U+202E>b" e\u0301x', '    |                    ^']);
  });
});
