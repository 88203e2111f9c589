// No input makes the pipeline throw: generated policies in both spellings, damaged (characters
// and lines deleted, duplicated, flipped, moved), go through the front end, the checks, the
// compiler and (DSL) the formatter, and come out as diagnostics inside the text. This extends
// test/syntax/*/robustness.test.ts (random text, token soups, damaged fixtures, 100,000-deep
// input) from the front ends to everything after them, on far more varied policies.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { checkPolicy } from '../../src/check/check.js';
import { compilePolicy } from '../../src/compile/compile.js';
import type { Diagnostic } from '../../src/diagnostics/diagnostic.js';
import { hasErrors } from '../../src/diagnostics/diagnostic.js';
import { SourceText } from '../../src/diagnostics/source.js';
import { decide, preparePolicy } from '../../src/enforce/index.js';
import { formatDsl } from '../../src/fmt/format.js';
import { MAX_NESTING } from '../../src/syntax/dsl/nesting.js';
import { printDsl } from '../../src/syntax/print/dsl.js';
import { printYaml } from '../../src/syntax/print/yaml.js';
import { anyPolicy, FUTU, policyModel, UNIVERSES } from './generators.js';
import { fuzz, timeout } from './settings.js';
import { compiledBytes, damaged, parseText } from './texts.js';

function inside(text: string, diagnostics: readonly Diagnostic[]): void {
  for (const diagnostic of diagnostics) {
    const { start, end } = diagnostic.span;
    if (!(start.offset >= 0 && start.offset <= end.offset && end.offset <= text.length && start.line >= 1 && start.column >= 1 && diagnostic.message !== '')) {
      throw new Error(`a diagnostic outside the text: ${JSON.stringify(diagnostic)}`);
    }
  }
}

/** Front end, checks, compiler and (for the DSL) the formatter, on any text. */
function survives(text: string, syntax: 'dsl' | 'yaml', catalog = FUTU): void {
  const { model, diagnostics } = parseText(text, syntax);
  inside(text, diagnostics);
  inside(text, checkPolicy(model, catalog, { incomplete: hasErrors(diagnostics) }));
  compilePolicy(model, catalog);
  if (syntax === 'dsl') {
    const formatted = formatDsl(new SourceText('fuzz.policy', text));
    expect(formatted.text !== undefined || hasErrors(formatted.diagnostics)).toBe(true);
  }
}

describe('damaged generated policies', () => {
  it(
    'DSL: front end, checks, compiler and fmt never throw',
    () => {
      const texts = anyPolicy.chain(({ universe, model }) => damaged(printDsl(model)).map((text) => ({ text, catalog: universe.catalog })));
      fc.assert(
        fc.property(texts, ({ text, catalog }) => survives(text, 'dsl', catalog)),
        fuzz(500),
      );
    },
    timeout(),
  );

  it(
    'YAML: front end, checks and compiler never throw',
    () => {
      const texts = anyPolicy.chain(({ universe, model }) => damaged(printYaml(model)).map((text) => ({ text, catalog: universe.catalog })));
      fc.assert(
        fc.property(texts, ({ text, catalog }) => survives(text, 'yaml', catalog)),
        fuzz(400),
      );
    },
    timeout(),
  );
});

describe('undamaged generated policies', () => {
  it(
    'the checks never throw on a policy that reads without errors',
    () => {
      fc.assert(
        fc.property(anyPolicy, ({ universe, model }) => {
          const { model: parsed } = parseText(printDsl(model));
          checkPolicy(parsed, universe.catalog);
        }),
        fuzz(300),
      );
    },
    timeout(),
  );
});

describe('nesting at the limit', () => {
  /** The deepest condition the DSL reads, by construction: `not`s and parentheses alternating. */
  function nested(depth: number): string {
    let condition = 'qty exists';
    for (let level = 0; level < depth; level++) condition = level % 2 === 0 ? `not ${condition}` : `(${condition})`;
    return `version 1\nserver "futu-stock-mcp-server"\nallow place_order when ${condition}\n`;
  }

  function deepestRead(): number {
    let depth = 0;
    while (!hasErrors(parseText(nested(depth + 1)).diagnostics)) depth++;
    return depth;
  }

  it('reads, compiles, enforces and formats the deepest condition it accepts, and refuses one level more', () => {
    const depth = deepestRead();
    expect(depth).toBeGreaterThanOrEqual(MAX_NESTING - 1);
    expect(parseText(nested(depth + 1)).diagnostics.map((d) => d.code)).toContain('nesting-too-deep');

    const text = nested(depth);
    const { model } = parseText(text);
    const prepared = preparePolicy(compilePolicy(model, FUTU).policy);
    // An odd number of `not`s (the depth's half, rounded up) around `qty exists`.
    const nots = Math.ceil(depth / 2);
    expect(decide(prepared, { tool: 'place_order', args: { qty: 1 } }).outcome).toBe(nots % 2 === 0 ? 'allow' : 'deny');
    const formatted = formatDsl(new SourceText('deep.policy', text)).text;
    expect(formatted).toBeDefined();
    expect(formatDsl(new SourceText('deep.policy', formatted!)).text).toBe(formatted);
  });
});

describe('a giant policy', () => {
  it(
    'a thousand-odd generated rules, each after a comment: read, compiled and formatted as one',
    () => {
      const universe = UNIVERSES[0]!;
      const parts = fc.sample(policyModel(universe), { numRuns: 400, seed: 20261128 });
      const giant = { ...parts[0]!, rules: parts.flatMap((part) => part.rules), limits: parts.flatMap((part) => part.limits).slice(0, 20), identities: [] };
      expect(giant.rules.length).toBeGreaterThan(1000);
      const printed = printDsl(giant);
      const commented = printed.replace(/^(allow|deny|approve) /gm, (start) => `# a rule\n${start}`);
      const formatted = formatDsl(new SourceText('giant.policy', commented)).text;
      // Canonical text with a comment before every rule is already formatted.
      expect(formatted).toBe(commented);
      expect(compiledBytes(formatted!, universe.catalog)).toBe(compiledBytes(printed, universe.catalog));
    },
    timeout(),
  );
});
