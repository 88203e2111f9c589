// `policyc test POLICY CASES.yaml`: decision tests. Each case is a call (or a sequence of calls on
// a simulated clock, or a matrix of identities × tools) with the outcome the policy must give;
// the policy is compiled by the same pipeline as `build` and decided by the same enforcer as
// `serve`. Like `explain`, it evaluates any policy that compiles, lint errors or not.

import type { Command } from 'commander';

import { hasErrors } from '../../diagnostics/diagnostic.js';
import { InputError } from '../../errors.js';
import { ExitCode } from '../exit.js';
import { parseFormat, printDiagnostics } from '../report.js';
import { commandSettings } from '../settings.js';
import { useColor, writeText } from '../terminal.js';
import { packageVersion } from '../version.js';

interface TestOptions {
  format: string;
  failOnUncovered?: boolean;
  catalog?: string;
  config?: string;
}

export function registerTest(program: Command): void {
  program
    .command('test')
    .description('check the decisions of a policy against a YAML file of calls and expected outcomes')
    .argument('<policy>', 'the policy (.policy, .yaml or policy.json)')
    .argument('<cases>', 'the decision tests (YAML; schema: grammar/policy-tests.schema.json)')
    .option('-f, --format <format>', 'pretty or json', 'pretty')
    .option('--fail-on-uncovered', 'fail when a rule never matched a call, a limit was never reached or a hide never hid a call')
    .option('--catalog <file>', 'use this catalogue instead of the one the policy names')
    .option('--config <file>', 'the policyc configuration (default: the nearest policyc.config.yaml)')
    .action(async (policyPath: string, casesPath: string, options: TestOptions) => {
      process.exitCode = await runTests(policyPath, casesPath, options);
    });
}

async function runTests(policyPath: string, casesPath: string, options: TestOptions): Promise<ExitCode> {
  const format = parseFormat(options.format, ['pretty', 'json']);
  const settings = await commandSettings(options);
  const { compileFile, readSource } = await import('../../pipeline.js');
  const testing = await import('../../testing/index.js');

  const read = await readSource(casesPath);
  const sources = new Map(read.source ? [[casesPath, read.source]] : []);
  const parsed = read.source ? testing.readTestSuite(read.source) : { diagnostics: read.diagnostics };
  if (!parsed.suite) {
    await printDiagnostics('pretty', parsed.diagnostics, sources, process.stderr, packageVersion());
    throw new InputError(`${casesPath} is not a valid decision-tests file; nothing was run`);
  }

  const result = await compileFile(policyPath, settings.compile);
  if (result.diagnostics.length > 0) await printDiagnostics('pretty', result.diagnostics, result.sources, process.stderr, packageVersion());
  if (!result.policy) {
    process.stderr.write(`policyc: ${policyPath} does not compile; no test was run\n`);
    return ExitCode.policyFailure;
  }
  if (hasErrors(result.diagnostics)) process.stderr.write(`policyc: ${policyPath} has lint errors; testing what it would decide anyway\n`);

  const target = {
    path: policyPath,
    policy: result.policy,
    ...(result.sourceMap ? { sourceMap: result.sourceMap } : {}),
    ...(result.model ? { model: result.model } : {}),
  };
  const problems = testing.checkSuite(parsed.suite, target);
  if (problems.length > 0) {
    await printDiagnostics('pretty', problems, sources, process.stderr, packageVersion());
    throw new InputError(`${casesPath} names what ${policyPath} does not have; nothing was run`);
  }

  const outcome = testing.runSuite(parsed.suite, target);
  if (format === 'json') writeText(process.stdout, testing.renderJson(outcome, { policy: policyPath, tests: casesPath }));
  else writeText(process.stdout, testing.renderPretty(outcome, { color: useColor(process.stdout), testsFile: casesPath }));

  const { failed } = testing.tally(testing.resultLines(outcome));
  if (failed > 0) return ExitCode.policyFailure;
  const uncovered = testing.uncoveredCount(outcome.coverage);
  if (options.failOnUncovered && uncovered > 0) {
    process.stderr.write(`policyc: ${uncovered} ${uncovered === 1 ? 'statement' : 'statements'} of ${policyPath} not covered by any test (--fail-on-uncovered)\n`);
    return ExitCode.policyFailure;
  }
  return ExitCode.ok;
}
