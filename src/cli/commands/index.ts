// Every command of the CLI, in the order `policyc --help` lists them.

import type { Command } from 'commander';

import { registerBuild } from './build.js';
import { registerExplain } from './explain.js';
import { registerLint } from './lint.js';

export function registerCommands(program: Command): void {
  registerLint(program);
  registerBuild(program);
  registerExplain(program);
}
