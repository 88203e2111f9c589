// One session's Streamable HTTP transport (MCP revisions 2025-03-26 and 2025-06-18), on plain
// node:http. The listener has already done every front-door check (path, Host, Origin, token,
// body size, one checked JSON-RPC message, the session's owner); this answers what is left, the
// way the SDK's StreamableHTTPServerTransport did (the same Accept, Content-Type and
// MCP-Protocol-Version checks, statuses and messages), since real clients were written against
// it. Without it a call no longer becomes a web Request, a Response, a ReadableStream and a second
// schema validation: a message is written with one res.write or res.end.
//
// The answer to a POSTed request: its headers wait for the first message that belongs to the
// request. When that is the answer, it goes as one application/json body with a Content-Length
// (one write, no chunking; the cheapest form for the gateway and for any client to read). When a
// related message (progress, logging, a sampling request) comes first, the response becomes an
// SSE stream that carries it, and the answer ends the stream. A call still unanswered at a
// keep-alive tick becomes a stream too, so that a client or proxy waiting for headers sees them.
//
// No resumability: no event ids, no Last-Event-ID replay (the gateway never configured an event
// store for the SDK's transport either).

import type { IncomingMessage, ServerResponse } from 'node:http';

import { ErrorCodes, type Inbound, type JsonRpcMessage, type RequestId } from '../jsonrpc.js';
import { SlotMap } from '../slot-map.js';
import type { Channel, ChannelEnd, SendOptions } from '../transport/channel.js';

/** A message the listener accepted: anything parseMessage did not refuse. */
export type AcceptedInbound = Exclude<Inbound, { kind: 'invalid' }>;

/** How often an open SSE stream gets a comment line, as the SDK's transport did (15 s). */
export const SSE_KEEP_ALIVE_MS = 15_000;

export interface StreamableOptions {
  /** The id the listener chose; sent in Mcp-Session-Id. */
  sessionId: string;
  /** MCP-Protocol-Version values accepted after initialize; any other gets 400. */
  protocolVersions: ReadonlySet<string>;
  keepAliveMs?: number;
}

export interface StreamableSession {
  /** The session's downstream, for the relay. */
  readonly channel: Channel;
  handlePost(req: IncomingMessage, res: ServerResponse, inbound: AcceptedInbound): void;
  handleGet(req: IncomingMessage, res: ServerResponse): void;
  /** True when it ended the session (a refused DELETE leaves it as it was). */
  handleDelete(req: IncomingMessage, res: ServerResponse): boolean;
}

/** The HTTP response a POSTed request is answered on. */
interface RequestStream {
  res: ServerResponse;
  /** Headers sent as text/event-stream: every message from now on is one event. */
  streaming: boolean;
  /** The keep-alive tick it was opened in: it is pinged only from the next one on. */
  tick: number;
}

const SSE_HEADERS = {
  'Content-Type': 'text/event-stream',
  'Cache-Control': 'no-cache, no-transform',
  Connection: 'keep-alive',
  // Tells nginx and the like not to buffer the stream.
  'X-Accel-Buffering': 'no',
};
const KEEP_ALIVE_COMMENT = ': keepalive\n\n';

