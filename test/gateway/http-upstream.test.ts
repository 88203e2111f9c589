// The upstream channel over Streamable HTTP on its own, against small node:http servers on
// 127.0.0.1 that each test writes: what it sends (headers, session, version, DELETE), how it reads
// every kind of answer (JSON, an event stream as it streams, 202), and how it fails (404 of a
// known session, garbage, oversized bodies, a GET stream that drops). The event-stream decoder
// is checked on its own first, chunk boundaries included.

import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';

import { afterEach, describe, expect, it } from 'vitest';

import { ErrorCodes, type Inbound } from '../../src/gateway/jsonrpc.js';
import type { Channel, ChannelEnd } from '../../src/gateway/transport/channel.js';
import { httpClientChannel, type HttpUpstream } from '../../src/gateway/transport/http-client.js';
import { createSseDecoder } from '../../src/gateway/transport/sse.js';

// ---- the event-stream decoder ----------------------------------------------------------------

function decode(chunks: Buffer[], max = 1 << 20) {
  const events: Array<[string | undefined, string]> = [];
  const retries: number[] = [];
  let oversized = 0;
  const decoder = createSseDecoder({ onEvent: (type, data) => events.push([type, data]), onRetry: (ms) => retries.push(ms), onOversized: () => oversized++ }, max);
  for (const chunk of chunks) decoder.push(chunk);
  decoder.end();
  return { events, retries, oversized, lastEventId: decoder.lastEventId };
}

/** The same bytes cut at every position into two chunks, and fed a byte at a time. */
function everySplit(text: string): Buffer[][] {
  const bytes = Buffer.from(text, 'utf8');
  const splits: Buffer[][] = [[bytes], [...bytes].map((byte) => Buffer.from([byte]))];
  for (let i = 1; i < bytes.length; i++) splits.push([bytes.subarray(0, i), bytes.subarray(i)]);
  return splits;
}

describe('the event-stream decoder', () => {
  it('reads events whatever the chunks, with LF, CR or CRLF line ends', () => {
    const stream = '\uFEFF: a comment\nevent: message\ndata: {"a":"é"}\n\nid: 7\r\ndata: one\r\ndata:two\r\n\r\nevent: other\rdata: x\r\rretry: 250\ndata: last\n\ndata: never ended\n';
    for (const chunks of everySplit(stream)) {
      expect(decode(chunks)).toEqual({
        events: [
          ['message', '{"a":"é"}'],
          [undefined, 'one\ntwo'],
          ['other', 'x'],
          [undefined, 'last'],
        ],
        retries: [250],
        oversized: 0,
        lastEventId: '7',
      });
    }
  });

  it('drops an event over the cap, whole, and reads on after it', () => {
    const big = `data: ${'x'.repeat(100)}\ndata: more\n\ndata: ok\n\n`;
    for (const chunks of everySplit(big)) expect(decode(chunks, 50)).toMatchObject({ events: [[undefined, 'ok']], oversized: 1 });
    // Over the cap in a line that never ends within one push.
    expect(decode([Buffer.from(`data: ${'y'.repeat(80)}`), Buffer.from('yyy\n\ndata: ok\n\n')], 50)).toMatchObject({ events: [[undefined, 'ok']], oversized: 1 });
  });
});

// ---- the channel against real servers --------------------------------------------------------

interface Seen {
  method: string;
  headers: IncomingHttpHeaders;
  body: string;
}

interface TestServer {
  url: URL;
  seen: Seen[];
}

type Handler = (request: IncomingMessage, response: ServerResponse, body: string, seen: Seen[]) => void;

const servers: Server[] = [];
const channels: Channel[] = [];

afterEach(async () => {
  await Promise.all(channels.splice(0).map((channel) => channel.close().catch(() => undefined)));
  await Promise.all(
    servers.splice(0).map((server) => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    }),
  );
});

