// Failing closed: an upstream that crashes, hangs, answers garbage or a malformed tool list, a
// server that cannot be started, a client that sends garbage. Every waiting caller gets an error;
// nothing is passed through unchecked; every call that reached the upstream has its audit record.

import { spawn } from 'node:child_process';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { auditRecords, callTool, cleanup, CLI, fixtureCalls, FUTU, ROOT, stdioGateway, tempDir, textOf, TRADING } from './helpers/harness.js';

afterAll(cleanup);

async function gatewayWithFault(env: Record<string, string>, args: string[] = []) {
  const folder = await tempDir();
  const calls = join(folder, 'calls.jsonl');
  const audit = join(folder, 'audit.jsonl');
  const gateway = await stdioGateway({ policy: TRADING, audit, upstream: [process.execPath, FUTU], env: { FUTU_FIXTURE_LOG: calls, ...env }, args });
  return { gateway, calls, audit };
}

describe('an upstream that fails', () => {
  it('crashes mid-call: the caller gets an error, the gateway ends saying how the server ended', async () => {
    const { gateway, calls, audit } = await gatewayWithFault({ FUTU_FIXTURE_FAULT: 'crash', FUTU_FIXTURE_FAULT_TOOL: 'get_ticker' });
    expect((await callTool(gateway.client, 'get_stock_quote', { symbols: ['HK.00700'] })).isError).toBeFalsy();
    const exited = new Promise<void>((resolve) => {
      gateway.transport.onclose = () => resolve();
    });
    await expect(callTool(gateway.client, 'get_ticker', { symbol: 'HK.00700' })).rejects.toThrow(
      'MCP error -32000: The request cannot complete: the upstream MCP server exited with code 70.',
    );
    await exited;
    expect(gateway.stderr()).toContain('policyc serve: error: the upstream MCP server exited with code 70');
    // Both calls reached the server, and both have their record.
    expect((await fixtureCalls(calls)).map((call) => call.tool)).toEqual(['get_stock_quote', 'get_ticker']);
    expect((await auditRecords(audit)).map((record) => [record.tool, record.decision])).toEqual([
      ['get_stock_quote', 'allow'],
      ['get_ticker', 'allow'],
    ]);
  });

  it('answers garbage: every waiting caller gets an error', async () => {
    const { gateway } = await gatewayWithFault({ FUTU_FIXTURE_FAULT: 'garbage', FUTU_FIXTURE_FAULT_TOOL: 'get_ticker' });
    await expect(callTool(gateway.client, 'get_ticker', { symbol: 'HK.00700' })).rejects.toThrow(
      /MCP error -32603: The upstream MCP server sent a message that is not valid JSON-RPC \(not valid JSON/,
    );
    // The stream itself is still usable, and the next call is decided and answered normally.
    expect((await callTool(gateway.client, 'get_stock_quote', { symbols: ['HK.00700'] })).isError).toBeFalsy();
  });

  it('never answers: the call times out at the gateway', async () => {
    const { gateway } = await gatewayWithFault({ FUTU_FIXTURE_FAULT: 'hang', FUTU_FIXTURE_FAULT_TOOL: 'get_ticker' }, ['--request-timeout', '1']);
    const started = Date.now();
    await expect(callTool(gateway.client, 'get_ticker', { symbol: 'HK.00700' })).rejects.toThrow('MCP error -32001: The upstream MCP server did not answer within 1 s.');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('refuses a call with a JSON-RPC error: the error reaches the caller as it was', async () => {
    const { gateway } = await gatewayWithFault({ FUTU_FIXTURE_FAULT: 'error', FUTU_FIXTURE_FAULT_TOOL: 'get_ticker' });
    await expect(callTool(gateway.client, 'get_ticker', { symbol: 'HK.00700' })).rejects.toThrow('MCP error -32603: fixture fault: internal error');
  });

  it('sends a malformed tool list: the client gets an error, not the list, and calls are denied', async () => {
    const { gateway, calls } = await gatewayWithFault({ FUTU_FIXTURE_BAD_LIST: '1' });
    await expect(gateway.client.listTools()).rejects.toThrow(/MCP error -32603: The upstream MCP server sent a malformed tools\/list result \(its "tools" member is not a list\)/);
    const result = await callTool(gateway.client, 'get_stock_quote', { symbols: ['HK.00700'] });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe(
      'Denied by policyc: the gateway could not learn which tools the upstream server offers (malformed tools/list result: its "tools" member is not a list), so it cannot check this call. Try again later.',
    );
    expect(await fixtureCalls(calls)).toEqual([]);
  });

  it('cannot be started: initialize fails with an error that says so', async () => {
    const folder = await tempDir();
    await expect(
      stdioGateway({ policy: TRADING, audit: join(folder, 'audit.jsonl'), upstream: ['/no/such/mcp-server'] }),
    ).rejects.toThrow(/could not connect to the upstream MCP server: cannot start the upstream server: command not found: \/no\/such\/mcp-server/);
  });
});

/** The gateway over stdio with a test writing raw lines to it and reading raw answers. */
function rawGateway(folder: string, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [CLI, 'serve', '--policy', TRADING, '--audit', join(folder, 'audit.jsonl'), '--', process.execPath, FUTU], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const answers: Record<string, unknown>[] = [];
  let buffer = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) if (line !== '') answers.push(JSON.parse(line) as Record<string, unknown>);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    answers,
    exited,
    send: (line: string): void => void child.stdin.write(`${line}\n`),
    end: (): void => void child.stdin.end(),
    async waitFor(count: number): Promise<void> {
      for (let i = 0; i < 400 && answers.length < count; i++) await new Promise((resolve) => setTimeout(resolve, 25));
    },
  };
}

const INITIALIZE = '{"jsonrpc":"2.0","id":3,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}';

describe('over raw stdio', () => {
  it('answers each bad line from the client with a JSON-RPC error, and the session goes on', async () => {
    const gateway = rawGateway(await tempDir());
    gateway.send('this is not json');
    gateway.send('[{"jsonrpc":"2.0","id":1,"method":"ping"}]');
    gateway.send('{"jsonrpc":"2.0","id":2,"method":"tools/list"}');
    gateway.send(INITIALIZE);
    await gateway.waitFor(4);
    expect(gateway.answers.slice(0, 3)).toEqual([
      { jsonrpc: '2.0', id: null, error: { code: -32700, message: expect.stringMatching(/^Invalid message: not valid JSON/) } },
      { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Invalid message: JSON-RPC batches are not supported; send one message at a time' } },
      { jsonrpc: '2.0', id: 2, error: { code: -32600, message: 'The session is not initialized: send "initialize" first.' } },
    ]);
    expect(gateway.answers[3]).toMatchObject({ jsonrpc: '2.0', id: 3, result: { serverInfo: { name: 'futu-stock-server' } } });
    gateway.send('{"jsonrpc":"2.0","method":"notifications/initialized"}');
    gateway.send('{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"cancel_all_orders","arguments":{}}}');
    await gateway.waitFor(5);
    expect(gateway.answers[4]).toMatchObject({ id: 4, result: { isError: true } });
    gateway.end();
    expect(await gateway.exited).toBe(0);
  });

  it('exits 1 after answering the waiting call when the upstream dies', async () => {
    const gateway = rawGateway(await tempDir(), { FUTU_FIXTURE_FAULT: 'crash' });
    gateway.send(INITIALIZE);
    await gateway.waitFor(1);
    gateway.send('{"jsonrpc":"2.0","method":"notifications/initialized"}');
    gateway.send('{"jsonrpc":"2.0","id":"q","method":"tools/call","params":{"name":"get_current_time","arguments":{}}}');
    expect(await gateway.exited).toBe(1);
    expect(gateway.answers[1]).toEqual({
      jsonrpc: '2.0',
      id: 'q',
      error: { code: -32000, message: 'The request cannot complete: the upstream MCP server exited with code 70.' },
    });
  });

  it('has an audit record for every call that reached the server, even when killed mid-load', async () => {
    const folder = await tempDir();
    const calls = join(folder, 'calls.jsonl');
    const audit = join(folder, 'audit.jsonl');
    const child = spawn(process.execPath, [CLI, 'serve', '--policy', TRADING, '--audit', audit, '--', process.execPath, FUTU], {
      cwd: ROOT,
      env: { ...process.env, FUTU_FIXTURE_LOG: calls },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let answered = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      answered += chunk.toString().split('\n').length - 1;
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    // Calls still buffered when the gateway is killed meet a closed pipe: expected here.
    child.stdin.on('error', () => undefined);
    child.stdin.write(`${INITIALIZE}\n`);
    for (let i = 0; i < 200 && answered < 1; i++) await new Promise((resolve) => setTimeout(resolve, 25));
    child.stdin.write('{"jsonrpc":"2.0","method":"notifications/initialized"}\n');
    let sent = 0;
    // Keep calls flowing, and kill the gateway while many are in flight.
    const load = setInterval(() => {
      for (let i = 0; i < 20; i++) child.stdin.write(`{"jsonrpc":"2.0","id":${100 + sent++},"method":"tools/call","params":{"name":"get_current_time","arguments":{"n":${sent}}}}\n`);
    }, 2);
    for (let i = 0; i < 400 && answered < 60; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    child.kill('SIGKILL');
    clearInterval(load);
    await exited;
    await new Promise((resolve) => setTimeout(resolve, 300));

    const reached = await fixtureCalls(calls);
    const allowed = (await auditRecords(audit)).filter((record) => record.decision === 'allow');
    expect(reached.length).toBeGreaterThan(0);
    expect(allowed.length).toBeGreaterThanOrEqual(reached.length);
    const { canonicalJson, sha256 } = await import('../../src/gateway/audit.js');
    const recorded = new Set(allowed.map((record) => record.args_sha256));
    for (const call of reached) expect(recorded.has(sha256(canonicalJson(call.arguments as never)))).toBe(true);
  });
});

