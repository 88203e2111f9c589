// The load generator's HTTP/1.1 client: one keep-alive connection, one request at a time, the way
// one agent's MCP client holds its connection to a gateway. It writes each request with one
// write() and reads the answer with a parser that knows only what an MCP endpoint sends (a status
// line, headers, a body framed by Content-Length, chunked encoding or the end of the connection).
//
// The generator shares the machine's two cores with the gateway it measures, so what it spends per
// request is taken from the gateway: with this client it spends about a third less than undici's
// Pool did (bench/README.md), and, with one connection per session, no request of one session
// waits behind another's.

import { connect } from 'node:net';

const HEAD_END = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');

export class HttpConnection {
  /** Opens a connection to host:port; resolves once it is connected. */
  static open(host, port) {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port, noDelay: true });
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new HttpConnection(socket, `${host}:${port}`));
      });
      socket.once('error', reject);
    });
  }

  constructor(socket, hostHeader) {
    this.socket = socket;
    this.hostHeader = hostHeader;
    this.pending = undefined; // { resolve, reject }
    this.buffer = Buffer.alloc(0);
    this.response = undefined; // the answer being read: { status, headers, framing, length, chunks }
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('close', () => this.fail(new Error('the connection closed')));
    socket.on('error', (error) => this.fail(error));
  }

  /** One request; resolves with { status, headers (lower-case names), body (a string) }. */
  request(method, path, headers, body = '') {
    if (this.pending) return Promise.reject(new Error('one request at a time on a connection'));
    if (this.socket.destroyed) return Promise.reject(new Error('the connection is closed'));
    let head = `${method} ${path} HTTP/1.1\r\nhost: ${this.hostHeader}\r\n`;
    for (const name in headers) head += `${name}: ${headers[name]}\r\n`;
    head += `content-length: ${Buffer.byteLength(body)}\r\n\r\n`;
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.socket.write(head + body);
    });
  }

  close() {
    this.socket.destroy();
  }

  onData(chunk) {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    while (this.pending && this.parse());
  }

  /** Reads as much of the answer as has come; true when one was completed (and more may follow). */
  parse() {
    if (this.response === undefined) {
      const end = this.buffer.indexOf(HEAD_END);
      if (end === -1) return false;
      const lines = this.buffer.toString('latin1', 0, end).split('\r\n');
      this.buffer = this.buffer.subarray(end + 4);
      const status = Number(lines[0].split(' ')[1]);
      const headers = {};
      for (let i = 1; i < lines.length; i++) {
        const colon = lines[i].indexOf(':');
        headers[lines[i].slice(0, colon).trim().toLowerCase()] = lines[i].slice(colon + 1).trim();
      }
      const chunked = /chunked/i.test(headers['transfer-encoding'] ?? '');
      const length = headers['content-length'] === undefined ? undefined : Number(headers['content-length']);
      this.response = { status, headers, chunked, length, parts: [] };
    }
    const response = this.response;
    if (response.chunked) {
      for (;;) {
        const lineEnd = this.buffer.indexOf(CRLF);
        if (lineEnd === -1) return false;
        const size = parseInt(this.buffer.toString('latin1', 0, lineEnd), 16);
        if (this.buffer.length < lineEnd + 2 + size + 2) return false;
        if (size === 0) {
          this.buffer = this.buffer.subarray(lineEnd + 4);
          return this.complete(Buffer.concat(response.parts));
        }
        response.parts.push(this.buffer.subarray(lineEnd + 2, lineEnd + 2 + size));
        this.buffer = this.buffer.subarray(lineEnd + 2 + size + 2);
      }
    }
    const length = response.length ?? (response.status === 204 || response.status === 304 ? 0 : undefined);
    // Without a length the body runs to the end of the connection: read on 'close'.
    if (length === undefined || this.buffer.length < length) return false;
    const body = this.buffer.subarray(0, length);
    this.buffer = this.buffer.subarray(length);
    return this.complete(body);
  }

  complete(body) {
    const { status, headers } = this.response;
    const { resolve } = this.pending;
    this.response = undefined;
    this.pending = undefined;
    resolve({ status, headers, body: body.toString('utf8') });
    return true;
  }

  fail(error) {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    // A body framed by the end of the connection is complete when the connection ends.
    if (this.response && !this.response.chunked && this.response.length === undefined && error.message === 'the connection closed') {
      const { status, headers } = this.response;
      this.response = undefined;
      pending.resolve({ status, headers, body: this.buffer.toString('utf8') });
      return;
    }
    pending.reject(error);
  }
}
