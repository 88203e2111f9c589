// The `policyc` program: commander set-up and the mapping from outcomes to exit codes (SPEC §5).
// Each command lives in its own module under commands/ and loads the heavy parts of the pipeline
// only when it runs, so `policyc --version` stays fast.

import { Command, CommanderError } from 'commander';

import { InputError, PolicyFailure } from '../errors.js';
import { ExitCode } from './exit.js';
import { registerCommands } from './commands/index.js';
import { packageVersion } from './version.js';

export function createProgram(): Command {
  const program = new Command('policyc')
    .description('Compile, lint and enforce policies for the tools an AI agent may call through MCP.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .option('--debug', 'print stack traces of internal errors')
    .showHelpAfterError('(run with --help for usage)');
  registerCommands(program);
  // Errors of every (sub)command reach main() instead of exiting with commander's own codes.
  const overrideExit = (command: Command): void => {
    command.exitOverride();
    command.commands.forEach(overrideExit);
  };
  overrideExit(program);
  return program;
}

export async function main(argv: readonly string[]): Promise<ExitCode> {
  const program = createProgram();
  try {
    await program.parseAsync(argv as string[]);
    return (process.exitCode as ExitCode | undefined) ?? ExitCode.ok;
  } catch (error) {
    return exitCodeFor(error, argv.includes('--debug'));
  }
}

function exitCodeFor(error: unknown, debug: boolean): ExitCode {
  if (error instanceof CommanderError) {
    // --help and --version arrive here too, with exit code 0.
    return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  if (error instanceof InputError) {
    process.stderr.write(`policyc: ${error.message}\n`);
    return ExitCode.usage;
  }
  if (error instanceof PolicyFailure) {
    if (error.message) process.stderr.write(`policyc: ${error.message}\n`);
    return ExitCode.policyFailure;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`policyc: internal error: ${message}\n`);
  if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  else process.stderr.write('policyc: this is a bug in policyc; run again with --debug for details and report it.\n');
  return ExitCode.internal;
}
