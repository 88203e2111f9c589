// One MCP session through the gateway: a downstream connection (the agent's client), the upstream
// connection opened for it, and the relay between them at the level of JSON-RPC messages.
//
// Everything passes through unchanged except:
//   - `initialize`: the upstream connection is opened only now, so the client's capabilities are
//     declared upstream as the client declared them; the result is recorded.
//   - `tools/list` results: tools hidden for this caller are removed from every page.
//   - `tools/call`: decided by the gate (policy, limits, audit record) before anything is sent;
//     a denial is answered here as a tool result with `isError: true`.
//   - `notifications/tools/list_changed` from upstream: the gateway re-learns the tool list first.
// Request ids are renumbered in both directions, so the gateway's own requests (its `tools/list`)
// cannot collide with the client's or the server's. Every forwarded request is tracked until it
// is answered: an upstream that dies, answers garbage or never answers turns into errors for the
// callers that wait, never into silence.

import type { JsonObject, JsonValue } from '../model/json.js';
import type { CallGate, GateVerdict, Reservation, ToolInventory } from './gate-types.js';
import {
  ErrorCodes,
  errorResponse,
  idKey,
  isObject,
  resultResponse,
  type Inbound,
  type JsonRpcError,
  type JsonRpcErrorObject,
  type JsonRpcMessage,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type JsonRpcResult,
  type RequestId,
} from './jsonrpc.js';
import { quoted, type Logger } from './log.js';
import { SlotMap } from './slot-map.js';
import { filterToolsPage, readToolsPage } from './tools-list.js';
import type { Channel, ChannelEnd, SendOptions } from './transport/channel.js';

export interface SessionOptions {
  /** The session id written to the audit log (and, over HTTP, the Mcp-Session-Id). */
  id: string;
  identity: string;
  downstream: Channel;
  /** Makes the upstream connection (not yet started); called once, on the client's `initialize`. */
  openUpstream: () => Channel;
  gate: CallGate;
  log: Logger;
  /** How long a forwarded request may go unanswered (reset by progress notifications). */
  requestTimeoutMs: number;
  /** How long the gateway waits for each page of its own `tools/list`. */
  toolListTimeoutMs?: number;
  /** Called once when the session has ended, with why. */
  onclose?: (reason: string, failure: boolean) => void;
}

export interface Session {
  readonly id: string;
  readonly identity: string;
  readonly closed: boolean;
  start(): Promise<void>;
  close(reason?: string): Promise<void>;
  /** The policy changed: tell the client to fetch its tool list again. */
  policyChanged(): void;
}

type Phase = 'new' | 'connecting' | 'ready';

/** A client request sent upstream under a gateway id, waiting for its answer. */
interface Forwarded {
  kind: 'client';
  clientId: RequestId;
  method: string;
  progressToken?: string | number;
  reservation?: Reservation;
  transform?: (result: JsonObject) => Transformed;
  timer?: NodeJS.Timeout;
}

/** What the gateway makes of an upstream result before the client sees it. */
type Transformed = { result: JsonObject } | { error: JsonRpcErrorObject };

/** A request of the gateway's own (its tool list). */
interface OwnRequest {
  kind: 'own';
  resolve: (result: JsonObject) => void;
  reject: (error: Error) => void;
  timer?: NodeJS.Timeout;
}

/** A tools/call being decided: not yet sent, so a cancellation simply drops it. */
interface Held {
  cancelled: boolean;
}

const MAX_TOOL_PAGES = 1000;

