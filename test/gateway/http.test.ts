// The gateway over Streamable HTTP: bearer tokens mapped to identities, two callers with different
// grants on one gateway, the checks every request passes before the MCP transport sees it, and an
// HTTP upstream (a second gateway) reached with --upstream.

import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';

import { CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { addToken } from '../../src/gateway/http/tokens.js';
import {
  callTool,
  cleanup,
  EVERYTHING,
  eventually,
  fixtureCalls,
  FUTU,
  GATEWAY_FIXTURES,
  httpClient,
  httpGateway,
  INSPECTOR,
  listAllTools,
  ROOT,
  runCli,
  runNode,
  stdioGateway,
  tempDir,
  textOf,
  TRADING,
  type HttpGatewayProcess,
} from './helpers/harness.js';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request with exactly the headers given (fetch would not let a test set Host). */
function raw(url: string, options: { method?: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<RawResponse> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: target.hostname, port: target.port, path: target.pathname, method: options.method ?? 'POST', headers: options.headers ?? {}, setHost: !options.headers?.host },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const INIT = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

describe('policyc serve --listen, in front of the Futu fixture', () => {
  let folder: string;
  let calls: string;
  let gateway: HttpGatewayProcess;
  let researchToken: string;
  let traderToken: string;

  beforeAll(async () => {
    folder = await tempDir();
    calls = join(folder, 'calls.jsonl');
    const tokens = join(folder, 'tokens.yaml');
    researchToken = await addToken(tokens, 'research-bot');
    traderToken = await addToken(tokens, 'trader');
    gateway = await httpGateway(['--policy', TRADING, '--tokens', tokens, '--audit', join(folder, 'audit.jsonl'), '--max-body', '65536', '--', process.execPath, FUTU], {
      FUTU_FIXTURE_LOG: calls,
      FUTU_ENABLE_TRADING: '1',
    });
  });
  afterAll(cleanup);

  it('gives two identities on one gateway their own grants and their own upstream', async () => {
    const research = await httpClient(gateway.url, researchToken);
    const trader = await httpClient(gateway.url, traderToken);

    const researchTools = await listAllTools(research);
    const traderTools = await listAllTools(trader);
    expect(researchTools).not.toContain('place_order');
    expect(traderTools).toContain('place_order');
    expect(traderTools).toHaveLength(43);
    expect(researchTools).toHaveLength(39);

    expect(textOf(await callTool(research, 'get_funds'))).toBe(`Denied by policyc: rule r6 at ${TRADING}:26 denies "get_funds": no account data for research`);
    const funds = await callTool(trader, 'get_funds');
    expect(funds.isError).toBeFalsy();
    expect(JSON.parse(textOf(funds))).toMatchObject({ currency: 'HKD' });
    const order = { code: 'US.AAPL', price: 190, qty: 5, trd_side: 'BUY', trd_env: 'SIMULATE' };
    expect(textOf(await callTool(research, 'place_order', order))).toBe(`Denied by policyc: "place_order" is not available to this caller (hidden by ${TRADING}:25).`);
    expect((await callTool(trader, 'place_order', order)).isError).toBeFalsy();

    expect((await fixtureCalls(calls)).map((call) => call.tool)).toEqual(['get_funds', 'place_order']);
    const starts = (await readFile(calls, 'utf8')).split('\n').filter((line) => line.includes('"event":"start"'));
    expect(starts).toHaveLength(2);
  });

  it('answers 401 with WWW-Authenticate to a missing or unknown token', async () => {
    const missing = await raw(gateway.url, { headers: MCP_HEADERS, body: INIT });
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer realm="policyc"');
    expect(JSON.parse(missing.body)).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32000, message: 'Unauthorized: a bearer token is required.' } });
    const unknown = await raw(gateway.url, { headers: { ...MCP_HEADERS, authorization: `Bearer ${researchToken}x` }, body: INIT });
    expect(unknown.status).toBe(401);
    expect(unknown.headers['www-authenticate']).toBe('Bearer realm="policyc", error="invalid_token"');
    await expect(httpClient(gateway.url, 'pcy_not-a-token')).rejects.toThrow();
    expect(gateway.stderr()).not.toContain(researchToken);
  });

  it('refuses a foreign Host or Origin (DNS rebinding), before looking at the token', async () => {
    const port = new URL(gateway.url).port;
    const host = await raw(gateway.url, { headers: { ...MCP_HEADERS, host: `attacker.example:${port}`, authorization: `Bearer ${researchToken}` }, body: INIT });
    expect(host.status).toBe(403);
    expect(JSON.parse(host.body).error.message).toBe('Forbidden: Host header not allowed.');
    const origin = await raw(gateway.url, { headers: { ...MCP_HEADERS, origin: 'http://attacker.example', authorization: `Bearer ${researchToken}` }, body: INIT });
    expect(origin.status).toBe(403);
    const local = await raw(gateway.url, { headers: { ...MCP_HEADERS, host: `localhost:${port}`, authorization: `Bearer ${researchToken}` }, body: INIT });
    expect(local.status).toBe(200);
  });

  it('refuses bodies over the cap, malformed JSON, batches, and requests outside a session', async () => {
    const auth = { ...MCP_HEADERS, authorization: `Bearer ${traderToken}` };
    const huge = await raw(gateway.url, { headers: auth, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(70_000) } }) });
    expect(huge.status).toBe(413);
    const garbage = await raw(gateway.url, { headers: auth, body: '{"jsonrpc": "2.0", "id": 1,' });
    expect(garbage.status).toBe(400);
    expect(JSON.parse(garbage.body).error.code).toBe(-32700);
    const batch = await raw(gateway.url, { headers: auth, body: `[${INIT}]` });
    expect(batch.status).toBe(400);
    expect(JSON.parse(batch.body).error).toEqual({ code: -32600, message: 'Invalid message: JSON-RPC batches are not supported; send one message at a time' });
    const outside = await raw(gateway.url, { headers: auth, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }) });
    expect(outside.status).toBe(400);
    const wrongPath = await raw(gateway.url.replace('/mcp', '/other'), { headers: auth, body: INIT });
    expect(wrongPath.status).toBe(404);
  });

  it('binds a session to the identity that opened it', async () => {
    const research = await httpClient(gateway.url, researchToken);
    const sessionId = (research.transport as { sessionId?: string } | undefined)?.sessionId;
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
    const list = JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'tools/list' });
    const stolen = await raw(gateway.url, {
      headers: { ...MCP_HEADERS, authorization: `Bearer ${traderToken}`, 'mcp-session-id': sessionId as string, 'mcp-protocol-version': '2025-06-18' },
      body: list,
    });
    expect(stolen.status).toBe(404);
    const own = await raw(gateway.url, {
      headers: { ...MCP_HEADERS, authorization: `Bearer ${researchToken}`, 'mcp-session-id': sessionId as string, 'mcp-protocol-version': '2025-06-18' },
      body: list,
    });
    expect(own.status).toBe(200);
  });

  it('works for mcp-inspector-cli over HTTP', async () => {
    const run = await runNode(
      [INSPECTOR, '--cli', gateway.url, '--transport', 'http', '--header', `Authorization: Bearer ${traderToken}`, '--method', 'tools/call', '--tool-name', 'cancel_order', '--tool-arg', 'order_id=7'],
      { cwd: join(ROOT, 'test') },
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ isError: true, content: [{ text: expect.stringContaining(`rule r4 at ${TRADING}:16`) }] });
  });
});

