#!/usr/bin/env node
// The built CLI (dist/cli/main.js) for the gateway tests. Until the lead's command index wires in
// `serve`, `audit` and `token`, this adds them to the same program and runs it with the same
// exit-code mapping; once they are wired in, it simply runs the real main().
import { createProgram, main } from '../../../dist/cli/program.js';

const program = createProgram();
const names = new Set(program.commands.map((command) => command.name()));
if (names.has('serve') && names.has('audit') && names.has('token')) {
  process.exitCode = await main(process.argv);
} else {
  const { registerServe } = await import('../../../dist/cli/commands/serve.js');
  const { registerAudit } = await import('../../../dist/cli/commands/audit.js');
  const { registerToken } = await import('../../../dist/cli/commands/token.js');
  const { InputError, PolicyFailure } = await import('../../../dist/errors.js');
  const { CommanderError } = await import('commander');
  if (!names.has('serve')) registerServe(program);
  if (!names.has('audit')) registerAudit(program);
  if (!names.has('token')) registerToken(program);
  const exitOverride = (command) => {
    command.exitOverride();
    command.commands.forEach(exitOverride);
  };
  exitOverride(program);
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) process.exitCode = error.exitCode === 0 ? 0 : 2;
    else if (error instanceof InputError) {
      process.stderr.write(`policyc: ${error.message}\n`);
      process.exitCode = 2;
    } else if (error instanceof PolicyFailure) {
      if (error.message) process.stderr.write(`policyc: ${error.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`policyc: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 3;
    }
  }
}
