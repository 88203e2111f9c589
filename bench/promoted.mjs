#!/usr/bin/env node
// What the gateway's calls leave in the old generation, per call, and who allocated it. Under
// load, RSS is mostly old-generation garbage: objects that outlived young collections, and
// tables V8 reallocates there directly (a long-lived Map that empties and fills). V8's sampling
// heap profiler runs inside `policyc serve` (bench/heap-sampler.mjs) under the load benchmark's
// 50 HTTP sessions, keeping only what no young collection freed.
//
//   node bench/promoted.mjs [--cli dist/cli/main.js] [--seconds N] [--node-flags "--max-semi-space-size=32 …"]
//
// Every gateway runs with V8's own growth bound (--heap-growing-percent=300, which `serve` then
// leaves alone): a full collection also frees young objects, which the profiler would count, so
// builds that collect the old generation at different rates must not be compared otherwise.
//
// Prints bytes per call and the allocating functions (with their caller) by share. Found this
// way (bench/README.md): undici's request() per call (its body stream and abort listener) and
// three per-session Maps that emptied on every call.

import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import { drive, startHttpGateway, startLoadRig } from './load.mjs';
import { CLI, removeFolder, stopAll, tempFolder } from './processes.mjs';
import { wholeNumberOption } from './stats.js';

const WARMUP_MS = 8000;
const cliAt = process.argv.indexOf('--cli');
const cli = cliAt === -1 ? CLI : resolve(process.argv[cliAt + 1]);
const seconds = wholeNumberOption('--seconds', 10);
const flagsAt = process.argv.indexOf('--node-flags');
const nodeFlags = flagsAt === -1 ? [] : process.argv[flagsAt + 1].split(' ').filter(Boolean);

const folder = await tempFolder('policyc-promoted-');
const out = join(folder, 'sampled.json');
try {
  const rig = await startLoadRig(folder);
  process.env.POLICYC_SAMPLE_OUT = out;
  process.env.POLICYC_SAMPLE_AFTER_MS = String(WARMUP_MS);
  process.env.POLICYC_SAMPLE_FOR_MS = String(seconds * 1000);
  const sampler = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, 'heap-sampler.mjs');
  const gateway = await startHttpGateway(rig, { cli, audit: 'audit.jsonl', maxSessions: 100, nodeFlags: ['--heap-growing-percent=300', ...nodeFlags, '--import', sampler] });
  // Load from the start (the sampler waits out the warm-up), and past the sampled window.
  const run = await drive(gateway.url, rig.token, { sessions: 50, seconds: WARMUP_MS / 1000 + seconds + 2 });
  const calls = run.callsPerSecond * seconds;
  const profile = JSON.parse(await readFile(out, 'utf8'));
  const name = (frame) => `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*\/(dist|node_modules)\//, '$1/')}:${frame.lineNumber + 1}`;
  const bySite = new Map();
  let total = 0;
  const walk = (node, caller) => {
    if (node.selfSize > 0) {
      total += node.selfSize;
      const site = `${name(node.callFrame)}  ← ${caller}`;
      bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
    }
    for (const child of node.children) walk(child, name(node.callFrame));
  };
  walk(profile.head, '');
  console.log(`policyc serve (${cli}): ${Math.round(run.callsPerSecond)} calls/s, ${run.errors} errors`);
  console.log(`left to the old generation: ${Math.round(total / calls)} bytes per call (sampled over ${seconds} s)\n`);
  for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, 20)) {
    console.log(`  ${((100 * bytes) / total).toFixed(1).padStart(5)}%  ${site}`);
  }
} finally {
  await stopAll();
  await removeFolder(folder);
}