describe('policyc serve --listen: refusals at start', () => {
  afterAll(cleanup);

  it('will not listen beyond loopback without --allow-remote, nor without tokens', async () => {
    const folder = await tempDir();
    const tokens = join(folder, 'tokens.yaml');
    await addToken(tokens, 'bot');
    const remote = await runCli(['serve', '--policy', TRADING, '--listen', '0.0.0.0:0', '--tokens', tokens, '--', process.execPath, FUTU]);
    expect(remote.code).toBe(2);
    expect(remote.stderr).toContain('--listen 0.0.0.0:0 is not a loopback address');
    const noTokens = await runCli(['serve', '--policy', TRADING, '--listen', '127.0.0.1:0', '--', process.execPath, FUTU]);
    expect(noTokens.code).toBe(2);
    expect(noTokens.stderr).toContain('--listen needs --tokens FILE');
    const both = await runCli(['serve', '--policy', TRADING, '--upstream', 'http://127.0.0.1:1/mcp', '--', process.execPath, FUTU]);
    expect(both.code).toBe(2);
    const none = await runCli(['serve', '--policy', TRADING]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('name the upstream MCP server');
  });
});

describe('HTTP both ways', () => {
  afterAll(cleanup);

  it('relays a sampling request over the HTTP downstream while the call is open', async () => {
    const folder = await tempDir();
    const tokens = join(folder, 'tokens.yaml');
    const token = await addToken(tokens, 'bot');
    const gateway = await httpGateway(['--policy', join(GATEWAY_FIXTURES, 'everything.policy'), '--tokens', tokens, '--audit', join(folder, 'audit.jsonl'), '--', process.execPath, EVERYTHING, 'stdio']);
    const client = await httpClient(gateway.url, token, { sampling: {} });
    client.setRequestHandler(CreateMessageRequestSchema, async () => ({ role: 'assistant', model: 'm', content: { type: 'text', text: 'over HTTP' } }));
    await eventually(async () => (await client.listTools()).tools.some((tool) => tool.name === 'trigger-sampling-request'), 10_000, 'the sampling tool');
    const result = await callTool(client, 'trigger-sampling-request', { prompt: 'hi', maxTokens: 5 });
    expect(textOf(result)).toContain('over HTTP');
    expect(await gateway.stop()).toBe(0);
  });

  it('reaches an HTTP upstream with --upstream and --upstream-header (a second gateway in front of Futu)', async () => {
    const folder = await tempDir();
    const tokens = join(folder, 'tokens.yaml');
    const token = await addToken(tokens, 'trader');
    const calls = join(folder, 'calls.jsonl');
    const inner = await httpGateway(['--policy', TRADING, '--tokens', tokens, '--audit', join(folder, 'inner.jsonl'), '--', process.execPath, FUTU], { FUTU_FIXTURE_LOG: calls });
    const outer = await stdioGateway({
      policy: TRADING,
      audit: join(folder, 'outer.jsonl'),
      upstream: [],
      args: ['--upstream', inner.url, '--upstream-header', `Authorization: Bearer ${token}`],
    });
    const names = await listAllTools(outer.client);
    expect(names).toHaveLength(43);
    expect(JSON.parse(textOf(await callTool(outer.client, 'get_stock_quote', { symbols: ['SH.600519'] })))[0]).toMatchObject({ code: 'SH.600519' });
    expect(textOf(await callTool(outer.client, 'cancel_order', { order_id: '1' }))).toContain('rule r4');
    expect((await fixtureCalls(calls)).map((call) => call.tool)).toEqual(['get_stock_quote']);
  });
});
