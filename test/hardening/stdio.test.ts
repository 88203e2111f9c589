// The attack catalogue over stdio, as raw bytes on the gateway's stdin, against the Futu fixture
// behind a recording tap; and what only stdio has: a session before and around `initialize`.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ATTACKS } from './attacks.js';
import { runAttack } from './helpers/run-attack.js';
import { INITIALIZE, INITIALIZED, killStdioTargets, stdioTarget, type StdioTarget } from './helpers/wire.js';
import { auditRecords, cleanup, runCli } from '../gateway/helpers/harness.js';

afterAll(async () => {
  killStdioTargets();
  await cleanup();
});

describe('over stdio, before and around initialize', () => {
  let target: StdioTarget;
  beforeAll(async () => {
    target = await stdioTarget();
  });

  it('refuses a call before initialize; nothing reaches the server (it is not even started)', async () => {
    const exchange = await target.exchange('{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_stock_quote","arguments":{"symbols":["HK.00700"]}}}', 1);
    expect(exchange.answers).toEqual([{ jsonrpc: '2.0', id: 1, error: { code: -32600, message: 'The session is not initialized: send "initialize" first.' } }]);
    const notification = await target.exchange('{"jsonrpc":"2.0","method":"tools/call","params":{"name":"unlock_trade","arguments":{}}}');
    expect(notification.answers).toEqual([]);
    expect([...exchange.upstream, ...notification.upstream]).toEqual([]);
  });

  it('stays uninitialized after a failed initialize', async () => {
    const bad = await target.exchange('{"jsonrpc":"2.0","id":2,"method":"initialize","params":{"capabilities":{}}}', 2);
    expect(bad.answers).toEqual([{ jsonrpc: '2.0', id: 2, error: { code: -32602, message: 'initialize needs "protocolVersion" (a string) and "capabilities" (an object).' } }]);
    const list = await target.exchange('{"jsonrpc":"2.0","id":3,"method":"initialize","params":[]}', 3);
    expect(list.answers).toEqual([{ jsonrpc: '2.0', id: 3, error: { code: -32602, message: 'Invalid message: the "params" member must be an object' } }]);
    const after = await target.exchange('{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"get_current_time","arguments":{}}}', 4);
    expect(after.answers).toEqual([{ jsonrpc: '2.0', id: 4, error: { code: -32600, message: 'The session is not initialized: send "initialize" first.' } }]);
    expect([...bad.upstream, ...list.upstream, ...after.upstream]).toEqual([]);
  });

  it('initializes once, refuses a second initialize, and denies calls until notifications/initialized', async () => {
    const first = await target.exchange(INITIALIZE(5), 5);
    expect(first.answers[0]).toMatchObject({ id: 5, result: { serverInfo: { name: 'futu-stock-server' } } });
    const early = await target.exchange('{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"get_current_time","arguments":{}}}', 6);
    expect(early.answers).toEqual([
      {
        jsonrpc: '2.0',
        id: 6,
        result: {
          content: [
            {
              type: 'text',
              text: 'Denied by policyc: the gateway could not learn which tools the upstream server offers (the client has not finished initialization), so it cannot check this call. Try again later.',
            },
          ],
          isError: true,
        },
      },
    ]);
    expect(early.calls).toEqual([]);
    const second = await target.exchange(INITIALIZE(7), 7);
    expect(second.answers).toEqual([{ jsonrpc: '2.0', id: 7, error: { code: -32600, message: 'The session is already initialized.' } }]);
    await target.write(`${INITIALIZED}\n`);
    const now = await target.exchange('{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"get_current_time","arguments":{}}}', 8);
    expect(now.calls).toEqual([{ tool: 'get_current_time', arguments: {} }]);
  });
});

describe('over stdio, the attack catalogue', () => {
  let target: StdioTarget;
  beforeAll(async () => {
    target = await stdioTarget({ args: ['--verbose'] });
    await target.initialize();
  });

  it.each(ATTACKS.map((attack, index) => [attack.name, attack, 1000 + index] as const))('%s', async (_name, attack, id) => {
    await runAttack(target, attack, id);
  });

  it('wrote nothing but JSON-RPC messages to stdout', () => {
    expect(target.strayOutput).toEqual([]);
  });

  it('kept one audit record per decided call, and the log verifies', async () => {
    const records = await auditRecords(target.audit);
    const decided = ATTACKS.filter((attack) => {
      const kind = attack.expect(0, target.policy).kind;
      return kind === 'denied' || kind === 'allowed';
    });
    expect(records).toHaveLength(decided.length);
    expect(records.filter((record) => record.decision === 'allow')).toHaveLength(ATTACKS.filter((attack) => attack.forwards !== undefined).length);
    const verify = await runCli(['audit', 'verify', target.audit]);
    expect(verify.stderr).toBe('');
    expect(verify.code).toBe(0);
  });

  it('never writes a control or bidi character of a caller\'s choosing into its log', () => {
    // Tool and method names are the caller's text; in the log they appear JSON-quoted.
    // eslint-disable-next-line no-control-regex -- control characters are exactly what must not appear
    expect(target.stderr()).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/);
    expect(target.stderr()).toContain('"unlock_trade\\u202e"');
  });
});
