// `policyc fmt` on generated policies laid out at random with comments and suppressions sprinkled
// in, and on random damage of the example policies: formatting is idempotent, never changes the
// compiled policy, keeps every comment, and keeps every `# policyc-ignore` on its statement.

import { readFileSync } from 'node:fs';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import type { Catalog } from '../../src/catalog/types.js';
import { SourceText } from '../../src/diagnostics/source.js';
import { formatDsl } from '../../src/fmt/format.js';
import { statementTree, type Statement } from '../../src/fmt/statements.js';
import type { PolicyModel } from '../../src/model/policy.js';
import { parseDsl, tokenizeDsl } from '../../src/syntax/dsl/index.js';
import { printDsl } from '../../src/syntax/print/dsl.js';
import { anyPolicy, FUTU } from './generators.js';
import { fuzz, timeout } from './settings.js';
import { compiledBytes, damaged, relaidOut } from './texts.js';

function format(text: string): string | undefined {
  return formatDsl(new SourceText('fuzz.policy', text)).text;
}

function comments(text: string): string[] {
  return tokenizeDsl(text)
    .comments.map((comment) => comment.image.trimEnd())
    .sort();
}

/** Each suppression as its codes and the statement it covers (by position in the file's statement order). */
function suppressionTargets(text: string): string[] {
  const { model } = parseDsl(new SourceText('fuzz.policy', text));
  const statements: Statement[] = [];
  const visit = (list: readonly Statement[]) => list.forEach((s) => (statements.push(s), visit(s.children)));
  visit(statementTree(model, tokenizeDsl(text).tokens));
  const source = new SourceText('fuzz.policy', text);
  const tokens = tokenizeDsl(text).tokens;
  const lines = statements.map((s) => `${source.positionAt(tokens[s.first]!.start).line}-${source.positionAt(tokens[s.last]!.end - 1).line}`);
  return model.suppressions
    .map((suppression) => {
      const covered = lines.indexOf(`${suppression.appliesTo.startLine}-${suppression.appliesTo.endLine}`);
      return `${suppression.codes.join(',')}:${suppression.reason ?? ''} → ${covered < 0 ? 'its own line' : `statement ${covered}`}`;
    })
    .sort();
}

/** The properties every formatted text must have. */
function formatsWell(input: string, catalog: Catalog, model?: PolicyModel): void {
  const once = format(input);
  if (once === undefined) throw new Error(`refused a text that reads without errors:\n${input}`);
  expect(format(once), 'fmt(fmt(x)) = fmt(x)').toBe(once);
  expect(compiledBytes(once, catalog), 'the compiled policy is unchanged').toBe(compiledBytes(input, catalog));
  expect(comments(once), 'every comment is kept').toEqual(comments(input));
  if (model) expect(suppressionTargets(once), 'every suppression covers the same statement').toEqual(suppressionTargets(input));
}

describe('fmt on generated policies', () => {
  it(
    'printed canonically, the text is already formatted',
    () => {
      fc.assert(
        fc.property(anyPolicy, ({ model }) => {
          const printed = printDsl(model);
          expect(format(printed)).toBe(printed);
        }),
        fuzz(300),
      );
    },
    timeout(),
  );

  it(
    'laid out at random with comments and suppressions: idempotent, same policy, same comments, same suppressions',
    () => {
      const cases = anyPolicy.chain(({ universe, model }) => {
        const printed = printDsl(model);
        const parsed = parseDsl(new SourceText('fuzz.policy', printed)).model;
        return relaidOut(printed, parsed).map((text) => ({ universe, text, parsed }));
      });
      fc.assert(
        fc.property(cases, ({ universe, text, parsed }) => formatsWell(text, universe.catalog, parsed)),
        fuzz(200),
      );
    },
    timeout(),
  );
});

describe('fmt on damaged example policies', () => {
  const examples = ['fixtures/policies/trading.policy', 'fixtures/policies/desk.policy', 'fixtures/gateway/everything.policy'].map((path) => readFileSync(path, 'utf8'));

  it(
    'formats what still reads, refuses the rest with diagnostics, never throws',
    () => {
      let formatted = 0;
      fc.assert(
        fc.property(
          fc.constantFrom(...examples).chain((text) => damaged(text)),
          (text) => {
            const result = formatDsl(new SourceText('fuzz.policy', text));
            if (result.text === undefined) {
              expect(result.diagnostics.some((d) => d.severity === 'error')).toBe(true);
              return;
            }
            formatted++;
            formatsWell(text, FUTU);
          },
        ),
        fuzz(600),
      );
      // The damage must leave enough readable texts for the property to mean something.
      expect(formatted).toBeGreaterThan(50);
    },
    timeout(),
  );
});
