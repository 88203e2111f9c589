// `policyc token create --identity NAME --tokens FILE`: a new bearer token for the HTTP gateway.
// The token is printed once, on stdout; the tokens file keeps only its sha256.

import type { Command } from 'commander';

import { ExitCode } from '../exit.js';

interface CreateOptions {
  identity: string;
  tokens: string;
}

export function registerToken(program: Command): void {
  const token = program.command('token').description('manage the bearer tokens of the HTTP gateway');
  token
    .command('create')
    .description('create a token for an identity: print it once, store its hash in the tokens file')
    .requiredOption('-i, --identity <name>', 'the identity the token stands for (an identity block of the policy)')
    .requiredOption('--tokens <file>', 'the tokens file (YAML or .json), created if missing')
    .action(async (options: CreateOptions) => {
      const { addToken } = await import('../../gateway/http/tokens.js');
      const secret = await addToken(options.tokens, options.identity);
      process.stdout.write(`${secret}\n`);
      process.stderr.write(
        `policyc: token for "${options.identity}" added to ${options.tokens} (only its sha256 is stored); keep it now, it cannot be shown again\n`,
      );
      process.exitCode = ExitCode.ok;
    });
}

/** The name the lead's command index expects. */
export const register = registerToken;
