// The gateway's own Streamable HTTP server transport (src/gateway/http/streamable.ts), from the
// outside with raw HTTP: how an answer is framed (one JSON body, or an SSE stream once a related
// message comes first), 202 for notifications and client answers, the GET stream, DELETE, the
// MCP-Protocol-Version, Accept and Content-Type checks, and clients that leave mid-call. Then, in
// process, what takes too long to see end to end: keep-alive ticks and close().

import { copyFile, readFile, rename, writeFile } from 'node:fs/promises';
import { createServer, request, type ClientRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createStreamableSession, type StreamableSession } from '../../src/gateway/http/streamable.js';
import { addToken } from '../../src/gateway/http/tokens.js';
import { parseMessage, type Inbound } from '../../src/gateway/jsonrpc.js';
import type { ChannelEnd } from '../../src/gateway/transport/channel.js';
import { cleanup, EVERYTHING, eventually, FUTU, GATEWAY_FIXTURES, httpGateway, tempDir, TRADING, type HttpGatewayProcess } from './helpers/harness.js';

type Message = Record<string, unknown>;

const PROTOCOL = '2025-06-18';
const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const INITIALIZE = JSON.stringify({ jsonrpc: '2.0', id: 'init', method: 'initialize', params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
const INITIALIZED = '{"jsonrpc":"2.0","method":"notifications/initialized"}';
const SSE_EVENT = /^event: message\ndata: [^\n]+\n\n$/;

/** A response read as it arrives: the messages it carried so far, each with when it came. */
interface Streamed {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body so far, as sent. */
  text: () => string;
  messages: { message: Message; at: number }[];
  /** Resolves when the body has ended (or the connection has gone). */
  ended: Promise<void>;
  request: ClientRequest;
  waitFor(match: (message: Message) => boolean, what: string, timeoutMs?: number): Promise<Message>;
}

/** One request on its own connection; resolves once the response's headers are in. */
function open(url: string, options: { method?: string; headers?: Record<string, string>; body?: string }): Promise<Streamed> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: target.hostname, port: target.port, path: target.pathname, method: options.method ?? 'POST', headers: options.headers ?? {}, agent: false }, (res) => {
      let text = '';
      let pending = '';
      const messages: { message: Message; at: number }[] = [];
      const waiters = new Set<() => void>();
      const sse = String(res.headers['content-type'] ?? '').startsWith('text/event-stream');
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        if (!sse) return;
        pending += chunk;
        const blocks = pending.split('\n\n');
        pending = blocks.pop() ?? '';
        for (const block of blocks) {
          for (const line of block.split('\n')) {
            if (line.startsWith('data:')) messages.push({ message: JSON.parse(line.slice(5)) as Message, at: Date.now() });
          }
        }
        for (const wake of waiters) wake();
      });
      const ended = new Promise<void>((done) => {
        res.on('end', () => {
          if (!sse && text !== '') messages.push({ message: JSON.parse(text) as Message, at: Date.now() });
          for (const wake of waiters) wake();
          done();
        });
        res.on('close', () => done());
        res.on('error', () => done());
      });
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        text: () => text,
        messages,
        ended,
        request: req,
        waitFor: (match, what, timeoutMs = 10_000) =>
          new Promise((found, fail) => {
            const check = (): void => {
              const hit = messages.find((entry) => match(entry.message));
              if (!hit) return;
              clearTimeout(timer);
              waiters.delete(check);
              found(hit.message);
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              fail(new Error(`no ${what} within ${timeoutMs} ms; so far: ${text}`));
            }, timeoutMs);
            waiters.add(check);
            check();
          }),
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A whole exchange: status, headers, body and the messages in it. */
async function exchange(url: string, options: { method?: string; headers?: Record<string, string>; body?: string }): Promise<Streamed & { body: string }> {
  const response = await open(url, options);
  await response.ended;
  return { ...response, body: response.text() };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const call = (id: number | string, name: string, args: Record<string, unknown> = {}, meta?: Record<string, unknown>): string =>
  JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args, ...(meta ? { _meta: meta } : {}) } });

afterAll(cleanup);

