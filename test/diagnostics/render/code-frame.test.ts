import { describe, expect, it } from 'vitest';
import { PLAIN_PAINT, codeFrame } from '../../../src/diagnostics/render/code-frame.js';
import { SourceText } from '../../../src/diagnostics/source.js';

function frame(text: string, startOffset: number, endOffset: number): string[] {
  const source = new SourceText('p.policy', text);
  return codeFrame(source, source.span(startOffset, endOffset), { char: '^', paint: PLAIN_PAINT });
}

describe('code frames of long lines', () => {
  it('shows a line of ordinary length whole', () => {
    const text = 'allow get_stok_quote';
    expect(frame(text, 6, 20)).toEqual(['1 | allow get_stok_quote', '  |       ^^^^^^^^^^^^^^']);
  });

  it('shows a window around the span of a very long line, with the caret under the span', () => {
    const text = `${'('.repeat(100_000)}x${')'.repeat(100_000)}`;
    const [line, underline] = frame(text, 100_000, 100_001);
    expect(line!.length).toBeLessThan(140);
    expect(line!.startsWith('1 | …')).toBe(true);
    expect(line!.endsWith('…')).toBe(true);
    const caret = underline!.indexOf('^');
    expect(line![caret]).toBe('x');
    expect(underline!.trimEnd().endsWith('^')).toBe(true);
    expect(underline!.match(/\^/g)).toHaveLength(1);
  });

  it('keeps the start of a long line when the span is near it, and cuts the underline at the window', () => {
    const text = `allow ${'a'.repeat(500)}`;
    const [line, underline] = frame(text, 6, 506);
    expect(line!.startsWith('1 | allow aaa')).toBe(true);
    expect(line!.endsWith('…')).toBe(true);
    expect(underline!.length).toBeLessThanOrEqual(line!.length + 1);
    expect(underline!.indexOf('^')).toBe(line!.indexOf('a', 5));
  });
});
