// Golden files for the compiler: every fixtures/policies/NAME.policy (DSL) and NAME.policy.yaml
// compiles, against the catalogue its `server` names, to the committed NAME.policy.json, byte for
// byte; the DSL one also to NAME.policy.json.map. A change in output shows up as a diff of those
// files in review. To accept a change: UPDATE_GOLDEN=1 npx vitest run test/compile/golden.test.ts

import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

import { builtinCatalog } from '../../src/catalog/builtin.js';
import type { Catalog } from '../../src/catalog/types.js';
import { formatPolicyJson, formatSourceMap } from '../../src/compile/canonical-json.js';
import { compilePolicy } from '../../src/compile/compile.js';
import { loadCompiledPolicy, loadSourceMap } from '../../src/compile/load.js';
import type { Diagnostic } from '../../src/diagnostics/diagnostic.js';
import { SourceText } from '../../src/diagnostics/source.js';
import { schemaValidator } from '../../src/json/schema.js';
import type { PolicyModel } from '../../src/model/policy.js';
import { parseDsl } from '../../src/syntax/dsl/index.js';
import type { FrontEndResult } from '../../src/syntax/fragment.js';
import { parseYaml } from '../../src/syntax/yaml/index.js';

const DIR = 'fixtures/policies';
const UPDATE = process.env.UPDATE_GOLDEN === '1';

type FrontEnd = (source: SourceText) => FrontEndResult;

const files = readdirSync(DIR);
const names = [...new Set(files.filter((f) => /\.policy(\.yaml)?$/.test(f)).map((f) => f.replace(/\.policy(\.yaml)?$/, '')))].sort();

function read(path: string): string {
  return readFileSync(path, 'utf8');
}

/** Paths relative to the repository, so the committed map is the same on every machine. */
function frontEnd(path: string, parse: FrontEnd): PolicyModel {
  const result = parse(new SourceText(path, read(path)));
  expect(errorsOf(result.diagnostics), `${path} should parse without errors`).toEqual([]);
  return result.model;
}

function errorsOf(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.span.start.line}:${d.span.start.column} ${d.code} ${d.message}`);
}

function catalogFor(model: PolicyModel): Catalog {
  const name = model.server?.name;
  const catalog = name === undefined ? undefined : builtinCatalog(name);
  if (!catalog) throw new Error(`${model.file}: golden fixtures must name a shipped catalogue with \`server\``);
  return catalog;
}

function golden(path: string, actual: string): void {
  if (UPDATE) {
    writeFileSync(path, actual);
    return;
  }
  expect(existsSync(path), `${path} is missing; run with UPDATE_GOLDEN=1 to write it`).toBe(true);
  expect(actual, `${path} is stale; review the diff and run with UPDATE_GOLDEN=1 to accept it`).toBe(read(path));
}

describe.each(names)('%s', (name) => {
  const dslPath = `${DIR}/${name}.policy`;
  const yamlPath = `${DIR}/${name}.policy.yaml`;
  const jsonPath = `${DIR}/${name}.policy.json`;

  it.runIf(existsSync(dslPath))('the DSL compiles to the golden policy.json and policy.json.map', () => {
    const model = frontEnd(dslPath, parseDsl);
    const { policy, sourceMap } = compilePolicy(model, catalogFor(model));
    golden(jsonPath, formatPolicyJson(policy));
    golden(`${jsonPath}.map`, formatSourceMap(sourceMap));
  });

  it.runIf(existsSync(yamlPath))('the YAML compiles to the same bytes', () => {
    const model = frontEnd(yamlPath, parseYaml);
    const { policy } = compilePolicy(model, catalogFor(model));
    // A YAML-only fixture owns the golden file; otherwise the DSL one wrote it.
    if (!existsSync(dslPath)) golden(jsonPath, formatPolicyJson(policy));
    else expect(formatPolicyJson(policy)).toBe(read(jsonPath));
  });

  it.runIf(existsSync(jsonPath))('the golden policy.json is valid input: schema, loader, same bytes back', () => {
    const text = read(jsonPath);
    expect(schemaValidator('urn:policyc:schema:policy')(JSON.parse(text))).toBe(true);
    const loaded = loadCompiledPolicy(new SourceText(jsonPath, text));
    expect(loaded.diagnostics).toEqual([]);
    expect(formatPolicyJson(loaded.policy!)).toBe(text);
    if (existsSync(`${jsonPath}.map`)) {
      const map = loadSourceMap(new SourceText(`${jsonPath}.map`, read(`${jsonPath}.map`)));
      expect(map.diagnostics).toEqual([]);
      // Every compiled id points somewhere, and nothing else does.
      const ids = [...loaded.policy!.rules.map((r) => r.id), ...loaded.policy!.all_tools.limits.map((l) => l.id)].sort();
      expect(Object.keys(map.sourceMap!.rules).sort()).toEqual(ids);
    }
  });
});