export function createSession(options: SessionOptions): Session {
  const { downstream, gate, log } = options;
  const toolListTimeoutMs = options.toolListTimeoutMs ?? 30_000;

  let phase: Phase = 'new';
  let closed = false;
  let upstream: Channel | undefined;
  let serverCapabilities: JsonObject | undefined;
  let initializedSent = false;

  let nextUpstreamId = 1;
  let nextDownstreamId = 1;
  /** Gateway id → what waits for the upstream's answer. */
  const upstreamPending = new SlotMap<number, Forwarded | OwnRequest>();
  /** Client id → gateway id (sent) or Held (being decided). */
  const clientRequests = new SlotMap<string, number | Held>();
  /** Progress token → gateway id of the request it belongs to. */
  const progressTokens = new Map<string, number>();
  /** Server→client requests: our downstream id → the upstream's id, and back. */
  const serverRequests = new Map<number, RequestId>();
  const serverRequestIds = new Map<string, number>();

  let inventory: Promise<ToolInventory> | undefined;
  let inventorySettled: ToolInventory | undefined;

  const session: Session = {
    id: options.id,
    identity: options.identity,
    get closed() {
      return closed;
    },
    async start() {
      downstream.onmessage = (inbound) => onClientMessage(inbound);
      downstream.onclose = (end) => void close(`the client ${end.reason}`, false);
      downstream.onerror = (error) => log.warn(`client connection: ${error.message}`);
      await downstream.start();
    },
    close: (reason = 'the gateway is shutting down') => close(reason, false),
    policyChanged() {
      if (closed || phase !== 'ready' || !isObject(serverCapabilities?.tools)) return;
      toClient({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    },
  };

  // ---- sending ---------------------------------------------------------------------------------

  function toClient(message: JsonRpcMessage, sendOptions?: SendOptions): void {
    if (closed) return;
    downstream.send(message, sendOptions).catch((error: unknown) => {
      // A server message tied to a request whose HTTP stream has gone can still take the
      // session's general stream.
      if (sendOptions?.relatedRequestId !== undefined && 'method' in message) {
        toClient(message);
        return;
      }
      log.debug(`could not deliver a message to the client: ${describe(error)}`);
    });
  }

  function answerError(id: RequestId | null, code: number, message: string): void {
    toClient(errorResponse(id, code, message));
  }

  function deniedResult(id: RequestId, text: string): void {
    toClient(resultResponse(id, { content: [{ type: 'text', text }], isError: true }));
  }

  // ---- messages from the client ----------------------------------------------------------------

  function onClientMessage(inbound: Inbound): void {
    if (closed) return;
    switch (inbound.kind) {
      case 'invalid':
        log.debug(`refused a message from the client: ${inbound.reason}`);
        answerError(inbound.id, inbound.code, `Invalid message: ${inbound.reason}`);
        return;
      case 'request':
        onClientRequest(inbound.message);
        return;
      case 'notification':
        onClientNotification(inbound.message);
        return;
      case 'result':
      case 'error':
        onClientResponse(inbound.message);
        return;
    }
  }

  function onClientRequest(request: JsonRpcRequest): void {
    if (request.method === 'initialize') {
      void handleInitialize(request);
      return;
    }
    if (phase === 'new') {
      if (request.method === 'ping') toClient(resultResponse(request.id, {}));
      else answerError(request.id, ErrorCodes.invalidRequest, 'The session is not initialized: send "initialize" first.');
      return;
    }
    if (phase === 'connecting' || !upstream) {
      answerError(request.id, ErrorCodes.invalidRequest, 'The session is still initializing: wait for the "initialize" result.');
      return;
    }
    if (clientRequests.has(idKey(request.id))) {
      answerError(request.id, ErrorCodes.invalidRequest, `Request id ${JSON.stringify(request.id)} is already in use by a pending request.`);
      return;
    }
    const meant = interceptedLookAlike(request.method);
    if (meant !== undefined) {
      // Not forwarded: a server that read method names loosely would run it unchecked.
      answerError(request.id, ErrorCodes.methodNotFound, `Method not found: ${JSON.stringify(request.method)}. Method names are case-sensitive and exact; did you mean ${JSON.stringify(meant)}?`);
      return;
    }
    switch (request.method) {
      case 'tools/call':
        void handleToolCall(request);
        return;
      case 'tools/list':
        void forward(request, { transform: filterForCaller });
        return;
      default:
        void forward(request, {});
    }
  }

  function onClientNotification(notification: JsonRpcNotification): void {
    if (!notification.method.startsWith('notifications/')) {
      // A request without an id (`tools/call` as a "notification") is answered by nobody and
      // decided by nobody: it must not reach a server that might run it anyway.
      log.debug(`dropped a notification with the method ${quoted(notification.method)}: only notifications/… are passed on`);
      return;
    }
    if (phase === 'new' || !upstream) {
      log.debug(`dropped ${quoted(notification.method)} sent before initialization`);
      return;
    }
    switch (notification.method) {
      case 'notifications/cancelled':
        onClientCancelled(notification);
        return;
      case 'notifications/initialized':
        toUpstream(notification);
        initializedSent = true;
        void toolInventory();
        return;
      default:
        toUpstream(notification);
    }
  }

  function onClientCancelled(notification: JsonRpcNotification): void {
    const requestId = notification.params?.requestId;
    if (typeof requestId !== 'string' && typeof requestId !== 'number') return;
    const key = idKey(requestId);
    const entry = clientRequests.get(key);
    if (entry === undefined) return;
    if (typeof entry !== 'number') {
      // Not sent yet: dropping it is the whole cancellation, and its quota comes back.
      entry.cancelled = true;
      clientRequests.delete(key);
      return;
    }
    // Sent: the upstream may already have acted, so the quota it took stays taken.
    settle(entry);
    toUpstream({ ...notification, params: { ...notification.params, requestId: entry } });
  }

  function onClientResponse(message: JsonRpcResult | JsonRpcError): void {
    if (typeof message.id !== 'number' || !serverRequests.has(message.id)) {
      log.debug(`dropped a response to an unknown request id ${JSON.stringify(message.id)} from the client`);
      return;
    }
    const upstreamId = serverRequests.get(message.id) as RequestId;
    serverRequests.delete(message.id);
    serverRequestIds.delete(idKey(upstreamId));
    toUpstream({ ...message, id: upstreamId });
  }

  // ---- initialize ------------------------------------------------------------------------------

  async function handleInitialize(request: JsonRpcRequest): Promise<void> {
    if (phase !== 'new') {
      answerError(request.id, ErrorCodes.invalidRequest, 'The session is already initialized.');
      return;
    }
    const params = request.params;
    if (!params || typeof params.protocolVersion !== 'string' || !isObject(params.capabilities)) {
      answerError(request.id, ErrorCodes.invalidParams, 'initialize needs "protocolVersion" (a string) and "capabilities" (an object).');
      return;
    }
    phase = 'connecting';
    if (!upstream) {
      try {
        upstream = await openUpstreamChannel();
      } catch (error) {
        const message = `The gateway could not connect to the upstream MCP server: ${describe(error)}`;
        log.error(message);
        answerError(request.id, ErrorCodes.upstreamUnavailable, message);
        await close(`the upstream server could not be started (${describe(error)})`, true);
        return;
      }
    }
    if (closed) return;
    phase = 'ready';
    void forward(request, { transform: recordInitializeResult });
  }

  async function openUpstreamChannel(): Promise<Channel> {
    const channel = options.openUpstream();
    channel.onmessage = (inbound) => onUpstreamMessage(inbound);
    channel.onclose = (end) => onUpstreamClosed(end);
    channel.onerror = (error) => log.warn(`upstream: ${error.message}`);
    await channel.start();
    return channel;
  }

  function recordInitializeResult(result: JsonObject): Transformed {
    const capabilities = result.capabilities;
    if (typeof result.protocolVersion !== 'string' || !isObject(capabilities)) {
      return { error: { code: ErrorCodes.internalError, message: 'The upstream MCP server answered initialize with a malformed result.' } };
    }
    serverCapabilities = capabilities;
    upstream?.setProtocolVersion?.(result.protocolVersion);
    if (!isObject(capabilities.tools)) return { result };
    // The gateway itself announces tool-list changes when its policy is reloaded.
    return { result: { ...result, capabilities: { ...capabilities, tools: { ...capabilities.tools, listChanged: true } } } };
  }

  // ---- tools/list and tools/call ---------------------------------------------------------------

  function filterForCaller(result: JsonObject): Transformed {
    const filtered = filterToolsPage(result, (name) => gate.hides(name, options.identity));
    if (filtered.ok) return { result: filtered.result };
    log.error(`the upstream's tools/list result is malformed (${filtered.problem}); refused it`);
    return {
      error: { code: ErrorCodes.internalError, message: `The upstream MCP server sent a malformed tools/list result (${filtered.problem}); the gateway does not pass it on.` },
    };
  }

  async function handleToolCall(request: JsonRpcRequest): Promise<void> {
    const params = request.params ?? {};
    // Own members only: whatever a prototype might hold is not what was sent.
    const name = Object.hasOwn(params, 'name') ? params.name : undefined;
    const args = Object.hasOwn(params, 'arguments') && params.arguments !== undefined ? params.arguments : {};
    if (typeof name !== 'string') {
      answerError(request.id, ErrorCodes.invalidParams, 'tools/call needs "name", a string.');
      return;
    }
    if (!isObject(args)) {
      answerError(request.id, ErrorCodes.invalidParams, 'tools/call "arguments" must be an object.');
      return;
    }
    // Once the tool list is known, and when the gate answers at once, nothing here waits: the
    // call is decided, recorded and written to the upstream in the turn that read it, and no
    // cancellation can come in between. Only a call that waits is held, so that one can.
    const key = idKey(request.id);
    let held: Held | undefined;
    const hold = (): Held => {
      const waiting: Held = { cancelled: false };
      clientRequests.set(key, waiting);
      return waiting;
    };
    let known: ToolInventory | undefined = inventorySettled?.kind === 'known' ? inventorySettled : undefined;
    if (known === undefined) {
      held = hold();
      known = await toolInventory();
      if (held.cancelled || closed) return;
    }
    const admitted = gate.admit({ tool: name, args, identity: options.identity, session: options.id, inventory: known });
    let verdict: GateVerdict;
    if (admitted instanceof Promise) {
      held ??= hold();
      verdict = await admitted;
    } else {
      verdict = admitted;
    }
    if (held !== undefined) {
      if (held.cancelled || closed) {
        if (verdict.forward) verdict.reservation?.release();
        return;
      }
      clientRequests.delete(key);
    }
    if (!verdict.forward) {
      deniedResult(request.id, verdict.text);
      return;
    }
    await forward({ ...request, params: checkedCallParams(name, verdict.args, params) }, verdict.reservation ? { reservation: verdict.reservation } : {});
  }

  // ---- forwarding client requests --------------------------------------------------------------

  async function forward(request: JsonRpcRequest, extra: Pick<Forwarded, 'transform' | 'reservation'>): Promise<void> {
    const channel = upstream;
    if (!channel || closed) {
      extra.reservation?.release();
      answerError(request.id, ErrorCodes.upstreamUnavailable, 'The upstream MCP server is not connected.');
      return;
    }
    const gatewayId = nextUpstreamId++;
    const entry: Forwarded = { kind: 'client', clientId: request.id, method: request.method, ...extra };
    const token = progressTokenOf(request.params);
    if (token !== undefined) {
      entry.progressToken = token;
      progressTokens.set(idKey(token), gatewayId);
    }
    upstreamPending.set(gatewayId, entry);
    clientRequests.set(idKey(request.id), gatewayId);
    armTimeout(gatewayId, entry);
    try {
      await channel.send({ ...request, id: gatewayId });
    } catch (error) {
      if (!upstreamPending.has(gatewayId)) return;
      settle(gatewayId);
      // It never left the gateway, so it used no quota.
      entry.reservation?.release();
      answerError(request.id, ErrorCodes.upstreamUnavailable, `The gateway could not send the request to the upstream MCP server: ${describe(error)}`);
    }
  }

  function armTimeout(gatewayId: number, entry: Forwarded): void {
    clearTimeout(entry.timer);
    // The first answer of a server started for this session waits for the server to start too,
    // which under load can take longer than a short --request-timeout allows for a call.
    const timeoutMs = entry.method === 'initialize' ? Math.max(options.requestTimeoutMs, toolListTimeoutMs) : options.requestTimeoutMs;
    entry.timer = setTimeout(() => {
      if (upstreamPending.get(gatewayId) !== entry) return;
      settle(gatewayId);
      const seconds = `${Number((timeoutMs / 1000).toFixed(3))} s`;
      log.warn(`${entry.method} (client id ${quoted(entry.clientId)}) got no answer from the upstream within ${seconds}`);
      answerError(entry.clientId, ErrorCodes.requestTimeout, `The upstream MCP server did not answer within ${seconds}.`);
      toUpstream({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: gatewayId, reason: 'timed out at the gateway' } });
    }, timeoutMs);
    entry.timer.unref?.();
  }

  /** Forgets a request: its timer, its progress token, its client id. */
  function settle(gatewayId: number): Forwarded | OwnRequest | undefined {
    const entry = upstreamPending.get(gatewayId);
    if (!entry) return undefined;
    upstreamPending.delete(gatewayId);
    clearTimeout(entry.timer);
    if (entry.kind === 'client') {
      if (entry.progressToken !== undefined) progressTokens.delete(idKey(entry.progressToken));
      const key = idKey(entry.clientId);
      if (clientRequests.get(key) === gatewayId) clientRequests.delete(key);
    }
    return entry;
  }

  function toUpstream(message: JsonRpcMessage): void {
    const channel = upstream;
    if (!channel || closed) return;
    channel.send(message).catch((error: unknown) => log.debug(`could not deliver a message to the upstream: ${describe(error)}`));
  }

  // ---- messages from the upstream --------------------------------------------------------------

  function onUpstreamMessage(inbound: Inbound): void {
    if (closed) return;
    switch (inbound.kind) {
      case 'invalid':
        if (inbound.request) onUpstreamBadRequest(inbound.id, inbound.code, inbound.reason);
        else onUpstreamGarbage(inbound.id, inbound.reason);
        return;
      case 'result':
      case 'error':
        onUpstreamResponse(inbound.message);
        return;
      case 'request':
        onUpstreamRequest(inbound.message);
        return;
      case 'notification':
        void onUpstreamNotification(inbound.message);
        return;
    }
  }

  function onUpstreamGarbage(id: RequestId | null, reason: string): void {
    const message = `The upstream MCP server sent a message that is not valid JSON-RPC (${reason}).`;
    if (typeof id === 'number' && upstreamPending.has(id)) {
      log.error(`${message} It answered request ${id}; that request fails.`);
      failRequest(id, ErrorCodes.internalError, message);
      return;
    }
    const waiting = upstreamPending.size;
    log.error(`${message} Every pending request (${waiting}) fails, since the gateway cannot tell which one it answered.`);
    for (const gatewayId of [...upstreamPending.keys()]) failRequest(gatewayId, ErrorCodes.internalError, message);
  }

  /** A request or notification from the upstream that is not valid: its id is the upstream's own. */
  function onUpstreamBadRequest(id: RequestId | null, code: number, reason: string): void {
    log.warn(`refused a message from the upstream MCP server: ${reason}`);
    if (id !== null) toUpstream(errorResponse(id, code, `Invalid message: ${reason}`));
  }

  function failRequest(gatewayId: number, code: number, message: string): void {
    const entry = settle(gatewayId);
    if (!entry) return;
    if (entry.kind === 'own') entry.reject(new Error(message));
    else answerError(entry.clientId, code, message);
  }

  function onUpstreamResponse(message: JsonRpcResult | JsonRpcError): void {
    const entry = typeof message.id === 'number' ? settle(message.id) : undefined;
    if (!entry) {
      if (message.id === null && 'error' in message) log.warn(`the upstream reported an error: ${quoted(message.error.message)}`);
      else log.debug(`dropped an answer to unknown or finished request ${JSON.stringify(message.id)} from the upstream`);
      return;
    }
    if (entry.kind === 'own') {
      if ('result' in message) entry.resolve(message.result);
      else entry.reject(new Error(`${message.error.message} (code ${message.error.code})`));
      return;
    }
    if ('error' in message) {
      // A protocol-level refusal: the upstream did not run the call, so its quota comes back.
      entry.reservation?.release();
      toClient({ ...message, id: entry.clientId });
      return;
    }
    const transformed = entry.transform ? entry.transform(message.result) : { result: message.result };
    if ('error' in transformed) toClient({ jsonrpc: '2.0', id: entry.clientId, error: transformed.error });
    else toClient(resultResponse(entry.clientId, transformed.result));
  }

  function onUpstreamRequest(request: JsonRpcRequest): void {
    const downstreamId = nextDownstreamId++;
    serverRequests.set(downstreamId, request.id);
    serverRequestIds.set(idKey(request.id), downstreamId);
    const related = latestPendingCall();
    toClient({ ...request, id: downstreamId }, related === undefined ? undefined : { relatedRequestId: related });
  }

  async function onUpstreamNotification(notification: JsonRpcNotification): Promise<void> {
    switch (notification.method) {
      case 'notifications/tools/list_changed':
        // Learn the new list before the client hears of it, so its next call is decided on it.
        await toolInventory(true);
        toClient(notification);
        return;
      case 'notifications/cancelled': {
        const requestId = notification.params?.requestId;
        if (typeof requestId !== 'string' && typeof requestId !== 'number') return;
        const downstreamId = serverRequestIds.get(idKey(requestId));
        if (downstreamId === undefined) return;
        serverRequestIds.delete(idKey(requestId));
        serverRequests.delete(downstreamId);
        toClient({ ...notification, params: { ...notification.params, requestId: downstreamId } });
        return;
      }
      case 'notifications/progress': {
        const token = notification.params?.progressToken;
        const gatewayId = typeof token === 'string' || typeof token === 'number' ? progressTokens.get(idKey(token)) : undefined;
        const entry = gatewayId === undefined ? undefined : upstreamPending.get(gatewayId);
        if (gatewayId !== undefined && entry?.kind === 'client') {
          armTimeout(gatewayId, entry);
          toClient(notification, { relatedRequestId: entry.clientId });
        } else {
          toClient(notification);
        }
        return;
      }
      default:
        toClient(notification);
    }
  }

  /** The client request a server→client request most likely belongs to: the latest pending call. */
  function latestPendingCall(): RequestId | undefined {
    // Gateway ids grow with every request sent, so the latest call has the largest.
    let latestId = 0;
    let latest: RequestId | undefined;
    for (const [gatewayId, entry] of upstreamPending) {
      if (entry.kind === 'client' && entry.method === 'tools/call' && gatewayId > latestId) {
        latestId = gatewayId;
        latest = entry.clientId;
      }
    }
    return latest;
  }

  // ---- the upstream's tool inventory -----------------------------------------------------------

  /**
   * The tools the upstream lists, learned by the gateway's own `tools/list` (every page). A call
   * waits for it; when it cannot be learned, calls are denied, and the next call tries again.
   */
  function toolInventory(refresh = false): Promise<ToolInventory> {
    const stale = inventorySettled?.kind === 'unavailable';
    if (inventory === undefined || refresh || stale) {
      inventorySettled = undefined;
      const loading = fetchInventory().then((settled) => {
        if (inventory === loading) inventorySettled = settled;
        return settled;
      });
      inventory = loading;
    }
    return inventory;
  }

  async function fetchInventory(): Promise<ToolInventory> {
    if (!upstream || closed) return { kind: 'unavailable', reason: 'the upstream MCP server is not connected' };
    if (!initializedSent) return { kind: 'unavailable', reason: 'the client has not finished initialization' };
    if (!isObject(serverCapabilities?.tools)) return { kind: 'known', tools: new Set() };
    const tools = new Set<string>();
    const seen = new Set<string>();
    let cursor: string | undefined;
    try {
      for (let page = 0; page < MAX_TOOL_PAGES; page++) {
        const result = await ownRequest('tools/list', cursor === undefined ? undefined : { cursor });
        const reading = readToolsPage(result);
        if (!reading.ok) throw new Error(`malformed tools/list result: ${reading.problem}`);
        for (const name of reading.names) tools.add(name);
        if (reading.nextCursor === undefined) return { kind: 'known', tools };
        if (seen.has(reading.nextCursor)) throw new Error('tools/list pagination repeats a cursor');
        seen.add(reading.nextCursor);
        cursor = reading.nextCursor;
      }
      throw new Error(`tools/list has more than ${MAX_TOOL_PAGES} pages`);
    } catch (error) {
      log.error(`could not learn the upstream's tools: ${describe(error)}; tool calls are denied until it can`);
      return { kind: 'unavailable', reason: describe(error) };
    }
  }

  function ownRequest(method: string, params: JsonObject | undefined): Promise<JsonObject> {
    return new Promise((resolve, reject) => {
      const channel = upstream;
      if (!channel || closed) {
        reject(new Error('the upstream MCP server is not connected'));
        return;
      }
      const gatewayId = nextUpstreamId++;
      const entry: OwnRequest = { kind: 'own', resolve, reject };
      entry.timer = setTimeout(() => failRequest(gatewayId, ErrorCodes.requestTimeout, `no answer to ${method} within ${toolListTimeoutMs / 1000} s`), toolListTimeoutMs);
      entry.timer.unref?.();
      upstreamPending.set(gatewayId, entry);
      channel.send({ jsonrpc: '2.0', id: gatewayId, method, ...(params ? { params } : {}) }).catch((error: unknown) => {
        failRequest(gatewayId, ErrorCodes.upstreamUnavailable, describe(error));
      });
    });
  }

  // ---- ending ----------------------------------------------------------------------------------

  function onUpstreamClosed(end: ChannelEnd): void {
    if (closed) return;
    const reason = `the upstream MCP server ${end.reason}`;
    if (!end.expected) log.error(reason);
    void close(reason, !end.expected);
  }

  async function close(reason: string, failure: boolean): Promise<void> {
    if (closed) return;
    // Every caller still waiting hears why, before the connections go.
    for (const gatewayId of [...upstreamPending.keys()]) {
      failRequest(gatewayId, ErrorCodes.connectionClosed, `The request cannot complete: ${reason}.`);
    }
    closed = true;
    for (const entry of clientRequests.values()) {
      if (typeof entry !== 'number') entry.cancelled = true;
    }
    clientRequests.clear();
    await Promise.allSettled([upstream?.close(), downstream.close()]);
    options.onclose?.(reason, failure);
  }

  return session;
}

/** The methods the gateway acts on, by a skeleton that ignores case and punctuation. */
const INTERCEPTED = new Map(['tools/call', 'tools/list', 'initialize'].map((method) => [skeleton(method), method]));

function skeleton(method: string): string {
  return method.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** The intercepted method a different spelling stands for (`Tools/Call`, `tools.call`), if any. */
function interceptedLookAlike(method: string): string | undefined {
  const meant = INTERCEPTED.get(skeleton(method));
  return meant === undefined || meant === method ? undefined : meant;
}

/**
 * The params of a tools/call as forwarded: the name and arguments that were decided on, and the
 * members MCP defines beside them (`_meta`, `task`) when they are objects. Anything else (an
 * `input`, a `__proto__`, a second `arguments` under another name) was not checked, so it is not
 * sent: the server receives what the gateway looked at and nothing more.
 */
function checkedCallParams(name: string, args: JsonObject, params: JsonObject): JsonObject {
  const checked: JsonObject = { name, arguments: args };
  for (const member of ['_meta', 'task'] as const) {
    const value = Object.hasOwn(params, member) ? params[member] : undefined;
    if (isObject(value)) checked[member] = value;
  }
  return checked;
}

function progressTokenOf(params: JsonObject | undefined): string | number | undefined {
  const meta: JsonValue | undefined = params?._meta;
  if (!isObject(meta)) return undefined;
  const token = meta.progressToken;
  return typeof token === 'string' || typeof token === 'number' ? token : undefined;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
