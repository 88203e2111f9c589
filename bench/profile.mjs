#!/usr/bin/env node
// Where the gateway spends its time: `policyc serve` run under V8's sampling profiler while it
// carries calls, then the profile summed up by function. This is how the costs named in
// bench/README.md were found (an Error built for every answer's 'close', the audit record's key
// sort, the SDK's HTTP transports).
//
//   node bench/profile.mjs stdio [--calls N]     N tools/call one at a time over stdio, in front
//                                                 of the Futu fixture (default 5,000)
//   node bench/profile.mjs http [--seconds N]    50 HTTP sessions through `serve --listen
//                                                 --upstream` in front of fixture-upstream.mjs
//
// Prints the gateway's CPU time per call (from /proc, without the profiler's own cost: a second,
// unprofiled run), the functions with the most samples of their own, and the functions of
// policyc's own code with the most samples in them and below them. The .cpuprofile is kept for
// Chrome DevTools (Performance → Load profile). Read syscalls with care: the sampler charges the
// time a thread spends in the kernel to the JS function that made the call (writeUtf8String,
// writev), and over-counts them; `perf` splits user and kernel time properly.

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';

import { drive, startHttpGateway, startLoadRig } from './load.mjs';
import { benchPolicy, CLI, cpuMs, FUTU, ROOT, stopAll, tempFolder } from './processes.mjs';
import { wholeNumberOption } from './stats.js';

const CALL = { method: 'tools/call', params: { name: 'get_stock_quote', arguments: { symbols: ['HK.00700'] } } };
const WARMUP = 500;

async function profileStdio(folder, calls, profileDir) {
  const policy = await benchPolicy(folder);
  const flags = profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-interval', '100'];
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [...flags, CLI, 'serve', '--policy', policy, '--audit', join(folder, `audit-${Date.now()}.jsonl`), '--no-watch', '--', process.execPath, FUTU],
    stderr: 'ignore',
    cwd: ROOT,
  });
  const client = new Client({ name: 'policyc-profile', version: '1.0.0' });
  await client.connect(transport);
  try {
    for (let i = 0; i < WARMUP; i++) await client.request(CALL, CallToolResultSchema);
    const before = await cpuMs(transport.pid);
    for (let i = 0; i < calls; i++) await client.request(CALL, CallToolResultSchema);
    return { calls, cpuMsPerCall: ((await cpuMs(transport.pid)) - before) / calls };
  } finally {
    // Closing stdin lets the gateway exit on its own, which is when V8 writes the profile.
    await client.close();
  }
}

async function profileHttp(folder, seconds, profileDir) {
  const rig = await startLoadRig(folder);
  const flags = profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-interval', '100'];
  const gateway = await startHttpGateway(rig, { audit: `audit-${Date.now()}.jsonl`, maxSessions: 100, nodeFlags: flags });
  try {
    const before = await cpuMs(gateway.pid);
    const result = await drive(gateway.url, rig.token, { sessions: 50, seconds });
    return { calls: result.calls, callsPerSecond: result.callsPerSecond, errors: result.errors, cpuMsPerCall: ((await cpuMs(gateway.pid)) - before) / result.calls };
  } finally {
    // SIGINT: the gateway shuts down cleanly, and V8 writes the profile on the way out.
    gateway.child.kill('SIGINT');
    await new Promise((resolveExit) => gateway.child.once('exit', resolveExit));
    await stopAll();
  }
}

/** Samples per function: of its own, and (for policyc's code) in it and in what it called. */
function summarise(profile) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map();
  const total = new Map();
  let busy = 0;
  const name = (node) => {
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url === '' ? '' : ` ${url.replace(/^.*\/dist\//, 'dist/').replace(/^file:\/\/.*\/node_modules\//, '')}:${lineNumber + 1}`;
    return `${functionName || '(anonymous)'}${where}`;
  };
  profile.samples.forEach((id, index) => {
    const leaf = nodes.get(id);
    const ms = (profile.timeDeltas[index] ?? 0) / 1000;
    if (leaf.callFrame.functionName === '(idle)') return;
    busy += ms;
    self.set(name(leaf), (self.get(name(leaf)) ?? 0) + ms);
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const node = nodes.get(at);
      const key = name(node);
      if (!node.callFrame.url.includes('/dist/') || seen.has(key)) continue;
      seen.add(key);
      total.set(key, (total.get(key) ?? 0) + ms);
    }
  });
  const top = (map, count) => [...map].sort((a, b) => b[1] - a[1]).slice(0, count);
  return { busy, self: top(self, 25), ours: top(total, 25) };
}

const mode = process.argv[2];
if (mode !== 'stdio' && mode !== 'http') {
  process.stderr.write('usage: node bench/profile.mjs stdio [--calls N] | http [--seconds N]\n');
  process.exit(2);
}
const folder = await tempFolder('policyc-profile-');
const profileDir = join(folder, 'profile');
const run = (dir) => (mode === 'stdio' ? profileStdio(folder, wholeNumberOption('--calls', 5000), dir) : profileHttp(folder, wholeNumberOption('--seconds', 10), dir));

const plain = await run(undefined);
const profiled = await run(profileDir);
const file = (await readdir(profileDir).catch(() => [])).find((entry) => entry.endsWith('.cpuprofile'));
if (file === undefined) throw new Error(`the gateway wrote no profile in ${profileDir}`);
const summary = summarise(JSON.parse(await readFile(join(profileDir, file), 'utf8')));

const share = (ms) => `${((100 * ms) / summary.busy).toFixed(1).padStart(5)}%`;
console.log(`policyc serve over ${mode}: ${plain.calls} calls${plain.callsPerSecond ? `, ${Math.round(plain.callsPerSecond)} calls/s, ${plain.errors} errors` : ''}`);
console.log(`gateway CPU per call: ${plain.cpuMsPerCall.toFixed(3)} ms without the profiler, ${profiled.cpuMsPerCall.toFixed(3)} ms with it`);
console.log(`\nbusiest functions, own samples (share of the ${Math.round(summary.busy)} ms the gateway was not idle):`);
for (const [key, ms] of summary.self) console.log(`  ${share(ms)}  ${key}`);
console.log('\npolicyc code, samples in it and below it:');
for (const [key, ms] of summary.ours) console.log(`  ${share(ms)}  ${key}`);
console.log(`\nprofile: ${join(profileDir, file)}`);
