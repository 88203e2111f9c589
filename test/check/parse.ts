// The one place the check tests turn DSL text into a model: the real front end, and any syntax
// error fails the test (a check test with a broken policy would test nothing).

import { SourceText } from '../../src/diagnostics/source.js';
import type { PolicyModel } from '../../src/model/policy.js';
import { parseDsl } from '../../src/syntax/dsl/index.js';

export function parsePolicy(text: string, file = 'test.policy'): PolicyModel {
  const { model, diagnostics } = parseDsl(new SourceText(file, text));
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    const list = errors.map((d) => `${d.span.start.line}:${d.span.start.column} ${d.code}: ${d.message}`).join('\n');
    throw new Error(`the test policy does not parse:\n${list}`);
  }
  return model;
}
