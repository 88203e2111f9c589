// Hand-made diagnostics for the renderer tests: they do not depend on any rule's wording, and
// they cover what renderers must get right (tabs, wide characters, several lines, notes in
// another file, a file without source, characters that need escaping).

import { readFileSync, writeFileSync } from 'node:fs';

import { expect } from 'vitest';

import type { Diagnostic, Span } from '../../../src/diagnostics/diagnostic.js';
import { SourceText } from '../../../src/diagnostics/source.js';

export const POLICY = new SourceText(
  'policies/trading.policy',
  [
    'version 1',
    'hide cancel_all_orders',
    'allow get_stok_quote, cancel_all_orders',
    'allow place_order',
    '\twhen qty == "100" and code == "港股.00700"',
    'deny unlock\u200Btrade',
    '',
  ].join('\n'),
);

export const OTHER = new SourceText('policies/base.policy', 'default allow\n');

export const SOURCES = new Map([
  [POLICY.file, POLICY],
  [OTHER.file, OTHER],
]);

/** A span from line:column to line:column (1-based, end exclusive) in `source`. */
export function at(source: SourceText, line: number, column: number, endLine: number, endColumn: number): Span {
  const offset = (l: number, c: number) => (source.lineStarts[l - 1] ?? 0) + c - 1;
  return source.span(offset(line, column), offset(endLine, endColumn));
}

export const DIAGNOSTICS: Diagnostic[] = [
  {
    code: 'condition-type-mismatch',
    severity: 'error',
    message: '`qty` is a number, and `"100"` is a string; write `100`.',
    span: at(POLICY, 5, 14, 5, 19),
    suggestion: '100',
  },
  {
    code: 'unknown-tool',
    severity: 'error',
    message: 'unknown tool `get_stok_quote`; did you mean `get_stock_quote`?',
    span: at(POLICY, 3, 7, 3, 21),
    suggestion: 'get_stock_quote',
  },
  {
    code: 'hidden-and-allowed',
    severity: 'warning',
    message: 'cancel_all_orders is hidden, so `allow cancel_all_orders` never takes effect for it, 100% dead: remove it.',
    span: at(POLICY, 3, 23, 3, 40),
    related: [{ message: 'hidden here', span: at(POLICY, 2, 1, 2, 23) }],
  },
  {
    code: 'destructive-allowed',
    severity: 'warning',
    message: '`allow place_order` lets an agent call place_order without approval whenever its `when` holds.',
    span: at(POLICY, 4, 1, 5, 42),
    related: [
      { message: 'only this condition stands in the way', span: at(POLICY, 5, 7, 5, 42) },
      { message: 'and the default lets everything else through', span: at(OTHER, 1, 1, 1, 14) },
    ],
  },
  {
    code: 'confusable-name',
    severity: 'error',
    message: 'the tool name `unlock\\u{200B}trade` contains an invisible character.',
    span: at(POLICY, 6, 6, 6, 18),
  },
  {
    code: 'approve-read-only',
    severity: 'info',
    message: 'a read-only tool requires approval.\nsecond line',
    span: { file: 'policies/missing.policy', start: { line: 7, column: 3, offset: 50 }, end: { line: 7, column: 9, offset: 56 } },
  },
  {
    code: 'missing-version',
    severity: 'warning',
    message: 'the policy does not say which language version it is written in.',
    span: { file: OTHER.file, start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } },
  },
];

/** Compares with a golden file; `UPDATE_GOLDEN=1` rewrites it (review the diff). */
export function expectGolden(actual: string, name: string): void {
  const url = new URL(`./golden/${name}`, import.meta.url);
  if (process.env.UPDATE_GOLDEN) writeFileSync(url, actual);
  expect(actual).toBe(readFileSync(url, 'utf8'));
}
