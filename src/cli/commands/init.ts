// `policyc init [--server NAME | --catalog FILE] [-o FILE] [--force]`: a safe starting policy for
// a catalogue (src/init/template.ts). The policy is linted before it is written: what init writes
// has no errors and no warnings, or it is not written.

import { access, rename, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';

import type { Catalog } from '../../catalog/types.js';
import { didYouMean } from '../../diagnostics/did-you-mean.js';
import type { SourceText } from '../../diagnostics/source.js';
import { InputError } from '../../errors.js';
import { ExitCode } from '../exit.js';
import { printDiagnostics } from '../report.js';
import { commandSettings } from '../settings.js';
import { packageVersion } from '../version.js';

interface InitOptions {
  server?: string;
  catalog?: string;
  output: string;
  force?: boolean;
  config?: string;
}

export const DEFAULT_POLICY_FILE = 'policy.policy';

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('write a safe starting policy for a catalogue: default deny, reads allowed, changes approved, secrets hidden')
    .option('--server <name>', 'the catalogue, by name (see `policyc catalog list`)')
    .option('--catalog <file>', 'the catalogue, as a file (e.g. one written by `policyc catalog import`)')
    .option('-o, --output <file>', 'where to write the policy (a .policy file, or "-" for standard output)', DEFAULT_POLICY_FILE)
    .option('--force', 'overwrite the output file if it exists')
    .option('--config <file>', 'the policyc configuration (default: the nearest policyc.config.yaml)')
    .action(async (options: InitOptions) => {
      process.exitCode = await init(options);
    });
}

async function init(options: InitOptions): Promise<ExitCode> {
  if (options.server !== undefined && options.catalog !== undefined) throw new InputError('name the catalogue with --server NAME or --catalog FILE, not both');
  if (options.output !== '-' && !options.output.endsWith('.policy')) throw new InputError(`--output must be a .policy file (the DSL), not ${options.output}`);
  if (options.output !== '-' && !options.force && (await exists(options.output))) {
    throw new InputError(`${options.output} exists; pass --force to overwrite it, or -o OTHER.policy`);
  }
  const catalog = await chooseCatalog(options);
  const { startingPolicy } = await import('../../init/template.js');
  const text = startingPolicy(catalog, options.catalog === undefined ? {} : { catalogFile: options.catalog });
  await lintClean(text, options.output === '-' ? DEFAULT_POLICY_FILE : options.output, catalog);

  if (options.output === '-') {
    process.stdout.write(text);
    return ExitCode.ok;
  }
  await writeAtomically(options.output, text);
  const lint = options.catalog === undefined ? `policyc lint ${options.output}` : `policyc lint ${options.output} --catalog ${options.catalog}`;
  process.stderr.write(`policyc: wrote ${options.output}, a starting policy for "${catalog.name}" (${catalog.tools.length} tools); next: ${lint}\n`);
  return ExitCode.ok;
}

async function chooseCatalog(options: InitOptions): Promise<Catalog> {
  if (options.catalog !== undefined) {
    const { loadCatalogPath } = await import('../../pipeline.js');
    const sources = new Map<string, SourceText>();
    const loaded = await loadCatalogPath(options.catalog, sources);
    if (loaded.diagnostics.length > 0) await printDiagnostics('pretty', loaded.diagnostics, sources, process.stderr, packageVersion());
    if (!loaded.catalog) throw new InputError(`${options.catalog} is not a valid catalogue`);
    return loaded.catalog;
  }
  const settings = await commandSettings(options.config === undefined ? {} : { config: options.config });
  const { builtinCatalog, builtinCatalogNames } = await import('../../catalog/builtin.js');
  const known = new Map<string, Catalog>(builtinCatalogNames().map((name) => [name, builtinCatalog(name) as Catalog]));
  for (const [name, catalog] of settings.config?.catalogs ?? []) known.set(name, catalog);
  if (options.server !== undefined) {
    const catalog = known.get(options.server);
    if (catalog) return catalog;
    const suggestion = didYouMean(options.server, [...known.keys()]);
    throw new InputError(`no catalogue is named ${options.server}${suggestion ? `; did you mean ${suggestion}?` : ''} (known: ${[...known.keys()].join(', ')}; or pass --catalog FILE)`);
  }
  const [only, ...others] = known.values();
  if (only && others.length === 0) return only;
  throw new InputError(`name the catalogue: policyc init --server NAME (one of ${[...known.keys()].join(', ')}) or --catalog FILE`);
}

/** The promise of `init`: no errors, no warnings. A policy that breaks it is a bug, and is not written. */
async function lintClean(text: string, file: string, catalog: Catalog): Promise<void> {
  const { SourceText } = await import('../../diagnostics/source.js');
  const { parseDsl } = await import('../../syntax/dsl/index.js');
  const { checkPolicy } = await import('../../check/check.js');
  const source = new SourceText(file, text);
  const parsed = parseDsl(source);
  const problems = [...parsed.diagnostics, ...checkPolicy(parsed.model, catalog)].filter((diagnostic) => diagnostic.severity !== 'info');
  if (problems.length === 0) return;
  await printDiagnostics('pretty', problems, new Map([[file, source]]), process.stderr, packageVersion());
  throw new Error(`the starting policy for "${catalog.name}" does not lint clean, so it was not written`);
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Readers never see half a policy: write beside the target, then rename over it. */
async function writeAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, text);
    await rename(temporary, path);
  } catch (error) {
    throw new InputError(`cannot write ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
