// The pipeline as one call: a policy file in, diagnostics and (when it compiles) the canonical
// policy out. Every command that takes a policy goes through here, so lint, build, explain, test
// and serve read a file in exactly the same way.
//
//   file ─► read (size, encoding) ─► front end (DSL | YAML) ─► checks ─► compiler ─► CompiledPolicy
//                                └─► policy.json loader ───────────────────────────► CompiledPolicy

import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';

import { builtinCatalog } from './catalog/builtin.js';
import { loadCatalogFile } from './catalog/load.js';
import type { Catalog } from './catalog/types.js';
import { checkPolicy } from './check/check.js';
import { compilePolicy } from './compile/compile.js';
import { loadCompiledPolicy, loadSourceMap } from './compile/load.js';
import { applyLintSettings, type LintSettings } from './config/lint-settings.js';
import { report } from './diagnostics/codes.js';
import { compareDiagnostics, fileSpan, hasErrors, type Diagnostic } from './diagnostics/diagnostic.js';
import { SourceText } from './diagnostics/source.js';
import { InputError } from './errors.js';
import type { CompiledPolicy, PolicySourceMap } from './model/compiled.js';
import type { PolicyModel } from './model/policy.js';
import { parseDsl } from './syntax/dsl/index.js';
import type { FrontEndResult } from './syntax/fragment.js';

/** Policies are hand-written text; anything bigger is generated garbage or the wrong file. */
export const MAX_SOURCE_BYTES = 5 * 1024 * 1024;

export type PolicySyntax = 'dsl' | 'yaml' | 'json';

export interface CompileOptions {
  /** A catalogue file to check against instead of the built-in one the policy's `server` names. */
  catalogPath?: string;
  /** Catalogues a `server` statement may name besides the built-in ones (the configuration's `catalogs`). */
  catalogs?: ReadonlyMap<string, Catalog>;
  /** Severity overrides and strict mode from the configuration or --strict; applied to every diagnostic. */
  lint?: LintSettings;
}

export interface CompileResult {
  /** Absent when the policy could not be compiled at all (e.g. a syntax error in policy.json). */
  policy?: CompiledPolicy;
  sourceMap?: PolicySourceMap;
  diagnostics: Diagnostic[];
  /** Every file read, by path, for code frames. */
  sources: Map<string, SourceText>;
  model?: PolicyModel;
  catalog?: Catalog;
}

/** `.policy` → DSL, `.yaml`/`.yml` → YAML, `.json` → a compiled policy.json. */
export function syntaxOf(path: string): PolicySyntax | undefined {
  switch (extname(path).toLowerCase()) {
    case '.policy':
      return 'dsl';
    case '.yaml':
    case '.yml':
      return 'yaml';
    case '.json':
      return 'json';
    default:
      return undefined;
  }
}

/**
 * Reads a text file for one of the front ends. A missing or unreadable file is an input error
 * (exit 2); a file that is too large or not UTF-8 text is a diagnostic on the file.
 */
export async function readSource(path: string): Promise<{ source?: SourceText; diagnostics: Diagnostic[] }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new InputError(`cannot read ${path}: ${describeFsError(error)}`);
  }
  if (bytes.length > MAX_SOURCE_BYTES) {
    const size = (bytes.length / 1024 / 1024).toFixed(1);
    return {
      diagnostics: [
        report('file-too-large', fileSpan(path), `${path} is ${size} MiB; policyc reads policy files of at most ${MAX_SOURCE_BYTES / 1024 / 1024} MiB.`),
      ],
    };
  }
  const text = decodeUtf8(bytes);
  if (text === undefined) {
    return {
      diagnostics: [report('invalid-encoding', fileSpan(path), `${path} is not UTF-8 text (it contains binary data); a policy is a text file.`)],
    };
  }
  return { source: new SourceText(path, text), diagnostics: [] };
}

