// `policyc lint [FILES…]`: diagnostics for CI and for people.

import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Command } from 'commander';

import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import type { SourceText } from '../../diagnostics/source.js';
import { InputError } from '../../errors.js';
import { ExitCode } from '../exit.js';
import { parseFormat, printDiagnostics } from '../report.js';
import { commandSettings } from '../settings.js';
import { packageVersion } from '../version.js';
import { parseCount } from './options.js';

interface LintOptions {
  format: string;
  maxWarnings?: string;
  catalog?: string;
  config?: string;
  strict?: boolean;
}

export function registerLint(program: Command): void {
  program
    .command('lint')
    .description('check policies against the catalogue of their server and report what is dangerous or wrong')
    .argument('[files...]', 'policy files (.policy, .yaml, .json); default: every policy under the current folder')
    .option('-f, --format <format>', 'pretty, json, sarif or github', 'pretty')
    .option('--max-warnings <n>', 'fail when there are more than N warnings')
    .option('--catalog <file>', 'check against this catalogue instead of the one the policy names')
    .option('--strict', 'warnings fail like errors')
    .option('--config <file>', 'the policyc configuration (default: the nearest policyc.config.yaml)')
    .action(async (files: string[], options: LintOptions) => {
      process.exitCode = await lint(files, options);
    });
}

async function lint(files: string[], options: LintOptions): Promise<ExitCode> {
  const format = parseFormat(options.format);
  const settings = await commandSettings(options);
  const maxWarnings = options.maxWarnings === undefined ? settings.maxWarnings : parseCount(options.maxWarnings, '--max-warnings');
  const paths = files.length > 0 ? files : await discoverPolicies(process.cwd());
  if (paths.length === 0) throw new InputError('no policy files found here; name them: policyc lint FILE…');

  const { compileFile } = await import('../../pipeline.js');
  const diagnostics: Diagnostic[] = [];
  const sources = new Map<string, SourceText>();
  for (const path of paths) {
    const result = await compileFile(path, settings.compile);
    diagnostics.push(...result.diagnostics);
    for (const [file, source] of result.sources) sources.set(file, source);
  }
  await printDiagnostics(format, diagnostics, sources, process.stdout, packageVersion());

  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
  if (errors > 0) return ExitCode.policyFailure;
  if (maxWarnings !== undefined && warnings > maxWarnings) {
    const limit = options.maxWarnings === undefined ? `maxWarnings ${maxWarnings} (${settings.config?.file ?? 'configuration'})` : `--max-warnings ${maxWarnings}`;
    process.stderr.write(`policyc: ${warnings} warnings, more than ${limit}\n`);
    return ExitCode.policyFailure;
  }
  return ExitCode.ok;
}

const POLICY_FILE = /\.policy$|\.policy\.ya?ml$/;
const SKIPPED_FOLDERS = new Set(['node_modules', 'dist', 'coverage']);

/** Every `*.policy` and `*.policy.yaml` below `root`, skipping dependencies and hidden folders. */
async function discoverPolicies(root: string): Promise<string[]> {
  const found: string[] = [];
  async function walk(folder: string): Promise<void> {
    const entries = await readdir(folder, { withFileTypes: true });
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_FOLDERS.has(entry.name)) await walk(path);
      } else if (entry.isFile() && POLICY_FILE.test(entry.name)) {
        found.push(relative(root, path));
      }
    }
  }
  await walk(root);
  return found.sort();
}
