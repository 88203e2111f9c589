// The printers against the front ends, on generated policies: the DSL and the YAML a model is
// printed as read back as the same model, and the two spellings compile to the same bytes.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { formatPolicyJson } from '../../src/compile/canonical-json.js';
import { compilePolicy } from '../../src/compile/compile.js';
import type { Diagnostic } from '../../src/diagnostics/diagnostic.js';
import { SourceText } from '../../src/diagnostics/source.js';
import type { PolicyModel } from '../../src/model/policy.js';
import { parseDsl } from '../../src/syntax/dsl/index.js';
import { printDsl } from '../../src/syntax/print/dsl.js';
import { modelShape } from '../../src/syntax/print/shape.js';
import { printYaml } from '../../src/syntax/print/yaml.js';
import { parseYaml } from '../../src/syntax/yaml/index.js';
import { anyPolicy } from './generators.js';
import { fuzz, timeout } from './settings.js';

function errors(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.span.start.line}:${d.span.start.column} ${d.code} ${d.message}`);
}

/** YAML has one `hide:` per level: the model it can say has the hide statements of a level merged. */
export function withHidesMerged(model: PolicyModel): PolicyModel {
  const merge = <T extends { selectors: unknown[] }>(hides: T[]): T[] => (hides.length <= 1 ? hides : [{ ...hides[0]!, selectors: hides.flatMap((hide) => hide.selectors) }]);
  return { ...model, hide: merge(model.hide), identities: model.identities.map((identity) => ({ ...identity, hide: merge(identity.hide) })) };
}

export function readDsl(text: string): PolicyModel {
  const { model, diagnostics } = parseDsl(new SourceText('fuzz.policy', text));
  expect(errors(diagnostics), text).toEqual([]);
  return model;
}

export function readYaml(text: string): PolicyModel {
  const { model, diagnostics } = parseYaml(new SourceText('fuzz.policy.yaml', text));
  expect(errors(diagnostics), text).toEqual([]);
  return model;
}

describe('printers and front ends agree on generated policies', () => {
  it(
    'printDsl reads back as the same model',
    () => {
      fc.assert(
        fc.property(anyPolicy, ({ model }) => {
          const text = printDsl(model);
          expect(modelShape(readDsl(text)), text).toEqual(modelShape(model));
        }),
        fuzz(400),
      );
    },
    timeout(),
  );

  it(
    'printYaml reads back as the same model (hide statements of a level merged)',
    () => {
      fc.assert(
        fc.property(anyPolicy, ({ model }) => {
          const text = printYaml(model);
          expect(modelShape(readYaml(text)), text).toEqual(modelShape(withHidesMerged(model)));
        }),
        fuzz(300),
      );
    },
    timeout(),
  );

  it(
    'the DSL and YAML spellings compile to identical bytes',
    () => {
      fc.assert(
        fc.property(anyPolicy, ({ universe, model }) => {
          const dsl = readDsl(printDsl(model));
          const yaml = readYaml(printYaml(model));
          expect(formatPolicyJson(compilePolicy(yaml, universe.catalog).policy)).toBe(formatPolicyJson(compilePolicy(dsl, universe.catalog).policy));
        }),
        fuzz(300),
      );
    },
    timeout(),
  );
});
