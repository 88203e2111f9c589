#!/usr/bin/env node
// What a gateway costs one `tools/call` (get_stock_quote), measured side by side in one run:
//
//   over stdio   direct to the Futu fixture
//                through a plain stdio proxy that enforces nothing (bench/stdio-proxy.mjs)
//                through `policyc serve` (example policy, audit log on)
//   over HTTP    through supergateway (stateful Streamable HTTP in front of the stdio fixture): a
//                plain proxy, the usual way to put a stdio server on HTTP
//                through `policyc serve --listen` in front of the stdio fixture (bearer token)
//   HTTP → HTTP  direct to an HTTP upstream that answers at once (bench/fixture-upstream.mjs)
//                through `policyc serve --listen … --upstream URL` in front of it
//
// Every route is a real MCP client (the SDK's) with its own upstream process. Calls go round
// robin over the routes, one at a time, the starting route rotating each round, so a noisy
// machine slows every route alike. "Added" is a route's median minus its direct baseline's
// median, both from this run (for the HTTP routes in front of the stdio fixture, the baseline is
// the direct stdio call: what the client would pay without putting the server on HTTP).
//
//   node bench/gateway-latency.mjs [--calls N] [--warmup N] [--first N] [--stdio-only] [--json]
//
// Two phases of one run are reported. The steady state: `--calls` calls per route after
// `--warmup` (3,000) calls per route, by when V8 has compiled every process's hot path (with 200,
// its compiler threads were still taking 60–80 µs of CPU per call from the two cores, and every
// route's figures were about twice as high). And a new gateway: the first `--first` (200) calls
// per route, the same calls while that compilation is under way.
//
// The example policy's `limit all 120 per 1m` would deny most calls, so the routes use a copy with
// that limit raised: the limiter still does its bookkeeping on every call.

import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';

import {
  benchPolicy,
  CLI,
  cpuMs,
  createToken,
  FIXTURE_UPSTREAM,
  freePort,
  FUTU,
  LOOPBACK_ONLY,
  removeFolder,
  ROOT,
  start,
  STDIO_PROXY,
  stopAll,
  SUPERGATEWAY,
  tempFolder,
} from './processes.mjs';
import { percentile, wholeNumberOption } from './stats.js';

const CALL = { method: 'tools/call', params: { name: 'get_stock_quote', arguments: { symbols: ['HK.00700'] } } };

async function stdioClient(command, args) {
  const client = new Client({ name: 'policyc-bench', version: '1.0.0' });
  const transport = new StdioClientTransport({ command, args, env: { ...process.env }, stderr: 'ignore', cwd: ROOT });
  await client.connect(transport);
  client.pid = transport.pid;
  return client;
}

async function httpClient(url, token) {
  const client = new Client({ name: 'policyc-bench', version: '1.0.0' });
  const requestInit = token === undefined ? {} : { headers: { Authorization: `Bearer ${token}` } };
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit }));
  return client;
}

async function timeCall(client) {
  const start = process.hrtime.bigint();
  const result = await client.request(CALL, CallToolResultSchema);
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.isError) throw new Error(`the call failed: ${JSON.stringify(result.content)}`);
  return elapsed;
}

function summarise(samples) {
  return { n: samples.length, median: percentile(samples, 0.5), p99: percentile(samples, 0.99), mean: samples.reduce((a, b) => a + b, 0) / samples.length };
}

/** Each route: a name, the baseline it is compared with, and how to connect. */
async function openRoutes(folder, { http }) {
  const policy = await benchPolicy(folder);
  const serveArgs = (audit) => [CLI, 'serve', '--policy', policy, '--audit', join(folder, audit), '--no-watch'];
  const routes = [
    { name: 'stdio: direct', baseline: null, client: await stdioClient(process.execPath, [FUTU]) },
    { name: 'stdio: plain proxy', baseline: 'stdio: direct', client: await stdioClient(process.execPath, [STDIO_PROXY, '--', process.execPath, FUTU]) },
    { name: 'stdio: policyc serve', baseline: 'stdio: direct', audit: join(folder, 'stdio.jsonl'), client: await stdioClient(process.execPath, [...serveArgs('stdio.jsonl'), '--', process.execPath, FUTU]) },
  ];
  // The process in the middle, whose CPU time per call is reported: the proxy, not the server.
  routes[1].pid = routes[1].client.pid;
  routes[2].pid = routes[2].client.pid;
  if (!http) return routes;

  const tokens = join(folder, 'tokens.yaml');
  const token = createToken(tokens, 'anonymous');

  const port = await freePort();
  const supergateway = start(process.execPath, ['--import', LOOPBACK_ONLY, SUPERGATEWAY, '--stdio', `${process.execPath} ${FUTU}`, '--outputTransport', 'streamableHttp', '--stateful', '--port', String(port), '--logLevel', 'info'], {
    ready: /Listening on port/,
  });
  await supergateway.ready;
  routes.push({ name: 'http: supergateway', baseline: 'stdio: direct', pid: supergateway.child.pid, client: await httpClient(`http://127.0.0.1:${port}/mcp`) });

  const policycHttp = start(process.execPath, [...serveArgs('http.jsonl'), '--listen', '127.0.0.1:0', '--tokens', tokens, '--', process.execPath, FUTU], { ready: /listening on (\S+);/ });
  const [, url] = await policycHttp.ready;
  routes.push({ name: 'http: policyc serve', baseline: 'stdio: direct', pid: policycHttp.child.pid, audit: join(folder, 'http.jsonl'), client: await httpClient(url, token) });

  const upstream = start(process.execPath, [FIXTURE_UPSTREAM], { ready: /"port":(\d+)/ });
  const [, upstreamPort] = await upstream.ready;
  const upstreamUrl = `http://127.0.0.1:${upstreamPort}/mcp`;
  routes.push({ name: 'http→http: direct', baseline: null, client: await httpClient(upstreamUrl) });
  const policycProxy = start(process.execPath, [...serveArgs('http-http.jsonl'), '--listen', '127.0.0.1:0', '--tokens', tokens, '--upstream', upstreamUrl], { ready: /listening on (\S+);/ });
  const [, proxyUrl] = await policycProxy.ready;
  routes.push({ name: 'http→http: policyc serve', baseline: 'http→http: direct', pid: policycProxy.child.pid, audit: join(folder, 'http-http.jsonl'), client: await httpClient(proxyUrl, token) });
  return routes;
}

