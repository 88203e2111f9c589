#!/usr/bin/env node
// What `--audit-sync` costs: two gateways in front of their own Futu fixture, the same policy and
// the same calls, one writing its audit log as usual (each record handed to the operating system
// before the call goes on: it survives the gateway being killed) and one with --audit-sync (each
// record also flushed to the disk with fdatasync: it survives a power cut). Measured in the same
// run, alternated, and reported as ratios against the no-sync baseline:
//
//   - latency: sequential calls, one at a time (ABBA order), median and p99;
//   - throughput: many calls in flight at once on one connection (pipelined), calls per second;
//   - for context, what one small append + fdatasync costs on the disk of the audit folder.
//
//   node bench/audit-durability.mjs [--calls N] [--warmup N] [--burst N] [--in-flight N] [--dir FOLDER] [--json]
//
// The audit logs go to a temporary folder under --dir (default: the system's temporary folder).
// On a tmpfs, fdatasync costs nothing and the two configurations measure the same: point --dir at
// the disk the real audit log will live on.

import { execFileSync } from 'node:child_process';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';

import { percentile } from './stats.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FUTU = join(ROOT, 'fixtures', 'futu', 'server.mjs');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');

// Every call allowed and forwarded, no limit in the way: the audit write is what differs.
const POLICY = `version 1
server "futu-stock-mcp-server"
default deny
allow get_current_time
`;
const CALL = { method: 'tools/call', params: { name: 'get_current_time', arguments: {} } };

function summarise(samples) {
  const mean = samples.reduce((sum, x) => sum + x, 0) / samples.length;
  return { n: samples.length, median: percentile(samples, 0.5), p99: percentile(samples, 0.99), mean };
}

async function gateway(folder, name, extra) {
  const audit = join(folder, `${name}.jsonl`);
  const client = new Client({ name: 'policyc-bench', version: '1.0.0' });
  const args = [CLI, 'serve', '--policy', join(folder, 'bench.policy'), '--audit', audit, '--no-watch', ...extra, '--', process.execPath, FUTU];
  await client.connect(new StdioClientTransport({ command: process.execPath, args, env: { ...process.env }, stderr: 'ignore', cwd: ROOT }));
  return { name, client, audit };
}

async function call(client) {
  const result = await client.request(CALL, CallToolResultSchema);
  if (result.isError) throw new Error(`the call failed: ${JSON.stringify(result.content)}`);
}

