// Table-driven tests for lint rules, in the style of typescript-eslint's RuleTester: `valid`
// policies give no diagnostic of the rule's code; `invalid` ones give exactly the listed
// diagnostics of that code, compared by line, column and (where given) severity and suggestion,
// never by wording.

import { describe, expect, it } from 'vitest';

import { builtinCatalog } from '../../src/catalog/builtin.js';
import type { Catalog } from '../../src/catalog/types.js';
import { checkPolicy } from '../../src/check/check.js';
import type { Code } from '../../src/diagnostics/codes.js';
import type { Diagnostic, Severity } from '../../src/diagnostics/diagnostic.js';
import type { PolicyModel } from '../../src/model/policy.js';
import { parsePolicy } from './parse.js';

export const FUTU: Catalog = builtinCatalog('futu-stock-mcp-server')!;

export interface ValidCase {
  policy: string;
  /** The catalogue to check against; `null` for none (server unknown). Default: Futu. */
  catalog?: Catalog | null;
  name?: string;
  /** Changes the parsed model: for what only the other spelling (YAML) can produce. */
  edit?: (model: PolicyModel) => void;
}

export interface ExpectedDiagnostic {
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
  severity?: Severity;
  suggestion?: string;
  /** How many related locations the diagnostic has. */
  related?: number;
}

export interface InvalidCase extends ValidCase {
  errors: ExpectedDiagnostic[];
}

/** Dedents a template literal and drops its first line break, so line numbers read naturally. */
export function policy(strings: TemplateStringsArray, ...values: unknown[]): string {
  const raw = String.raw({ raw: strings }, ...values).replace(/^\n/, '');
  const lines = raw.split('\n');
  const indent = Math.min(...lines.filter((line) => line.trim() !== '').map((line) => /^ */.exec(line)![0].length));
  return lines.map((line) => line.slice(indent)).join('\n').replace(/\s+$/, '') + '\n';
}

export function lint(text: string, catalog: Catalog | null = FUTU, edit?: (model: PolicyModel) => void): { model: PolicyModel; diagnostics: Diagnostic[] } {
  const model = parsePolicy(text);
  edit?.(model);
  return { model, diagnostics: checkPolicy(model, catalog ?? undefined) };
}

function normalise(testCase: string | ValidCase): ValidCase {
  return typeof testCase === 'string' ? { policy: testCase } : testCase;
}

function shape(diagnostic: Diagnostic, expected: ExpectedDiagnostic): ExpectedDiagnostic {
  const actual: ExpectedDiagnostic = { line: diagnostic.span.start.line, column: diagnostic.span.start.column };
  if (expected.endLine !== undefined) actual.endLine = diagnostic.span.end.line;
  if (expected.endColumn !== undefined) actual.endColumn = diagnostic.span.end.column;
  if (expected.severity !== undefined) actual.severity = diagnostic.severity;
  if (expected.suggestion !== undefined) actual.suggestion = diagnostic.suggestion ?? '(none)';
  if (expected.related !== undefined) actual.related = diagnostic.related?.length ?? 0;
  return actual;
}

export function ruleTester(code: Code, cases: { valid: Array<string | ValidCase>; invalid: InvalidCase[] }): void {
  describe(code, () => {
    describe('valid', () => {
      it.each(cases.valid.map((c, i) => [normalise(c).name ?? `#${i + 1}`, normalise(c)] as const))('%s', (_name, testCase) => {
        const { diagnostics } = lint(testCase.policy, testCase.catalog, testCase.edit);
        expect(diagnostics.filter((d) => d.code === code)).toEqual([]);
      });
    });
    describe('invalid', () => {
      it.each(cases.invalid.map((c, i) => [c.name ?? `#${i + 1}`, c] as const))('%s', (_name, testCase) => {
        const { diagnostics } = lint(testCase.policy, testCase.catalog, testCase.edit);
        const found = diagnostics.filter((d) => d.code === code);
        expect(found.map((d, i) => shape(d, testCase.errors[i] ?? { line: 0, column: 0 }))).toEqual(testCase.errors);
        for (const diagnostic of found) {
          // Every message says what to do, not only what is wrong: at least two clauses.
          expect(diagnostic.message.length).toBeGreaterThan(30);
          expect(diagnostic.span.file).toBe('test.policy');
        }
      });
    });
  });
}
