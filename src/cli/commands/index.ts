// Every command of the CLI, in the order `policyc --help` lists them.

import type { Command } from 'commander';

import { registerAudit } from './audit.js';
import { registerBuild } from './build.js';
import { registerCatalog } from './catalog.js';
import { registerDiff } from './diff.js';
import { registerExplain } from './explain.js';
import { registerFmt } from './fmt.js';
import { registerInit } from './init.js';
import { registerLint } from './lint.js';
import { registerServe } from './serve.js';
import { registerTest } from './test.js';
import { registerToken } from './token.js';

export function registerCommands(program: Command): void {
  registerLint(program);
  registerBuild(program);
  registerExplain(program);
  registerTest(program);
  registerDiff(program);
  registerFmt(program);
  registerCatalog(program);
  registerInit(program);
  registerServe(program);
  registerAudit(program);
  registerToken(program);
}
