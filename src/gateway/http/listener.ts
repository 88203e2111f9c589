// Downstream over Streamable HTTP: `policyc serve --listen 127.0.0.1:PORT`.
//
// Every request passes, in this order: the path (/mcp), the Host header (against DNS rebinding),
// the Origin header (browsers), the bearer token (→ identity; 401 otherwise), the body (size cap,
// valid JSON, one JSON-RPC message: no batches), and the session (created only by `initialize`,
// and afterwards usable only by the identity that created it). Only then does the session's own
// Streamable HTTP transport (streamable.ts) see it. Each session gets its own relay and upstream
// connection.

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// The MCP-Protocol-Version values a client may send after initialize: the SDK's list, which its
// transport accepted before ours (the only thing the listener still takes from the SDK).

import { DEFAULT_MAX_BODY_BYTES, ErrorCodes, parseMessage, type RequestId } from '../jsonrpc.js';
import type { Logger } from '../log.js';
import type { Session } from '../session.js';
import type { Channel } from '../transport/channel.js';
import { SUPPORTED_PROTOCOL_VERSIONS } from './protocol-versions.js';
import { isLoopback } from './address.js';
import { createStreamableSession, postHeadersRefused, type StreamableSession } from './streamable.js';
import { bearerToken, identify, type TokenTable } from './tokens.js';

export { DEFAULT_MAX_BODY_BYTES };

/** Request headers: the bytes Node reads before answering 431, and how many a request may have. */
export const MAX_HEADER_BYTES = 16 * 1024;
export const MAX_HEADER_COUNT = 64;
/** Open connections at once (sessions' SSE streams included). */
export const MAX_CONNECTIONS = 1024;

export interface HttpListenOptions {
  host: string;
  port: number;
  tokens: TokenTable;
  /** Extra Host header values to accept (host or host:port), e.g. a name behind a proxy. */
  allowedHosts?: string[];
  /** Origins (scheme://host[:port]) whose browser pages may call; any other Origin gets 403. */
  allowedOrigins?: string[];
  maxBodyBytes?: number;
  maxSessions?: number;
  /** A session without requests or open streams for this long is closed. */
  sessionIdleMs?: number;
  /** How long a client may take to send its request headers, and its whole request (slow clients). */
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  path?: string;
  createSession: (spec: { id: string; identity: string; downstream: Channel }) => Session;
  log: Logger;
}

export interface HttpGateway {
  readonly port: number;
  readonly url: string;
  sessions(): Session[];
  close(): Promise<void>;
}

interface SessionEntry {
  session: Session;
  transport: StreamableSession;
  identity: string;
  lastSeen: number;
  openStreams: number;
}

