// Rate limits end to end: real `policyc serve --listen` processes in front of the Futu fixture,
// bursts of simultaneous HTTP calls, and every state store. What the upstream received (its call
// log) is the proof: exactly as many calls as the limit allows, however the burst is spread over
// clients and gateways; none while the state store is away.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { addToken } from '../../src/gateway/http/tokens.js';
import { auditRecords, callTool, cleanup, eventually, fixtureCalls, FUTU, httpClient, httpGateway, runCli, tempDir, textOf, type HttpGatewayProcess } from './helpers/harness.js';
import { startRedis, type RedisServer } from './helpers/redis-server.js';

const POLICY = `version 1
server "futu-stock-mcp-server"
default deny

allow get_stock_quote
  limit 10 per 1m

allow get_market_snapshot
  limit 1000 per 1m

allow get_current_time
`;

interface Setup {
  folder: string;
  policy: string;
  tokens: string;
  token: string;
  calls: string;
}

async function setup(): Promise<Setup> {
  const folder = await tempDir();
  const policy = join(folder, 'limits.policy');
  await writeFile(policy, POLICY);
  const tokens = join(folder, 'tokens.yaml');
  const token = await addToken(tokens, 'trader');
  return { folder, policy, tokens, token, calls: join(folder, 'calls.jsonl') };
}

async function gatewayWith(s: Setup, name: string, storeArgs: string[]): Promise<HttpGatewayProcess> {
  return httpGateway(['--policy', s.policy, '--tokens', s.tokens, '--audit', join(s.folder, `${name}.audit.jsonl`), ...storeArgs, '--', process.execPath, FUTU], {
    FUTU_FIXTURE_LOG: s.calls,
  });
}

const QUOTE = { symbols: ['HK.00700'] };

/** `count` calls sent at once, spread over the clients in turn. */
async function burst(clients: Client[], count: number, tool = 'get_stock_quote'): Promise<CallToolResult[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => callTool(clients[i % clients.length] as Client, tool, QUOTE)));
}

function admitted(results: CallToolResult[]): number {
  return results.filter((result) => result.isError !== true).length;
}

async function upstreamCalls(s: Setup, tool: string): Promise<number> {
  return (await fixtureCalls(s.calls)).filter((call) => call.tool === tool).length;
}

describe('limits through one gateway, counters in memory', () => {
  afterAll(cleanup);

  it('lets exactly 10 of 200 simultaneous HTTP calls reach the upstream under `limit 10 per 1m`', async () => {
    const s = await setup();
    const gateway = await gatewayWith(s, 'memory', []);
    const clients = await Promise.all([1, 2, 3, 4].map(() => httpClient(gateway.url, s.token)));
    const results = await burst(clients, 200);
    expect(admitted(results)).toBe(10);
    for (const refused of results.filter((result) => result.isError === true)) {
      const retry = /^Denied by policyc: the limit of 10 calls per 1m \(rule r1 at .*limits\.policy:5\) is reached for this caller; retry after (\d+) s\.$/.exec(textOf(refused));
      expect(retry, textOf(refused)).not.toBeNull();
      // The first admission was at most the burst's length ago (a loaded machine: seconds).
      expect(Number(retry?.[1])).toBeGreaterThan(30);
      expect(Number(retry?.[1])).toBeLessThanOrEqual(60);
    }
    expect(await upstreamCalls(s, 'get_stock_quote')).toBe(10);
    await gateway.stop();
    const records = await auditRecords(join(s.folder, 'memory.audit.jsonl'));
    expect(records.filter((r) => r.decision === 'allow')).toHaveLength(10);
    expect(records.filter((r) => r.decision === 'deny' && r.basis === 'limit' && r.rule === 'r1')).toHaveLength(190);
  }, 60_000);
});

describe('limits shared by two gateways through one SQLite file (--state)', () => {
  afterAll(cleanup);

  it('lets exactly 10 of 2 × 100 simultaneous calls through, and keeps the count across a restart', async () => {
    const s = await setup();
    const state = join(s.folder, 'limits.db');
    const one = await gatewayWith(s, 'one', ['--state', state]);
    const two = await gatewayWith(s, 'two', ['--state', state]);
    expect(one.stderr()).toContain(`rate-limit counters in sqlite ${state}`);
    const clientsOne = await Promise.all([1, 2].map(() => httpClient(one.url, s.token)));
    const clientsTwo = await Promise.all([1, 2].map(() => httpClient(two.url, s.token)));
    const [fromOne, fromTwo] = await Promise.all([burst(clientsOne, 100), burst(clientsTwo, 100)]);
    expect(admitted(fromOne) + admitted(fromTwo)).toBe(10);
    expect(await upstreamCalls(s, 'get_stock_quote')).toBe(10);

    // Both gateways restart: the minute is not over, so the quota is still spent.
    await Promise.all([one.stop(), two.stop()]);
    const again = await gatewayWith(s, 'again', ['--state', state]);
    const client = await httpClient(again.url, s.token);
    const after = await callTool(client, 'get_stock_quote', QUOTE);
    expect(after.isError).toBe(true);
    expect(textOf(after)).toContain('the limit of 10 calls per 1m');
    expect(await upstreamCalls(s, 'get_stock_quote')).toBe(10);
    await again.stop();
  }, 60_000);
});

