// The relay on its own: a session between two in-memory channels, the test playing both the
// client and the upstream server, with a gate whose answers the test chooses. Ids, ordering,
// failures and cancellation are checked message by message.

import { describe, expect, it } from 'vitest';

import type { CallGate, GateCall, GateVerdict } from '../../src/gateway/gate-types.js';
import { classify, type JsonRpcMessage } from '../../src/gateway/jsonrpc.js';
import { silentLogger } from '../../src/gateway/log.js';
import { createSession, type Session } from '../../src/gateway/session.js';
import type { Channel, SendOptions } from '../../src/gateway/transport/channel.js';

interface Sent {
  message: Record<string, unknown>;
  options?: SendOptions;
}

interface TestChannel {
  channel: Channel;
  sent: Sent[];
  closed: boolean;
  deliver(value: unknown): void;
  end(reason: string): void;
  /** Waits for the next sent message that matches, taking it off the list. */
  take(match: (message: Record<string, unknown>) => boolean, what?: string): Promise<Sent>;
}

function testChannel(): TestChannel {
  const state: TestChannel = {
    sent: [],
    closed: false,
    channel: {
      start: async () => {},
      send: async (message: JsonRpcMessage, options?: SendOptions) => {
        state.sent.push(options ? { message: message as unknown as Record<string, unknown>, options } : { message: message as unknown as Record<string, unknown> });
      },
      close: async () => {
        if (state.closed) return;
        state.closed = true;
        state.channel.onclose?.({ reason: 'closed by the gateway', expected: true });
      },
    },
    deliver(value) {
      state.channel.onmessage?.(classify(value));
    },
    end(reason) {
      state.closed = true;
      state.channel.onclose?.({ reason, expected: false });
    },
    async take(match, what = 'message') {
      for (let i = 0; i < 200; i++) {
        const index = state.sent.findIndex((sent) => match(sent.message));
        if (index >= 0) return state.sent.splice(index, 1)[0] as Sent;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      throw new Error(`no ${what} was sent; sent: ${JSON.stringify(state.sent.map((sent) => sent.message))}`);
    },
  };
  return state;
}

interface TestGate extends CallGate {
  calls: GateCall[];
  released: number;
  /** Set to hold every admission until released by the test. */
  hold?: Promise<void>;
}

function testGate(): TestGate {
  const gate: TestGate = {
    calls: [],
    released: 0,
    hides: (tool) => tool === 'secret',
    async admit(call): Promise<GateVerdict> {
      gate.calls.push(call);
      if (gate.hold) await gate.hold;
      if (call.inventory.kind === 'unavailable') return { forward: false, text: `unavailable: ${call.inventory.reason}` };
      if (!call.inventory.tools.has(call.tool)) return { forward: false, text: `unknown ${call.tool}` };
      if (call.tool === 'forbidden') return { forward: false, text: 'Denied by policyc: rule r9 denies "forbidden".' };
      return { forward: true, args: { ...call.args, checked: true }, reservation: { release: () => void gate.released++ } };
    },
  };
  return gate;
}

interface Rig {
  session: Session;
  client: TestChannel;
  server: TestChannel;
  gate: TestGate;
  opened: number;
  ended?: { reason: string; failure: boolean };
}

const isRequest = (method: string) => (message: Record<string, unknown>) => message.method === method && 'id' in message;
const isResponseTo = (id: unknown) => (message: Record<string, unknown>) => message.id === id && !('method' in message);

async function rig(requestTimeoutMs = 5_000): Promise<Rig> {
  const client = testChannel();
  const server = testChannel();
  const gate = testGate();
  const state = { opened: 0 } as Rig;
  state.session = createSession({
    id: 'session-1',
    identity: 'tester',
    downstream: client.channel,
    openUpstream: () => {
      state.opened++;
      return server.channel;
    },
    gate,
    log: silentLogger,
    requestTimeoutMs,
    toolListTimeoutMs: 1_000,
    onclose: (reason, failure) => {
      state.ended = { reason, failure };
    },
  });
  Object.assign(state, { client, server, gate });
  await state.session.start();
  return state;
}

/** Initializes the session; the upstream lists `tools` (in pages of `pageSize`). */
async function initialize(r: Rig, tools: string[] = ['echo', 'forbidden', 'secret'], pageSize = 100): Promise<void> {
  r.client.deliver({ jsonrpc: '2.0', id: 'init', method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: { sampling: {} }, clientInfo: { name: 't', version: '1' } } });
  const init = await r.server.take(isRequest('initialize'), 'initialize upstream');
  r.server.deliver({ jsonrpc: '2.0', id: init.message.id, result: { protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 's', version: '1' } } });
  await r.client.take(isResponseTo('init'), 'initialize result');
  r.client.deliver({ jsonrpc: '2.0', method: 'notifications/initialized' });
  await r.server.take((message) => message.method === 'notifications/initialized');
  await answerToolList(r, tools, pageSize);
}

