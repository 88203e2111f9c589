#!/usr/bin/env node
// What the gateway costs a tool call: the same `tools/call` (get_stock_quote) made directly to
// the Futu fixture over stdio, and through `policyc serve` (example policy, audit log on) in front
// of another instance of the same fixture. The two are alternated call by call (ABBA order), so
// a noisy machine slows both alike; the result is reported as ratios against the direct baseline
// measured in the same run.
//
//   node bench/gateway-latency.mjs [--calls N] [--warmup N] [--json]
//
// The example policy's `limit all 120 per 1m` would deny most of 2,000 calls a minute, so the
// benchmark runs a copy of it with that limit raised: the limiter still does its bookkeeping on
// every call, but every call is allowed and forwarded, as in steady use.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FUTU = join(ROOT, 'fixtures', 'futu', 'server.mjs');
const POLICY = join(ROOT, 'fixtures', 'policies', 'trading.policy');
// The built CLI; this entry also adds the gateway commands if the command index does not yet.
const CLI = join(ROOT, 'dist', 'cli', 'main.js');

const CALL = { method: 'tools/call', params: { name: 'get_stock_quote', arguments: { symbols: ['HK.00700'] } } };

function percentile(sorted, p) {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

function summarise(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = samples.reduce((sum, x) => sum + x, 0) / samples.length;
  return { n: samples.length, median: percentile(sorted, 50), p99: percentile(sorted, 99), mean, min: sorted[0], max: sorted.at(-1) };
}

async function connect(command, args, env) {
  const client = new Client({ name: 'policyc-bench', version: '1.0.0' });
  await client.connect(new StdioClientTransport({ command, args, env: { ...process.env, ...env }, stderr: 'ignore', cwd: ROOT }));
  return client;
}

async function timeCall(client) {
  const start = process.hrtime.bigint();
  const result = await client.request(CALL, CallToolResultSchema);
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.isError) throw new Error(`the call failed: ${JSON.stringify(result.content)}`);
  return elapsed;
}

export async function measureGatewayLatency({ calls = 2000, warmup = 200 } = {}) {
  const folder = await mkdtemp(join(tmpdir(), 'policyc-bench-'));
  const policy = join(folder, 'trading.policy');
  const audit = join(folder, 'audit.jsonl');
  const source = await readFile(POLICY, 'utf8');
  const raised = source.replace(/limit all 120 per 1m/, 'limit all 1000000 per 1m');
  if (raised === source) throw new Error(`${POLICY} no longer has \`limit all 120 per 1m\`; update the benchmark`);
  await writeFile(policy, raised);

  const direct = await connect(process.execPath, [FUTU]);
  const gateway = await connect(process.execPath, [CLI, 'serve', '--policy', policy, '--audit', audit, '--no-watch', '--', process.execPath, FUTU]);
  try {
    for (let i = 0; i < warmup; i++) {
      await timeCall(direct);
      await timeCall(gateway);
    }
    const directSamples = [];
    const gatewaySamples = [];
    for (let i = 0; i < calls; i++) {
      // A B B A A B B A …: neither side always goes first.
      if (i % 2 === 0) {
        directSamples.push(await timeCall(direct));
        gatewaySamples.push(await timeCall(gateway));
      } else {
        gatewaySamples.push(await timeCall(gateway));
        directSamples.push(await timeCall(direct));
      }
    }
    const records = (await readFile(audit, 'utf8')).split('\n').filter((line) => line !== '');
    if (records.length !== calls + warmup) throw new Error(`expected ${calls + warmup} audit records, found ${records.length}`);
    const d = summarise(directSamples);
    const g = summarise(gatewaySamples);
    return {
      benchmark: 'gateway-latency',
      tool: CALL.params.name,
      calls,
      warmup,
      node: process.version,
      direct: d,
      gateway: g,
      ratio: { median: g.median / d.median, p99: g.p99 / d.p99 },
      added_ms: { median: g.median - d.median, p99: g.p99 - d.p99 },
      audit_records: records.length,
    };
  } finally {
    await Promise.allSettled([direct.close(), gateway.close()]);
    await rm(folder, { recursive: true, force: true });
  }
}

function format(result) {
  const ms = (x) => `${x.toFixed(3)} ms`;
  const row = (name, s) => `  ${name.padEnd(16)} median ${ms(s.median).padStart(10)}   p99 ${ms(s.p99).padStart(10)}   mean ${ms(s.mean).padStart(10)}`;
  return [
    `gateway latency: ${result.calls} sequential tools/call (${result.tool}) each way over stdio, alternated; ${result.warmup} warm-up calls each; Node ${result.node}`,
    row('direct', result.direct),
    row('through policyc', result.gateway),
    `  ratio            median ×${result.ratio.median.toFixed(2)}   p99 ×${result.ratio.p99.toFixed(2)}`,
    `  added            median ${ms(result.added_ms.median)}   p99 ${ms(result.added_ms.p99)}`,
    `  audit records    ${result.audit_records} (one per call, written before forwarding)`,
  ].join('\n');
}

function option(name, fallback) {
  const index = process.argv.indexOf(name);
  if (index === -1) return fallback;
  const value = Number(process.argv[index + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} needs a whole number`);
  return value;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const result = await measureGatewayLatency({ calls: option('--calls', 2000), warmup: option('--warmup', 200) });
  process.stdout.write(`${process.argv.includes('--json') ? JSON.stringify(result) : format(result)}\n`);
}
