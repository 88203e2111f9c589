#!/usr/bin/env node
// Load: 50 MCP sessions over Streamable HTTP, each making tools/call after tools/call, for 30
// seconds, through one `policyc serve --listen` (example policy, audit log on) in front of an
// upstream that answers at once (bench/fixture-upstream.mjs, one process, one upstream session
// per gateway session). Reports calls per second, latency (median, p99), errors, and the
// gateway's resident memory at rest (sessions open, no calls) and under load (sampled every
// 200 ms). The same load straight at the upstream, in the same run, is the baseline.
//
//   node bench/load.mjs [--sessions N] [--seconds N] [--warmup N] [--json]
//
// Each way is measured after `--warmup` seconds (10) of the same load, unmeasured: V8 compiles
// the gateway's hot path over about that long at this rate (it needed 0.23–0.34 ms of CPU per
// call in the first 12 s, 0.16–0.21 ms after), and the steady state is what the figures are for.
//
// The load generator is one process, one keep-alive connection per session (bench/http1.mjs: no
// SDK, no general-purpose HTTP client), so that it takes as little of the machine from the gateway
// as it can; everything runs on this machine, on 127.0.0.1, bounded in count (--sessions) and time
// (--seconds).

import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';


import { HttpConnection } from './http1.mjs';
import { benchPolicy, CLI, cpuMs, createToken, FIXTURE_UPSTREAM, removeFolder, rssMiB, start, stopAll, tempFolder } from './processes.mjs';
import { percentile, wholeNumberOption } from './stats.js';

const PROTOCOL = '2025-06-18';
/** How long the open sessions sit idle before RSS at rest is read. */
const REST_MS = 2000;
const CALL_PARAMS = { name: 'get_stock_quote', arguments: { symbols: ['HK.00700'] } };

/** One POST on a session's connection; resolves with status, headers and the JSON-RPC answer (if any). */
async function post(connection, url, headers, body) {
  const response = await connection.request('POST', url.pathname, { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers }, JSON.stringify(body));
  const raw = response.body;
  let message;
  if (raw !== '') {
    if ((response.headers['content-type'] ?? '').startsWith('text/event-stream')) {
      // The answer is the `data:` of the event that carries our id.
      for (const line of raw.split('\n')) {
        if (!line.startsWith('data:')) continue;
        const candidate = JSON.parse(line.slice(5));
        if (candidate.id === body.id) message = candidate;
      }
    } else {
      message = JSON.parse(raw);
    }
  }
  return { status: response.status, headers: response.headers, message };
}

async function openSession(url, token) {
  const connection = await HttpConnection.open(url.hostname, Number(url.port));
  const auth = token === undefined ? {} : { authorization: `Bearer ${token}` };
  const init = await post(connection, url, auth, {
    jsonrpc: '2.0',
    id: 0,
    method: 'initialize',
    params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: 'policyc-load', version: '1.0.0' } },
  });
  const session = init.headers['mcp-session-id'];
  if (init.status !== 200 || !session) throw new Error(`initialize failed: ${init.status} ${JSON.stringify(init.message)}`);
  const headers = { ...auth, 'mcp-session-id': session, 'mcp-protocol-version': PROTOCOL };
  const initialized = await post(connection, url, headers, { jsonrpc: '2.0', method: 'notifications/initialized' });
  if (initialized.status !== 202 && initialized.status !== 200) throw new Error(`notifications/initialized: ${initialized.status}`);
  return { connection, headers };
}

