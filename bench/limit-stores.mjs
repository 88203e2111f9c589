#!/usr/bin/env node
// What each rate-limit store costs a call: `tryAdmit` on the memory store (the baseline, in the
// same run), the SQLite store (`--state FILE`) and the Redis store (`--redis URL`, a redis-server
// started here on loopback, without persistence), with ratios to memory.
//
//   - latency: sequential calls, one awaited at a time, stores alternated in rounds; median, p99;
//     for an admitted call (a rule limit by identity and a `limit all`, both with room) and for a
//     refused one (a full counter);
//   - throughput: admitted calls with 64 in flight at once, calls per second.
//
//   node bench/limit-stores.mjs [--calls N] [--rounds N] [--dir FOLDER] [--quick] [--json]
//
// The stores are compiled by esbuild from src/ as the CLI bundle compiles them, into the
// checkout's tmp/ (so that node finds better-sqlite3 and ioredis). The SQLite file goes to a
// temporary folder under --dir (default: the system's): put it on the disk the state file will use.

import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { build } from 'esbuild';

import { percentile } from './stats.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MINUTE = 60_000;

async function loadStores() {
  const out = join(ROOT, 'tmp', `bench-limit-stores-${process.pid}.mjs`);
  await mkdir(dirname(out), { recursive: true });
  await build({
    absWorkingDir: ROOT,
    stdin: {
      contents: [
        "export { MemoryLimitStore } from './src/gateway/state/memory.ts';",
        "export { SqliteLimitStore } from './src/gateway/state/sqlite.ts';",
        "export { RedisLimitStore } from './src/gateway/state/redis.ts';",
      ].join('\n'),
      resolveDir: ROOT,
      loader: 'ts',
    },
    outfile: out,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    external: ['better-sqlite3', 'ioredis'],
    logLevel: 'warning',
  });
  try {
    return await import(pathToFileURL(out).href);
  } finally {
    await rm(out, { force: true });
  }
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** A redis-server for the run, or undefined (with the reason) when it is not installed. */
async function startRedis(dir) {
  if (spawnSync('redis-server', ['--version']).error) return { missing: 'redis-server is not installed (apt-get install redis-server)' };
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise((ready, fail) => {
    let output = '';
    const timer = setTimeout(() => fail(new Error(`redis-server did not start:\n${output}`)), 10_000);
    child.stdout.on('data', (chunk) => {
      output += chunk;
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        ready();
      }
    });
    child.once('exit', (code) => fail(new Error(`redis-server exited with ${code}:\n${output}`)));
  });
  const version = spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).stdout.match(/v=(\S+)/)?.[1] ?? '?';
  return { url: `redis://127.0.0.1:${port}/0`, version, stop: () => child.kill('SIGKILL') };
}

const IDENTITIES = Array.from({ length: 100 }, (_, i) => ({ identity: `agent-${i}`, session: `session-${i}` }));
/** An admitted call: a rule limit by identity and a `limit all`, both far from full. */
const ROOMY = [
  { id: 'r3', key: 'bench-rule', max: 1_000_000, per: '1m', window_ms: MINUTE, by: 'identity' },
  { id: 'a1', key: 'bench-all', max: 1_000_000, per: '1m', window_ms: MINUTE, by: 'global' },
];
/** A refused call: a counter that is full. */
const FULL = [{ id: 'r9', key: 'bench-full', max: 10, per: '1m', window_ms: MINUTE, by: 'global' }];

function summarise(samples) {
  return { n: samples.length, median: percentile(samples, 0.5), p99: percentile(samples, 0.99) };
}

async function sequential(store, claims, calls, offset) {
  const samples = [];
  for (let i = 0; i < calls; i++) {
    const start = process.hrtime.bigint();
    await store.tryAdmit(claims, IDENTITIES[(offset + i) % IDENTITIES.length]);
    samples.push(Number(process.hrtime.bigint() - start) / 1e3);
  }
  return samples;
}