describe('Streamable HTTP, in front of the Futu fixture', () => {
  let gateway: HttpGatewayProcess;
  let token: string;
  let policy: string;
  const auth = (): Record<string, string> => ({ ...MCP_HEADERS, authorization: `Bearer ${token}` });
  const inSession = (session: string, version: string | undefined = PROTOCOL): Record<string, string> => ({
    ...auth(),
    'mcp-session-id': session,
    ...(version === undefined ? {} : { 'mcp-protocol-version': version }),
  });

  async function openSession(): Promise<string> {
    const init = await exchange(gateway.url, { headers: auth(), body: INITIALIZE });
    const session = init.headers['mcp-session-id'];
    if (init.status !== 200 || typeof session !== 'string') throw new Error(`initialize failed: ${init.status} ${init.body}`);
    const initialized = await exchange(gateway.url, { headers: inSession(session), body: INITIALIZED });
    expect(initialized.status).toBe(202);
    return session;
  }

  beforeAll(async () => {
    const folder = await tempDir();
    const tokens = join(folder, 'tokens.yaml');
    token = await addToken(tokens, 'trader');
    policy = join(folder, 'trading.policy');
    await copyFile(TRADING, policy);
    // Every call takes a while, so that a test can act while one is open.
    gateway = await httpGateway(['--policy', policy, '--tokens', tokens, '--audit', join(folder, 'audit.jsonl'), '--', process.execPath, FUTU], { FUTU_FIXTURE_DELAY_MS: '300' });
  });

  it('answers a request answered at once with one JSON body, and initialize with the session id', async () => {
    const init = await exchange(gateway.url, { headers: auth(), body: INITIALIZE });
    expect(init.status).toBe(200);
    expect(init.headers['content-type']).toBe('application/json');
    expect(init.headers['content-length']).toBe(String(Buffer.byteLength(init.body)));
    const session = init.headers['mcp-session-id'] as string;
    expect(session).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(init.body)).toMatchObject({ jsonrpc: '2.0', id: 'init', result: { protocolVersion: PROTOCOL, serverInfo: { name: expect.any(String) } } });

    const initialized = await exchange(gateway.url, { headers: inSession(session), body: INITIALIZED });
    expect(initialized.status).toBe(202);
    expect(initialized.body).toBe('');
    const quote = await exchange(gateway.url, { headers: inSession(session), body: call(7, 'get_stock_quote', { symbols: ['HK.00700'] }) });
    expect(quote.status).toBe(200);
    expect(quote.headers['mcp-session-id']).toBe(session);
    expect(quote.messages.map((entry) => entry.message)).toEqual([{ jsonrpc: '2.0', id: 7, result: expect.objectContaining({ content: expect.any(Array) }) }]);
  });

  it('answers notifications and the client\'s own answers with 202 and no body', async () => {
    const session = await openSession();
    const cancelled = await exchange(gateway.url, { headers: inSession(session), body: '{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":99}}' });
    expect([cancelled.status, cancelled.body]).toEqual([202, '']);
    const answer = await exchange(gateway.url, { headers: inSession(session), body: '{"jsonrpc":"2.0","id":12345,"result":{}}' });
    expect([answer.status, answer.body]).toEqual([202, '']);
    const ping = await exchange(gateway.url, { headers: inSession(session), body: '{"jsonrpc":"2.0","id":"p","method":"ping"}' });
    expect(ping.messages.map((entry) => entry.message)).toEqual([{ jsonrpc: '2.0', id: 'p', result: {} }]);
  });

  it('checks MCP-Protocol-Version after initialize: unsupported → 400, missing → accepted', async () => {
    const session = await openSession();
    const ping = '{"jsonrpc":"2.0","id":1,"method":"ping"}';
    const unsupported = await exchange(gateway.url, { headers: inSession(session, '1999-01-01'), body: ping });
    expect(unsupported.status).toBe(400);
    expect(JSON.parse(unsupported.body)).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32000, message: expect.stringMatching(/^Bad Request: Unsupported protocol version: 1999-01-01 \(supported versions: .*2025-06-18.*\)$/) },
    });
    expect((await exchange(gateway.url, { headers: inSession(session, undefined), body: ping })).status).toBe(200);
    expect((await exchange(gateway.url, { headers: inSession(session, '2025-03-26'), body: ping })).status).toBe(200);
    const get = await exchange(gateway.url, { method: 'GET', headers: { ...inSession(session, '1999-01-01'), accept: 'text/event-stream' } });
    expect(get.status).toBe(400);
    const del = await exchange(gateway.url, { method: 'DELETE', headers: inSession(session, '1999-01-01') });
    expect(del.status).toBe(400);
  });

  it('refuses with 406 and 415 what the client could not read or did not send as JSON; a refused initialize opens no session', async () => {
    const opened = (): number => gateway.stderr().split('opened for identity').length - 1;
    const before = opened();
    const jsonOnly = await exchange(gateway.url, { headers: { ...auth(), accept: 'application/json' }, body: INITIALIZE });
    expect(jsonOnly.status).toBe(406);
    expect(JSON.parse(jsonOnly.body).error).toEqual({ code: -32000, message: 'Not Acceptable: Client must accept both application/json and text/event-stream' });
    const text = await exchange(gateway.url, { headers: { ...auth(), 'content-type': 'text/plain; a=application/json' }, body: INITIALIZE });
    expect(text.status).toBe(415);
    const joined = await exchange(gateway.url, { headers: { ...auth(), 'content-type': 'application/json; charset=utf-8, text/plain' }, body: INITIALIZE });
    expect(joined.status).toBe(415);
    expect(opened()).toBe(before);
    const charset = await exchange(gateway.url, { headers: { ...auth(), 'content-type': 'Application/JSON; charset=utf-8' }, body: INITIALIZE });
    expect(charset.status).toBe(200);
    await eventually(() => opened() === before + 1, 5_000, 'the session opened by the accepted initialize');

    const session = await openSession();
    const ping = '{"jsonrpc":"2.0","id":1,"method":"ping"}';
    expect((await exchange(gateway.url, { headers: { ...inSession(session), accept: 'text/event-stream' }, body: ping })).status).toBe(406);
    expect((await exchange(gateway.url, { headers: { ...inSession(session), 'content-type': 'text/plain' }, body: ping })).status).toBe(415);
  });

  it('keeps one GET stream per session (409 for a second), carries messages of no request on it, and frees it when it closes', async () => {
    const session = await openSession();
    const sse = { ...inSession(session), accept: 'text/event-stream' };
    const notAcceptable = await exchange(gateway.url, { method: 'GET', headers: { ...sse, accept: 'application/json' } });
    expect(notAcceptable.status).toBe(406);

    const stream = await open(gateway.url, { method: 'GET', headers: sse });
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toBe('text/event-stream');
    expect(stream.headers['mcp-session-id']).toBe(session);
    const second = await exchange(gateway.url, { method: 'GET', headers: sse });
    expect(second.status).toBe(409);
    expect(JSON.parse(second.body).error).toEqual({ code: -32000, message: 'Conflict: Only one SSE stream is allowed per session' });

    // A policy change is news for every session, tied to no request: it comes on the GET stream.
    const text = await readFile(policy, 'utf8');
    await writeFile(`${policy}.tmp`, text.replace('limit all 120 per 1m', 'limit all 121 per 1m'));
    await rename(`${policy}.tmp`, policy);
    expect(await stream.waitFor((message) => message.method === 'notifications/tools/list_changed', 'tools/list_changed on the GET stream')).toEqual({
      jsonrpc: '2.0',
      method: 'notifications/tools/list_changed',
    });
    expect(stream.text()).toMatch(/^(event: message\ndata: [^\n]+\n\n)+$/);

    stream.request.destroy();
    await eventually(async () => {
      const again = await open(gateway.url, { method: 'GET', headers: sse });
      again.request.destroy();
      return again.status === 200;
    }, 5_000, 'a new GET stream once the first has gone');
  });

  it('refuses a second open request with the same id, and answers the first', async () => {
    const session = await openSession();
    // Each call takes 300 ms upstream; the second is sent while the first is open (whichever
    // the gateway reads first is the one answered).
    const first = exchange(gateway.url, { headers: inSession(session), body: call(42, 'get_stock_quote', { symbols: ['HK.00700'] }) });
    await sleep(100);
    const second = exchange(gateway.url, { headers: inSession(session), body: call(42, 'get_stock_quote', { symbols: ['US.AAPL'] }) });
    const [answered, refused] = (await Promise.all([first, second])).sort((a, b) => a.status - b.status);
    expect(refused?.status).toBe(400);
    expect(JSON.parse(refused?.body ?? '')).toEqual({ jsonrpc: '2.0', id: 42, error: { code: -32600, message: 'Request id 42 is already in use by a pending request.' } });
    expect(answered?.status).toBe(200);
    expect(answered?.messages.map((entry) => entry.message)).toEqual([{ jsonrpc: '2.0', id: 42, result: expect.objectContaining({ content: expect.any(Array) }) }]);
  });

  it('survives a client that disconnects mid-call; the id and the session stay usable', async () => {
    const session = await openSession();
    const target = new URL(gateway.url);
    const quitter = request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: inSession(session), agent: false });
    quitter.on('error', () => undefined);
    quitter.end(call(9, 'get_stock_quote', { symbols: ['HK.00700'] }));
    await sleep(100);
    quitter.destroy();
    // The upstream answers after 300 ms, to nobody; then the same id is free again.
    await sleep(500);
    const again = await exchange(gateway.url, { headers: inSession(session), body: call(9, 'get_stock_quote', { symbols: ['HK.00700'] }) });
    expect(again.status).toBe(200);
    expect(again.messages.map((entry) => entry.message)).toEqual([{ jsonrpc: '2.0', id: 9, result: expect.objectContaining({ content: expect.any(Array) }) }]);
    expect(gateway.process.exitCode).toBeNull();
    expect(gateway.stderr()).not.toContain('HTTP request failed');
  });

  it('ends the session on DELETE: 200, its GET stream ends, and the id is unknown afterwards', async () => {
    const session = await openSession();
    const stream = await open(gateway.url, { method: 'GET', headers: { ...inSession(session), accept: 'text/event-stream' } });
    expect(stream.status).toBe(200);
    const deleted = await exchange(gateway.url, { method: 'DELETE', headers: inSession(session) });
    expect([deleted.status, deleted.body]).toEqual([200, '']);
    await stream.ended;
    const after = await exchange(gateway.url, { headers: inSession(session), body: '{"jsonrpc":"2.0","id":1,"method":"ping"}' });
    expect(after.status).toBe(404);
    expect((await exchange(gateway.url, { method: 'DELETE', headers: inSession(session) })).status).toBe(404);
  });

  it('counts a session ended by DELETE no longer against --max-sessions; a refused DELETE ends nothing', async () => {
    const folder = await tempDir();
    const tokens = join(folder, 'tokens.yaml');
    const own = await addToken(tokens, 'trader');
    const single = await httpGateway(['--policy', policy, '--tokens', tokens, '--audit', join(folder, 'audit.jsonl'), '--max-sessions', '1', '--', process.execPath, FUTU]);
    try {
      const headers = { ...MCP_HEADERS, authorization: `Bearer ${own}` };
      const first = await exchange(single.url, { headers, body: INITIALIZE });
      const session = first.headers['mcp-session-id'] as string;
      expect(first.status).toBe(200);
      expect((await exchange(single.url, { headers, body: INITIALIZE })).status).toBe(503);
      // Refused (a protocol version the gateway does not know): the session stays, and counts.
      const refused = await exchange(single.url, { method: 'DELETE', headers: { ...headers, 'mcp-session-id': session, 'mcp-protocol-version': '1999-01-01' } });
      expect(refused.status).toBe(400);
      expect((await exchange(single.url, { headers, body: INITIALIZE })).status).toBe(503);
      expect((await exchange(single.url, { method: 'DELETE', headers: { ...headers, 'mcp-session-id': session } })).status).toBe(200);
      expect((await exchange(single.url, { headers, body: INITIALIZE })).status).toBe(200);
    } finally {
      await single.stop();
    }
  });
});

