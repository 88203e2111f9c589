// Whole-process timings of the compiler: start-up (`policyc --version`), `lint` and `build` of the
// example policy in both spellings, and of generated policies of 100, 1,000 and 10,000 rules over
// a catalogue of 5,000 tools. Every figure is also given as a ratio to the baseline measured in
// the same run (`node -e 0`: starting Node itself), because these machines are shared and noisy;
// for the generated policies, the time per rule above a policy of no rules over the same
// catalogue shows whether growth is linear.
//
//   node bench/compiler.js [--quick] [--json]

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { syntheticCatalog, syntheticPolicy } from './policies.js';
import { median, percentile, table } from './stats.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'dist/cli/main.js');

function timeProcess(args, runs) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0 && result.status !== 1) {
      throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
    }
    times.push(elapsed);
  }
  return times;
}

export function runCompilerBench({ quick = false, print = true } = {}) {
  const work = mkdtempSync(join(tmpdir(), 'policyc-bench-'));
  try {
    const catalog = syntheticCatalog(5000);
    const catalogPath = join(work, 'synthetic.catalog.json');
    writeFileSync(catalogPath, JSON.stringify(catalog));
    const runs = quick ? 3 : 10;

    const results = [];
    const record = (name, times, extra = {}) => {
      const entry = { name, median: median(times), p99: percentile(times, 0.99), runs: times.length, ...extra };
      results.push(entry);
      return entry;
    };
    const baseline = record('node -e 0 (baseline)', timeProcess(['-e', '0'], runs));
    record('policyc --version (start-up)', timeProcess([cli, '--version'], runs));

    const example = 'fixtures/policies/trading.policy';
    record('lint example policy (DSL)', timeProcess([cli, 'lint', example], runs));
    record('lint example policy (YAML)', timeProcess([cli, 'lint', `${example}.yaml`], runs));
    record('build example policy', timeProcess([cli, 'build', example, '-o', join(work, 'example.json')], runs));

    // 0 rules: start-up plus reading the 5,000-tool catalogue, the fixed cost the rules add to.
    const fixed = {};
    for (const count of [0, 100, 1000, 10000]) {
      const policyPath = join(work, `rules-${count}.policy`);
      writeFileSync(policyPath, syntheticPolicy(catalog, count));
      const n = count >= 10000 ? Math.max(2, Math.floor(runs / 3)) : runs;
      const perRule = (kind, times) => (count === 0 ? {} : { perRuleMs: (median(times) - fixed[kind]) / count, rules: count });
      const lint = timeProcess([cli, 'lint', policyPath, '--catalog', catalogPath, '--max-warnings', '1000000', '--format', 'json'], n);
      record(`lint ${count.toLocaleString('en')} rules / 5,000 tools`, lint, perRule('lint', lint));
      const build = timeProcess([cli, 'build', policyPath, '--catalog', catalogPath, '-o', join(work, `rules-${count}.json`)], n);
      record(`build ${count.toLocaleString('en')} rules / 5,000 tools`, build, perRule('build', build));
      if (count === 0) Object.assign(fixed, { lint: median(lint), build: median(build) });
    }
    if (print) console.log(formatCompiler({ results, baseline: baseline.median }));
    return { benchmark: 'compiler', baseline: baseline.median, results };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export function formatCompiler({ results, baseline }) {
  const rows = results.map((r) => [
    r.name,
    r.median.toFixed(0),
    r.p99.toFixed(0),
    (r.median / baseline).toFixed(2),
    r.perRuleMs === undefined ? '' : r.perRuleMs.toFixed(3),
  ]);
  return `\nCompiler, whole processes (ms; lint output as JSON, to a pipe)\n${table(['what', 'median', 'p99', '× node -e 0', 'ms per rule above 0 rules'], rows)}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = runCompilerBench({ quick: process.argv.includes('--quick'), print: !process.argv.includes('--json') });
  if (process.argv.includes('--json')) console.log(JSON.stringify(result));
}
