// The bundled CLI validates with code generated at build time (src/json/standalone.ts), the tests
// and every run from source with validators ajv compiles on first use (src/json/validators.ts).
// Both must give the same answer and the same errors for every document, valid or not: the
// diagnostics are built from those errors.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { build } from 'esbuild';
import fc from 'fast-check';
import type { ValidateFunction } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

import { POLICY_SOURCE_ID, type ValidatorId } from '../../src/json/schema-files.js';
import { SET_SPECIFIER_PREFIX, standaloneValidators } from '../../src/json/standalone.js';
import { VALIDATOR_SETS } from '../../src/json/validator-sets.js';
import { compiledValidator } from '../../src/json/validators.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string): unknown => {
  const text = readFileSync(join(ROOT, path), 'utf8');
  return path.endsWith('.yaml') ? parseYaml(text) : JSON.parse(text);
};

/** Valid documents of each schema, from which the invalid ones are made. */
const SAMPLES: Record<ValidatorId, unknown[]> = {
  'urn:policyc:schema:policy': ['fixtures/policies/trading.policy.json', 'fixtures/policies/desk.policy.json', 'fixtures/policies/hide-all.policy.json'].map(read),
  'urn:policyc:schema:policy#/definitions/sourceMap': ['fixtures/policies/trading.policy.json.map', 'fixtures/policies/desk.policy.json.map'].map(read),
  'urn:policyc:schema:catalog': [read('src/catalog/builtin/futu-stock-mcp-server.json')],
  'urn:policyc:schema:policy-tests': [read('fixtures/policies/trading.tests.yaml')],
  'urn:policyc:schema:config': [{}, { rules: { 'unknown-tool': 'warning' }, maxWarnings: 3, strict: true, catalogs: ['a.catalog.json'] }],
  [POLICY_SOURCE_ID]: ['fixtures/policies/trading.policy.yaml', 'fixtures/policies/desk.policy.yaml', 'fixtures/policies/hide-all.policy.yaml'].map(read),
};

const REPLACEMENTS: unknown[] = [null, 0, -1, 1.5, '', 'x', true, [], [1], {}, { zz: 1 }];

/** Every value reachable in `doc`, by path (objects and arrays), breadth first, at most `limit`. */
function paths(doc: unknown, limit: number): (string | number)[][] {
  const found: (string | number)[][] = [];
  const queue: { value: unknown; path: (string | number)[] }[] = [{ value: doc, path: [] }];
  while (queue.length > 0 && found.length < limit) {
    const { value, path } = queue.shift()!;
    found.push(path);
    if (Array.isArray(value)) value.forEach((item, i) => queue.push({ value: item, path: [...path, i] }));
    else if (typeof value === 'object' && value !== null) for (const [key, item] of Object.entries(value)) queue.push({ value: item, path: [...path, key] });
  }
  return found;
}

function withChange(doc: unknown, path: (string | number)[], change: (parent: Record<string | number, unknown>, key: string | number) => void): unknown {
  const copy = structuredClone(doc);
  if (path.length === 0) return copy;
  let parent = copy as Record<string | number, unknown>;
  for (const step of path.slice(0, -1)) parent = parent[step] as Record<string | number, unknown>;
  change(parent, path.at(-1)!);
  return copy;
}

/** The samples, then for each of their first places: every replacement, the key removed, a key added. */
function corpus(id: ValidatorId): unknown[] {
  const documents: unknown[] = [...REPLACEMENTS];
  for (const sample of SAMPLES[id]) {
    documents.push(sample);
    for (const path of paths(sample, 60)) {
      for (const replacement of REPLACEMENTS) documents.push(path.length === 0 ? replacement : withChange(sample, path, (p, k) => (p[k] = replacement)));
      if (path.length > 0) documents.push(withChange(sample, path, (p, k) => (Array.isArray(p) ? p.splice(k as number, 1) : delete p[k])));
      documents.push(withChange(sample, path, (p, k) => {
        const target = path.length === 0 ? p : p[k];
        if (typeof target === 'object' && target !== null && !Array.isArray(target)) (target as Record<string, unknown>)['unknown_key'] = 1;
      }));
    }
  }
  return documents;
}

function answer(validate: ValidateFunction, document: unknown): { valid: boolean; errors: unknown } {
  const valid = validate(document) as boolean;
  return { valid, errors: structuredClone(validate.errors ?? null) };
}

let folder: string;
const precompiled = new Map<ValidatorId, ValidateFunction>();

beforeAll(async () => {
  // The generated modules, bundled with the ajv runtime helpers they require, as the CLI has them.
  const generated = standaloneValidators();
  folder = await mkdtemp(join(tmpdir(), 'policyc-validators-'));
  for (const [s, set] of VALIDATOR_SETS.entries()) {
    const bundled = await build({
      stdin: { contents: generated.sets[`${SET_SPECIFIER_PREFIX}${set.name}`]!, resolveDir: ROOT, loader: 'js' },
      bundle: true,
      format: 'esm',
      platform: 'node',
      write: false,
      logLevel: 'silent',
    });
    const file = join(folder, `set-${s}.mjs`);
    await writeFile(file, bundled.outputFiles[0]!.text);
    const module = (await import(pathToFileURL(file).href)) as Record<string, ValidateFunction>;
    set.ids.forEach((id, i) => precompiled.set(id, module[`v${i}`]!));
  }
  expect(generated.index).toContain('export function compiledValidator(id)');
}, 60_000);

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('precompiled validators (the bundle) and compiled ones (from source)', () => {
  const ids = VALIDATOR_SETS.flatMap((set) => set.ids);

  it('cover every schema', () => {
    expect(new Set(ids)).toEqual(new Set(Object.keys(SAMPLES)));
  });

  it.each(ids)('%s: the samples are valid', (id) => {
    for (const sample of SAMPLES[id]) expect(answer(precompiled.get(id)!, sample)).toEqual({ valid: true, errors: null });
  });

  it.each(ids)('%s: the same answer and the same errors for changed samples', (id) => {
    const documents = corpus(id);
    let invalid = 0;
    for (const document of documents) {
      const expected = answer(compiledValidator(id), document);
      expect(answer(precompiled.get(id)!, document)).toEqual(expected);
      if (!expected.valid) invalid++;
    }
    // The corpus must exercise the error paths, not only the happy one.
    expect(invalid).toBeGreaterThan(documents.length / 3);
  });

  it.each(ids)('%s: the same answer and the same errors for arbitrary JSON', (id) => {
    fc.assert(
      fc.property(fc.jsonValue(), (document) => {
        expect(answer(precompiled.get(id)!, document)).toEqual(answer(compiledValidator(id), document));
      }),
      { numRuns: 300 },
    );
  });
});
