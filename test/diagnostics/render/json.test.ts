import { describe, expect, it } from 'vitest';

import { renderJson } from '../../../src/diagnostics/render/json.js';
import { DIAGNOSTICS, expectGolden } from './sample.js';

describe('renderJson', () => {
  it('matches the golden output', () => {
    expectGolden(renderJson(DIAGNOSTICS), 'diagnostics.json');
  });

  it('is stable: sorted, every key present, same output whatever the input order', () => {
    const forward = renderJson(DIAGNOSTICS);
    expect(renderJson([...DIAGNOSTICS].reverse())).toBe(forward);
    const document = JSON.parse(forward) as { diagnostics: Array<Record<string, unknown>>; summary: unknown };
    for (const entry of document.diagnostics) {
      expect(Object.keys(entry)).toEqual(['code', 'severity', 'message', 'file', 'line', 'column', 'endLine', 'endColumn', 'related', 'suggestion']);
    }
    expect(document.summary).toEqual({ errors: 3, warnings: 3, infos: 1 });
  });

  it('an empty run still has the document shape', () => {
    expect(renderJson([])).toBe('{\n  "diagnostics": [],\n  "summary": {\n    "errors": 0,\n    "warnings": 0,\n    "infos": 0\n  }\n}\n');
  });
});
