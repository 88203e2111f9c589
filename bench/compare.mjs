#!/usr/bin/env node
// Two builds of policyc side by side under the load benchmark's traffic: which one costs less
// CPU per call, and how high each one's RSS goes during its bursts. On a shared machine two runs
// of bench/load.mjs an hour apart differ by up to ×2; here both gateways run at once, in front of
// one upstream, and take short bursts of the same load in turn (the order flipped every round), so
// whatever the host does falls on both alike.
//
//   node bench/compare.mjs OLD_CLI NEW_CLI [--rounds N] [--seconds N] [--sessions N]
//
// OLD_CLI and NEW_CLI are built entries (dist/cli/main.js); an older build comes from a worktree:
//   git worktree add /tmp/policyc-old REV && (cd /tmp/policyc-old && npm ci && npm run build)
//   node bench/compare.mjs /tmp/policyc-old/dist/cli/main.js dist/cli/main.js

import { access } from 'node:fs/promises';
import { resolve } from 'node:path';

import { drive, startHttpGateway, startLoadRig } from './load.mjs';
import { cpuMs, removeFolder, rssMiB, stopAll, tempFolder } from './processes.mjs';
import { wholeNumberOption } from './stats.js';

const clis = process.argv.slice(2, 4).filter((arg) => !arg.startsWith('--'));
if (clis.length !== 2) {
  process.stderr.write('usage: node bench/compare.mjs OLD_CLI NEW_CLI [--rounds N] [--seconds N] [--sessions N]\n');
  process.exit(2);
}
const rounds = wholeNumberOption('--rounds', 8);
const seconds = Math.min(wholeNumberOption('--seconds', 3), 60);
const sessions = wholeNumberOption('--sessions', 50);

const folder = await tempFolder('policyc-bench-compare-');
try {
  const rig = await startLoadRig(folder);
  const { token } = rig;

  // Every burst opens its own sessions and ends them with DELETE; builds older than 2026-11-28
  // kept counting those against --max-sessions until their sweep, hence the generous cap.
  const gateways = [];
  for (const [index, cli] of clis.entries()) {
    await access(resolve(cli)).catch(() => {
      throw new Error(`${cli} does not exist: build it first (npm run build)`);
    });
    const { url, pid } = await startHttpGateway(rig, { cli: resolve(cli), audit: `audit-${index}.jsonl`, maxSessions: 100_000 });
    gateways.push({ cli, url, pid, calls: 0, errors: 0, cpuMs: 0, seconds: 0, rssPeakMiB: 0 });
  }

  // A warm-up burst each, unmeasured: V8 compiles the hot path.
  for (const gateway of gateways) await drive(gateway.url, token, { sessions, seconds: 2 });
  for (let round = 0; round < rounds; round++) {
    for (const gateway of round % 2 === 0 ? gateways : [...gateways].reverse()) {
      const before = await cpuMs(gateway.pid);
      const sampler = setInterval(() => {
        rssMiB(gateway.pid).then((mib) => (gateway.rssPeakMiB = Math.max(gateway.rssPeakMiB, mib)));
      }, 100);
      const result = await drive(gateway.url, token, { sessions, seconds });
      clearInterval(sampler);
      gateway.cpuMs += (await cpuMs(gateway.pid)) - before;
      gateway.calls += result.calls;
      gateway.errors += result.errors;
      gateway.seconds += result.seconds;
    }
  }

  const [old, next] = gateways;
  const line = (name, g) => `  ${name} ${String(Math.round(g.calls / g.seconds)).padStart(6)} calls/s   gateway CPU ${(g.cpuMs / g.calls).toFixed(3)} ms/call   RSS peak ${Math.round(g.rssPeakMiB)} MiB   errors ${g.errors}   (${g.cli})`;
  process.stdout.write(
    [
      `Compare: ${rounds} rounds of ${seconds} s each way, ${sessions} HTTP sessions, alternated`,
      line('old', old),
      line('new', next),
      `  new / old: CPU per call ×${(next.cpuMs / next.calls / (old.cpuMs / old.calls)).toFixed(2)}, calls/s ×${(next.calls / next.seconds / (old.calls / old.seconds)).toFixed(2)}, RSS peak ×${(next.rssPeakMiB / old.rssPeakMiB).toFixed(2)}`,
      '',
    ].join('\n'),
  );
} finally {
  await stopAll();
  await removeFolder(folder);
}
