// Whole-process timings of the compiler: `policyc --version` (start-up), `lint` and `build` on
// the example policy and on generated policies of 100, 1,000 and 10,000 rules over a catalogue of
// 5,000 tools. Every figure is also given as a ratio to the baseline measured in the same run
// (`node -e 0`: starting Node itself), because these machines are shared and noisy.

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
    const result = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
    const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0 && result.status !== 1) {
      throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
    }
    times.push(elapsed);
  }
  return times;
}

export function runCompilerBench({ quick = false } = {}) {
  const work = mkdtempSync(join(tmpdir(), 'policyc-bench-'));
  try {
    const catalog = syntheticCatalog(5000);
    const catalogPath = join(work, 'synthetic.catalog.json');
    writeFileSync(catalogPath, JSON.stringify(catalog));
    const runs = quick ? 3 : 10;

    const rows = [];
    const baseline = median(timeProcess(['-e', '0'], runs));
    const record = (name, times) => {
      const m = median(times);
      rows.push([name, m.toFixed(1), percentile(times, 0.99).toFixed(1), (m / baseline).toFixed(2)]);
    };
    rows.push(['node -e 0 (baseline)', baseline.toFixed(1), '', '1.00']);
    record('policyc --version', timeProcess([cli, '--version'], runs));

    const example = 'fixtures/policies/trading.policy';
    record('lint example policy', timeProcess([cli, 'lint', example], runs));
    record('build example policy', timeProcess([cli, 'build', example, '-o', join(work, 'example.json')], runs));

    for (const count of [100, 1000, 10000]) {
      const policyPath = join(work, `rules-${count}.policy`);
      writeFileSync(policyPath, syntheticPolicy(catalog, count));
      const n = count >= 10000 ? Math.max(3, Math.floor(runs / 2)) : runs;
      record(`lint ${count} rules / 5,000 tools`, timeProcess([cli, 'lint', policyPath, '--catalog', catalogPath, '--max-warnings', '1000000'], n));
      record(`build ${count} rules / 5,000 tools`, timeProcess([cli, 'build', policyPath, '--catalog', catalogPath, '-o', join(work, `rules-${count}.json`)], n));
    }
    console.log('\nCompiler, whole processes (ms)');
    console.log(table(['what', 'median', 'p99', '× baseline'], rows));
    return rows;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) runCompilerBench({ quick: process.argv.includes('--quick') });