async function throughput(store, calls, inFlight) {
  let next = 0;
  const start = process.hrtime.bigint();
  const worker = async () => {
    while (next < calls) {
      const i = next++;
      await store.tryAdmit(ROOMY, IDENTITIES[i % IDENTITIES.length]);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return calls / (Number(process.hrtime.bigint() - start) / 1e9);
}

export async function measureLimitStores({ calls = 5000, rounds = 10, dir = tmpdir(), inFlight = 64 } = {}) {
  const { MemoryLimitStore, SqliteLimitStore, RedisLimitStore } = await loadStores();
  const work = await mkdtemp(join(dir, 'policyc-bench-stores-'));
  const redis = await startRedis(work);
  const stores = [
    ['memory', new MemoryLimitStore()],
    ['sqlite', SqliteLimitStore.open(join(work, 'state.db'))],
  ];
  if (redis.url) stores.push(['redis', await RedisLimitStore.open(redis.url)]);
  try {
    for (const [, store] of stores) {
      for (let i = 0; i < 10; i++) await store.tryAdmit(FULL, IDENTITIES[0]);
      await sequential(store, ROOMY, 500, 0); // warm-up
    }
    const admitted = Object.fromEntries(stores.map(([name]) => [name, []]));
    const refused = Object.fromEntries(stores.map(([name]) => [name, []]));
    const perRound = Math.max(1, Math.floor(calls / rounds));
    for (let round = 0; round < rounds; round++) {
      // Alternated, and the order reversed every other round, so drift on a shared machine
      // spreads over every store alike.
      const order = round % 2 === 0 ? stores : [...stores].reverse();
      for (const [name, store] of order) {
        admitted[name].push(...(await sequential(store, ROOMY, perRound, round * perRound)));
        refused[name].push(...(await sequential(store, FULL, perRound, round * perRound)));
      }
    }
    const rate = {};
    for (const [name, store] of stores) rate[name] = await throughput(store, calls, inFlight);

    const result = { calls: perRound * rounds, rounds, in_flight: inFlight, redis: redis.version ?? redis.missing, stores: {} };
    const base = { admitted: summarise(admitted.memory), refused: summarise(refused.memory), rate: rate.memory };
    for (const [name] of stores) {
      const a = summarise(admitted[name]);
      const r = summarise(refused[name]);
      result.stores[name] = {
        admitted_us: a,
        refused_us: r,
        calls_per_s: Math.round(rate[name]),
        ratio: { admitted_median: a.median / base.admitted.median, admitted_p99: a.p99 / base.admitted.p99, refused_median: r.median / base.refused.median, throughput: base.rate / rate[name] },
      };
    }
    return result;
  } finally {
    for (const [, store] of stores) await store.close();
    redis.stop?.();
    await rm(work, { recursive: true, force: true });
  }
}

export function formatLimitStores(result) {
  const us = (x) => `${x.toFixed(1)} µs`;
  const lines = [`Rate-limit stores, tryAdmit (${result.calls} calls each, ${result.rounds} alternated rounds; redis-server ${result.redis})`];
  lines.push('  store    admitted median      p99   (× memory)   refused median   (× memory)   throughput, 64 in flight');
  for (const [name, s] of Object.entries(result.stores)) {
    lines.push(
      `  ${name.padEnd(7)}  ${us(s.admitted_us.median).padStart(14)}  ${us(s.admitted_us.p99).padStart(9)}   ×${s.ratio.admitted_median.toFixed(1).padEnd(9)}  ${us(s.refused_us.median).padStart(14)}   ×${s.ratio.refused_median.toFixed(1).padEnd(9)}  ${String(s.calls_per_s).padStart(9)} calls/s`,
    );
  }
  if (!result.stores.redis) lines.push(`  redis: not measured — ${result.redis}`);
  return lines.join('\n');
}

function option(name, fallback) {
  const index = process.argv.indexOf(name);
  if (index === -1) return fallback;
  const value = process.argv[index + 1];
  if (name === '--dir') return value;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} needs a whole number`);
  return n;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const quick = process.argv.includes('--quick');
  const result = await measureLimitStores({ calls: option('--calls', quick ? 1000 : 20_000), rounds: option('--rounds', quick ? 4 : 20), dir: option('--dir', tmpdir()) });
  process.stdout.write(`${process.argv.includes('--json') ? JSON.stringify(result) : formatLimitStores(result)}\n`);
}
