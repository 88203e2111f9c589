// Upstream over Streamable HTTP (MCP 2025-03-26 and 2025-06-18): every message is a POST, answered
// with 202, one JSON body or an event stream; a GET stream carries what the server sends on its
// own. One channel per downstream session, so each caller has its own upstream session and
// server→client requests never cross between callers; the connections underneath are shared,
// through one keep-alive undici Agent for the process.
//
// The gateway's own rather than the SDK's StreamableHTTPClientTransport: that one goes through
// fetch (Request and Response objects, web streams, header lists) and zod for every message, about
// a quarter of the gateway's time under load. What it does is kept: the headers it sends, the
// session id it captures, redirects followed within the origin only, the GET stream opened after
// `notifications/initialized` and reopened with the same backoff, DELETE on close, and no POST
// ever sent twice. Messages are checked with the gateway's own parseMessage/classify, as on stdio.
//
// Requests go through undici's Dispatcher API (not fetch, not node:http): under the 50-session
// load its request costs the gateway a fifth to a third less CPU per call than node:http's
// ClientRequest and Agent did (bench/README.md); http-answer.ts is the handler.

import type { Dispatcher } from 'undici';

import { classify, parseMessage, ErrorCodes, type Inbound, type JsonRpcMessage } from '../jsonrpc.js';
import type { Channel, ChannelEnd } from './channel.js';
import { dispatchOnce, InFlight, type Answer } from './http-answer.js';
import { DEFAULT_MAX_LINE_BYTES } from './lines.js';
import { createSseDecoder } from './sse.js';

export interface HttpUpstream {
  url: URL;
  /** Extra request headers, e.g. the upstream's own Authorization. */
  headers?: Record<string, string>;
  /** The largest message the upstream may send: a JSON body, or one event of a stream. */
  maxMessageBytes?: number;
  /** How the GET stream is reopened after it drops. */
  reconnect?: Partial<ReconnectOptions>;
}

export interface ReconnectOptions {
  initialDelayMs: number;
  maxDelayMs: number;
  growFactor: number;
  /** Failed attempts in a row before the stream is given up. */
  maxRetries: number;
}

/** The SDK client's defaults: 1 s, then 1.5 s, giving up after two failed attempts in a row. */
export const DEFAULT_RECONNECT: ReconnectOptions = { initialDelayMs: 1000, maxDelayMs: 30_000, growFactor: 1.5, maxRetries: 2 };

/**
 * What the upstream may send, per message: the cap of a stdio upstream's lines (4 MiB), not the
 * 1 MiB of a client's requests (DEFAULT_MAX_BODY_BYTES), since answers are legitimately larger
 * than requests (a tools/list of many tools, a resource read); either transport of the same
 * server is held to the same bound.
 */
export const DEFAULT_MAX_MESSAGE_BYTES = DEFAULT_MAX_LINE_BYTES;

/** An error answer is read this far, for its message; what follows is not worth a byte. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;
/** A hung upstream must not hold the gateway's shutdown: DELETE gets this long. */
const DELETE_TIMEOUT_MS = 2000;
const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** `retry:` is honoured, but a stream that asks for 0 ms must not make a busy loop of GETs. */
const MIN_SERVER_RETRY_MS = 100;
/** Headers that frame the request or hold the socket: ours to set, never the user's. */
const FRAMING_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade']);

type Headers = Record<string, string>;