describe('Streamable HTTP, in front of server-everything', () => {
  let gateway: HttpGatewayProcess;
  let token: string;
  let session: string;
  const headers = (): Record<string, string> => ({ ...MCP_HEADERS, authorization: `Bearer ${token}`, 'mcp-session-id': session, 'mcp-protocol-version': PROTOCOL });

  beforeAll(async () => {
    const folder = await tempDir();
    const tokens = join(folder, 'tokens.yaml');
    token = await addToken(tokens, 'bot');
    gateway = await httpGateway(['--policy', join(GATEWAY_FIXTURES, 'everything.policy'), '--tokens', tokens, '--audit', join(folder, 'audit.jsonl'), '--', process.execPath, EVERYTHING, 'stdio']);
    const init = await exchange(gateway.url, { headers: { ...MCP_HEADERS, authorization: `Bearer ${token}` }, body: INITIALIZE });
    session = init.headers['mcp-session-id'] as string;
    expect((await exchange(gateway.url, { headers: headers(), body: INITIALIZED })).status).toBe(202);
  });

  it('turns the answer into an SSE stream when progress comes first, each notification on it before the answer', async () => {
    const stream = await open(gateway.url, { headers: headers(), body: call(1, 'trigger-long-running-operation', { duration: 0.6, steps: 3 }, { progressToken: 'p1' }) });
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toBe('text/event-stream');
    expect(stream.headers['mcp-session-id']).toBe(session);
    await stream.ended;
    const messages = stream.messages.map((entry) => entry.message);
    expect(messages.at(-1)).toMatchObject({ jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: expect.stringContaining('Long running operation completed') }] } });
    const progress = messages.slice(0, -1);
    expect(progress).toEqual([1, 2, 3].map((step) => ({ jsonrpc: '2.0', method: 'notifications/progress', params: { progress: step, total: 3, progressToken: 'p1' } })));
    // Streamed, not gathered: the first step reached the client well before the answer.
    const first = stream.messages[0]?.at as number;
    const last = stream.messages.at(-1)?.at as number;
    expect(last - first).toBeGreaterThan(150);
    // Every message is one `event: message` with one data line.
    const events = stream.text().split(/(?<=\n\n)/);
    expect(events).toHaveLength(4);
    for (const event of events) expect(event).toMatch(SSE_EVENT);
  });

  it('after a client left mid-call, its later progress takes the session\'s GET stream and the gateway goes on', async () => {
    const general = await open(gateway.url, { method: 'GET', headers: { ...headers(), accept: 'text/event-stream' } });
    expect(general.status).toBe(200);
    const leaving = await open(gateway.url, { headers: headers(), body: call(2, 'trigger-long-running-operation', { duration: 0.9, steps: 3 }, { progressToken: 'p2' }) });
    await leaving.waitFor((message) => message.method === 'notifications/progress', 'the first progress');
    leaving.request.destroy();
    const later = await general.waitFor((message) => message.method === 'notifications/progress' && (message.params as Message).progress === 3, 'progress on the GET stream');
    expect(later).toEqual({ jsonrpc: '2.0', method: 'notifications/progress', params: { progress: 3, total: 3, progressToken: 'p2' } });
    const echo = await exchange(gateway.url, { headers: headers(), body: call(3, 'echo', { message: 'still here' }) });
    expect(echo.messages.map((entry) => entry.message)).toEqual([{ jsonrpc: '2.0', id: 3, result: { content: [{ type: 'text', text: 'Echo: still here' }] } }]);
    general.request.destroy();
    expect(gateway.process.exitCode).toBeNull();
    expect(gateway.stderr()).not.toContain('HTTP request failed');
  });
});

