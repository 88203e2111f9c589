// The YAML front end (SPEC §1.2): a `.policy.yaml` file → the same PolicyModel the DSL gives,
// with spans at YAML lines and columns.
//
//   text ─► read (CST, depth guard, compose) ─► tree (aliases, duplicate keys)
//        ─► plain value ─► schema (ajv) ─► model (selectors and `when:` via the DSL) + suppressions

import { compareDiagnostics, type Diagnostic } from '../../diagnostics/diagnostic.js';
import type { SourceText } from '../../diagnostics/source.js';
import { emptyPolicy } from '../../model/policy.js';
import type { FrontEndResult } from '../fragment.js';
import { readYaml } from './read.js';
import { readSuppressions } from './suppressions.js';
import { buildModel } from './to-model.js';
import { buildTree } from './tree.js';
import { validatePolicyValue } from './validate.js';
import { toPlainValue } from './value.js';

export { POLICY_SOURCE_SCHEMA, policySourceSchemaText } from './source-schema.js';

export function parseYaml(source: SourceText): FrontEndResult {
  const read = readYaml(source);
  if (!read.doc) return stopped(source, read.diagnostics);

  const { tree, diagnostics } = buildTree(source, read.doc);
  // An alias without an anchor leaves a hole whose every consequence would be reported again.
  if (diagnostics.some((diagnostic) => diagnostic.code === 'syntax-error')) return stopped(source, diagnostics);
  const plain = toPlainValue(tree);
  if (!plain.ok) return stopped(source, [...diagnostics, ...plain.diagnostics]);
  // An empty file, or one with only comments, is an empty policy: the checks say so.
  if (plain.value !== null) diagnostics.push(...validatePolicyValue(tree, plain.value));

  const { model, diagnostics: fragmentDiagnostics } = buildModel(tree);
  const suppressions = readSuppressions(tree, read.comments);
  model.suppressions = suppressions.suppressions;
  return { model, diagnostics: [...diagnostics, ...fragmentDiagnostics, ...suppressions.diagnostics].sort(compareDiagnostics) };
}

function stopped(source: SourceText, diagnostics: Diagnostic[]): FrontEndResult {
  return { model: emptyPolicy(source.file, 'yaml'), diagnostics: [...diagnostics].sort(compareDiagnostics) };
}