/** `sessions` loops, each calling until `deadline`; every latency and every error counted. */
export async function drive(address, token, { sessions, seconds, onTick }) {
  const url = new URL(address);
  const opened = await Promise.all(Array.from({ length: sessions }, () => openSession(url, token)));
  await onTick?.('open');
  const latencies = [];
  const errors = new Map();
  const fail = (why) => errors.set(why, (errors.get(why) ?? 0) + 1);
  let id = 1;
  const startedAt = performance.now();
  const deadline = startedAt + seconds * 1000;
  await Promise.all(
    opened.map(async ({ connection, headers }) => {
      while (performance.now() < deadline) {
        const callId = id++;
        const t0 = performance.now();
        try {
          const answer = await post(connection, url, headers, { jsonrpc: '2.0', id: callId, method: 'tools/call', params: CALL_PARAMS });
          const elapsed = performance.now() - t0;
          if (answer.status !== 200) fail(`HTTP ${answer.status}`);
          else if (!answer.message) fail('no answer');
          else if (answer.message.error) fail(`JSON-RPC ${answer.message.error.code}: ${answer.message.error.message}`);
          else if (answer.message.result?.isError) fail(`tool error: ${answer.message.result.content?.[0]?.text ?? ''}`.slice(0, 200));
          else latencies.push(elapsed);
        } catch (error) {
          fail(`exception: ${error.message}`);
        }
      }
    }),
  );
  const elapsedS = (performance.now() - startedAt) / 1000;
  // Each session ends as a client ends it, so that a gateway driven again starts from none.
  await Promise.all(
    opened.map(async ({ connection, headers }) => {
      await connection.request('DELETE', url.pathname, headers).catch(() => undefined);
      connection.close();
    }),
  );
  const errorCount = [...errors.values()].reduce((a, b) => a + b, 0);
  return {
    calls: latencies.length + errorCount,
    callsPerSecond: latencies.length / elapsedS,
    median: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    errors: errorCount,
    errorKinds: Object.fromEntries(errors),
    seconds: elapsedS,
  };
}

/**
 * What every load run stands on, in `folder`: the example policy (limit raised), a token for
 * identity "anonymous", and the upstream that answers at once.
 */
export async function startLoadRig(folder) {
  const policy = await benchPolicy(folder);
  const tokens = join(folder, 'tokens.yaml');
  const token = createToken(tokens, 'anonymous');
  const upstream = start(process.execPath, [FIXTURE_UPSTREAM], { ready: /"port":(\d+)/ });
  const [, upstreamPort] = await upstream.ready;
  return { folder, policy, tokens, token, upstream: upstream.child, upstreamUrl: `http://127.0.0.1:${upstreamPort}/mcp` };
}

/** `policyc serve --listen … --upstream` in front of the rig's upstream, audit log on; resolves once it listens. */
export async function startHttpGateway(rig, { cli = CLI, audit, maxSessions, nodeFlags = [] }) {
  const args = [...nodeFlags, cli, 'serve', '--policy', rig.policy, '--audit', join(rig.folder, audit), '--no-watch', '--listen', '127.0.0.1:0', '--tokens', rig.tokens];
  const gateway = start(process.execPath, [...args, '--max-sessions', String(maxSessions), '--upstream', rig.upstreamUrl], { ready: /listening on (\S+);/ });
  const [, url] = await gateway.ready;
  return { url, pid: gateway.child.pid, child: gateway.child };
}

