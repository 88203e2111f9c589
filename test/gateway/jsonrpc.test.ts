// Checking JSON-RPC messages, and the stdio line framing around them.

import { describe, expect, it } from 'vitest';

import { classify, parseMessage, type Inbound } from '../../src/gateway/jsonrpc.js';
import { createLineDecoder } from '../../src/gateway/transport/lines.js';

describe('classify', () => {
  it.each<[string, unknown, Inbound]>([
    ['a request', { jsonrpc: '2.0', id: 1, method: 'tools/list' }, { kind: 'request', message: { jsonrpc: '2.0', id: 1, method: 'tools/list' } }],
    [
      'a request with a string id and params',
      { jsonrpc: '2.0', id: 'a', method: 'tools/call', params: { name: 'x' } },
      { kind: 'request', message: { jsonrpc: '2.0', id: 'a', method: 'tools/call', params: { name: 'x' } } },
    ],
    ['a notification', { jsonrpc: '2.0', method: 'notifications/initialized' }, { kind: 'notification', message: { jsonrpc: '2.0', method: 'notifications/initialized' } }],
    ['a result', { jsonrpc: '2.0', id: 3, result: {} }, { kind: 'result', message: { jsonrpc: '2.0', id: 3, result: {} } }],
    [
      'an error',
      { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'x' } },
      { kind: 'error', message: { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'x' } } },
    ],
    ['a batch', [{ jsonrpc: '2.0', id: 1, method: 'ping' }], { kind: 'invalid', id: null, code: -32600, reason: 'JSON-RPC batches are not supported; send one message at a time' }],
    ['no jsonrpc member', { id: 4, method: 'ping' }, { kind: 'invalid', id: 4, code: -32600, reason: 'the "jsonrpc" member must be exactly "2.0"', request: true }],
    ['a fractional id', { jsonrpc: '2.0', id: 1.5, method: 'ping' }, { kind: 'invalid', id: null, code: -32600, reason: 'a request id must be a string or an integer', request: true }],
    ['a null request id', { jsonrpc: '2.0', id: null, method: 'ping' }, { kind: 'invalid', id: null, code: -32600, reason: 'a request id must be a string or an integer', request: true }],
    ['params as a list', { jsonrpc: '2.0', id: 5, method: 'ping', params: [] }, { kind: 'invalid', id: 5, code: -32602, reason: 'the "params" member must be an object', request: true }],
    ['result and error', { jsonrpc: '2.0', id: 6, result: {}, error: { code: 1, message: 'x' } }, { kind: 'invalid', id: 6, code: -32600, reason: 'a message needs a "method", or exactly one of "result" and "error"' }],
    ['a result that is not an object', { jsonrpc: '2.0', id: 7, result: 'ok' }, { kind: 'invalid', id: 7, code: -32600, reason: 'the "result" member must be an object' }],
    ['a number', 42, { kind: 'invalid', id: null, code: -32600, reason: 'a JSON-RPC message must be a JSON object' }],
  ])('%s', (_name, value, expected) => {
    expect(classify(value)).toEqual(expected);
  });

  it('rebuilds a message from the checked members only', () => {
    const inbound = classify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'x' }, smuggled: true });
    expect(inbound).toEqual({ kind: 'request', message: { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'x' } } });
  });

  it('keeps the last of duplicate keys and a __proto__ key as plain data, as JSON.parse reads them', () => {
    const inbound = parseMessage('{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","name":"place_order","arguments":{"__proto__":{"x":1}}}}');
    expect(inbound.kind).toBe('request');
    const params = (inbound as { message: { params: Record<string, unknown> } }).message.params;
    expect(params.name).toBe('place_order');
    const args = params.arguments as Record<string, unknown>;
    expect(Object.keys(args)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(args)).toBe(Object.prototype);
    expect(JSON.stringify(args)).toBe('{"__proto__":{"x":1}}');
  });

  it('reports text that is not JSON as a parse error', () => {
    expect(parseMessage('{"jsonrpc":')).toMatchObject({ kind: 'invalid', id: null, code: -32700 });
  });
});

describe('line framing', () => {
  function decode(chunks: Buffer[], max?: number): Inbound[] {
    const out: Inbound[] = [];
    const decoder = createLineDecoder((inbound) => out.push(inbound), max);
    for (const chunk of chunks) decoder.push(chunk);
    decoder.end();
    return out;
  }

  it('joins a message split across chunks, even inside a multi-byte character', () => {
    const line = Buffer.from('{"jsonrpc":"2.0","method":"note","params":{"text":"騰訊"}}\n');
    const cut = line.indexOf(Buffer.from('訊')) + 1;
    expect(decode([line.subarray(0, cut), line.subarray(cut)])).toEqual([
      { kind: 'notification', message: { jsonrpc: '2.0', method: 'note', params: { text: '騰訊' } } },
    ]);
  });

  it('reads several messages in one chunk, skips blank lines and strips CR', () => {
    const out = decode([Buffer.from('{"jsonrpc":"2.0","id":1,"method":"a"}\r\n\n{"jsonrpc":"2.0","id":2,"method":"b"}\n')]);
    expect(out.map((inbound) => (inbound.kind === 'request' ? inbound.message.method : inbound.kind))).toEqual(['a', 'b']);
  });

  it('drops a line over the cap, reports it once, and reads on after it', () => {
    const long = `{"jsonrpc":"2.0","method":"x","params":{"pad":"${'y'.repeat(200)}"}}`;
    const out = decode([Buffer.from(long.slice(0, 100)), Buffer.from(long.slice(100)), Buffer.from('\n{"jsonrpc":"2.0","id":1,"method":"ok"}\n')], 64);
    expect(out).toEqual([
      { kind: 'invalid', id: null, code: -32600, reason: 'message longer than 64 bytes' },
      { kind: 'request', message: { jsonrpc: '2.0', id: 1, method: 'ok' } },
    ]);
  });
});
