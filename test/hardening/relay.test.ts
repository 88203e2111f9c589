// Regressions in the relay itself, message by message: a session between two in-memory channels,
// the test playing the client, a scripted upstream that answers initialize, tools/list and
// tools/call, and a gate that lets every listed tool through. Each test names the hole it closes;
// the end-to-end suite (stdio.test.ts, http.test.ts) attacks the same holes over real transports.

import { describe, expect, it } from 'vitest';

import type { CallGate } from '../../src/gateway/gate-types.js';
import { classify, parseMessage, type JsonRpcMessage } from '../../src/gateway/jsonrpc.js';
import { silentLogger } from '../../src/gateway/log.js';
import { createSession } from '../../src/gateway/session.js';
import type { Channel } from '../../src/gateway/transport/channel.js';

type Message = Record<string, unknown>;

interface TestChannel {
  channel: Channel;
  sent: Message[];
  deliver(value: unknown): void;
  take(match: (message: Message) => boolean, what?: string): Promise<Message>;
}

function testChannel(answer?: (message: Message, deliver: (value: unknown) => void) => void): TestChannel {
  const state: TestChannel = {
    sent: [],
    channel: {
      start: async () => {},
      send: async (message: JsonRpcMessage) => {
        const sent = message as unknown as Message;
        state.sent.push(sent);
        if (answer) queueMicrotask(() => answer(sent, state.deliver));
      },
      close: async () => {},
    },
    deliver(value) {
      state.channel.onmessage?.(classify(value));
    },
    async take(match, what = 'message') {
      for (let i = 0; i < 200; i++) {
        const index = state.sent.findIndex(match);
        if (index >= 0) return state.sent.splice(index, 1)[0] as Message;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      throw new Error(`no ${what} was sent; sent: ${JSON.stringify(state.sent)}`);
    },
  };
  return state;
}

/** An upstream that answers what the gateway asks and every call, and keeps what it received. */
function scriptedUpstream(): TestChannel {
  return testChannel((message, deliver) => {
    if (message.id === undefined || message.method === undefined) return;
    if (message.method === 'initialize') deliver({ jsonrpc: '2.0', id: message.id, result: { protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'up', version: '1' } } });
    else if (message.method === 'tools/list') deliver({ jsonrpc: '2.0', id: message.id, result: { tools: ['get_stock_quote', 'unlock_trade', 'slow_call'].map((name) => ({ name, inputSchema: { type: 'object' } })) } });
    // slow_call is answered by the test, when it chooses.
    else if (message.method === 'tools/call' && (message.params as Message).name === 'slow_call') return;
    else if (message.method === 'tools/call') deliver({ jsonrpc: '2.0', id: message.id, result: { content: [{ type: 'text', text: 'done' }] } });
    else deliver({ jsonrpc: '2.0', id: message.id, error: { code: -32601, message: 'Method not found' } });
  });
}

const passGate: CallGate = {
  hides: () => false,
  async admit(call) {
    if (call.inventory.kind !== 'known' || !call.inventory.tools.has(call.tool)) return { forward: false, text: `denied ${call.tool}` };
    return { forward: true, args: call.args };
  },
};

async function initializedSession(): Promise<{ client: TestChannel; server: TestChannel }> {
  const client = testChannel();
  const server = scriptedUpstream();
  const session = createSession({ id: 's1', identity: 'anonymous', downstream: client.channel, openUpstream: () => server.channel, gate: passGate, log: silentLogger, requestTimeoutMs: 5_000 });
  await session.start();
  client.deliver({ jsonrpc: '2.0', id: 'init', method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } });
  await client.take((message) => message.id === 'init', 'initialize result');
  client.deliver({ jsonrpc: '2.0', method: 'notifications/initialized' });
  await server.take((message) => message.method === 'notifications/initialized', 'notifications/initialized');
  server.sent.length = 0;
  return { client, server };
}

/** Everything the upstream received, once a ping sent after it has come back. */
async function upstreamAfter(client: TestChannel, server: TestChannel): Promise<Message[]> {
  client.deliver({ jsonrpc: '2.0', id: 'barrier', method: 'ping' });
  await client.take((message) => message.id === 'barrier', 'the barrier ping');
  return server.sent.filter((message) => message.method !== 'ping' && message.method !== 'tools/list' && message.result === undefined);
}

describe('what the relay never forwards', () => {
  it('drops a tools/call sent without an id (a "notification" nobody decides)', async () => {
    const { client, server } = await initializedSession();
    client.deliver({ jsonrpc: '2.0', method: 'tools/call', params: { name: 'unlock_trade', arguments: { password: 'x' } } });
    client.deliver({ jsonrpc: '2.0', method: 'tools/list' });
    client.deliver({ jsonrpc: '2.0', method: 'notifications/roots/list_changed' });
    expect(await upstreamAfter(client, server)).toEqual([{ jsonrpc: '2.0', method: 'notifications/roots/list_changed' }]);
    expect(client.sent).toEqual([]);
  });
});

