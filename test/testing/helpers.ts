// Decision tests in memory: a DSL policy compiled by the real front end and compiler, and a
// cases file read by the real reader. Any problem in either fails the test that uses them.

import { builtinCatalog } from '../../src/catalog/builtin.js';
import type { Catalog } from '../../src/catalog/types.js';
import { compilePolicy } from '../../src/compile/compile.js';
import type { Diagnostic } from '../../src/diagnostics/diagnostic.js';
import { SourceText } from '../../src/diagnostics/source.js';
import { parseDsl } from '../../src/syntax/dsl/index.js';
import { readTestSuite, type TestSuite } from '../../src/testing/cases.js';
import type { PolicyUnderTest } from '../../src/testing/run.js';

export const FUTU: Catalog = builtinCatalog('futu-stock-mcp-server')!;

export function compiled(text: string, file = 'test.policy', catalog: Catalog = FUTU): PolicyUnderTest {
  const { model, diagnostics } = parseDsl(new SourceText(file, text));
  const errors = diagnostics.filter((d) => d.code === 'syntax-error');
  if (errors.length > 0) throw new Error(`the test policy does not parse: ${errors.map((d) => d.message).join('; ')}`);
  const { policy, sourceMap } = compilePolicy(model, catalog);
  return { path: file, policy, sourceMap, model };
}

export function suite(text: string): TestSuite {
  const { suite: read, diagnostics } = readTestSuite(new SourceText('cases.yaml', text));
  if (!read) throw new Error(`the cases do not read: ${diagnostics.map(at).join('; ')}`);
  return read;
}

export function problems(text: string): string[] {
  return readTestSuite(new SourceText('cases.yaml', text)).diagnostics.map(at);
}

/** `3:11 schema-error` — position and code, never wording. */
export function at(diagnostic: Diagnostic): string {
  return `${diagnostic.span.start.line}:${diagnostic.span.start.column} ${diagnostic.code}`;
}

/** Dedents a template literal and drops its first line break, so line numbers read naturally. */
export function text(strings: TemplateStringsArray, ...values: unknown[]): string {
  const raw = String.raw({ raw: strings }, ...values).replace(/^\n/, '');
  const lines = raw.split('\n');
  const indent = Math.min(...lines.filter((line) => line.trim() !== '').map((line) => /^ */.exec(line)![0].length));
  return lines.map((line) => line.slice(indent)).join('\n').replace(/\s+$/, '') + '\n';
}
