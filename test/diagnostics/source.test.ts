// Offsets → line and column: the line index (every kind of line break) and the remembered last
// line must give what counting characters from the start gives, for offsets asked in any order.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { SourceText } from '../../src/diagnostics/source.js';

/** Line and column by walking the text: \n, \r\n and a lone \r each end a line. */
function naive(text: string, offset: number): { line: number; column: number; offset: number } {
  const clamped = Math.max(0, Math.min(Number.isFinite(offset) ? offset : 0, text.length));
  let line = 1;
  let start = 0;
  for (let i = 0; i < clamped; i++) {
    const ch = text[i];
    if (ch === '\n' || (ch === '\r' && text[i + 1] !== '\n')) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: clamped - start + 1, offset: clamped };
}

describe('SourceText.positionAt', () => {
  it('agrees with counting, for any text and any order of offsets', () => {
    const text = fc.array(fc.constantFrom('a', 'é', '\n', '\r', '\r\n', ' '), { maxLength: 40 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, fc.array(fc.integer({ min: -3, max: 45 }), { maxLength: 30 }), (content, offsets) => {
        const source = new SourceText('f', content);
        for (const offset of [...offsets, NaN, Infinity]) expect(source.positionAt(offset)).toEqual(naive(content, offset));
      }),
      { numRuns: 500 },
    );
  });

  it('numbers lines after each kind of break', () => {
    const source = new SourceText('f', 'a\nb\r\nc\rd');
    expect(source.lineStarts).toEqual([0, 2, 5, 7]);
    expect(source.span(5, 8)).toEqual({ file: 'f', start: { line: 3, column: 1, offset: 5 }, end: { line: 4, column: 2, offset: 8 } });
  });
});