export function httpClientChannel(spec: HttpUpstream): Channel {
  const maxMessageBytes = spec.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const reconnect: ReconnectOptions = { ...DEFAULT_RECONNECT, ...spec.reconnect };
  const extras: Headers = {};
  for (const [name, value] of Object.entries(spec.headers ?? {})) {
    const lower = name.toLowerCase();
    if (!FRAMING_HEADERS.has(lower)) extras[lower] = value;
  }

  let ended = false;
  let closing: Promise<void> | undefined;
  let sessionId: string | undefined;
  let protocolVersion: string | undefined;
  let serverRetryMs: number | undefined;
  let standaloneOpened = false;
  /** Session, version and the user's headers: rebuilt when one changes, not per request. */
  let common: Headers = { ...extras };
  let postHeaders = postHeadersOf(common);
  /** What stop() aborts. */
  const inFlight = new InFlight();
  const timers = new Set<NodeJS.Timeout>();
  let dispatcher: Dispatcher | undefined;
  /** The endpoint's origin and path, worked out once rather than on every request. */
  const endpoint = targetOf(spec.url);

  const channel: Channel = {
    async start() {
      dispatcher = (await import('./undici-agent.js')).upstreamAgent();
    },
    async send(message: JsonRpcMessage) {
      if (ended || closing) throw new Error('the upstream connection is closed');
      const isRequest = 'method' in message && 'id' in message;
      const body = JSON.stringify(message);
      const withSession = sessionId !== undefined;
      let response: Answer;
      try {
        // undici sets Content-Length from the string.
        response = await exchange('POST', postHeaders, body);
      } catch (error) {
        throw failed(`the request to the upstream failed: ${describe(error)}`);
      }
      captureSession(response);
      const status = response.status;
      if (status < 200 || status >= 300) {
        const error = failed(`the upstream answered ${await statusText(response, spec.url)}`);
        // The upstream forgot the session (restart, expiry): this session cannot go on.
        if (status === 404 && withSession) finish({ reason: 'no longer knows this session (HTTP 404)', expected: false });
        throw error;
      }
      if (status === 202 || !isRequest) {
        discard(response);
        if (!isRequest && 'method' in message && message.method === 'notifications/initialized') openStandaloneStream();
        return;
      }
      const type = mediaType(response.headers['content-type']);
      if (type === 'text/event-stream') {
        // The answer comes as the stream goes: send() is done once the stream is open.
        readStream(response, { standalone: false, lastEventId: undefined });
        return;
      }
      if (type !== 'application/json') {
        discard(response);
        throw failed(`the upstream answered with ${type === '' ? 'no content type' : `content of type ${type}`}, neither JSON nor an event stream`);
      }
      let bytes: Buffer | undefined;
      try {
        bytes = await readBody(response, maxMessageBytes);
      } catch (error) {
        throw failed(`the upstream's answer broke off: ${describe(error)}`);
      }
      if (bytes === undefined) tooLarge();
      else deliver(bytes.toString('utf8'));
    },
    close() {
      closing ??= closeNow();
      return closing;
    },
    setProtocolVersion(version: string) {
      protocolVersion = version;
      rebuildCommon();
    },
  };

  async function closeNow(): Promise<void> {
    if (!ended && sessionId !== undefined) {
      // Ask the upstream to end the session; 405 (it does not let clients) or any other answer
      // changes nothing here.
      const timer = setTimeout(stop, DELETE_TIMEOUT_MS);
      try {
        discard(await exchange('DELETE', { ...common }, undefined));
      } catch {
        // Unreachable or hung: the session ends on the upstream's own clock.
      } finally {
        clearTimeout(timer);
      }
    }
    finish({ reason: 'closed the connection', expected: true });
  }

  function finish(end: ChannelEnd): void {
    if (ended) return;
    ended = true;
    stop();
    channel.onclose?.(end);
  }

  /** Every request in flight and every stream is dropped, and no stream is reopened. */
  function stop(): void {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    inFlight.abortAll(new Error('the upstream connection is closed'));
  }

  /** Trouble worth a log line, unless the channel is going anyway. */
  function report(error: Error): void {
    if (!ended && !closing) channel.onerror?.(error);
  }

  /** The error send() rejects with: reported too, as the SDK's transport did, unless closing. */
  function failed(text: string): Error {
    if (ended || closing) return new Error('the upstream connection is closed');
    const error = new Error(text);
    channel.onerror?.(error);
    return error;
  }

  function rebuildCommon(): void {
    common = {
      ...(sessionId === undefined ? {} : { 'mcp-session-id': sessionId }),
      ...(protocolVersion === undefined ? {} : { 'mcp-protocol-version': protocolVersion }),
      ...extras,
    };
    postHeaders = postHeadersOf(common);
  }

  function captureSession(response: Answer): void {
    const id = response.headers['mcp-session-id'];
    if (typeof id !== 'string' || id === '' || id === sessionId) return;
    // The spec allows visible ASCII only; anything else could not be sent back as a header.
    if (!/^[\x21-\x7e]+$/.test(id)) {
      report(new Error('ignored an Mcp-Session-Id with characters other than visible ASCII'));
      return;
    }
    sessionId = id;
    rebuildCommon();
  }

  // ---- messages in -----------------------------------------------------------------------------

  function emit(inbound: Inbound): boolean {
    channel.onmessage?.(inbound);
    return inbound.kind === 'result' || inbound.kind === 'error';
  }

  /** One JSON body or event: a message, or (liberally) an array of them. True if it held an answer. */
  function deliver(text: string): boolean {
    if (ended) return false;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      // Reported exactly as a stdio upstream's bad line is: the relay fails the waiting requests
      // rather than guess which one this answered.
      return emit(parseMessage(text));
    }
    if (!Array.isArray(value) || value.length === 0) return emit(classify(value));
    let answered = false;
    for (const item of value) answered = emit(classify(item)) || answered;
    return answered;
  }

  function tooLarge(): void {
    if (ended) return;
    emit({ kind: 'invalid', id: null, code: ErrorCodes.invalidRequest, reason: `message longer than ${maxMessageBytes} bytes` });
  }

  interface StreamOptions {
    /** The GET stream of server-initiated messages, reopened whenever it drops. */
    standalone: boolean;
    /** Where a reopened stream resumes (Last-Event-ID). */
    lastEventId: string | undefined;
  }

  /**
   * An event stream, read as it comes. The GET stream is reopened when it ends; a POST's stream
   * only if the server gave event ids (it can resume it) and the answer has not come yet.
   */
  function readStream(response: Answer, options: StreamOptions): void {
    let answered = false;
    let broke: Error | undefined;
    const decoder = createSseDecoder(
      {
        onEvent(type, data) {
          if (data === '' || (type !== undefined && type !== 'message')) return;
          if (deliver(data)) answered = true;
        },
        onRetry(ms) {
          serverRetryMs = ms;
        },
        onOversized: tooLarge,
      },
      maxMessageBytes,
    );
    const closed = (): void => {
      decoder.end();
      if (ended || closing) return;
      if (broke !== undefined) report(new Error(`the upstream's event stream broke off: ${broke.message}`));
      const lastEventId = decoder.lastEventId ?? options.lastEventId;
      if (options.standalone || (lastEventId !== undefined && !answered)) scheduleReopen({ standalone: options.standalone, lastEventId }, 0);
    };
    response.body.read({
      data: (chunk) => decoder.push(chunk),
      end: closed,
      fail(error) {
        broke = error;
        closed();
      },
    });
  }

  function openStandaloneStream(): void {
    if (standaloneOpened) return;
    standaloneOpened = true;
    openStream({ standalone: true, lastEventId: undefined }).catch(report);
  }

  async function openStream(options: StreamOptions): Promise<void> {
    const headers: Headers = { ...common, accept: 'text/event-stream' };
    if (options.lastEventId !== undefined) headers['last-event-id'] = options.lastEventId;
    let response: Answer;
    try {
      response = await exchange('GET', headers, undefined);
    } catch (error) {
      throw new Error(`cannot open the upstream's stream of server messages: ${describe(error)}`);
    }
    const status = response.status;
    // 405: the server offers no such stream, which the spec allows.
    if (status === 405) {
      discard(response);
      return;
    }
    if (status < 200 || status >= 300) throw new Error(`cannot open the upstream's stream of server messages: it answered ${await statusText(response, spec.url)}`);
    readStream(response, options);
  }

  function scheduleReopen(options: StreamOptions, attempt: number): void {
    if (ended || closing) return;
    if (attempt >= reconnect.maxRetries) {
      report(new Error(`gave up reopening the upstream's event stream after ${attempt} failed attempts`));
      return;
    }
    const delay =
      serverRetryMs !== undefined
        ? Math.min(Math.max(serverRetryMs, MIN_SERVER_RETRY_MS), reconnect.maxDelayMs)
        : Math.min(reconnect.initialDelayMs * reconnect.growFactor ** attempt, reconnect.maxDelayMs);
    const timer = setTimeout(() => {
      timers.delete(timer);
      openStream(options).catch((error: Error) => {
        report(error);
        scheduleReopen(options, attempt + 1);
      });
    }, delay);
    timer.unref();
    timers.add(timer);
  }

  // ---- HTTP ------------------------------------------------------------------------------------

  /**
   * One request, following redirects within the origin, resolved with the answer's head. A request
   * that fails is never sent again: a POST may have reached the server before its connection
   * broke, and a tools/call done twice is an order placed twice.
   */
  function exchange(method: 'POST' | 'GET' | 'DELETE', headers: Headers, body: string | undefined, url = spec.url, hops = 0): Promise<Answer> {
    const client = dispatcher;
    if (client === undefined) return Promise.reject(new Error('the channel was not started'));
    const where = url === spec.url ? endpoint : targetOf(url);
    const options: Dispatcher.DispatchOptions = { ...where, method, headers: withUserinfo(headers, url) };
    if (body !== undefined) options.body = body;
    return dispatchOnce(client, options, inFlight).then((answer) => {
      const next = redirectTarget(answer, url, method, hops);
      if (next === undefined) return answer;
      discard(answer);
      return exchange(method, headers, body, next, hops + 1);
    });
  }

  return channel;
}

