// The upstream request on undici's dispatch(): the answer's head first, its body to whichever
// reader comes once the head is seen (chunks that came with the head are kept for it), failures
// of the connection reported to that reader, and a channel's requests aborted together. Against
// raw TCP servers on 127.0.0.1, so that each test decides exactly which bytes arrive when.

import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';

import { Agent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';

import { dispatchOnce, InFlight, type Answer, type BodyReader } from '../../src/gateway/transport/http-answer.js';

const agent = new Agent({ headersTimeout: 0, bodyTimeout: 0 });
const servers: Server[] = [];
const sockets = new Set<Socket>();

afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A server that hands each request's socket to `onRequest` once the request's head is in. */
async function rawServer(onRequest: (socket: Socket) => void): Promise<{ origin: string; closed: Promise<void> }> {
  let closedOne: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (closedOne = resolve));
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => closedOne());
    let head = '';
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (head.includes('\r\n\r\n')) {
        head = '';
        onRequest(socket);
      }
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, closed };
}

function get(origin: string, inFlight = new InFlight()): Promise<Answer> {
  return dispatchOnce(agent, { origin, path: '/mcp', method: 'GET' }, inFlight);
}

/** Reads a body to its end or failure. */
function readAll(answer: Answer): Promise<{ text: string; error?: Error }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const reader: BodyReader = {
      data: (chunk) => chunks.push(chunk),
      end: () => resolve({ text: Buffer.concat(chunks).toString('utf8') }),
      fail: (error) => resolve({ text: Buffer.concat(chunks).toString('utf8'), error }),
    };
    answer.body.read(reader);
  });
}

describe('an upstream exchange', () => {
  it('keeps the body that came with the head for a reader that comes later', async () => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, result: { é: 'x'.repeat(5000) } });
    const { origin } = await rawServer((socket) => {
      socket.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    });
    const answer = await get(origin);
    expect(answer.status).toBe(200);
    expect(answer.statusText).toBe('OK');
    expect(answer.headers['content-type']).toBe('application/json');
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(await readAll(answer)).toEqual({ text: body });
    expect(() => answer.body.read({ data: () => undefined, end: () => undefined, fail: () => undefined })).toThrow('an answer body is read once');
  });

  it('skips an informational head and resolves with the final one', async () => {
    const { origin } = await rawServer((socket) => {
      socket.write('HTTP/1.1 103 Early Hints\r\nlink: </x>\r\n\r\nHTTP/1.1 202 Accepted\r\ncontent-length: 0\r\n\r\n');
    });
    const answer = await get(origin);
    expect(answer.status).toBe(202);
    expect(await readAll(answer)).toEqual({ text: '' });
  });

  it('tells the reader when the connection breaks before the body is complete', async () => {
    const { origin } = await rawServer((socket) => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nonly part', () => socket.destroy());
    });
    const read = await readAll(await get(origin));
    expect(read.text).toBe('only part');
    expect(read.error).toBeInstanceOf(Error);
  });

  it('rejects when the connection breaks before the head', async () => {
    const { origin } = await rawServer((socket) => socket.destroy());
    await expect(get(origin)).rejects.toThrow();
  });

  it('aborts every request of a channel at once: one waiting for its head, one streaming its body', async () => {
    const { origin } = await rawServer((socket) => {
      if (sockets.size === 2) socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\ndata: 1\n\n');
    });
    const inFlight = new InFlight();
    const silent = get(origin, inFlight);
    await new Promise((resolve) => setTimeout(resolve, 30));
    const streaming = await get(origin, inFlight);
    const read = readAll(streaming);
    await new Promise((resolve) => setTimeout(resolve, 30));
    inFlight.abortAll(new Error('closing'));
    await expect(silent).rejects.toThrow('closing');
    expect(await read).toEqual({ text: 'data: 1\n\n', error: new Error('closing') });
    expect(inFlight.first).toBeUndefined();
  });

  it('drops the connection of a body nobody wants to read', async () => {
    const { origin, closed } = await rawServer((socket) => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\n: open\n\n');
    });
    const answer = await get(origin);
    answer.body.drop();
    await closed;
  });
});