function decodeUtf8(bytes: Buffer): string | undefined {
  // NUL never occurs in a text policy; its presence means a binary file, whatever decodes.
  if (bytes.includes(0)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a folder';
  if (code === 'EACCES') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}

/** The YAML front end (and the YAML library) loads only for a YAML policy. */
export async function parseSource(source: SourceText, syntax: 'dsl' | 'yaml'): Promise<FrontEndResult> {
  if (syntax === 'dsl') return parseDsl(source);
  const { parseYaml } = await import('./syntax/yaml/index.js');
  return parseYaml(source);
}

/**
 * The catalogue a policy is checked against: `--catalog FILE` if given, else the built-in one
 * its `server` statement names. Undefined (with a diagnostic where one is due) otherwise.
 */
export async function resolveCatalog(
  model: PolicyModel,
  options: CompileOptions,
  sources: Map<string, SourceText>,
): Promise<{ catalog?: Catalog; diagnostics: Diagnostic[] }> {
  if (options.catalogPath !== undefined) return loadCatalogPath(options.catalogPath, sources);
  if (!model.server) return { diagnostics: [] };
  const catalog = options.catalogs?.get(model.server.name) ?? builtinCatalog(model.server.name);
  if (catalog) return { catalog, diagnostics: [] };
  return {
    diagnostics: [
      report(
        'unknown-server',
        model.server.span,
        `no catalogue is known for server "${model.server.name}"; use a name from \`policyc catalog list\` or pass --catalog FILE.`,
      ),
    ],
  };
}

export async function loadCatalogPath(
  path: string,
  sources: Map<string, SourceText>,
): Promise<{ catalog?: Catalog; diagnostics: Diagnostic[] }> {
  const read = await readSource(path);
  if (!read.source) return read;
  sources.set(path, read.source);
  return loadCatalogFile(read.source);
}

/** An empty catalogue: policies that name no server still compile, with only exact names. */
function emptyCatalog(model: PolicyModel): Catalog {
  return { name: model.server?.name ?? '', tools: [] };
}

/** Reads, checks and compiles one policy file of any spelling. */
export async function compileFile(path: string, options: CompileOptions = {}): Promise<CompileResult> {
  const syntax = syntaxOf(path);
  if (!syntax) {
    throw new InputError(`${path}: unknown policy file type; use .policy (DSL), .yaml/.yml (YAML) or .json (compiled policy)`);
  }
  const sources = new Map<string, SourceText>();
  const read = await readSource(path);
  if (!read.source) return { diagnostics: read.diagnostics, sources };
  sources.set(path, read.source);

  if (syntax === 'json') {
    const loaded = await loadJsonPolicy(read.source, sources);
    return { ...loaded, diagnostics: applyLintSettings(loaded.diagnostics, options.lint) };
  }

  const parsed = await parseSource(read.source, syntax);
  const { catalog, diagnostics: catalogDiagnostics } = await resolveCatalog(parsed.model, options, sources);
  // Compiled before the checks, which analyse the compiled policy rather than compile it again.
  const { policy, sourceMap } = compilePolicy(parsed.model, catalog ?? emptyCatalog(parsed.model));
  const checkDiagnostics = checkPolicy(parsed.model, catalog, { incomplete: hasErrors(parsed.diagnostics), ...(catalog ? { compiled: policy } : {}) });
  const diagnostics = applyLintSettings([...parsed.diagnostics, ...catalogDiagnostics, ...checkDiagnostics], options.lint).sort(compareDiagnostics);
  // Without a catalogue there is no reviewed universe to call tools "unknown" against.
  if (!catalog) delete policy.catalog;
  return { policy, sourceMap, diagnostics, sources, model: parsed.model, ...(catalog ? { catalog } : {}) };
}

async function loadJsonPolicy(source: SourceText, sources: Map<string, SourceText>): Promise<CompileResult> {
  const loaded = loadCompiledPolicy(source);
  const result: CompileResult = { diagnostics: loaded.diagnostics, sources };
  if (loaded.policy) result.policy = loaded.policy;
  if (loaded.sourceMap) result.sourceMap = loaded.sourceMap;
  if (!result.sourceMap && loaded.policy) {
    // `policyc build` writes the pointers back to source lines beside the policy.
    const mapRead = await readSource(`${source.file}.map`).catch(() => undefined);
    if (mapRead?.source) {
      const map = loadSourceMap(mapRead.source);
      if (map.sourceMap) result.sourceMap = map.sourceMap;
    }
  }
  return result;
}

export { hasErrors };