export async function measureGatewayLatency({ calls = 2000, warmup = 3000, first = 200, http = true } = {}) {
  first = Math.min(first, warmup);
  const folder = await tempFolder('policyc-bench-latency-');
  let routes = [];
  try {
    routes = await openRoutes(folder, { http });
    const samples = new Map(routes.map((route) => [route.name, []]));
    const firstSamples = new Map(routes.map((route) => [route.name, []]));
    const cpuBefore = new Map();
    for (let i = 0; i < warmup + calls; i++) {
      if (i === warmup) for (const route of routes) if (route.pid) cpuBefore.set(route.name, await cpuMs(route.pid));
      for (let k = 0; k < routes.length; k++) {
        const route = routes[(i + k) % routes.length];
        const ms = await timeCall(route.client);
        if (i >= warmup) samples.get(route.name).push(ms);
        else if (i < first) firstSamples.get(route.name).push(ms);
      }
    }
    const results = [];
    for (const route of routes) {
      const result = { name: route.name, baseline: route.baseline, ...summarise(samples.get(route.name)) };
      // CPU time the proxy spent per call: independent of how busy the machine is.
      if (route.pid) result.proxyCpuMsPerCall = ((await cpuMs(route.pid)) - cpuBefore.get(route.name)) / calls;
      if (first > 0) result.first = summarise(firstSamples.get(route.name));
      results.push(result);
    }
    for (const result of results) {
      const base = results.find((other) => other.name === result.baseline);
      if (!base) continue;
      result.added = { median: result.median - base.median, p99: result.p99 - base.p99 };
      if (result.first) result.first.added = { median: result.first.median - base.first.median, p99: result.first.p99 - base.first.p99 };
    }
    // The audit log must hold one record per call: the gateway did its whole job on each.
    for (const route of routes.filter((r) => r.audit)) {
      const records = (await readFile(route.audit, 'utf8')).split('\n').filter((line) => line !== '').length;
      if (records !== calls + warmup) throw new Error(`${route.name}: expected ${calls + warmup} audit records, found ${records}`);
    }
    return { benchmark: 'gateway-latency', tool: CALL.params.name, calls, warmup, first, node: process.version, routes: results };
  } finally {
    await Promise.allSettled(routes.map((route) => route.client.close()));
    await stopAll();
    await removeFolder(folder);
  }
}

export function formatLatency(result) {
  const ms = (x) => `${x.toFixed(3)} ms`.padStart(10);
  const added = (r) => (r.added ? `   added ${ms(r.added.median)} (p99 ${ms(r.added.p99).trim()})` : '   (baseline)');
  const cpu = (r) => (r.proxyCpuMsPerCall === undefined ? '' : `   proxy CPU ${r.proxyCpuMsPerCall.toFixed(3)} ms/call`);
  const lines = [
    `Gateway: ${result.calls} tools/call (${result.tool}) per route, one at a time, round robin, after ${result.warmup} warm-up calls each`,
    ...result.routes.map((r) => `  ${r.name.padEnd(26)} median ${ms(r.median)}   p99 ${ms(r.p99)}${added(r)}${cpu(r)}`),
  ];
  if (result.first > 0) {
    lines.push(`A new gateway: the first ${result.first} calls per route, while V8 is still compiling`);
    lines.push(...result.routes.map((r) => `  ${r.name.padEnd(26)} median ${ms(r.first.median)}   p99 ${ms(r.first.p99)}${added(r.first)}`));
  }
  return lines.join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const result = await measureGatewayLatency({
    calls: wholeNumberOption('--calls', 2000),
    warmup: wholeNumberOption('--warmup', 3000),
    first: wholeNumberOption('--first', 200),
    http: !process.argv.includes('--stdio-only'),
  });
  process.stdout.write(`${process.argv.includes('--json') ? JSON.stringify(result) : formatLatency(result)}\n`);
}
