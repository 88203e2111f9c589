// The attack catalogue over Streamable HTTP, as raw request bodies; then what only HTTP has: the
// front door (Host, Origin, tokens, query strings, header limits), sessions that belong to one
// caller, and the tokens themselves, which must never be written anywhere.

import { createHash, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ATTACKS } from './attacks.js';
import { runAttack } from './helpers/run-attack.js';
import { httpTarget, INITIALIZE, MCP_HEADERS, messagesOf, rawHttp, type HttpTarget } from './helpers/wire.js';
import { auditRecords, cleanup, fixtureCalls, runCli } from '../gateway/helpers/harness.js';

afterAll(cleanup);

const CALL = '{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"get_stock_quote","arguments":{"symbols":["HK.00700"]}}}';

describe('over HTTP, the attack catalogue', () => {
  let target: HttpTarget;
  beforeAll(async () => {
    target = await httpTarget({ args: ['--verbose'] });
    await target.openSession('trader');
  });

  it.each(ATTACKS.map((attack, index) => [attack.name, attack, 1000 + index] as const))('%s', async (_name, attack, id) => {
    await runAttack(target, attack, id);
  });

  it('kept one audit record per decided call, and the log verifies', async () => {
    const records = await auditRecords(target.audit);
    const decided = ATTACKS.filter((attack) => ['denied', 'allowed'].includes(attack.expect(0, target.policy).kind));
    expect(records).toHaveLength(decided.length);
    expect(new Set(records.map((record) => record.identity))).toEqual(new Set(['trader']));
    const verify = await runCli(['audit', 'verify', target.audit]);
    expect(verify.code).toBe(0);
  });
});