export function createStreamableSession(options: StreamableOptions): StreamableSession {
  const { sessionId, protocolVersions } = options;
  const keepAliveMs = options.keepAliveMs ?? SSE_KEEP_ALIVE_MS;
  const sseHeaders = { ...SSE_HEADERS, 'Mcp-Session-Id': sessionId };
  /** Open POSTed requests by their JSON-RPC id (1 and "1" are different ids, as in a Map). */
  const requests = new SlotMap<RequestId, RequestStream>();
  /** The GET stream, for server messages that belong to no request. */
  let standalone: ServerResponse | undefined;
  let initialized = false;
  /** Streams ended, no more requests taken. */
  let closed = false;
  /** onclose called. */
  let ended = false;
  let tick = 0;
  let keepAlive: NodeJS.Timeout | undefined;

  const channel: Channel = {
    async start() {
      if (keepAliveMs > 0 && Number.isFinite(keepAliveMs)) {
        keepAlive = setInterval(pingStreams, keepAliveMs);
        keepAlive.unref();
      }
    },
    async send(message: JsonRpcMessage, sendOptions?: SendOptions) {
      const isAnswer = !('method' in message);
      const id = isAnswer ? message.id : sendOptions?.relatedRequestId;
      if (id === undefined) {
        // Nothing to wait for and nowhere else to go: without a GET stream the message is
        // dropped, as the SDK's transport did.
        if (standalone !== undefined && !closed) writeEvent(standalone, message);
        return;
      }
      const stream = id === null ? undefined : requests.get(id);
      if (stream === undefined || closed || stream.res.destroyed) {
        // Rejected, not dropped: the relay may send a server request whose call has gone on the
        // session's GET stream instead.
        throw new Error(`the HTTP request ${JSON.stringify(id)} is no longer open`);
      }
      if (isAnswer) {
        requests.delete(id as RequestId);
        answer(stream, message);
      } else {
        if (!stream.streaming) startStream(stream);
        writeEvent(stream.res, message);
      }
    },
    async close() {
      closeStreams();
      notify({ reason: 'session was closed by the gateway', expected: true });
    },
  };

  function handlePost(req: IncomingMessage, res: ServerResponse, inbound: AcceptedInbound): void {
    if (closed) return sendError(res, 404, ErrorCodes.requestTimeout, 'Session not found');
    if (postHeadersRefused(req, res, report)) return;
    if (inbound.kind === 'request' && inbound.message.method === 'initialize') {
      if (initialized) return refuse(res, 400, ErrorCodes.invalidRequest, 'Invalid Request: Server already initialized');
      initialized = true;
    } else if (sessionRefused(req, res)) {
      return;
    }
    if (inbound.kind !== 'request') {
      // A notification, or the client's answer to a server request: nothing comes back on this
      // POST. Handed on first, so that by the time the client reads 202 the relay has it.
      channel.onmessage?.(inbound);
      res.writeHead(202).end();
      return;
    }
    const id = inbound.message.id;
    if (requests.has(id)) {
      // Answers find their HTTP response by id: a second open request with one id could never
      // be told apart from the first, and one of the two would wait forever.
      return refuse(res, 400, ErrorCodes.invalidRequest, `Request id ${JSON.stringify(id)} is already in use by a pending request.`, id);
    }
    const stream: RequestStream = { res, streaming: false, tick };
    requests.set(id, stream);
    res.once('close', () => {
      // The client went away before its answer: whatever comes for it later is refused by send().
      if (requests.get(id) === stream) requests.delete(id);
    });
    channel.onmessage?.(inbound);
  }

  function handleGet(req: IncomingMessage, res: ServerResponse): void {
    if (closed) return sendError(res, 404, ErrorCodes.requestTimeout, 'Session not found');
    if (!req.headers.accept?.includes('text/event-stream')) {
      return refuse(res, 406, ErrorCodes.connectionClosed, 'Not Acceptable: Client must accept text/event-stream');
    }
    if (sessionRefused(req, res)) return;
    if (standalone !== undefined) return refuse(res, 409, ErrorCodes.connectionClosed, 'Conflict: Only one SSE stream is allowed per session');
    standalone = res;
    res.once('close', () => {
      if (standalone === res) standalone = undefined;
    });
    res.writeHead(200, sseHeaders);
    // The client's GET resolves once headers arrive; nothing may be sent for a long time.
    res.flushHeaders();
  }

  function handleDelete(req: IncomingMessage, res: ServerResponse): boolean {
    if (closed) {
      sendError(res, 404, ErrorCodes.requestTimeout, 'Session not found');
      return false;
    }
    if (sessionRefused(req, res)) return false;
    res.writeHead(200).end();
    // The relay hears first, while the streams are open, so that the calls it fails are answered
    // with its reason; then whatever is left is ended here.
    notify({ reason: 'ended the session', expected: false });
    closeStreams();
    return true;
  }

  /** After initialize every request must name a version the SDK knows; none at all is accepted. */
  function sessionRefused(req: IncomingMessage, res: ServerResponse): boolean {
    if (!initialized) {
      refuse(res, 400, ErrorCodes.connectionClosed, 'Bad Request: Server not initialized');
      return true;
    }
    const version = req.headers['mcp-protocol-version'];
    if (version !== undefined && !protocolVersions.has(version as string)) {
      refuse(
        res,
        400,
        ErrorCodes.connectionClosed,
        `Bad Request: Unsupported protocol version: ${String(version)} (supported versions: ${[...protocolVersions].join(', ')})`,
      );
      return true;
    }
    return false;
  }

  /** A refusal, answered and reported to the relay (its log says which client did what wrong). */
  function refuse(res: ServerResponse, status: number, code: number, message: string, id: RequestId | null = null): void {
    report(message);
    sendError(res, status, code, message, id);
  }

  function report(message: string): void {
    channel.onerror?.(new Error(message));
  }

  function answer(stream: RequestStream, message: JsonRpcMessage): void {
    const { res } = stream;
    const body = JSON.stringify(message);
    if (stream.streaming) {
      res.end(`event: message\ndata: ${body}\n\n`);
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json', 'Mcp-Session-Id': sessionId, 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }

  function startStream(stream: RequestStream): void {
    stream.streaming = true;
    stream.res.writeHead(200, sseHeaders);
  }

  function pingStreams(): void {
    for (const stream of requests.values()) {
      if (stream.tick === tick || stream.res.destroyed) continue;
      if (!stream.streaming) startStream(stream);
      stream.res.write(KEEP_ALIVE_COMMENT);
    }
    if (standalone !== undefined && !standalone.destroyed) standalone.write(KEEP_ALIVE_COMMENT);
    tick++;
  }

  function closeStreams(): void {
    if (closed) return;
    closed = true;
    if (keepAlive !== undefined) clearInterval(keepAlive);
    // A request still open here was never answered by the relay (it was cancelled while being
    // decided): its client hears that the session is gone rather than wait for ever.
    for (const [id, stream] of requests) {
      if (!stream.res.destroyed) answer(stream, { jsonrpc: '2.0', id, error: { code: ErrorCodes.connectionClosed, message: 'The session was closed before the request was answered.' } });
    }
    requests.clear();
    standalone?.end();
    standalone = undefined;
  }

  function notify(end: ChannelEnd): void {
    if (ended) return;
    ended = true;
    channel.onclose?.(end);
  }

  return { channel, handlePost, handleGet, handleDelete };
}

/**
 * The Accept and Content-Type checks every POST passes, answered with 406 or 415 as the SDK's
 * transport did. The listener also asks before `initialize` opens a session, so that a refused
 * one leaves no session behind.
 */
export function postHeadersRefused(req: IncomingMessage, res: ServerResponse, report?: (message: string) => void): boolean {
  // Accept is a list: a substring check is what the SDK does (and what clients were tested with).
  const accept = req.headers.accept;
  let status = 0;
  let message = '';
  if (accept === undefined || !accept.includes('application/json') || !accept.includes('text/event-stream')) {
    [status, message] = [406, 'Not Acceptable: Client must accept both application/json and text/event-stream'];
  } else if (!isJsonContentType(req.headers['content-type'])) {
    [status, message] = [415, 'Unsupported Media Type: Content-Type must be application/json'];
  } else {
    return false;
  }
  report?.(message);
  sendError(res, status, ErrorCodes.connectionClosed, message);
  return true;
}

/**
 * The media type, parsed, never found as a substring (`text/plain; a=application/json` is not
 * JSON); parameters are ignored, but a comma outside quotes means two headers joined into one,
 * which is ambiguous and refused.
 */
function isJsonContentType(header: string | undefined): boolean {
  if (header === 'application/json') return true;
  if (header === undefined) return false;
  const semicolon = header.indexOf(';');
  if (semicolon === -1) return header.trim().toLowerCase() === 'application/json';
  if (header.slice(0, semicolon).trim().toLowerCase() !== 'application/json') return false;
  return !header.slice(semicolon).replace(/"(?:[^"\\]|\\.)*"/g, '').includes(',');
}

function writeEvent(res: ServerResponse, message: JsonRpcMessage): void {
  if (res.destroyed || res.writableEnded) return;
  res.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
}

/** Errors in the SDK's form: a JSON-RPC error with id null unless the request's id is known. */
function sendError(res: ServerResponse, status: number, code: number, message: string, id: RequestId | null = null): void {
  const body = JSON.stringify({ jsonrpc: '2.0', id, error: { code, message } });
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