describe('limits shared by two gateway replicas through Redis (--redis)', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  }, 30_000);
  afterAll(async () => {
    await cleanup();
    await redis?.stop();
  });

  it('lets exactly 10 of 2 × 100 simultaneous calls through; denies while Redis is gone; admits again once it is back', async () => {
    const s = await setup();
    const one = await gatewayWith(s, 'one', ['--redis', redis.url]);
    const two = await gatewayWith(s, 'two', ['--redis', redis.url]);
    const clientsOne = await Promise.all([1, 2].map(() => httpClient(one.url, s.token)));
    const clientsTwo = await Promise.all([1, 2].map(() => httpClient(two.url, s.token)));

    const [fromOne, fromTwo] = await Promise.all([burst(clientsOne, 100), burst(clientsTwo, 100)]);
    expect(admitted(fromOne) + admitted(fromTwo)).toBe(10);
    expect(await upstreamCalls(s, 'get_stock_quote')).toBe(10);
    const allowed = [...(await auditRecords(join(s.folder, 'one.audit.jsonl'))), ...(await auditRecords(join(s.folder, 'two.audit.jsonl')))].filter((r) => r.decision === 'allow');
    expect(allowed).toHaveLength(10);

    // Redis is killed: limited calls are denied on both replicas, and none reaches the upstream.
    await redis.kill();
    const during = await Promise.all([burst(clientsOne, 10, 'get_market_snapshot'), burst(clientsTwo, 10, 'get_market_snapshot')]);
    for (const result of during.flat()) {
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(
        new RegExp(`^Denied by policyc: the gateway cannot count this call against its rate limits \\(rate-limit store unavailable: redis 127\\.0\\.0\\.1:${redis.port}/0: not connected.*\\), and it forwards no limited call uncounted\\. Try again later\\.$`),
      );
    }
    expect(await upstreamCalls(s, 'get_market_snapshot')).toBe(0);
    // A call under no limit needs no counter, and goes on.
    expect((await callTool(clientsOne[0] as Client, 'get_current_time')).isError).not.toBe(true);
    const denied = (await auditRecords(join(s.folder, 'one.audit.jsonl'))).filter((r) => r.tool === 'get_market_snapshot');
    expect(denied).toHaveLength(10);
    for (const record of denied) {
      expect(record).toMatchObject({ decision: 'deny', basis: 'limit', rule: null });
      expect(record.reason).toMatch(/^rate-limit store unavailable: redis 127\.0\.0\.1:\d+\/0: not connected/);
    }
    await eventually(() => one.stderr().includes(`lost the connection to redis 127.0.0.1:${redis.port}/0`), 5_000, 'the lost-connection log line');

    // Redis is back: both replicas admit again by themselves.
    await redis.restart();
    for (const [gateway, client] of [
      [one, clientsOne[0]],
      [two, clientsTwo[0]],
    ] as const) {
      await eventually(async () => (await callTool(client as Client, 'get_market_snapshot', QUOTE)).isError !== true, 15_000, 'an admission after Redis came back');
      expect(gateway.stderr()).toContain(`reconnected to redis 127.0.0.1:${redis.port}/0`);
    }
    expect(await upstreamCalls(s, 'get_market_snapshot')).toBe(2);
    await Promise.all([one.stop(), two.stop()]);
  }, 90_000);
});

describe('policyc serve: state-store options', () => {
  afterAll(cleanup);

  it('refuses --state with --redis, a URL that is not redis://, an unreachable Redis and a file that is not a state file', async () => {
    const s = await setup();
    const base = ['serve', '--policy', s.policy, '--audit', join(s.folder, 'audit.jsonl')];
    const both = await runCli([...base, '--state', join(s.folder, 'x.db'), '--redis', 'redis://127.0.0.1:1', '--', process.execPath, FUTU]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('give --state FILE (counters on this machine) or --redis URL (counters shared by replicas), not both');

    const http = await runCli([...base, '--redis', 'http://127.0.0.1:6379', '--', process.execPath, FUTU]);
    expect(http.code).toBe(2);
    expect(http.stderr).toContain('--redis must be a redis:// or rediss:// URL');

    const unreachable = await runCli([...base, '--redis', 'redis://127.0.0.1:1/0', '--', process.execPath, FUTU]);
    expect(unreachable.code).toBe(2);
    expect(unreachable.stderr).toMatch(/cannot use redis 127\.0\.0\.1:1\/0 for rate limits: .*ECONNREFUSED/);

    const notState = join(s.folder, 'notes.txt');
    await writeFile(notState, 'some notes that are not a database, long enough for SQLite to read a header\n'.repeat(3));
    const foreign = await runCli([...base, '--state', notState, '--', process.execPath, FUTU]);
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toContain(`cannot use ${notState} as the rate-limit state file: file is not a database`);
  }, 60_000);
});
