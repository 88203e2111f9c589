// What an MCP server offers, asked as a client would ask (`policyc catalog import`): start the
// server (a command over stdio) or reach it (Streamable HTTP), initialize, read every page of
// `tools/list`, close. Uses the gateway's own upstream channels, so the server is started and
// reached exactly as `policyc serve` would: the same environment, the same HTTP client.
//
// The client declares the capabilities a full-featured client has (roots, sampling,
// elicitation): some servers list tools only to clients that can answer such requests, and a
// catalogue must know every tool the gateway may meet. Nothing is ever called, so no request of
// the server is really needed; the few it may send during the listing are answered empty.

import type { JsonObject, JsonValue } from '../model/json.js';
import type { Inbound, JsonRpcMessage, RequestId } from './jsonrpc.js';
import type { Channel } from './transport/channel.js';
import { childProcessChannel } from './transport/child-process.js';
import { httpClientChannel } from './transport/http-client.js';

export type InventoryUpstream =
  | { kind: 'command'; command: string; args: string[] }
  | { kind: 'url'; url: URL; headers?: Record<string, string> };

export interface InventoryOptions {
  upstream: InventoryUpstream;
  /** The whole exchange, from start to the last page, must end within this. */
  timeoutMs: number;
  clientVersion: string;
}

export interface ServerInventory {
  serverInfo: { name: string; title?: string; version?: string };
  protocolVersion: string;
  /** Every tool of every page, as listed. */
  tools: JsonValue[];
  pages: number;
}

/** The server could not be reached, or its answers do not make a tool list. */
export class InventoryError extends Error {
  override readonly name = 'InventoryError';
}

/** What this client speaks; a server may answer with another version it supports. */
export const CLIENT_PROTOCOL_VERSION = '2025-06-18';

/** A server that pages forever (or loops its cursors) is refused rather than followed. */
export const MAX_PAGES = 1000;

export async function listServerTools(options: InventoryOptions): Promise<ServerInventory> {
  const channel =
    options.upstream.kind === 'command'
      ? childProcessChannel({ command: options.upstream.command, args: options.upstream.args })
      : httpClientChannel({ url: options.upstream.url, ...(options.upstream.headers ? { headers: options.upstream.headers } : {}) });
  const client = new InventoryClient(channel);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new InventoryError(`the server did not list its tools within ${Math.round(options.timeoutMs / 1000)} s`)), options.timeoutMs);
  });
  try {
    return await Promise.race([client.inventory(options.clientVersion), timeout]);
  } finally {
    clearTimeout(timer);
    await channel.close().catch(() => undefined);
  }
}

interface Waiting {
  method: string;
  resolve: (result: JsonObject) => void;
  reject: (error: Error) => void;
}

/** Just enough of an MCP client to initialize and page through `tools/list`. */
class InventoryClient {
  readonly #channel: Channel;
  readonly #waiting = new Map<RequestId, Waiting>();
  #nextId = 1;
  #ended: string | undefined;

  constructor(channel: Channel) {
    this.#channel = channel;
    channel.onmessage = (inbound) => this.#receive(inbound);
    channel.onclose = (end) => this.#fail(`the server ${end.reason} before it had listed its tools`);
    channel.onerror = () => undefined;
  }

