// `policyc catalog list|show|import`: the catalogues a policy can be checked against — built in,
// listed in the configuration, or given with --catalog FILE — and a new one from a live server.

import { access, rename, writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';

import type { Catalog } from '../../catalog/types.js';
import { didYouMean } from '../../diagnostics/did-you-mean.js';
import type { SourceText } from '../../diagnostics/source.js';
import { InputError } from '../../errors.js';
import type { KnownCatalog } from '../catalog-view.js';
import { ExitCode } from '../exit.js';
import { parseFormat, printDiagnostics } from '../report.js';
import { commandSettings } from '../settings.js';
import { writeText } from '../terminal.js';
import { packageVersion } from '../version.js';
import { parseCount } from './options.js';

interface CatalogOptions {
  format: string;
  catalog?: string;
  config?: string;
}

interface ImportOptions {
  output: string;
  name?: string;
  url?: string;
  header: string[];
  timeout: string;
  force?: boolean;
}

export function registerCatalog(program: Command): void {
  const catalog = program.command('catalog').description('list and show catalogues (tools with class and risk); import one from a live MCP server');

  catalog
    .command('list')
    .description('the catalogues a policy can name with `server "NAME"`: built in, from the configuration, or --catalog FILE')
    .option('-f, --format <format>', 'pretty or json', 'pretty')
    .option('--catalog <file>', 'list this catalogue file as well')
    .option('--config <file>', 'the policyc configuration (default: the nearest policyc.config.yaml)')
    .action(async (options: CatalogOptions) => {
      process.exitCode = await list(options);
    });

  catalog
    .command('show')
    .description('the tools of a catalogue with class, risk and capabilities; or everything about one tool')
    .argument('[name]', 'the catalogue (optional when only one is known or --catalog is given)')
    .argument('[tool]', 'one tool of it')
    .option('-f, --format <format>', 'pretty or json', 'pretty')
    .option('--catalog <file>', 'show this catalogue file')
    .option('--config <file>', 'the policyc configuration (default: the nearest policyc.config.yaml)')
    .action(async (name: string | undefined, tool: string | undefined, options: CatalogOptions) => {
      process.exitCode = await show(name, tool, options);
    });

  catalog
    .command('import')
    .description('connect to an MCP server, read its tools/list and write a catalogue of guessed classes and risks, every tool marked unreviewed')
    .usage('-o FILE [options] -- COMMAND [ARGS…]   |   -o FILE --url URL [options]')
    .argument('[command...]', 'the MCP server to start (over stdio), after `--`')
    .requiredOption('-o, --output <file>', 'where to write the catalogue ("-" for standard output)')
    .option('--name <name>', 'the catalogue\'s name, which policies use in `server "NAME"` (default: the name the server gives)')
    .option('--url <url>', 'an MCP server over Streamable HTTP, instead of a command')
    .addOption(new Option('--header <header>', 'a header for every request to the --url server, "Name: value" (repeatable)').argParser((value: string, previous: string[]) => [...previous, value]).default([], 'none'))
    .option('--timeout <seconds>', 'give up when the server has not listed its tools in this long', '30')
    .option('--force', 'overwrite the output file if it exists')
    .action(async (command: string[], options: ImportOptions) => {
      process.exitCode = await importCatalog(command, options);
    });
}

/** Built-in catalogues, then the configuration's, then --catalog FILE. */
async function knownCatalogs(options: CatalogOptions): Promise<{ known: KnownCatalog[]; fromFlag?: KnownCatalog }> {
  const settings = await commandSettings({ ...(options.config === undefined ? {} : { config: options.config }) });
  const { builtinCatalog, builtinCatalogNames } = await import('../../catalog/builtin.js');
  const known: KnownCatalog[] = builtinCatalogNames().map((name) => ({ catalog: builtinCatalog(name) as Catalog, origin: { kind: 'builtin' } }));
  const config = settings.config;
  if (config) {
    for (const [name, catalog] of config.catalogs) known.push({ catalog, origin: { kind: 'config', file: config.catalogFiles.get(name) ?? '', config: config.file } });
  }
  if (options.catalog === undefined) return { known };
  const fromFlag: KnownCatalog = { catalog: await loadCatalogFlag(options.catalog), origin: { kind: 'file', file: options.catalog } };
  return { known: [...known, fromFlag], fromFlag };
}

async function loadCatalogFlag(path: string): Promise<Catalog> {
  const { loadCatalogPath } = await import('../../pipeline.js');
  const sources = new Map<string, SourceText>();
  const loaded = await loadCatalogPath(path, sources);
  if (loaded.diagnostics.length > 0) await printDiagnostics('pretty', loaded.diagnostics, sources, process.stderr, packageVersion());
  if (!loaded.catalog) throw new InputError(`${path} is not a valid catalogue`);
  return loaded.catalog;
}

async function list(options: CatalogOptions): Promise<ExitCode> {
  const format = parseFormat(options.format, ['pretty', 'json']);
  const { known } = await knownCatalogs(options);
  const view = await import('../catalog-view.js');
  if (format === 'json') {
    const entries = known.map(({ catalog, origin }) => ({
      name: catalog.name,
      title: catalog.title ?? null,
      tools: catalog.tools.length,
      unreviewed: view.unreviewedCount(catalog),
      origin: origin.kind === 'builtin' ? { kind: 'builtin' } : origin.kind === 'config' ? { kind: 'config', file: origin.file, config: origin.config } : { kind: 'file', file: origin.file },
      source: catalog.source ?? null,
    }));
    writeText(process.stdout, JSON.stringify(entries, null, 2));
  } else {
    writeText(process.stdout, view.renderCatalogList(known));
  }
  return ExitCode.ok;
}

async function show(first: string | undefined, second: string | undefined, options: CatalogOptions): Promise<ExitCode> {
  const format = parseFormat(options.format, ['pretty', 'json']);
  const { known, fromFlag } = await knownCatalogs(options);
  const { entry, toolName } = pick(known, fromFlag, first, second);
  const view = await import('../catalog-view.js');
  if (toolName === undefined) {
    writeText(process.stdout, format === 'json' ? JSON.stringify(entry.catalog, null, 2) : view.renderCatalogTools(entry));
    return ExitCode.ok;
  }
  const tool = entry.catalog.tools.find((candidate) => candidate.name === toolName);
  if (!tool) {
    const suggestion = didYouMean(toolName, entry.catalog.tools.map((candidate) => candidate.name));
    throw new InputError(`the catalogue "${entry.catalog.name}" has no tool ${toolName}${suggestion ? `; did you mean ${suggestion}?` : ''}`);
  }
  writeText(process.stdout, format === 'json' ? JSON.stringify(tool, null, 2) : view.renderTool(entry.catalog, tool));
  return ExitCode.ok;
}

/**
 * Which catalogue and tool `show [NAME] [TOOL]` means. With --catalog FILE, or when only one
 * catalogue is known, a single argument that is not a catalogue's name is a tool of it.
 */
function pick(known: readonly KnownCatalog[], fromFlag: KnownCatalog | undefined, first: string | undefined, second: string | undefined): { entry: KnownCatalog; toolName?: string } {
  const byName = (name: string): KnownCatalog | undefined => known.find((entry) => entry.catalog.name === name);
  const only = fromFlag ?? (known.length === 1 ? known[0] : undefined);
  if (first === undefined) {
    if (only) return { entry: only };
    throw new InputError(`name the catalogue: policyc catalog show NAME [TOOL]; known: ${known.map((entry) => entry.catalog.name).join(', ')}`);
  }
  const named = fromFlag && fromFlag.catalog.name === first ? fromFlag : byName(first);
  if (named) return { entry: named, ...(second === undefined ? {} : { toolName: second }) };
  if (only && second === undefined) return { entry: only, toolName: first };
  const suggestion = didYouMean(first, known.map((entry) => entry.catalog.name));
  throw new InputError(`no catalogue is named ${first}${suggestion ? `; did you mean ${suggestion}?` : ''} (see policyc catalog list)`);
}

async function importCatalog(command: string[], options: ImportOptions): Promise<ExitCode> {
  const upstream = upstreamOf(command, options);
  const timeoutSeconds = parseCount(options.timeout, '--timeout');
  if (timeoutSeconds < 1) throw new InputError('--timeout must be at least 1 second');
  if (options.output !== '-' && !options.force && (await exists(options.output))) {
    throw new InputError(`${options.output} exists; a re-import would replace its reviews with guesses. Pass --force to overwrite it, or write elsewhere and compare`);
  }
  const { listServerTools, InventoryError } = await import('../../gateway/inventory.js');
  const { catalogFromListing, formatCatalog } = await import('../../catalog/import.js');

  let inventory: Awaited<ReturnType<typeof listServerTools>>;
  try {
    inventory = await listServerTools({ upstream, timeoutMs: timeoutSeconds * 1000, clientVersion: packageVersion() });
  } catch (error) {
    if (error instanceof InventoryError) throw new InputError(`cannot list the tools of ${describeUpstream(upstream)}: ${error.message}`);
    throw error;
  }
  const transport = upstream.kind === 'command' ? { kind: 'stdio' as const, command: upstream.command, args: upstream.args } : { kind: 'http' as const, url: upstream.url.toString() };
  const imported = catalogFromListing({ ...inventory, transport }, options.name);
  if (!imported.catalog) {
    for (const problem of imported.problems) process.stderr.write(`policyc: ${problem}\n`);
    throw new InputError(`the tools of ${describeUpstream(upstream)} cannot be catalogued; nothing written`);
  }
  const text = formatCatalog(imported.catalog);
  await checkWritten(text, options.output);
  if (options.output === '-') process.stdout.write(text);
  else await writeAtomically(options.output, text);
  process.stderr.write(`${summary(imported.catalog, options.output, inventory.pages)}\n`);
  return ExitCode.ok;
}

/** The catalogue must load as `--catalog FILE` would load it; otherwise the guesses are a bug, not a file to write. */
async function checkWritten(text: string, output: string): Promise<void> {
  const { SourceText } = await import('../../diagnostics/source.js');
  const { loadCatalogFile } = await import('../../catalog/load.js');
  const source = new SourceText(output, text);
  const loaded = loadCatalogFile(source);
  if (!loaded.catalog) {
    const first = loaded.diagnostics[0];
    throw new Error(`the imported catalogue does not load: ${first ? `${first.span.start.line}:${first.span.start.column} ${first.message}` : 'no reason given'}`);
  }
}

function summary(catalog: Catalog, output: string, pages: number): string {
  const byClass = new Map<string, number>();
  for (const tool of catalog.tools) byClass.set(tool.class, (byClass.get(tool.class) ?? 0) + 1);
  const classes = ['read', 'write', 'financial', 'destructive'].filter((name) => byClass.has(name)).map((name) => `${byClass.get(name)} ${name}`);
  const secrets = catalog.tools.filter((tool) => (tool.secrets?.length ?? 0) > 0).length;
  const where = output === '-' ? 'standard output' : output;
  return [
    `policyc: wrote "${catalog.name}" to ${where}: ${catalog.tools.length} tools${classes.length > 0 ? ` (${classes.join(', ')})` : ''}${secrets > 0 ? `, ${secrets} taking a secret` : ''}, from ${pages} ${pages === 1 ? 'page' : 'pages'} of tools/list.`,
    'Every class and risk is a guess, marked "reviewed": false: check them (policyc catalog show --catalog FILE), then start a policy with policyc init --catalog FILE.',
  ].join('\n');
}

type Upstream = { kind: 'command'; command: string; args: string[] } | { kind: 'url'; url: URL; headers?: Record<string, string> };

function upstreamOf(command: string[], options: ImportOptions): Upstream {
  if (options.url !== undefined) {
    if (command.length > 0) throw new InputError('give the server either as a command after `--` or as --url URL, not both');
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new InputError(`--url must be a URL such as http://127.0.0.1:3001/mcp (got "${options.url}")`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InputError('--url must be an http:// or https:// URL');
    const headers = parseHeaders(options.header);
    return Object.keys(headers).length > 0 ? { kind: 'url', url, headers } : { kind: 'url', url };
  }
  if (options.header.length > 0) throw new InputError('--header is for a --url server');
  const [first, ...rest] = command;
  if (first === undefined) throw new InputError('name the MCP server: policyc catalog import -o FILE -- COMMAND [ARGS…], or --url URL');
  return { kind: 'command', command: first, args: rest };
}

function parseHeaders(lines: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim() : '';
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) throw new InputError(`--header must be "Name: value" (got "${line}")`);
    headers[name] = line.slice(colon + 1).trim();
  }
  return headers;
}

function describeUpstream(upstream: Upstream): string {
  return upstream.kind === 'command' ? `\`${[upstream.command, ...upstream.args].join(' ')}\`` : upstream.url.origin;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Readers never see half a catalogue: write beside the target, then rename over it. */
async function writeAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, text);
    await rename(temporary, path);
  } catch (error) {
    throw new InputError(`cannot write ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