describe('the transport in process', () => {
  interface Rig {
    url: string;
    transport: StreamableSession;
    inbound: Inbound[];
    ends: ChannelEnd[];
    server: Server;
  }

  /** One transport behind a bare node:http server that passes every request on to it. */
  async function rig(keepAliveMs: number): Promise<Rig> {
    const transport = createStreamableSession({ sessionId: 'session-1', protocolVersions: new Set([PROTOCOL]), keepAliveMs });
    const inbound: Inbound[] = [];
    const ends: ChannelEnd[] = [];
    transport.channel.onmessage = (message) => inbound.push(message);
    transport.channel.onclose = (end) => ends.push(end);
    await transport.channel.start();
    const server = createServer((req, res) => {
      if (req.method === 'GET') return transport.handleGet(req, res);
      if (req.method === 'DELETE') return transport.handleDelete(req, res);
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        const message = parseMessage(body);
        if (message.kind === 'invalid') throw new Error(message.reason);
        transport.handlePost(req, res, message);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
    servers.push(server);
    // The first request of a session is initialize.
    const init = open(url, { headers: MCP_HEADERS, body: INITIALIZE });
    await eventually(() => inbound.length === 1, 2_000, 'initialize');
    await transport.channel.send({ jsonrpc: '2.0', id: 'init', result: {} });
    expect((await init).status).toBe(200);
    return { url, transport, inbound, ends, server };
  }
  const servers: Server[] = [];
  afterAll(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
  const sessionHeaders = { ...MCP_HEADERS, 'mcp-session-id': 'session-1' };

  it('sends headers of a slow answer at a keep-alive tick, as an SSE stream, and ends it with the answer', async () => {
    const { url, transport, inbound } = await rig(50);
    const slow = await open(url, { headers: sessionHeaders, body: '{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"x"}}' });
    expect(slow.status).toBe(200);
    expect(slow.headers['content-type']).toBe('text/event-stream');
    expect(inbound.at(-1)).toEqual({ kind: 'request', message: { jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'x' } } });
    await eventually(() => slow.text().includes(': keepalive\n\n'), 2_000, 'a keep-alive comment');
    await transport.channel.send({ jsonrpc: '2.0', id: 5, result: { done: true } });
    await slow.ended;
    expect(slow.messages.map((entry) => entry.message)).toEqual([{ jsonrpc: '2.0', id: 5, result: { done: true } }]);
    // Answered: the id has no stream any more, and a message tied to it is refused, not lost silently.
    await expect(transport.channel.send({ jsonrpc: '2.0', method: 'notifications/progress', params: {} }, { relatedRequestId: 5 })).rejects.toThrow('no longer open');
    await expect(transport.channel.send({ jsonrpc: '2.0', id: 5, result: {} })).rejects.toThrow('no longer open');
  });

  it('drops a message of no request while no GET stream is open, and delivers it once one is', async () => {
    const { url, transport } = await rig(0);
    await transport.channel.send({ jsonrpc: '2.0', method: 'notifications/message', params: { n: 1 } });
    const stream = await open(url, { method: 'GET', headers: { ...sessionHeaders, accept: 'text/event-stream' } });
    await transport.channel.send({ jsonrpc: '2.0', method: 'notifications/message', params: { n: 2 } });
    await transport.channel.send({ jsonrpc: '2.0', id: 77, method: 'sampling/createMessage', params: {} });
    await stream.waitFor((message) => message.id === 77, 'the server request');
    expect(stream.messages.map((entry) => entry.message)).toEqual([
      { jsonrpc: '2.0', method: 'notifications/message', params: { n: 2 } },
      { jsonrpc: '2.0', id: 77, method: 'sampling/createMessage', params: {} },
    ]);
    stream.request.destroy();
  });

  it('close() ends every stream, answers a request left open, refuses what comes after, and reports once', async () => {
    const { url, transport, ends, inbound } = await rig(0);
    const general = await open(url, { method: 'GET', headers: { ...sessionHeaders, accept: 'text/event-stream' } });
    const pending = open(url, { headers: sessionHeaders, body: '{"jsonrpc":"2.0","id":"held","method":"tools/call","params":{"name":"x"}}' });
    await eventually(() => inbound.length === 2, 2_000, 'the request');
    await transport.channel.send({ jsonrpc: '2.0', method: 'notifications/progress', params: { progress: 1 } }, { relatedRequestId: 'held' });
    const held = await pending;
    expect(held.headers['content-type']).toBe('text/event-stream');
    await transport.channel.close();
    await transport.channel.close();
    await Promise.all([general.ended, held.ended]);
    expect(held.messages.map((entry) => entry.message)).toEqual([
      { jsonrpc: '2.0', method: 'notifications/progress', params: { progress: 1 } },
      { jsonrpc: '2.0', id: 'held', error: { code: -32000, message: 'The session was closed before the request was answered.' } },
    ]);
    expect(ends).toEqual([{ reason: 'session was closed by the gateway', expected: true }]);
    await expect(transport.channel.send({ jsonrpc: '2.0', id: 'held', result: {} })).rejects.toThrow();
    const late = await exchange(url, { headers: sessionHeaders, body: '{"jsonrpc":"2.0","id":1,"method":"ping"}' });
    expect(late.status).toBe(404);
  });

  it('on DELETE tells the relay first, while the open requests can still be answered', async () => {
    const { url, transport, ends, inbound } = await rig(0);
    const pending = open(url, { headers: sessionHeaders, body: '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"x"}}' });
    await eventually(() => inbound.length === 2, 2_000, 'the request');
    transport.channel.onclose = (end) => {
      ends.push(end);
      void transport.channel.send({ jsonrpc: '2.0', id: 3, error: { code: -32000, message: 'The request cannot complete: the client ended the session.' } });
    };
    const deleted = await exchange(url, { method: 'DELETE', headers: sessionHeaders });
    expect(deleted.status).toBe(200);
    const answered = await pending;
    await answered.ended;
    expect(answered.messages.map((entry) => entry.message)).toEqual([{ jsonrpc: '2.0', id: 3, error: { code: -32000, message: 'The request cannot complete: the client ended the session.' } }]);
    expect(ends).toEqual([{ reason: 'ended the session', expected: false }]);
  });
});