function targetOf(url: URL): { origin: string; path: string } {
  return { origin: url.origin, path: `${url.pathname}${url.search}` };
}

/** Userinfo in the URL becomes Basic authorization, as curl and node:http do, unless one is set. */
function withUserinfo(headers: Headers, url: URL): Headers {
  if ((url.username === '' && url.password === '') || headers.authorization !== undefined) return headers;
  const credentials = Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64');
  return { ...headers, authorization: `Basic ${credentials}` };
}

/**
 * Where a redirect leads, if it is to be followed: as the SDK's client does, only within the
 * origin (or from http to https on the default ports), never adding credentials, at most five in
 * a row, and for a POST or DELETE only with 307 and 308 (the others turn them into a GET).
 */
function redirectTarget(response: Answer, from: URL, method: string, hops: number): URL | undefined {
  const status = response.status;
  if (!REDIRECT_STATUSES.has(status) || hops >= MAX_REDIRECTS) return undefined;
  if (method !== 'GET' && status !== 307 && status !== 308) return undefined;
  const to = locationOf(response, from);
  if (to === undefined) return undefined;
  if ((to.username !== '' || to.password !== '') && (to.username !== from.username || to.password !== from.password)) return undefined;
  const sameOrigin = to.protocol === from.protocol && to.hostname === from.hostname && to.port === from.port;
  const upgrade = to.hostname === from.hostname && from.protocol === 'http:' && from.port === '' && to.protocol === 'https:' && to.port === '';
  return sameOrigin || upgrade ? to : undefined;
}