async function answerToolList(r: Rig, tools: string[], pageSize = 100): Promise<void> {
  for (let offset = 0; offset < tools.length || offset === 0; offset += pageSize) {
    const list = await r.server.take(isRequest('tools/list'), 'the gateway\'s own tools/list');
    const next = offset + pageSize < tools.length ? { nextCursor: String(offset + pageSize) } : {};
    expect((list.message.params as { cursor?: string } | undefined)?.cursor).toBe(offset === 0 ? undefined : String(offset));
    r.server.deliver({ jsonrpc: '2.0', id: list.message.id, result: { tools: tools.slice(offset, offset + pageSize).map((name) => ({ name, inputSchema: { type: 'object' } })), ...next } });
    if (offset + pageSize >= tools.length) break;
  }
}

describe('the relay: initialization', () => {
  it('refuses requests before initialize (ping excepted) and drops notifications', async () => {
    const r = await rig();
    r.client.deliver({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo' } });
    expect((await r.client.take(isResponseTo(1))).message).toEqual({
      jsonrpc: '2.0',
      id: 1,
      error: { code: -32600, message: 'The session is not initialized: send "initialize" first.' },
    });
    r.client.deliver({ jsonrpc: '2.0', id: 2, method: 'ping' });
    expect((await r.client.take(isResponseTo(2))).message).toEqual({ jsonrpc: '2.0', id: 2, result: {} });
    r.client.deliver({ jsonrpc: '2.0', method: 'notifications/initialized' });
    expect(r.opened).toBe(0);
  });

  it('opens the upstream on initialize, renumbers ids, and announces tool-list changes', async () => {
    const r = await rig();
    r.client.deliver({ jsonrpc: '2.0', id: 'init', method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: { elicitation: {} }, clientInfo: { name: 't', version: '1' } } });
    const init = await r.server.take(isRequest('initialize'));
    expect(r.opened).toBe(1);
    expect(init.message).toEqual({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: { elicitation: {} }, clientInfo: { name: 't', version: '1' } },
    });
    r.server.deliver({ jsonrpc: '2.0', id: 1, result: { protocolVersion: '2025-06-18', capabilities: { tools: {}, prompts: {} }, serverInfo: { name: 's', version: '1' } } });
    expect((await r.client.take(isResponseTo('init'))).message).toEqual({
      jsonrpc: '2.0',
      id: 'init',
      result: { protocolVersion: '2025-06-18', capabilities: { tools: { listChanged: true }, prompts: {} }, serverInfo: { name: 's', version: '1' } },
    });
    r.client.deliver({ jsonrpc: '2.0', id: 'again', method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {} } });
    expect((await r.client.take(isResponseTo('again'))).message).toMatchObject({ error: { code: -32600, message: 'The session is already initialized.' } });
  });

  it('answers a malformed message with a JSON-RPC error, and refuses batches', async () => {
    const r = await rig();
    r.client.deliver([{ jsonrpc: '2.0', id: 1, method: 'ping' }]);
    expect((await r.client.take((message) => message.id === null)).message).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32600, message: 'Invalid message: JSON-RPC batches are not supported; send one message at a time' },
    });
    r.client.deliver({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: ['echo'] });
    expect((await r.client.take(isResponseTo(7))).message).toMatchObject({ error: { code: -32602 } });
  });
});

