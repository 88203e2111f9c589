// Slow clients against the HTTP listener, in process with short timeouts so the test takes
// seconds: headers that trickle in (Slowloris) and a body that trickles in are cut off, and other
// clients are served meanwhile. And the token comparison, which must look at every entry with
// digests of one length, so that neither timing nor an early exit says how close a guess was.

import type * as Crypto from 'node:crypto';
import { connect, type Socket } from 'node:net';

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { listenHttp, type HttpGateway } from '../../src/gateway/http/listener.js';
import { hashToken, identify, parseTokens } from '../../src/gateway/http/tokens.js';
import { silentLogger } from '../../src/gateway/log.js';

// vi.mock is hoisted above the imports: the listener and the token table see this crypto.
const compared = vi.hoisted(() => ({ calls: [] as [number, number][] }));
vi.mock('node:crypto', async (importOriginal) => {
  const crypto = await importOriginal<typeof Crypto>();
  return {
    ...crypto,
    timingSafeEqual: (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
      compared.calls.push([a.byteLength, b.byteLength]);
      return crypto.timingSafeEqual(a, b);
    },
  };
});

const TOKEN = 'pcy_slow-client-test-token';

/** Opens a raw TCP connection and reports when the server closes it, and what it said. */
function rawConnection(port: number): { socket: Socket; closed: Promise<{ afterMs: number; data: string }> } {
  const started = Date.now();
  const socket = connect(port, '127.0.0.1');
  let data = '';
  socket.on('data', (chunk: Buffer) => (data += chunk.toString('latin1')));
  socket.on('error', () => {});
  const closed = new Promise<{ afterMs: number; data: string }>((resolve) => socket.on('close', () => resolve({ afterMs: Date.now() - started, data })));
  return { socket, closed };
}

function trickle(socket: Socket, piece: string, everyMs: number): NodeJS.Timeout {
  const timer = setInterval(() => {
    if (!socket.destroyed) socket.write(piece);
  }, everyMs);
  socket.once('close', () => clearInterval(timer));
  return timer;
}

async function answered(port: number): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}/mcp`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}',
  });
  await response.text();
  return response.status;
}

describe('slow clients', () => {
  let gateway: HttpGateway;
  let port: number;
  beforeAll(async () => {
    gateway = await listenHttp({
      host: '127.0.0.1',
      port: 0,
      tokens: parseTokens(`slow: ${hashToken(TOKEN)}\n`, 'tokens.yaml'),
      headersTimeoutMs: 600,
      requestTimeoutMs: 1200,
      createSession: () => {
        throw new Error('no session is opened in these tests');
      },
      log: silentLogger,
    });
    port = gateway.port;
  });
  afterAll(async () => {
    await gateway.close();
  });

  it('cuts off a client whose headers trickle in, and serves others meanwhile', async () => {
    const slow = rawConnection(port);
    slow.socket.write(`POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`);
    trickle(slow.socket, 'X-Slow: y\r\n', 100);
    // Another client is answered while the slow one hangs on.
    expect(await answered(port)).toBe(400);
    const { afterMs, data } = await slow.closed;
    expect(afterMs).toBeLessThan(3000);
    expect(data).toMatch(/^HTTP\/1\.1 408/);
  });

  it('cuts off a client whose body trickles in', async () => {
    const slow = rawConnection(port);
    slow.socket.write(
      `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: 10000\r\n\r\n{`,
    );
    trickle(slow.socket, ' ', 100);
    expect(await answered(port)).toBe(400);
    const { afterMs, data } = await slow.closed;
    expect(afterMs).toBeLessThan(4000);
    expect(data).toMatch(/^HTTP\/1\.1 408/);
  });

  it('cuts off a connection that opens and says nothing', async () => {
    const idle = rawConnection(port);
    const { afterMs } = await idle.closed;
    expect(afterMs).toBeLessThan(3000);
  });
});

describe('the token comparison', () => {
  const table = parseTokens(['a: ', 'b: ', 'c: ', 'd: ', 'e: '].map((line, i) => `${line}${hashToken(`pcy_token-${i}`)}`).join('\n'), 'tokens.yaml');

  it.each([
    ['the first entry\'s token', 'pcy_token-0', 'a'],
    ['the last entry\'s token', 'pcy_token-4', 'e'],
    ['an unknown token', 'pcy_token-9', undefined],
    ['a one-byte token', 'x', undefined],
    ['a 10,000-byte token', 'x'.repeat(10_000), undefined],
  ])('compares %s with every entry, as two 32-byte digests', (_what, token, identity) => {
    compared.calls.length = 0;
    expect(identify(table, token)).toBe(identity);
    expect(compared.calls).toEqual(Array.from({ length: 5 }, () => [32, 32]));
  });
});