async function serve(handler: Handler): Promise<TestServer> {
  const seen: Seen[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: request.method ?? '', headers: request.headers, body });
      handler(request, response, body, seen);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`), seen };
}

interface Opened {
  channel: Channel;
  inbound: Inbound[];
  ends: ChannelEnd[];
  errors: Error[];
}

async function open(url: URL, extra: Partial<HttpUpstream> = {}): Promise<Opened> {
  const channel = httpClientChannel({ url, ...extra });
  const opened: Opened = { channel, inbound: [], ends: [], errors: [] };
  channel.onmessage = (inbound) => opened.inbound.push(inbound);
  channel.onclose = (end) => opened.ends.push(end);
  channel.onerror = (error) => opened.errors.push(error);
  await channel.start();
  channels.push(channel);
  return opened;
}

async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  for (const start = Date.now(); !check(); ) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A POST's message; GET and DELETE have no body. */
function parse(body: string): unknown {
  return body === '' ? {} : JSON.parse(body);
}

function json(response: ServerResponse, value: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(value);
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers }).end(text);
}

const INITIALIZE = { jsonrpc: '2.0' as const, id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } };
const call = (id: number) => ({ jsonrpc: '2.0' as const, id, method: 'tools/call', params: { name: 'echo', arguments: {} } });
const result = (id: unknown, value: Record<string, unknown> = {}) => ({ jsonrpc: '2.0', id, result: value });

describe('the HTTP upstream channel', () => {
  it('POSTs with the headers, reads a JSON answer, captures the session id and sends it back with the protocol version', async () => {
    const server = await serve((request, response, body) => {
      const message = parse(body) as { id?: number; method: string };
      if (request.method === 'GET') return void response.writeHead(405).end();
      if (message.id === undefined) return void response.writeHead(202).end();
      json(response, result(message.id, { method: message.method }), message.method === 'initialize' ? { 'mcp-session-id': 'session-1' } : {});
    });
    const up = await open(server.url, { headers: { Authorization: 'Bearer up', 'X-Extra': 'e' } });
    await up.channel.send(INITIALIZE);
    // Delivered before send() resolves.
    expect(up.inbound).toEqual([{ kind: 'result', message: result(1, { method: 'initialize' }) }]);
    up.channel.setProtocolVersion?.('2025-06-18');
    await up.channel.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    await up.channel.send(call(2));
    expect(up.inbound.at(-1)).toEqual({ kind: 'result', message: result(2, { method: 'tools/call' }) });

    const [first, second, third] = server.seen;
    expect(first).toMatchObject({ method: 'POST', body: JSON.stringify(INITIALIZE) });
    expect(first?.headers).toMatchObject({ 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: 'Bearer up', 'x-extra': 'e' });
    expect(first?.headers['mcp-session-id']).toBeUndefined();
    expect(first?.headers['mcp-protocol-version']).toBeUndefined();
    for (const later of [second, third]) expect(later?.headers).toMatchObject({ 'mcp-session-id': 'session-1', 'mcp-protocol-version': '2025-06-18', authorization: 'Bearer up' });
    // The GET stream is asked for after notifications/initialized; 405 means there is none.
    await until(() => server.seen.some((seen) => seen.method === 'GET'), 'the GET stream');
    expect(server.seen.find((seen) => seen.method === 'GET')?.headers).toMatchObject({ accept: 'text/event-stream', 'mcp-session-id': 'session-1' });
    expect(up.errors).toEqual([]);
    expect(up.ends).toEqual([]);
  });

  it('reads an event stream as it streams: a notification and a server request before the answer, in order', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const server = await serve((_request, response, body) => {
      const message = parse(body) as { id: number };
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(': keep-alive\n\n');
      response.write(`event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 1, progress: 1 } })}\n\n`);
      response.write(`event: ping\ndata: {"ignored": true}\n\n`);
      response.write(`data: {"jsonrpc":"2.0","id":"s1",\r\ndata: "method":"sampling/createMessage","params":{}}\r\n\r\n`);
      void released.then(() => response.end(`id: 9\ndata: ${JSON.stringify(result(message.id, { done: true }))}\n\n`));
    });
    const up = await open(server.url);
    await up.channel.send(call(5));
    // The stream is still open: what came so far is already delivered.
    await until(() => up.inbound.length === 2, 'the first two messages');
    expect(up.inbound).toEqual([
      { kind: 'notification', message: { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 1, progress: 1 } } },
      { kind: 'request', message: { jsonrpc: '2.0', id: 's1', method: 'sampling/createMessage', params: {} } },
    ]);
    release();
    await until(() => up.inbound.length === 3, 'the answer');
    expect(up.inbound[2]).toEqual({ kind: 'result', message: result(5, { done: true }) });
    // Answered: the stream is not resumed, though it had an event id.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.seen.filter((seen) => seen.method === 'GET')).toEqual([]);
    expect(up.errors).toEqual([]);
  });

  it('takes 202 for a notification, and a JSON array as several messages', async () => {
    const server = await serve((_request, response, body) => {
      const message = parse(body) as { id?: number };
      if (message.id === undefined) return void response.writeHead(202).end();
      json(response, [{ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'x' } }, result(message.id)]);
    });
    const up = await open(server.url);
    await up.channel.send({ jsonrpc: '2.0', method: 'notifications/roots/list_changed' });
    expect(up.inbound).toEqual([]);
    await up.channel.send(call(3));
    expect(up.inbound.map((inbound) => inbound.kind)).toEqual(['notification', 'result']);
  });

  it('ends the channel when the upstream no longer knows the session (404)', async () => {
    const server = await serve((_request, response, body) => {
      const message = parse(body) as { id: number; method: string };
      if (message.method === 'initialize') return json(response, result(message.id), { 'mcp-session-id': 'gone-soon' });
      response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32001, message: 'Session not found' } }));
    });
    const up = await open(server.url);
    await up.channel.send(INITIALIZE);
    await expect(up.channel.send(call(2))).rejects.toThrow('the upstream answered HTTP 404 Not Found: Session not found');
    expect(up.ends).toEqual([{ reason: 'no longer knows this session (HTTP 404)', expected: false }]);
    await expect(up.channel.send(call(3))).rejects.toThrow('the upstream connection is closed');
    await up.channel.close();
    // No DELETE for a session the upstream has forgotten, and no second end.
    expect(server.seen.map((seen) => seen.method)).toEqual(['POST', 'POST']);
    expect(up.ends).toHaveLength(1);
  });

  it('rejects a send answered with another error status, saying the status and a short message, and goes on', async () => {
    let status = 500;
    const server = await serve((_request, response, body) => {
      const message = parse(body) as { id: number };
      if (status === 500) return void response.writeHead(500, { 'content-type': 'text/plain' }).end('database on fire');
      if (status === 400) return void response.writeHead(400).end('x'.repeat(5000));
      if (status === 404) return void response.writeHead(404).end();
      json(response, result(message.id));
    });
    const up = await open(server.url);
    await expect(up.channel.send(call(1))).rejects.toThrow(/^the upstream answered HTTP 500 Internal Server Error: database on fire$/);
    status = 400;
    await expect(up.channel.send(call(2))).rejects.toThrow(/^the upstream answered HTTP 400 Bad Request$/);
    status = 404;
    await expect(up.channel.send(call(4))).rejects.toThrow(/^the upstream answered HTTP 404 Not Found$/);
    status = 200;
    await up.channel.send(call(3));
    expect(up.inbound).toEqual([{ kind: 'result', message: result(3) }]);
    // 404 without a session id is only an error: the URL may be wrong, no session was lost.
    expect(up.ends).toEqual([]);
    expect(up.errors).toHaveLength(3);
  });

  it('fails a send that cannot reach the upstream', async () => {
    const up = await open(new URL('http://127.0.0.1:1/mcp'));
    await expect(up.channel.send(call(1))).rejects.toThrow(/the request to the upstream failed: .*ECONNREFUSED/);
  });

  it('reports a body that is not JSON, or not JSON-RPC, as an invalid message', async () => {
    let body = 'this is not json';
    let type = 'application/json';
    const server = await serve((_request, response) => void response.writeHead(200, { 'content-type': type }).end(body));
    const up = await open(server.url);
    await up.channel.send(call(1));
    expect(up.inbound[0]).toMatchObject({ kind: 'invalid', id: null, code: ErrorCodes.parseError });
    expect((up.inbound[0] as { reason: string }).reason).toMatch(/^not valid JSON \(/);
    body = '{"jsonrpc":"1.0","id":2,"result":{}}';
    await up.channel.send(call(2));
    expect(up.inbound[1]).toMatchObject({ kind: 'invalid', id: 2, code: ErrorCodes.invalidRequest });
    type = 'text/event-stream';
    body = 'data: {oops\n\n';
    await up.channel.send(call(3));
    await until(() => up.inbound.length === 3, 'the stream');
    expect(up.inbound[2]).toMatchObject({ kind: 'invalid', id: null, code: ErrorCodes.parseError });
    type = 'text/html';
    body = '<html></html>';
    await expect(up.channel.send(call(4))).rejects.toThrow('the upstream answered with content of type text/html, neither JSON nor an event stream');
  });

  it('refuses a body over the cap without buffering it, whether its length is declared or not', async () => {
    const huge = JSON.stringify(result(1, { blob: 'x'.repeat(10_000) }));
    let mode: 'declared' | 'chunked' | 'stream' = 'declared';
    const server = await serve((_request, response) => {
      if (mode === 'declared') return json(response, JSON.parse(huge));
      if (mode === 'chunked') {
        response.writeHead(200, { 'content-type': 'application/json' });
        for (let i = 0; i < huge.length; i += 1000) response.write(huge.slice(i, i + 1000));
        return void response.end();
      }
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(`data: ${huge}\n\n`);
      response.end(`data: ${JSON.stringify(result(3))}\n\n`);
    });
    const up = await open(server.url, { maxMessageBytes: 4096 });
    const tooLong = { kind: 'invalid', id: null, code: ErrorCodes.invalidRequest, reason: 'message longer than 4096 bytes' };
    await up.channel.send(call(1));
    mode = 'chunked';
    await up.channel.send(call(2));
    mode = 'stream';
    await up.channel.send(call(3));
    await until(() => up.inbound.length === 4, 'the stream');
    // In a stream, the oversized event is dropped and the next one still read.
    expect(up.inbound).toEqual([tooLong, tooLong, tooLong, { kind: 'result', message: result(3) }]);
  });

  it('opens the GET stream after initialization, delivers a server request on it, and reopens it after a drop with Last-Event-ID', async () => {
    let gets = 0;
    const server = await serve((request, response, body) => {
      if (request.method === 'GET') {
        gets++;
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        if (gets === 1) {
          response.write(`id: e1\ndata: ${JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'roots/list' })}\n\n`);
          // A dropped connection, not a clean end.
          setTimeout(() => response.destroy(), 20);
        } else {
          response.write(`data: ${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' })}\n\n`);
        }
        return;
      }
      const message = parse(body) as { id?: number };
      if (message.id === undefined || !('method' in message)) return void response.writeHead(202).end();
      json(response, result(message.id), { 'mcp-session-id': 's-get' });
    });
    const up = await open(server.url, { reconnect: { initialDelayMs: 20 } });
    await up.channel.send(INITIALIZE);
    await up.channel.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    await until(() => up.inbound.some((inbound) => inbound.kind === 'request'), 'the server request');
    expect(up.inbound[1]).toEqual({ kind: 'request', message: { jsonrpc: '2.0', id: 7, method: 'roots/list' } });
    // Its answer goes back as a POST.
    await up.channel.send({ jsonrpc: '2.0', id: 7, result: { roots: [] } });
    await until(() => up.inbound.some((inbound) => inbound.kind === 'notification'), 'the message on the reopened stream');
    const getsSeen = server.seen.filter((seen) => seen.method === 'GET');
    expect(getsSeen).toHaveLength(2);
    expect(getsSeen[0]?.headers['last-event-id']).toBeUndefined();
    expect(getsSeen[1]?.headers).toMatchObject({ 'last-event-id': 'e1', 'mcp-session-id': 's-get' });
    expect(up.ends).toEqual([]);
  });

  it('gives up reopening the GET stream after failed attempts in a row', async () => {
    let gets = 0;
    const server = await serve((request, response, body) => {
      if (request.method === 'GET') {
        gets++;
        if (gets > 1) return void response.writeHead(503).end();
        response.writeHead(200, { 'content-type': 'text/event-stream' }).end(': bye\n\n');
        return;
      }
      const message = parse(body) as { id?: number };
      if (message.id === undefined) return void response.writeHead(202).end();
      json(response, result(message.id));
    });
    const up = await open(server.url, { reconnect: { initialDelayMs: 10, maxRetries: 3 } });
    await up.channel.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    await until(() => up.errors.some((error) => error.message.includes('gave up')), 'giving up');
    expect(gets).toBe(4);
    expect(up.errors.map((error) => error.message)).toEqual([
      ...Array(3).fill("cannot open the upstream's stream of server messages: it answered HTTP 503 Service Unavailable"),
      "gave up reopening the upstream's event stream after 3 failed attempts",
    ]);
  });

  it('close() sends DELETE with the session id, aborts what is in flight, and ends quietly, once', async () => {
    const server = await serve((request, response, body) => {
      if (request.method === 'DELETE') return void response.writeHead(405).end();
      if (request.method === 'GET') return void response.writeHead(200, { 'content-type': 'text/event-stream' }).write(': open\n\n');
      const message = parse(body) as { id?: number; method: string };
      if (message.id === undefined) return void response.writeHead(202).end();
      if (message.method === 'initialize') return json(response, result(message.id), { 'mcp-session-id': 'to-delete' });
      // Never answered.
    });
    const up = await open(server.url);
    await up.channel.send(INITIALIZE);
    await up.channel.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    await until(() => server.seen.some((seen) => seen.method === 'GET'), 'the GET stream');
    const hanging = up.channel.send(call(2));
    await until(() => server.seen.filter((seen) => seen.method === 'POST').length === 3, 'the hanging call');
    await Promise.all([up.channel.close(), up.channel.close()]);
    await expect(hanging).rejects.toThrow('the upstream connection is closed');
    const deletes = server.seen.filter((seen) => seen.method === 'DELETE');
    expect(deletes).toHaveLength(1);
    expect(deletes[0]?.headers['mcp-session-id']).toBe('to-delete');
    expect(up.ends).toEqual([{ reason: 'closed the connection', expected: true }]);
    expect(up.errors).toEqual([]);
    await expect(up.channel.send(call(3))).rejects.toThrow('the upstream connection is closed');
  });

  it('never sends a request twice: one whose kept-alive connection breaks fails, and the next goes out on a new connection', async () => {
    // A raw server, so that it can read the second request on a connection and then reset it: the
    // server may have acted on that request (a tools/call is not idempotent), so it is not resent.
    let requests = 0;
    const sockets = new Set<Socket>();
    const server = createTcpServer((socket) => {
      sockets.add(socket);
      let served = 0;
      let buffer = '';
      socket.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('utf8');
        for (;;) {
          const headEnd = buffer.indexOf('\r\n\r\n');
          if (headEnd === -1) return;
          const length = Number(/content-length: (\d+)/i.exec(buffer.slice(0, headEnd))?.[1] ?? 0);
          if (buffer.length < headEnd + 4 + length) return;
          const body = buffer.slice(headEnd + 4, headEnd + 4 + length);
          buffer = buffer.slice(headEnd + 4 + length);
          requests++;
          if (served++ === 1) return void socket.resetAndDestroy();
          const text = JSON.stringify(result((JSON.parse(body) as { id: number }).id));
          socket.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const up = await open(new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`));
      await up.channel.send(call(1));
      // Idle for a moment, so that the next request reuses the kept-alive connection.
      await new Promise((resolve) => setTimeout(resolve, 20));
      await expect(up.channel.send(call(2))).rejects.toThrow(/^the request to the upstream failed: /);
      await up.channel.send(call(3));
      expect(up.inbound).toEqual([
        { kind: 'result', message: result(1) },
        { kind: 'result', message: result(3) },
      ]);
      expect(requests).toBe(3);
      expect(sockets.size).toBe(2);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('follows a redirect within the origin, and not one to another origin', async () => {
    const other = await serve((_request, response) => json(response, result(0)));
    const server = await serve((request, response, body) => {
      const message = parse(body) as { id: number };
      if (request.url === '/mcp') return void response.writeHead(307, { location: message.id === 1 ? '/mcp/' : `${other.url.href}?token=secret` }).end();
      json(response, result(message.id));
    });
    const up = await open(server.url);
    await up.channel.send(call(1));
    expect(up.inbound).toEqual([{ kind: 'result', message: result(1) }]);
    expect(server.seen.map((seen) => seen.body)).toEqual([JSON.stringify(call(1)), JSON.stringify(call(1))]);
    await expect(up.channel.send(call(2))).rejects.toThrow(`HTTP 307 Temporary Redirect: a redirect to ${other.url.href}, not followed (only redirects within the same origin are)`);
    expect(other.seen).toEqual([]);
  });
});