describe('method names', () => {
  it.each(['Tools/Call', 'TOOLS/CALL', 'tools//call', 'tools.call', 'tools_call', 'toolscall'])('answers %s itself, as not found, and forwards nothing', async (method) => {
    const { client, server } = await initializedSession();
    client.deliver({ jsonrpc: '2.0', id: 7, method, params: { name: 'unlock_trade', arguments: {} } });
    const answer = await client.take((message) => message.id === 7);
    expect(answer).toEqual({
      jsonrpc: '2.0',
      id: 7,
      error: { code: -32601, message: `Method not found: ${JSON.stringify(method)}. Method names are case-sensitive and exact; did you mean "tools/call"?` },
    });
    expect(await upstreamAfter(client, server)).toEqual([]);
  });

  it('refuses a method name with whitespace, control, zero-width or non-ASCII characters', async () => {
    const { client, server } = await initializedSession();
    for (const [id, method] of [' tools/call', 'tools/call\u0000', 'tools/\u200bcall', 'ｔｏｏｌｓ/ｃａｌｌ'].entries()) {
      client.deliver({ jsonrpc: '2.0', id, method, params: { name: 'unlock_trade', arguments: {} } });
      expect(await client.take((message) => message.id === id)).toMatchObject({ error: { code: -32600, message: expect.stringContaining('is not a method name') } });
    }
    expect(await upstreamAfter(client, server)).toEqual([]);
  });

  it('answers an upstream request it cannot accept with an error, and does not take it for an answer to its own request', async () => {
    const { client, server } = await initializedSession();
    // Before the upstream answers the call, it sends a malformed request of its own whose id
    // happens to be the gateway's id for the call.
    client.deliver({ jsonrpc: '2.0', id: 'q', method: 'tools/call', params: { name: 'slow_call', arguments: {} } });
    const forwarded = await server.take((message) => message.method === 'tools/call', 'the forwarded call');
    server.deliver({ jsonrpc: '2.0', id: forwarded.id, method: 'sampling/createMessage', params: [] });
    expect(await server.take((message) => message.id === forwarded.id && message.error !== undefined, 'the refusal')).toEqual({
      jsonrpc: '2.0',
      id: forwarded.id,
      error: { code: -32602, message: 'Invalid message: the "params" member must be an object' },
    });
    expect(client.sent.filter((message) => message.id === 'q')).toEqual([]);
    server.deliver({ jsonrpc: '2.0', id: forwarded.id, result: { content: [{ type: 'text', text: 'slow' }] } });
    expect(await client.take((message) => message.id === 'q')).toEqual({ jsonrpc: '2.0', id: 'q', result: { content: [{ type: 'text', text: 'slow' }] } });
  });
});

describe('what a message may hold', () => {
  it('refuses nesting beyond 64 levels, however deep, without recursing', () => {
    const deep = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"a":${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}}}}`;
    expect(parseMessage(deep)).toEqual({ kind: 'invalid', id: 1, code: -32600, reason: 'the message is nested more than 64 levels deep', request: true });
    const atCap = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"a":${'['.repeat(61)}${']'.repeat(61)}}}}`;
    expect(parseMessage(atCap).kind).toBe('request');
    const overCap = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"a":${'['.repeat(62)}${']'.repeat(62)}}}}`;
    expect(parseMessage(overCap).kind).toBe('invalid');
  });

  it('refuses a number JSON.parse reads as Infinity, naming where it is', () => {
    expect(parseMessage('{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"orders":[{"qty":1},{"qty":1e400}]}}}')).toEqual({
      kind: 'invalid',
      id: 1,
      code: -32602,
      reason: 'params.arguments.orders[1].qty is a number too large for a double (it would read as Infinity); send a finite number',
      request: true,
    });
    expect(parseMessage('{"jsonrpc":"2.0","id":1,"method":"x","params":{"odd key":-1e999}}')).toMatchObject({ reason: expect.stringMatching(/^params\["odd key"\] is a number .* -Infinity/) });
    expect(parseMessage('{"jsonrpc":"2.0","id":1,"result":{"n":1e400}}')).toMatchObject({ kind: 'invalid', id: 1, code: -32600 });
    expect(parseMessage('{"jsonrpc":"2.0","id":1,"method":"x","params":{"n":1e308,"m":-0}}').kind).toBe('request');
  });

  it('sends nothing upstream for such a message, and answers it', async () => {
    const { client, server } = await initializedSession();
    client.deliver(JSON.parse('{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"get_stock_quote","arguments":{"pad":1e400}}}'));
    expect(await client.take((message) => message.id === 9)).toMatchObject({ error: { code: -32602 } });
    expect(await upstreamAfter(client, server)).toEqual([]);
  });
});

describe('the call as forwarded', () => {
  it('carries the checked name and arguments, _meta and task, and nothing the gateway did not look at', async () => {
    const { client, server } = await initializedSession();
    client.deliver(
      JSON.parse(
        '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"__proto__":{"name":"unlock_trade"},"name":"get_stock_quote","arguments":{"symbols":["HK.00700"]},"input":{"password":"x"},"extra":1,"_meta":{"progressToken":"p"},"task":{"ttl":1000}}}',
      ),
    );
    await client.take((message) => message.id === 3);
    const [forwarded] = await upstreamAfter(client, server);
    expect(forwarded?.params).toEqual({ name: 'get_stock_quote', arguments: { symbols: ['HK.00700'] }, _meta: { progressToken: 'p' }, task: { ttl: 1000 } });
    expect(Object.keys(forwarded?.params as Message)).toEqual(['name', 'arguments', '_meta', 'task']);
  });

  it('drops _meta or task that are not objects', async () => {
    const { client, server } = await initializedSession();
    client.deliver({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'get_stock_quote', _meta: 'x', task: [1] } });
    await client.take((message) => message.id === 4);
    const [forwarded] = await upstreamAfter(client, server);
    expect(forwarded?.params).toEqual({ name: 'get_stock_quote', arguments: {} });
  });
});