async function timeCall(client) {
  const start = process.hrtime.bigint();
  await call(client);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** `total` calls with `inFlight` of them outstanding at any time; calls per second. */
async function burst(client, total, inFlight) {
  let started = 0;
  const start = process.hrtime.bigint();
  const worker = async () => {
    while (started < total) {
      started++;
      await call(client);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return total / (Number(process.hrtime.bigint() - start) / 1e9);
}

/** What the disk charges for one small append made durable, without any gateway around it. */
async function rawSyncCost(folder, count) {
  const handle = await open(join(folder, 'fsync-probe'), 'a');
  const line = Buffer.from(`${'x'.repeat(400)}\n`);
  const samples = [];
  try {
    for (let i = 0; i < count; i++) {
      const start = process.hrtime.bigint();
      await handle.write(line);
      await handle.datasync();
      samples.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  } finally {
    await handle.close();
  }
  return summarise(samples);
}

function filesystemOf(folder) {
  try {
    return execFileSync('df', ['--output=fstype', folder], { encoding: 'utf8' }).split('\n')[1]?.trim() || 'unknown';
  } catch {
    return 'unknown';
  }
}

export async function measureAuditDurability({ calls = 1000, warmup = 100, burstCalls = 2000, inFlight = 32, dir = tmpdir() } = {}) {
  const folder = await mkdtemp(join(dir, 'policyc-audit-bench-'));
  await writeFile(join(folder, 'bench.policy'), POLICY);
  const plain = await gateway(folder, 'no-sync', []);
  const synced = await gateway(folder, 'sync', ['--audit-sync']);
  try {
    for (let i = 0; i < warmup; i++) {
      await call(plain.client);
      await call(synced.client);
    }
    const latency = { plain: [], synced: [] };
    for (let i = 0; i < calls; i++) {
      // A B B A A B B A …: neither side always goes first.
      if (i % 2 === 0) {
        latency.plain.push(await timeCall(plain.client));
        latency.synced.push(await timeCall(synced.client));
      } else {
        latency.synced.push(await timeCall(synced.client));
        latency.plain.push(await timeCall(plain.client));
      }
    }
    // Throughput in alternating rounds (A B B A), the better of each side's two rounds.
    const rounds = { plain: [], synced: [] };
    const half = Math.max(1, Math.floor(burstCalls / 2));
    rounds.plain.push(await burst(plain.client, half, inFlight));
    rounds.synced.push(await burst(synced.client, half, inFlight));
    rounds.synced.push(await burst(synced.client, half, inFlight));
    rounds.plain.push(await burst(plain.client, half, inFlight));

    const expected = warmup + calls + 2 * half;
    for (const { audit, name } of [plain, synced]) {
      const records = (await readFile(audit, 'utf8')).split('\n').filter((line) => line !== '').length;
      if (records !== expected) throw new Error(`${name}: expected ${expected} audit records, found ${records}`);
    }
    const disk = await rawSyncCost(folder, 200);
    const a = summarise(latency.plain);
    const b = summarise(latency.synced);
    const throughput = { plain: Math.max(...rounds.plain), synced: Math.max(...rounds.synced) };
    return {
      benchmark: 'audit-durability',
      node: process.version,
      filesystem: filesystemOf(folder),
      calls,
      warmup,
      burst: { calls: 2 * half, in_flight: inFlight },
      latency: { no_sync: a, sync: b, ratio: { median: b.median / a.median, p99: b.p99 / a.p99 }, added_ms: { median: b.median - a.median, p99: b.p99 - a.p99 } },
      throughput: { no_sync: throughput.plain, sync: throughput.synced, ratio: throughput.synced / throughput.plain },
      fdatasync_ms: disk,
    };
  } finally {
    await Promise.allSettled([plain.client.close(), synced.client.close()]);
    await rm(folder, { recursive: true, force: true });
  }
}

export function formatAuditDurability(result) {
  const ms = (x) => `${x.toFixed(3)} ms`;
  const row = (name, s) => `  ${name.padEnd(22)} median ${ms(s.median).padStart(10)}   p99 ${ms(s.p99).padStart(10)}`;
  return [
    `audit durability: ${result.calls} sequential tools/call per side (alternated), then ${result.burst.calls} with ${result.burst.in_flight} in flight; audit folder on ${result.filesystem}; Node ${result.node}`,
    row('no sync (default)', result.latency.no_sync),
    row('--audit-sync', result.latency.sync),
    `  latency ratio          median ×${result.latency.ratio.median.toFixed(2)}   p99 ×${result.latency.ratio.p99.toFixed(2)}   (added: median ${ms(result.latency.added_ms.median)}, p99 ${ms(result.latency.added_ms.p99)})`,
    `  throughput             no sync ${result.throughput.no_sync.toFixed(0)} calls/s   --audit-sync ${result.throughput.sync.toFixed(0)} calls/s   ratio ×${result.throughput.ratio.toFixed(2)}`,
    `  this disk: append + fdatasync of one record: median ${ms(result.fdatasync_ms.median)}, p99 ${ms(result.fdatasync_ms.p99)}`,
  ].join('\n');
}

function option(name, fallback) {
  const index = process.argv.indexOf(name);
  return index === -1 ? fallback : process.argv[index + 1];
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const result = await measureAuditDurability({
    calls: Number(option('--calls', '1000')),
    warmup: Number(option('--warmup', '100')),
    burstCalls: Number(option('--burst', '2000')),
    inFlight: Number(option('--in-flight', '32')),
    dir: option('--dir', tmpdir()),
  });
  console.log(process.argv.includes('--json') ? JSON.stringify(result, null, 2) : formatAuditDurability(result));
}
