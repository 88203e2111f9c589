// `policyc build FILE [-o OUT]`: lint, then write the canonical policy.json (and its source map).

import { readFile, rename, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';

import { hasErrors } from '../../diagnostics/diagnostic.js';
import { InputError } from '../../errors.js';
import { ExitCode } from '../exit.js';
import { printDiagnostics } from '../report.js';
import { commandSettings } from '../settings.js';
import { packageVersion } from '../version.js';

interface BuildOptions {
  output: string;
  check?: boolean;
  catalog?: string;
  sourceMap: boolean;
  config?: string;
  strict?: boolean;
}

export function registerBuild(program: Command): void {
  program
    .command('build')
    .description('lint a policy, then compile it to the canonical policy.json')
    .argument('<file>', 'the policy (.policy, .yaml or .json)')
    .option('-o, --output <file>', 'where to write the compiled policy ("-" for standard output)', 'policy.json')
    .option('--check', 'write nothing; fail when the output file is missing or stale')
    .option('--catalog <file>', 'compile against this catalogue instead of the one the policy names')
    .option('--no-source-map', 'do not write OUTPUT.map (the pointers from rule ids back to source lines)')
    .option('--strict', 'warnings fail like errors: nothing is written')
    .option('--config <file>', 'the policyc configuration (default: the nearest policyc.config.yaml)')
    .action(async (file: string, options: BuildOptions) => {
      process.exitCode = await build(file, options);
    });
}

async function build(file: string, options: BuildOptions): Promise<ExitCode> {
  const settings = await commandSettings(options);
  const { compileFile } = await import('../../pipeline.js');
  const { formatPolicyJson, formatSourceMap } = await import('../../compile/canonical-json.js');
  const result = await compileFile(file, settings.compile);
  await printDiagnostics('pretty', result.diagnostics, result.sources, process.stderr, packageVersion());
  if (hasErrors(result.diagnostics) || !result.policy) {
    process.stderr.write(`policyc: ${file} has errors; nothing written\n`);
    return ExitCode.policyFailure;
  }

  const json = formatPolicyJson(result.policy);
  const map = options.sourceMap && result.sourceMap ? formatSourceMap(result.sourceMap) : undefined;
  if (options.output === '-') {
    if (options.check) throw new InputError('--check needs an output file, not "-"');
    process.stdout.write(json);
    return ExitCode.ok;
  }
  if (options.check) return checkUpToDate(file, options.output, json);

  await writeAtomically(options.output, json);
  if (map !== undefined) await writeAtomically(`${options.output}.map`, map);
  return ExitCode.ok;
}

async function checkUpToDate(file: string, output: string, expected: string): Promise<ExitCode> {
  const current = await readFile(output, 'utf8').catch(() => undefined);
  if (current === expected) return ExitCode.ok;
  const why = current === undefined ? 'does not exist' : 'is stale';
  process.stderr.write(`policyc: ${output} ${why}; run: policyc build ${file} -o ${output}\n`);
  return ExitCode.policyFailure;
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
