// `policyc fmt [FILES…] [--check | --write]`: the canonical layout of DSL policies (docs/fmt.md).
//
//   no flag   print the formatted text of one file (or of standard input, `-`) to stdout
//   --check   write nothing; name every file that is not formatted, with a short diff; exit 1
//   --write   rewrite the files that are not formatted, atomically; name them
//
// A file with errors is never formatted: its diagnostics go to stderr and the command exits 1.

import { lstat, readdir, realpath, rename, stat, unlink, writeFile, chmod } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Command } from 'commander';

import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import { SourceText } from '../../diagnostics/source.js';
import { InputError } from '../../errors.js';
import { ExitCode } from '../exit.js';
import { printDiagnostics } from '../report.js';
import { packageVersion } from '../version.js';

interface FmtOptions {
  check?: boolean;
  write?: boolean;
}

const STDIN = '-';

export function registerFmt(program: Command): void {
  program
    .command('fmt')
    .description('format DSL policies (.policy) in the canonical layout, keeping every comment')
    .argument('[files...]', `.policy files, or "${STDIN}" for standard input; default: every .policy file under the current folder`)
    .option('--check', 'write nothing; fail and show a diff when a file is not formatted')
    .option('--write', 'rewrite the files that are not formatted')
    .action(async (files: string[], options: FmtOptions) => {
      process.exitCode = await fmt(files, options);
    });
}

async function fmt(files: string[], options: FmtOptions): Promise<ExitCode> {
  if (options.check && options.write) throw new InputError('--check and --write do not go together: --check writes nothing');
  const paths = files.length > 0 ? files : await discoverDslPolicies(process.cwd());
  if (paths.length === 0) throw new InputError('no .policy files found here; name them: policyc fmt FILE…');
  for (const path of paths) {
    if (path !== STDIN && !path.endsWith('.policy')) {
      throw new InputError(`${path}: policyc fmt formats DSL policies (.policy files); YAML and JSON have their own formatters`);
    }
  }
  if (options.write && paths.includes(STDIN)) throw new InputError(`--write cannot rewrite standard input; leave out --write to print the result`);
  if (!options.check && !options.write && paths.length > 1) {
    throw new InputError('without --check or --write, policyc fmt prints one file; name one, or add --check or --write');
  }

  const { formatDsl } = await import('../../fmt/format.js');
  const { shortDiff } = await import('../../fmt/diff.js');
  let failed = false;
  const unformatted: string[] = [];
  for (const path of paths) {
    const source = await readPolicy(path);
    if (source.diagnostics.length > 0 || source.text === undefined) {
      await report(source.diagnostics, source.text);
      failed = true;
      continue;
    }
    const result = formatDsl(source.text);
    if (result.text === undefined) {
      await report(result.diagnostics, source.text);
      process.stderr.write(`policyc: ${path} has errors; not formatted\n`);
      failed = true;
      continue;
    }
    const changed = result.text !== source.text.text;
    if (!options.check && !options.write) {
      process.stdout.write(result.text);
    } else if (changed) {
      unformatted.push(path);
      if (options.write) {
        await writeAtomically(path, result.text);
        process.stdout.write(`${path}\n`);
      } else {
        const diff = shortDiff(path, source.text.text, result.text);
        process.stdout.write(diff === '' ? `${path}: line endings, blank space at line ends or the final newline differ\n` : diff);
      }
    }
  }
  if (options.check && unformatted.length > 0) {
    const count = unformatted.length === 1 ? '1 file is' : `${unformatted.length} files are`;
    process.stderr.write(`policyc: ${count} not formatted; run: policyc fmt --write ${unformatted.join(' ')}\n`);
    failed = true;
  }
  return failed ? ExitCode.policyFailure : ExitCode.ok;
}

async function report(diagnostics: readonly Diagnostic[], source: SourceText | undefined): Promise<void> {
  const sources = new Map<string, SourceText>(source ? [[source.file, source]] : []);
  await printDiagnostics('pretty', diagnostics, sources, process.stderr, packageVersion());
}

// --- reading and writing ---------------------------------------------------------------------

async function readPolicy(path: string): Promise<{ text?: SourceText; diagnostics: Diagnostic[] }> {
  const { readSource } = await import('../../pipeline.js');
  if (path !== STDIN) {
    const read = await readSource(path);
    return read.source ? { text: read.source, diagnostics: read.diagnostics } : { diagnostics: read.diagnostics };
  }
  const { MAX_SOURCE_BYTES } = await import('../../pipeline.js');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_SOURCE_BYTES) throw new InputError(`standard input is larger than ${MAX_SOURCE_BYTES / 1024 / 1024} MiB; policyc reads policy files of at most that size`);
    chunks.push(chunk);
  }
  const bytes = Buffer.concat(chunks);
  let text: string | undefined;
  try {
    text = bytes.includes(0) ? undefined : new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    text = undefined;
  }
  if (text === undefined) throw new InputError('standard input is not UTF-8 text; a policy is a text file');
  return { text: new SourceText('<stdin>', text), diagnostics: [] };
}

/**
 * Readers never see half a file: write beside it, then rename over it. A symbolic link is
 * followed (the file it points to is rewritten, the link stays), and the file keeps its mode.
 */
async function writeAtomically(path: string, text: string): Promise<void> {
  let target = path;
  try {
    if ((await lstat(path)).isSymbolicLink()) target = await realpath(path);
    const { mode } = await stat(target);
    const temporary = `${target}.${process.pid}.fmt.tmp`;
    try {
      await writeFile(temporary, text, { mode });
      await chmod(temporary, mode);
      await rename(temporary, target);
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
  } catch (error) {
    throw new InputError(`cannot write ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

const SKIPPED_FOLDERS = new Set(['node_modules', 'dist', 'coverage']);

/** Every `*.policy` below `root`, as lint finds them (hidden folders and dependencies skipped). */
async function discoverDslPolicies(root: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory() && !SKIPPED_FOLDERS.has(entry.name)) await walk(path);
      else if (entry.isFile() && entry.name.endsWith('.policy')) found.push(relative(root, path));
    }
  };
  await walk(root);
  return found.sort();
}