function locationOf(response: Answer, from: URL): URL | undefined {
  const location = response.headers.location;
  if (typeof location !== 'string' || location === '') return undefined;
  try {
    return new URL(location, from);
  } catch {
    return undefined;
  }
}

/** The media type of a Content-Type, without its parameters: `application/json; charset=utf-8` → `application/json`. */
function mediaType(contentType: string | string[] | undefined): string {
  if (typeof contentType !== 'string') return '';
  const semicolon = contentType.indexOf(';');
  return (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
}

/** "HTTP 400 Bad Request: No valid session ID provided": the status, and the body's message if it has a short one. */
async function statusText(response: Answer, from: URL): Promise<string> {
  const status = response.status;
  const head = `HTTP ${status}${response.statusText ? ` ${response.statusText}` : ''}`;
  if (REDIRECT_STATUSES.has(status)) {
    discard(response);
    const to = locationOf(response, from);
    if (to === undefined) return head;
    // Named without userinfo, query or fragment, which may hold secrets.
    to.username = to.password = to.search = to.hash = '';
    return `${head}: a redirect to ${to.href}, not followed (only redirects within the same origin are)`;
  }
  const bytes = await readBody(response, MAX_ERROR_BODY_BYTES).catch(() => undefined);
  const detail = bytes === undefined ? undefined : messageOf(bytes.toString('utf8'));
  return detail === undefined ? head : `${head}: ${detail}`;
}

/** A JSON-RPC error's message, or short plain text; anything else is not worth repeating. */
function messageOf(text: string): string | undefined {
  let detail = text.trim();
  try {
    const value: unknown = JSON.parse(detail);
    const error = value !== null && typeof value === 'object' ? (value as { error?: unknown }).error : undefined;
    const message = error !== null && typeof error === 'object' ? (error as { message?: unknown }).message : undefined;
    if (typeof message !== 'string') return undefined;
    detail = message.trim();
  } catch {
    // Not JSON: plain text, if it is short and printable.
  }
  return detail !== '' && detail.length <= 200 && !/[\p{Cc}\p{Cf}]/u.test(detail) ? detail : undefined;
}

/** What every POST sends besides its length. */
function postHeadersOf(common: Headers): Headers {
  return { ...common, 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
}

/**
 * The whole body, or undefined when it is larger than `limit` (the connection is then dropped,
 * not read on: a hostile upstream cannot make the gateway buffer without bound).
 */
function readBody(response: Answer, limit: number): Promise<Buffer | undefined> {
  const { body } = response;
  return new Promise((resolve, reject) => {
    if (Number(response.headers['content-length']) > limit) {
      body.drop();
      resolve(undefined);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    body.read({
      data(chunk) {
        if (size > limit) return;
        size += chunk.length;
        if (size > limit) {
          body.drop();
          resolve(undefined);
          return;
        }
        chunks.push(chunk);
      },
      end: () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size)),
      // After a drop this changes nothing: the promise is settled.
      fail: reject,
    });
  });
}

/**
 * A body nobody needs: read and dropped so that the socket goes back to the pool, up to a bound;
 * an event stream (which may never end) or anything longer closes the connection instead.
 */
function discard(response: Answer): void {
  const { body } = response;
  if (mediaType(response.headers['content-type']) === 'text/event-stream') {
    body.drop();
    return;
  }
  let size = 0;
  body.read({
    data(chunk) {
      size += chunk.length;
      if (size > MAX_ERROR_BODY_BYTES) body.drop();
    },
    end: () => undefined,
    fail: () => undefined,
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