export async function measureLoad({ sessions = 50, seconds = 30, warmup = 10 } = {}) {
  const folder = await tempFolder('policyc-bench-load-');
  try {
    const rig = await startLoadRig(folder);
    const { token, upstreamUrl, upstream } = rig;
    const { url: gatewayUrl, pid } = await startHttpGateway(rig, { audit: 'audit.jsonl', maxSessions: sessions * 2 });
    const rssAtStart = await rssMiB(pid);

    // CPU time per call of each process (gateway, upstream, this load generator): unlike calls
    // per second, it does not depend on what else the machine is doing.
    const cpuOf = async () => ({ gateway: await cpuMs(pid), upstream: await cpuMs(upstream.pid), generator: process.cpuUsage() });
    const cpuPerCall = (before, after, calls) => ({
      gateway: (after.gateway - before.gateway) / calls,
      upstream: (after.upstream - before.upstream) / calls,
      generator: (after.generator.user - before.generator.user + after.generator.system - before.generator.system) / 1000 / calls,
    });

    // The baseline first: the same load straight at the upstream.
    if (warmup > 0) await drive(upstreamUrl, undefined, { sessions, seconds: warmup });
    const directBefore = await cpuOf();
    const direct = await drive(upstreamUrl, undefined, { sessions, seconds });
    direct.cpuMsPerCall = cpuPerCall(directBefore, await cpuOf(), direct.calls);

    let rssAtRest = NaN;
    let rssPeak = 0;
    const sampler = setInterval(() => {
      rssMiB(pid).then((mib) => {
        if (mib > rssPeak) rssPeak = mib;
      });
    }, 200);
    let through;
    try {
      // At rest: the first sessions open and idle, the garbage of opening them given time to go.
      const atRest = async () => {
        await new Promise((resolveRest) => setTimeout(resolveRest, REST_MS));
        rssAtRest = await rssMiB(pid);
      };
      if (warmup > 0) await drive(gatewayUrl, token, { sessions, seconds: warmup, onTick: atRest });
      const gatewayBefore = await cpuOf();
      through = await drive(gatewayUrl, token, { sessions, seconds, ...(warmup > 0 ? {} : { onTick: atRest }) });
      through.cpuMsPerCall = cpuPerCall(gatewayBefore, await cpuOf(), through.calls);
    } finally {
      clearInterval(sampler);
    }
    return {
      benchmark: 'load',
      sessions,
      seconds,
      warmup,
      node: process.version,
      direct,
      gateway: { ...through, rssMiB: { start: rssAtStart, rest: rssAtRest, peak: rssPeak } },
      ratio: { callsPerSecond: through.callsPerSecond / direct.callsPerSecond, median: through.median / direct.median, p99: through.p99 / direct.p99 },
    };
  } finally {
    await stopAll();
    await removeFolder(folder);
  }
}

export function formatLoad(r) {
  const ms = (x) => `${x.toFixed(2)} ms`;
  const row = (name, s) => `  ${name.padEnd(24)} ${s.callsPerSecond.toFixed(0).padStart(7)} calls/s   median ${ms(s.median).padStart(9)}   p99 ${ms(s.p99).padStart(9)}   errors ${s.errors}`;
  const g = r.gateway;
  return [
    `Load: ${r.sessions} MCP sessions over HTTP, calling for ${r.seconds} s each way after ${r.warmup} s of warm-up`,
    row('direct to the upstream', r.direct),
    row('through policyc serve', g),
    `  ratio                    ×${r.ratio.callsPerSecond.toFixed(2)} calls/s   median ×${r.ratio.median.toFixed(2)}   p99 ×${r.ratio.p99.toFixed(2)}`,
    `  CPU per call (ms)        direct: upstream ${r.direct.cpuMsPerCall.upstream.toFixed(3)}, load generator ${r.direct.cpuMsPerCall.generator.toFixed(3)};  through policyc: gateway ${g.cpuMsPerCall.gateway.toFixed(3)}, upstream ${g.cpuMsPerCall.upstream.toFixed(3)}, load generator ${g.cpuMsPerCall.generator.toFixed(3)}`,
    `  gateway RSS              ${g.rssMiB.start.toFixed(0)} MiB at start, ${g.rssMiB.rest.toFixed(0)} MiB with ${r.sessions} sessions open at rest, ${g.rssMiB.peak.toFixed(0)} MiB peak under load`,
    ...(g.errors + r.direct.errors > 0 ? [`  errors: ${JSON.stringify({ direct: r.direct.errorKinds, gateway: g.errorKinds })}`] : []),
  ].join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const result = await measureLoad({
    sessions: wholeNumberOption('--sessions', 50),
    seconds: Math.min(wholeNumberOption('--seconds', 30), 120),
    warmup: Math.min(wholeNumberOption('--warmup', 10), 120),
  });
  process.stdout.write(`${process.argv.includes('--json') ? JSON.stringify(result) : formatLoad(result)}\n`);
}