export async function listenHttp(options: HttpListenOptions): Promise<HttpGateway> {
  const { log } = options;
  const path = options.path ?? '/mcp';
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxSessions = options.maxSessions ?? 100;
  const sessionIdleMs = options.sessionIdleMs ?? 30 * 60_000;
  const sessions = new Map<string, SessionEntry>();
  const protocolVersions = new Set<string>(SUPPORTED_PROTOCOL_VERSIONS);
  let allowedHosts = new Set<string>();
  const allowedOrigins = new Set((options.allowedOrigins ?? []).map((origin) => origin.toLowerCase()));

  const headersTimeoutMs = options.headersTimeoutMs ?? 10_000;
  const requestTimeoutMs = Math.max(options.requestTimeoutMs ?? 30_000, headersTimeoutMs);
  const server = createServer(
    {
      // A client that trickles its request in must not hold a connection open forever. (These
      // bound receiving the request only; a response stream such as SSE may stay open.) Node
      // looks for overdue requests every connectionsCheckingInterval, 30 s unless told.
      headersTimeout: headersTimeoutMs,
      requestTimeout: requestTimeoutMs,
      connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(headersTimeoutMs / 4))),
      // Larger headers get 431 from Node itself; the count is checked in handle().
      maxHeaderSize: MAX_HEADER_BYTES,
    },
    (req, res) => {
      handle(req, res).catch((error: unknown) => {
        log.error(`HTTP request failed: ${error instanceof Error ? error.message : String(error)}`);
        if (!res.headersSent) sendJsonError(res, 500, null, ErrorCodes.internalError, 'Internal error in the gateway.');
        else res.end();
      });
    },
  );
  server.keepAliveTimeout = 5_000;
  // Every open connection holds a socket; idle ones are closed by the timeouts above, and these
  // are all a local process can keep open at once.
  server.maxConnections = MAX_CONNECTIONS;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  allowedHosts = hostAllowList(options.host, port, options.allowedHosts ?? []);

  const sweep = setInterval(() => closeIdleSessions(), Math.min(60_000, Math.max(1000, sessionIdleMs / 2)));
  sweep.unref();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.rawHeaders.length / 2 > MAX_HEADER_COUNT) {
      res.setHeader('Connection', 'close');
      return sendJsonError(res, 431, null, ErrorCodes.invalidRequest, `Request header fields too large: at most ${MAX_HEADER_COUNT} headers.`);
    }
    // The endpoint exactly, as every client sends it, needs no parsing; anything else is parsed
    // to tell a wrong path from a query string.
    if (req.url !== path) {
      const url = new URL(req.url ?? '/', 'http://gateway');
      if (url.pathname !== path) return sendJsonError(res, 404, null, ErrorCodes.invalidRequest, `Not found: the MCP endpoint is ${path}.`);
      // A token in the URL ends up in shell histories, proxy logs and Referer headers. Refused
      // whatever the parameter is called, before anything else is read; the URL is never logged.
      if (url.search !== '' || (req.url ?? '').includes('?')) {
        return sendJsonError(res, 400, null, ErrorCodes.invalidRequest, `Bad Request: ${path} takes no query string; send the bearer token in the Authorization header, never in the URL.`);
      }
    }

    const host = req.headers.host?.toLowerCase();
    if (host === undefined || !allowedHosts.has(host)) {
      log.warn(`refused a request with Host ${JSON.stringify(req.headers.host ?? '')} (not in the allowed hosts)`);
      return sendJsonError(res, 403, null, ErrorCodes.connectionClosed, 'Forbidden: Host header not allowed.');
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins.has(origin.toLowerCase())) {
      log.warn(`refused a request from Origin ${JSON.stringify(origin)} (not in the allowed origins)`);
      return sendJsonError(res, 403, null, ErrorCodes.connectionClosed, 'Forbidden: Origin not allowed.');
    }

    const token = bearerToken(singleHeader(req.headers.authorization));
    const identity = token === undefined ? undefined : identify(options.tokens, token);
    if (identity === undefined) {
      res.setHeader('WWW-Authenticate', token === undefined ? 'Bearer realm="policyc"' : 'Bearer realm="policyc", error="invalid_token"');
      return sendJsonError(res, 401, null, ErrorCodes.connectionClosed, token === undefined ? 'Unauthorized: a bearer token is required.' : 'Unauthorized: unknown token.');
    }

    const sessionHeader = req.headers['mcp-session-id'];
    if (Array.isArray(sessionHeader)) return sendJsonError(res, 400, null, ErrorCodes.invalidRequest, 'Bad Request: one Mcp-Session-Id header only.');

    if (req.method === 'POST') return handlePost(req, res, identity, sessionHeader);
    if (req.method === 'GET' || req.method === 'DELETE') {
      const entry = sessionFor(sessionHeader, identity);
      if (!entry) return sendSessionError(res, sessionHeader);
      entry.lastSeen = Date.now();
      if (req.method === 'GET') {
        trackStream(entry, res);
        entry.transport.handleGet(req, res);
      } else {
        // Ended by its client: its id is unknown from now on, and it no longer counts against
        // --max-sessions while it finishes closing.
        if (entry.transport.handleDelete(req, res)) sessions.delete(sessionHeader as string);
      }
      return;
    }
    res.setHeader('Allow', 'GET, POST, DELETE');
    return sendJsonError(res, 405, null, ErrorCodes.invalidRequest, 'Method not allowed.');
  }

  async function handlePost(req: IncomingMessage, res: ServerResponse, identity: string, sessionId: string | undefined): Promise<void> {
    const body = await readBody(req, maxBodyBytes);
    if (body === undefined) {
      res.setHeader('Connection', 'close');
      return sendJsonError(res, 413, null, ErrorCodes.invalidRequest, `Payload too large: a request body may be at most ${maxBodyBytes} bytes.`);
    }
    const inbound = parseMessage(body);
    if (inbound.kind === 'invalid') return sendJsonError(res, 400, inbound.id, inbound.code, `Invalid message: ${inbound.reason}`);

    let entry: SessionEntry | undefined;
    if (sessionId === undefined) {
      if (inbound.kind !== 'request' || inbound.message.method !== 'initialize') {
        return sendJsonError(res, 400, null, ErrorCodes.invalidRequest, 'Bad Request: Mcp-Session-Id header is required (only initialize starts a session).');
      }
      // Sessions that ended on their own (their upstream went away) are pruned lazily; here they
      // must not count against the cap.
      if (sessions.size >= maxSessions) forgetClosedSessions();
      if (sessions.size >= maxSessions) {
        return sendJsonError(res, 503, inbound.message.id, ErrorCodes.upstreamUnavailable, `Too many sessions (${maxSessions}); close one first.`);
      }
      // Checked again by the transport; here so that a refused initialize opens no session.
      if (postHeadersRefused(req, res)) return;
      entry = await openSession(identity);
    } else {
      entry = sessionFor(sessionId, identity);
      if (!entry) return sendSessionError(res, sessionId);
    }
    entry.lastSeen = Date.now();
    trackStream(entry, res);
    entry.transport.handlePost(req, res, inbound);
  }

  async function openSession(identity: string): Promise<SessionEntry> {
    const id = randomUUID();
    const transport = createStreamableSession({ sessionId: id, protocolVersions });
    const session = options.createSession({ id, identity, downstream: transport.channel });
    const entry: SessionEntry = { session, transport, identity, lastSeen: Date.now(), openStreams: 0 };
    sessions.set(id, entry);
    await session.start();
    log.info(`session ${id} opened for identity "${identity}"`);
    return entry;
  }

  /** A session exists for a caller only if that caller created it: ids are not capabilities. */
  function sessionFor(id: string | undefined, identity: string): SessionEntry | undefined {
    if (id === undefined) return undefined;
    const entry = sessions.get(id);
    if (!entry || entry.session.closed) {
      if (entry) sessions.delete(id);
      return undefined;
    }
    if (entry.identity !== identity) {
      log.warn(`identity "${identity}" presented the session id of another identity; refused`);
      return undefined;
    }
    return entry;
  }

  function sendSessionError(res: ServerResponse, id: string | undefined): void {
    if (id === undefined) return sendJsonError(res, 400, null, ErrorCodes.invalidRequest, 'Bad Request: Mcp-Session-Id header is required.');
    return sendJsonError(res, 404, null, ErrorCodes.requestTimeout, 'Session not found.');
  }

  function trackStream(entry: SessionEntry, res: ServerResponse): void {
    entry.openStreams++;
    res.once('close', () => {
      entry.openStreams--;
      entry.lastSeen = Date.now();
    });
  }

  function forgetClosedSessions(): void {
    for (const [id, entry] of sessions) if (entry.session.closed) sessions.delete(id);
  }

  function closeIdleSessions(): void {
    const now = Date.now();
    for (const [id, entry] of sessions) {
      if (entry.session.closed) sessions.delete(id);
      else if (entry.openStreams === 0 && now - entry.lastSeen > sessionIdleMs) {
        log.info(`session ${id} closed after ${Math.round(sessionIdleMs / 1000)} s without activity`);
        sessions.delete(id);
        void entry.session.close('the session was idle too long');
      }
    }
  }

  return {
    port,
    url: `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}${path}`,
    sessions: () => [...sessions.values()].map((entry) => entry.session),
    async close() {
      clearInterval(sweep);
      const closing = [...sessions.values()].map((entry) => entry.session.close());
      sessions.clear();
      await Promise.allSettled(closing);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** The Host header values a loopback (or explicitly allowed) server answers to. */
function hostAllowList(host: string, port: number, extra: readonly string[]): Set<string> {
  const hosts = new Set<string>();
  const add = (name: string): void => {
    const lower = name.toLowerCase();
    hosts.add(`${lower}:${port}`);
    if (port === 80) hosts.add(lower);
  };
  const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  add(bracketed);
  if (isLoopback(host)) ['localhost', '127.0.0.1', '[::1]'].forEach(add);
  for (const name of extra) {
    const lower = name.toLowerCase();
    if (/:\d+$/.test(lower)) hosts.add(lower);
    else add(lower);
  }
  return hosts;
}

function singleHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? undefined : value;
}

/** The body as text, or undefined when it is over the cap (reading stops as soon as it is). */
function readBody(req: IncomingMessage, maxBytes: number): Promise<string | undefined> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    return Promise.resolve(undefined);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > maxBytes) {
        over = true;
        chunks.length = 0;
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

function sendJsonError(res: ServerResponse, status: number, id: RequestId | null, code: number, message: string): void {
  const body = JSON.stringify({ jsonrpc: '2.0', id, error: { code, message } });
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