describe('the relay: tools', () => {
  it('filters hidden tools out of each tools/list page, keeping every other field', async () => {
    const r = await rig();
    await initialize(r);
    r.client.deliver({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { cursor: 'abc' } });
    const list = await r.server.take(isRequest('tools/list'));
    expect(list.message.params).toEqual({ cursor: 'abc' });
    expect(list.message.id).not.toBe(1);
    r.server.deliver({ jsonrpc: '2.0', id: list.message.id, result: { tools: [{ name: 'echo', x: 1 }, { name: 'secret' }, { name: 'Secret' }], nextCursor: 'def', _meta: { page: 2 } } });
    expect((await r.client.take(isResponseTo(1))).message).toEqual({
      jsonrpc: '2.0',
      id: 1,
      result: { tools: [{ name: 'echo', x: 1 }, { name: 'Secret' }], nextCursor: 'def', _meta: { page: 2 } },
    });
  });

  it('answers a malformed tools/list with an error, never with the unfiltered list', async () => {
    const r = await rig();
    await initialize(r);
    for (const [id, result] of [
      [1, { tools: 'all of them' }],
      [2, { tools: [{ name: 'echo' }, { title: 'no name' }] }],
      [3, { tools: [{ name: 'secret' }], nextCursor: 5 }],
    ] as const) {
      r.client.deliver({ jsonrpc: '2.0', id, method: 'tools/list' });
      const list = await r.server.take(isRequest('tools/list'));
      r.server.deliver({ jsonrpc: '2.0', id: list.message.id, result });
      const answer = (await r.client.take(isResponseTo(id))).message;
      expect(answer.error).toMatchObject({ code: -32603 });
      expect(answer).not.toHaveProperty('result');
    }
  });

  it('learns every page of the tool list before deciding a call, and forwards the checked arguments', async () => {
    const r = await rig();
    await initialize(r, ['a', 'b', 'c', 'echo', 'e'], 2);
    r.client.deliver({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'echo', arguments: { text: 'hi' }, _meta: { progressToken: 'p1' } } });
    const call = await r.server.take(isRequest('tools/call'));
    expect(r.gate.calls[0]?.inventory).toEqual({ kind: 'known', tools: new Set(['a', 'b', 'c', 'echo', 'e']) });
    expect(r.gate.calls[0]).toMatchObject({ tool: 'echo', identity: 'tester', session: 'session-1' });
    expect(call.message.params).toEqual({ name: 'echo', arguments: { text: 'hi', checked: true }, _meta: { progressToken: 'p1' } });
    r.server.deliver({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 'p1', progress: 1, total: 2 } });
    const progress = await r.client.take((message) => message.method === 'notifications/progress');
    expect(progress.options).toEqual({ relatedRequestId: 5 });
    r.server.deliver({ jsonrpc: '2.0', id: call.message.id, result: { content: [{ type: 'text', text: 'hi' }] } });
    expect((await r.client.take(isResponseTo(5))).message).toEqual({ jsonrpc: '2.0', id: 5, result: { content: [{ type: 'text', text: 'hi' }] } });
  });

  it('answers a denied call itself, with isError, and sends nothing upstream', async () => {
    const r = await rig();
    await initialize(r);
    r.client.deliver({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'forbidden', arguments: {} } });
    expect((await r.client.take(isResponseTo(9))).message).toEqual({
      jsonrpc: '2.0',
      id: 9,
      result: { content: [{ type: 'text', text: 'Denied by policyc: rule r9 denies "forbidden".' }], isError: true },
    });
    expect(r.server.sent.filter((sent) => sent.message.method === 'tools/call')).toEqual([]);
  });

  it('denies every call while the tool list cannot be learned, and tries again on the next call', async () => {
    const r = await rig();
    r.client.deliver({ jsonrpc: '2.0', id: 'init', method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {} } });
    const init = await r.server.take(isRequest('initialize'));
    r.server.deliver({ jsonrpc: '2.0', id: init.message.id, result: { protocolVersion: '2025-06-18', capabilities: { tools: {} } } });
    await r.client.take(isResponseTo('init'));
    r.client.deliver({ jsonrpc: '2.0', method: 'notifications/initialized' });
    const list = await r.server.take(isRequest('tools/list'));
    r.server.deliver({ jsonrpc: '2.0', id: list.message.id, error: { code: -32603, message: 'boom' } });
    await new Promise((resolve) => setTimeout(resolve, 10));
    r.client.deliver({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo' } });
    // The failed list is fetched again for this call; this time it is malformed.
    const retry = await r.server.take(isRequest('tools/list'));
    r.server.deliver({ jsonrpc: '2.0', id: retry.message.id, result: { tools: {} } });
    expect((await r.client.take(isResponseTo(1))).message.result).toEqual({
      content: [{ type: 'text', text: 'unavailable: malformed tools/list result: its "tools" member is not a list' }],
      isError: true,
    });
  });

  it('re-learns the tool list on list_changed before telling the client', async () => {
    const r = await rig();
    await initialize(r, ['echo']);
    r.server.deliver({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    await answerToolList(r, ['echo', 'added']);
    await r.client.take((message) => message.method === 'notifications/tools/list_changed');
    r.client.deliver({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'added' } });
    await r.server.take(isRequest('tools/call'));
    expect(r.gate.calls.at(-1)?.inventory).toEqual({ kind: 'known', tools: new Set(['echo', 'added']) });
  });

  it('gives the quota back when the upstream refuses a call with a JSON-RPC error', async () => {
    const r = await rig();
    await initialize(r);
    r.client.deliver({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo' } });
    const call = await r.server.take(isRequest('tools/call'));
    r.server.deliver({ jsonrpc: '2.0', id: call.message.id, error: { code: -32602, message: 'bad arguments' } });
    expect((await r.client.take(isResponseTo(1))).message).toEqual({ jsonrpc: '2.0', id: 1, error: { code: -32602, message: 'bad arguments' } });
    expect(r.gate.released).toBe(1);
  });
});

describe('the relay: ids, cancellation, server requests', () => {
  it('keeps client ids and its own ids apart, even when they are equal', async () => {
    const r = await rig();
    await initialize(r);
    r.client.deliver({ jsonrpc: '2.0', id: 2, method: 'resources/list' });
    r.client.deliver({ jsonrpc: '2.0', id: '2', method: 'prompts/list' });
    r.client.deliver({ jsonrpc: '2.0', id: 2, method: 'ping' });
    expect((await r.client.take(isResponseTo(2))).message.error).toMatchObject({ code: -32600, message: 'Request id 2 is already in use by a pending request.' });
    const resources = await r.server.take(isRequest('resources/list'));
    const prompts = await r.server.take(isRequest('prompts/list'));
    expect(new Set([resources.message.id, prompts.message.id]).size).toBe(2);
    r.server.deliver({ jsonrpc: '2.0', id: prompts.message.id, result: { prompts: [] } });
    r.server.deliver({ jsonrpc: '2.0', id: resources.message.id, result: { resources: [] } });
    expect((await r.client.take(isResponseTo('2'))).message.result).toEqual({ prompts: [] });
    expect((await r.client.take(isResponseTo(2))).message.result).toEqual({ resources: [] });
  });

  it('forwards a cancellation with the upstream id and drops the late answer; the quota stays used', async () => {
    const r = await rig();
    await initialize(r);
    r.client.deliver({ jsonrpc: '2.0', id: 'c1', method: 'tools/call', params: { name: 'echo' } });
    const call = await r.server.take(isRequest('tools/call'));
    r.client.deliver({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'c1', reason: 'user' } });
    expect((await r.server.take((message) => message.method === 'notifications/cancelled')).message.params).toEqual({ requestId: call.message.id, reason: 'user' });
    r.server.deliver({ jsonrpc: '2.0', id: call.message.id, result: { content: [] } });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(r.client.sent.filter((sent) => sent.message.id === 'c1')).toEqual([]);
    expect(r.gate.released).toBe(0);
  });

  it('drops a call cancelled while it is being decided, and gives its quota back', async () => {
    const r = await rig();
    await initialize(r);
    let release: () => void = () => {};
    r.gate.hold = new Promise((resolve) => {
      release = resolve;
    });
    r.client.deliver({ jsonrpc: '2.0', id: 'c2', method: 'tools/call', params: { name: 'echo' } });
    await new Promise((resolve) => setTimeout(resolve, 10));
    r.client.deliver({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'c2' } });
    release();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(r.server.sent.filter((sent) => sent.message.method === 'tools/call' || sent.message.method === 'notifications/cancelled')).toEqual([]);
    expect(r.gate.released).toBe(1);
  });

  it('relays a server request to the client under a new id, and the answer back under the old one', async () => {
    const r = await rig();
    await initialize(r);
    r.client.deliver({ jsonrpc: '2.0', id: 'call', method: 'tools/call', params: { name: 'echo' } });
    await r.server.take(isRequest('tools/call'));
    r.server.deliver({ jsonrpc: '2.0', id: 'srv-1', method: 'sampling/createMessage', params: { messages: [], maxTokens: 5 } });
    const asked = await r.client.take(isRequest('sampling/createMessage'));
    expect(asked.options).toEqual({ relatedRequestId: 'call' });
    expect(asked.message.id).toBe(1);
    r.client.deliver({ jsonrpc: '2.0', id: asked.message.id, result: { role: 'assistant', content: { type: 'text', text: 'ok' }, model: 'm' } });
    expect((await r.server.take(isResponseTo('srv-1'))).message.result).toMatchObject({ model: 'm' });
    r.server.deliver({ jsonrpc: '2.0', id: 'srv-2', method: 'elicitation/create', params: {} });
    const second = await r.client.take(isRequest('elicitation/create'));
    r.server.deliver({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'srv-2' } });
    expect((await r.client.take((message) => message.method === 'notifications/cancelled')).message.params).toEqual({ requestId: second.message.id });
  });

  it('relates a server request to the call sent last, whatever was answered in between', async () => {
    const r = await rig();
    await initialize(r);
    const send = async (id: string) => {
      r.client.deliver({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo' } });
      return (await r.server.take(isRequest('tools/call'))).message;
    };
    const first = await send('a');
    await send('b');
    // The first is answered, and a third goes out while the second still waits.
    r.server.deliver({ jsonrpc: '2.0', id: first.id, result: { content: [] } });
    await r.client.take(isResponseTo('a'));
    await send('c');
    r.server.deliver({ jsonrpc: '2.0', id: 'srv-1', method: 'elicitation/create', params: {} });
    expect((await r.client.take(isRequest('elicitation/create'))).options).toEqual({ relatedRequestId: 'c' });
  });
});

describe('the relay: failures end in errors, never silence', () => {
  it('fails every waiting request when the upstream sends garbage', async () => {
    const r = await rig();
    await initialize(r);
    r.client.deliver({ jsonrpc: '2.0', id: 1, method: 'resources/read', params: { uri: 'x' } });
    r.client.deliver({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo' } });
    await r.server.take(isRequest('resources/read'));
    await r.server.take(isRequest('tools/call'));
    r.server.channel.onmessage?.({ kind: 'invalid', id: null, code: -32700, reason: 'not valid JSON (Unexpected token)' });
    for (const id of [1, 2]) {
      expect((await r.client.take(isResponseTo(id))).message.error).toEqual({
        code: -32603,
        message: 'The upstream MCP server sent a message that is not valid JSON-RPC (not valid JSON (Unexpected token)).',
      });
    }
  });

  it('fails every waiting request when the upstream goes away, and ends the session', async () => {
    const r = await rig();
    await initialize(r);
    r.client.deliver({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo' } });
    await r.server.take(isRequest('tools/call'));
    r.server.end('exited with code 1');
    expect((await r.client.take(isResponseTo(1))).message.error).toEqual({
      code: -32000,
      message: 'The request cannot complete: the upstream MCP server exited with code 1.',
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(r.ended).toEqual({ reason: 'the upstream MCP server exited with code 1', failure: true });
    expect(r.client.closed).toBe(true);
  });

  it('gives initialize the time a starting server needs, even under a short request timeout', async () => {
    const r = await rig(100);
    r.client.deliver({ jsonrpc: '2.0', id: 'init', method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } });
    const init = await r.server.take(isRequest('initialize'), 'initialize upstream');
    await new Promise((resolve) => setTimeout(resolve, 300));
    r.server.deliver({ jsonrpc: '2.0', id: init.message.id, result: { protocolVersion: '2025-06-18', capabilities: {}, serverInfo: { name: 's', version: '1' } } });
    expect((await r.client.take(isResponseTo('init'))).message).toMatchObject({ result: { serverInfo: { name: 's' } } });
  });

  it('times out a request the upstream never answers, and cancels it upstream', async () => {
    const r = await rig(100);
    await initialize(r);
    r.client.deliver({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo' } });
    const call = await r.server.take(isRequest('tools/call'));
    expect((await r.client.take(isResponseTo(1))).message.error).toEqual({ code: -32001, message: 'The upstream MCP server did not answer within 0.1 s.' });
    expect((await r.server.take((message) => message.method === 'notifications/cancelled')).message.params).toEqual({ requestId: call.message.id, reason: 'timed out at the gateway' });
  });

  it('closes the upstream when the client goes away', async () => {
    const r = await rig();
    await initialize(r);
    r.client.end('closed its input');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(r.server.closed).toBe(true);
    expect(r.ended).toEqual({ reason: 'the client closed its input', failure: false });
  });
});
