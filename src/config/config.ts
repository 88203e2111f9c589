// The policyc configuration: `policyc.config.yaml` (or `.yml`, `.json`), found by walking up from
// the current folder, or named with --config FILE. Checked against grammar/policyc-config.schema.json
// with positions, then against what policyc knows: rule ids that exist and may change, catalogue
// files that load and do not clash by name.
//
//   rules: { destructive-allowed: error, default-allow: off }   # severity per rule id
//   maxWarnings: 0                                              # as --max-warnings
//   strict: true                                                # as --strict
//   catalogs: [catalogs/my-server.json]                          # extra catalogues, by name

import { access } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';

import { builtinCatalog } from '../catalog/builtin.js';
import { loadCatalogFile } from '../catalog/load.js';
import type { Catalog } from '../catalog/types.js';
import { CODES, report } from '../diagnostics/codes.js';
import { compareDiagnostics, hasErrors, type Diagnostic, type Span } from '../diagnostics/diagnostic.js';
import { didYouMean } from '../diagnostics/did-you-mean.js';
import type { SourceText } from '../diagnostics/source.js';
import { jsonValueOf, parseJsonDocument, resolvePointer } from '../json/document.js';
import { validateDocument } from '../json/schema.js';
import type * as YamlDataFiles from '../syntax/yaml/data-file.js';
import type { PathSegment } from '../syntax/yaml/data-file.js';
import { FIXED_CODES, type LintSettings, type RuleSetting } from './lint-settings.js';

/** Looked for in this order in each folder, from the current one up to the root. */
export const CONFIG_FILE_NAMES = ['policyc.config.yaml', 'policyc.config.yml', 'policyc.config.json'] as const;

export interface PolicycConfig {
  file: string;
  lint: LintSettings;
  maxWarnings?: number;
  /** The extra catalogues, by the name a policy's `server` uses. */
  catalogs: Map<string, Catalog>;
  /** Where each extra catalogue came from, for `policyc catalog list`. */
  catalogFiles: Map<string, string>;
}

export interface ConfigLoad {
  config?: PolicycConfig;
  diagnostics: Diagnostic[];
  /** Every file read (the configuration and its catalogues), for code frames. */
  sources: Map<string, SourceText>;
}

/** Reads a text file: a diagnostic when it is not text, a throw when it cannot be read at all. */
export type TextReader = (path: string) => Promise<{ source?: SourceText; diagnostics: Diagnostic[] }>;