  async inventory(clientVersion: string): Promise<ServerInventory> {
    try {
      await this.#channel.start();
    } catch (error) {
      throw new InventoryError(error instanceof Error ? error.message : String(error));
    }
    const initialized = await this.#request('initialize', {
      protocolVersion: CLIENT_PROTOCOL_VERSION,
      capabilities: { roots: { listChanged: false }, sampling: {}, elicitation: {} },
      clientInfo: { name: 'policyc', version: clientVersion },
    });
    const protocolVersion = initialized.protocolVersion;
    if (typeof protocolVersion !== 'string' || protocolVersion === '') throw new InventoryError('the server\'s answer to initialize has no protocolVersion');
    const serverInfo = serverInfoOf(initialized.serverInfo);
    this.#channel.setProtocolVersion?.(protocolVersion);
    await this.#send({ jsonrpc: '2.0', method: 'notifications/initialized' });

    const tools: JsonValue[] = [];
    const cursors = new Set<string>();
    let cursor: string | undefined;
    let pages = 0;
    do {
      if (pages >= MAX_PAGES) throw new InventoryError(`the server's tool list goes on for more than ${MAX_PAGES} pages`);
      const page = await this.#request('tools/list', cursor === undefined ? {} : { cursor });
      pages++;
      if (!Array.isArray(page.tools)) throw new InventoryError(`page ${pages} of the server's tools/list answer has no "tools" list`);
      tools.push(...page.tools);
      const next = page.nextCursor;
      if (next !== undefined && next !== null && typeof next !== 'string') throw new InventoryError(`page ${pages} of tools/list has a nextCursor that is not a string`);
      cursor = typeof next === 'string' && next !== '' ? next : undefined;
      if (cursor !== undefined) {
        if (cursors.has(cursor)) throw new InventoryError(`the server's tools/list repeats the cursor ${JSON.stringify(cursor)}, so its pages never end`);
        cursors.add(cursor);
      }
    } while (cursor !== undefined);
    return { serverInfo, protocolVersion, tools, pages };
  }

  #request(method: string, params: JsonObject): Promise<JsonObject> {
    if (this.#ended !== undefined) return Promise.reject(new InventoryError(this.#ended));
    const id = this.#nextId++;
    const answered = new Promise<JsonObject>((resolve, reject) => this.#waiting.set(id, { method, resolve, reject }));
    this.#send({ jsonrpc: '2.0', id, method, params }).catch((error: unknown) => this.#fail(`cannot send ${method} to the server: ${error instanceof Error ? error.message : String(error)}`));
    return answered;
  }

  async #send(message: JsonRpcMessage): Promise<void> {
    await this.#channel.send(message);
  }

  #receive(inbound: Inbound): void {
    switch (inbound.kind) {
      case 'result':
        this.#settle(inbound.message.id, (waiting) => waiting.resolve(inbound.message.result));
        return;
      case 'error': {
        const { id, error } = inbound.message;
        if (id === null) return;
        this.#settle(id, (waiting) => waiting.reject(new InventoryError(`the server answered ${waiting.method} with an error: ${error.message} (${error.code})`)));
        return;
      }
      case 'request':
        this.#answer(inbound.message.id, inbound.message.method);
        return;
      case 'invalid':
        if (inbound.id !== null && this.#waiting.has(inbound.id)) {
          const reason = inbound.reason;
          this.#settle(inbound.id, (waiting) => waiting.reject(new InventoryError(`the server's answer to ${waiting.method} is not valid JSON-RPC: ${reason}`)));
        } else if (inbound.id === null) {
          this.#fail(`the server sent something that is not JSON-RPC: ${inbound.reason}`);
        }
        return;
      case 'notification':
        return;
    }
  }

  #settle(id: RequestId, settle: (waiting: Waiting) => void): void {
    const waiting = this.#waiting.get(id);
    if (!waiting) return;
    this.#waiting.delete(id);
    settle(waiting);
  }

  /** The server asks something of its client while listing: no roots, nothing else supported. */
  #answer(id: RequestId, method: string): void {
    const reply: JsonRpcMessage =
      method === 'ping'
        ? { jsonrpc: '2.0', id, result: {} }
        : method === 'roots/list'
          ? { jsonrpc: '2.0', id, result: { roots: [] } }
          : { jsonrpc: '2.0', id, error: { code: -32601, message: `policyc catalog import does not answer ${method}` } };
    this.#send(reply).catch(() => undefined);
  }

  #fail(reason: string): void {
    this.#ended ??= reason;
    for (const [id, waiting] of this.#waiting) {
      this.#waiting.delete(id);
      waiting.reject(new InventoryError(reason));
    }
  }
}

function serverInfoOf(value: JsonValue | undefined): ServerInventory['serverInfo'] {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || typeof value.name !== 'string' || value.name === '') {
    throw new InventoryError('the server\'s answer to initialize has no serverInfo.name');
  }
  return {
    name: value.name,
    ...(typeof value.title === 'string' ? { title: value.title } : {}),
    ...(typeof value.version === 'string' ? { version: value.version } : {}),
  };
}