describe('over HTTP, sessions belong to the caller that opened them', () => {
  let target: HttpTarget;
  let traderSession: string;
  beforeAll(async () => {
    target = await httpTarget();
    traderSession = await target.openSession('trader');
    await target.openSession('other');
  });

  it('refuses a request outside a session (only initialize opens one)', async () => {
    const exchange = await target.exchangeAs('trader', undefined, CALL);
    expect(exchange.status).toBe(400);
    expect(exchange.answers).toEqual([{ jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Bad Request: Mcp-Session-Id header is required (only initialize starts a session).' } }]);
    expect(exchange.calls).toEqual([]);
  });

  it('refuses another caller\'s session id for POST, GET and DELETE; nothing reaches the server', async () => {
    const stolen = await target.exchangeAs('other', traderSession, CALL);
    expect(stolen.status).toBe(404);
    expect(stolen.answers).toEqual([{ jsonrpc: '2.0', id: null, error: { code: -32001, message: 'Session not found.' } }]);
    expect(stolen.upstream).toEqual([]);
    expect(stolen.calls).toEqual([]);
    for (const method of ['GET', 'DELETE']) {
      const response = await rawHttp(target.url, { method, headers: { ...target.headers('other', traderSession), accept: 'text/event-stream' } });
      expect(response.status).toBe(404);
    }
    expect(target.stderr()).toContain('identity "other" presented the session id of another identity; refused');
    // The owner's session is untouched by the attempts.
    const own = await target.exchangeAs('trader', traderSession, CALL);
    expect(own.status).toBe(200);
    expect(own.calls).toEqual([{ tool: 'get_stock_quote', arguments: { symbols: ['HK.00700'] } }]);
  });

  it('answers guessed session ids as unknown, whatever their shape', async () => {
    const guesses = [
      ...Array.from({ length: 50 }, () => randomUUID()),
      traderSession.toUpperCase(),
      // (Surrounding spaces are not part of a header's value in HTTP: ` id ` is `id`.)
      `${traderSession}x`,
      `x${traderSession}`,
      traderSession.slice(0, -1),
      `${traderSession},${traderSession}`,
      '0',
      '../../etc/passwd',
      'x'.repeat(4000),
    ];
    for (const guess of guesses) {
      const response = await rawHttp(target.url, { headers: target.headers('trader', guess), body: CALL });
      expect(response.status, guess).toBe(404);
    }
    expect(await fixtureCalls(target.callLog)).toHaveLength(1);
  });

  it('refuses a second initialize inside a session without touching the upstream', async () => {
    const again = await target.exchangeAs('trader', traderSession, INITIALIZE(9));
    expect(again.status).toBe(400);
    expect(again.upstream).toEqual([]);
  });
});

describe('over HTTP, the front door', () => {
  let target: HttpTarget;
  let port: string;
  beforeAll(async () => {
    target = await httpTarget({ args: ['--verbose'] });
    port = new URL(target.url).port;
  });

  /** A request that passes the door reaches the session check: 400, no session. */
  const throughTheDoor = (headers: Record<string, string>) => rawHttp(target.url, { headers: { ...target.headers('trader'), ...headers }, body: CALL });

  it.each([
    ['127.0.0.1:PORT', 400],
    ['localhost:PORT', 400],
    ['LOCALHOST:PORT', 400],
    ['[::1]:PORT', 400],
    ['127.0.0.1.evil.example:PORT', 403],
    ['localhost.:PORT', 403],
    ['localhost:PORT.evil.example', 403],
    ['evil.example', 403],
    ['127.0.0.1', 403],
    ['localhost', 403],
    ['127.0.0.1:1', 403],
    ['127.1:PORT', 403],
    ['2130706433:PORT', 403],
    ['0x7f000001:PORT', 403],
    ['[0:0:0:0:0:0:0:1]:PORT', 403],
    ['[::ffff:127.0.0.1]:PORT', 403],
    ['user@localhost:PORT', 403],
    ['', 403],
  ] as const)('Host %s → %i', async (host, status) => {
    const response = await throughTheDoor({ host: host.replace('PORT', port) });
    expect(response.status).toBe(status);
  });

  it.each(['http://localhost:PORT', 'http://127.0.0.1:PORT', 'null', 'https://evil.example', 'http://localhost'])('Origin %s → 403 (no origin is allowed unless named)', async (origin) => {
    const response = await throughTheDoor({ origin: origin.replace('PORT', port) });
    expect(response.status).toBe(403);
  });

  it.each([
    ['no Authorization', {}, 'Unauthorized: a bearer token is required.'],
    ['an empty bearer', { authorization: 'Bearer ' }, 'Unauthorized: a bearer token is required.'],
    ['the token with another scheme', { authorization: 'Token TOKEN' }, 'Unauthorized: a bearer token is required.'],
    ['the token twice', { authorization: 'Bearer TOKEN TOKEN' }, 'Unauthorized: a bearer token is required.'],
    ['the token with a byte more', { authorization: 'Bearer TOKENx' }, 'Unauthorized: unknown token.'],
    ['the token without its last byte', { authorization: 'Bearer TOKEN-' }, 'Unauthorized: unknown token.'],
    ['the token in upper case', { authorization: 'Bearer UPPER' }, 'Unauthorized: unknown token.'],
    ['the token\'s sha256 from the tokens file', { authorization: 'Bearer SHA' }, 'Unauthorized: unknown token.'],
  ] as const)('401 for %s', async (_what, headers, message) => {
    const token = target.tokens.trader as string;
    const fill = (value: string) =>
      value
        .replace('TOKEN-', token.slice(0, -1))
        .replace('UPPER', token.toUpperCase())
        .replace('SHA', createHash('sha256').update(token).digest('hex'))
        .replaceAll('TOKEN', token);
    const response = await rawHttp(target.url, { headers: { ...MCP_HEADERS, ...Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, fill(value)])) }, body: INITIALIZE() });
    expect(response.status).toBe(401);
    expect(messagesOf(response)).toEqual([{ jsonrpc: '2.0', id: null, error: { code: -32000, message } }]);
  });

  it('refuses a token in the query string, or any query string, and never writes it down', async () => {
    const token = target.tokens.trader as string;
    for (const query of [`?access_token=${token}`, `?token=${token}`, `?key=${token}&x=1`, '?', '?x=1']) {
      const bare = await rawHttp(target.url, { path: `/mcp${query}`, headers: { ...MCP_HEADERS }, body: INITIALIZE() });
      expect(bare.status, query).toBe(400);
      expect(messagesOf(bare)).toEqual([
        { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Bad Request: /mcp takes no query string; send the bearer token in the Authorization header, never in the URL.' } },
      ]);
      const withHeader = await rawHttp(target.url, { path: `/mcp${query}`, headers: target.headers('trader'), body: INITIALIZE() });
      expect(withHeader.status, query).toBe(400);
    }
  });

  it('caps the number and the size of request headers', async () => {
    const many = Object.fromEntries(Array.from({ length: 70 }, (_, i) => [`x-pad-${i}`, 'y']));
    const tooMany = await throughTheDoor(many);
    expect(tooMany.status).toBe(431);
    expect(messagesOf(tooMany)).toEqual([{ jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Request header fields too large: at most 64 headers.' } }]);
    const fewer = await throughTheDoor(Object.fromEntries(Object.entries(many).slice(0, 50)));
    expect(fewer.status).toBe(400);
    const huge = await throughTheDoor({ 'x-pad': 'y'.repeat(20 * 1024) });
    expect(huge.status).toBe(431);
  });

  it('never writes a token, or its hash, to its log or the audit log', async () => {
    // Make the gateway log and audit as much as it can with the tokens in play.
    const session = await target.openSession('trader');
    await target.exchangeAs('trader', session, '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"unlock_trade","arguments":{"password":"x"}}}');
    await target.exchangeAs('trader', session, CALL);
    await target.exchangeAs('other', session, CALL);
    const logs = `${target.stderr()}\n${await readFile(target.audit, 'utf8')}`;
    expect(logs).toContain('"unlock_trade"');
    for (const token of Object.values(target.tokens)) {
      expect(logs).not.toContain(token);
      expect(logs).not.toContain(token.slice(4, 24));
      expect(logs).not.toContain(createHash('sha256').update(token).digest('hex'));
    }
  });
});