/** The nearest configuration file at or above `folder`, if any. */
export async function findConfigFile(folder: string): Promise<string | undefined> {
  let current = resolve(folder);
  for (;;) {
    for (const name of CONFIG_FILE_NAMES) {
      const candidate = join(current, name);
      if (await exists(candidate)) return candidate;
    }
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

interface RawConfig {
  rules?: Record<string, RuleSetting>;
  maxWarnings?: number;
  strict?: boolean;
  catalogs?: string[];
}

/** Where a place in the configuration is written: a key or its value. */
type Locator = (path: readonly PathSegment[], where: 'key' | 'value') => Span;

export async function loadConfig(path: string, readText: TextReader): Promise<ConfigLoad> {
  const sources = new Map<string, SourceText>();
  const read = await readText(path);
  if (!read.source) return { diagnostics: read.diagnostics, sources };
  const source = read.source;
  sources.set(path, source);

  // The YAML reader loads only for a YAML configuration: most runs have none, or a JSON one.
  const parsed = path.toLowerCase().endsWith('.json') ? parseJsonConfig(source) : parseYamlConfig(source, await import('../syntax/yaml/data-file.js'));
  if (parsed.raw === undefined) return { diagnostics: parsed.diagnostics, sources };
  const { raw, at } = parsed;
  const diagnostics: Diagnostic[] = [];

  const severities = new Map<string, RuleSetting>();
  for (const [code, setting] of Object.entries(raw.rules ?? {})) {
    const problem = ruleProblem(code);
    if (problem) {
      const diagnostic = report('invalid-config', at(['rules', code], 'key'), problem.message);
      diagnostics.push(problem.suggestion ? { ...diagnostic, suggestion: problem.suggestion } : diagnostic);
    } else {
      severities.set(code, setting);
    }
  }

  const catalogs = new Map<string, Catalog>();
  const catalogFiles = new Map<string, string>();
  for (const [index, written] of (raw.catalogs ?? []).entries()) {
    const file = isAbsolute(written) ? written : join(dirname(path), written);
    const here = at(['catalogs', index], 'value');
    let loaded: Awaited<ReturnType<TextReader>>;
    try {
      loaded = await readText(file);
    } catch (error) {
      diagnostics.push(report('invalid-config', here, `catalogue ${written} does not load: ${error instanceof Error ? error.message : String(error)}`));
      continue;
    }
    if (!loaded.source) {
      const why = loaded.diagnostics[0]?.message ?? 'it cannot be read';
      diagnostics.push(report('invalid-config', here, `catalogue ${written} (${file}) does not load: ${why}`));
      continue;
    }
    sources.set(file, loaded.source);
    const catalog = loadCatalogFile(loaded.source);
    if (!catalog.catalog) {
      diagnostics.push(report('invalid-config', here, `catalogue ${written} does not load; its problems follow`), ...catalog.diagnostics);
      continue;
    }
    const { name } = catalog.catalog;
    if (builtinCatalog(name)) {
      diagnostics.push(report('invalid-config', here, `catalogue ${written} is named "${name}", like the built-in catalogue; give it another name (its "name" field) so that \`server "${name}"\` means one thing`));
    } else if (catalogs.has(name)) {
      diagnostics.push(report('invalid-config', here, `catalogue ${written} is named "${name}", like ${catalogFiles.get(name) ?? 'another one'}; a name must pick one catalogue`));
    } else {
      catalogs.set(name, catalog.catalog);
      catalogFiles.set(name, file);
    }
  }

  diagnostics.sort(compareDiagnostics);
  if (hasErrors(diagnostics)) return { diagnostics, sources };
  const lint: LintSettings = { severities, ...(raw.strict === undefined ? {} : { strict: raw.strict }) };
  return {
    config: { file: path, lint, ...(raw.maxWarnings === undefined ? {} : { maxWarnings: raw.maxWarnings }), catalogs, catalogFiles },
    diagnostics,
    sources,
  };
}

function ruleProblem(code: string): { message: string; suggestion?: string } | undefined {
  if (FIXED_CODES.has(code)) {
    return { message: `\`${code}\` is reported by the front end or the catalogue lookup and cannot be changed: a policy with that problem was not fully read, so nothing else about it can be trusted` };
  }
  if (Object.hasOwn(CODES, code)) return undefined;
  const suggestion = didYouMean(code, Object.keys(CODES).filter((known) => !FIXED_CODES.has(known)));
  return suggestion
    ? { message: `\`${code}\` is not a policyc rule id; did you mean \`${suggestion}\`?`, suggestion }
    : { message: `\`${code}\` is not a policyc rule id; the rule ids are listed in docs/checks.md and by \`policyc lint --format sarif\`` };
}

function parseYamlConfig(source: SourceText, yaml: typeof YamlDataFiles): { raw?: RawConfig; at: Locator; diagnostics: Diagnostic[] } {
  const read = yaml.readYamlDataFile(source, 'urn:policyc:schema:config', undefined, true);
  const tree = read.tree;
  const at: Locator = (path, where) => (tree ? yaml.spanAt(tree, path, where) : source.span(0, 0));
  // An empty configuration file configures nothing.
  if (read.value === null) return { raw: {}, at, diagnostics: [] };
  if (read.value === undefined) return { at, diagnostics: read.diagnostics };
  return { raw: read.value as RawConfig, at, diagnostics: [] };
}

function parseJsonConfig(source: SourceText): { raw?: RawConfig; at: Locator; diagnostics: Diagnostic[] } {
  const document = parseJsonDocument(source);
  const root = document.root;
  const at: Locator = (path, where) => {
    if (!root) return source.span(0, 0);
    const pointer = path.map((segment) => `/${String(segment).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
    const target = resolvePointer(root, pointer);
    if (!target) return source.span(root.start, root.start + 1);
    if (where === 'key' && target.member) return source.span(target.member.keyStart, target.member.keyEnd);
    return source.span(target.node.start, target.node.end);
  };
  if (!root) return { at, diagnostics: document.diagnostics };
  const problems = validateDocument('urn:policyc:schema:config', root, source, 'the policyc configuration');
  if (problems.length > 0) return { at, diagnostics: problems };
  return { raw: jsonValueOf(root) as RawConfig, at, diagnostics: [] };
}
