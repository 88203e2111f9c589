// Runs one row of the attack catalogue against a live gateway and checks all three things that
// matter: the answer, what reached the server's wire, and which calls the server acted on.

import { expect } from 'vitest';

import type { Attack } from '../attacks.js';
import type { Exchange, Message, Target } from './wire.js';

export async function runAttack(target: Target, attack: Attack, id: number): Promise<Exchange> {
  const requestId = attack.requestId ?? id;
  const expected = attack.expect(id, target.policy);
  const answered = !(expected.kind === 'none' || (expected.kind === 'error' && expected.id === null));
  const exchange = await target.exchange(attack.send(id), answered ? requestId : undefined);

  switch (expected.kind) {
    case 'none':
      expect(exchange.answers).toEqual([]);
      if (target.kind === 'http') expect(exchange.status).toBe(202);
      break;
    case 'error':
      expect(exchange.answers).toEqual([{ jsonrpc: '2.0', id: expected.id, error: { code: expected.code, message: expected.message } }]);
      if (target.kind === 'http') expect(exchange.status).toBe(expected.refused ? 400 : 200);
      break;
    case 'denied':
      expect(exchange.answers).toEqual([{ jsonrpc: '2.0', id: requestId, result: { content: [{ type: 'text', text: expected.text }], isError: true } }]);
      break;
    case 'allowed': {
      expect(exchange.answers).toHaveLength(1);
      const [answer] = exchange.answers as [Message];
      expect(answer.id).toBe(requestId);
      expect(answer.error).toBeUndefined();
      expect((answer.result as Message | undefined)?.isError).toBeUndefined();
      break;
    }
    case 'result':
      expect(exchange.answers).toEqual([{ jsonrpc: '2.0', id: requestId, result: expected.result }]);
      break;
  }
  if (expected.kind !== 'none' && expected.kind !== 'error' && target.kind === 'http') expect(exchange.status).toBe(200);

  if (attack.forwards === undefined) {
    // Nothing of it reached the server: not the call, not a renamed method, not a notification.
    expect(exchange.upstream).toEqual([]);
    expect(exchange.calls).toEqual([]);
  } else {
    expect(exchange.upstream).toHaveLength(1);
    const line = exchange.upstream[0] as string;
    const forwarded = JSON.parse(line) as Message;
    expect(forwarded).toEqual({ jsonrpc: '2.0', id: expect.any(Number), method: 'tools/call', params: attack.forwards });
    // The gateway's own serialisation of what it checked, not the client's bytes.
    expect(line).toBe(JSON.stringify(forwarded));
    expect(exchange.calls).toEqual([{ tool: attack.forwards.name, arguments: attack.forwards.arguments }]);
  }
  return exchange;
}
