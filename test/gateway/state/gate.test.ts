// The gate with a store that fails: the call is denied with the store's reason and an audit
// record, never forwarded; a call under no limit does not need the store; a quota that cannot be
// given back is reported, not thrown.

import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Admission, AdmissionTicket } from '../../../src/enforce/index.js';
import { openAuditLog } from '../../../src/gateway/audit.js';
import { createCallGate, type PolicyStore } from '../../../src/gateway/gate.js';
import type { Logger } from '../../../src/gateway/log.js';
import { loadPolicy } from '../../../src/gateway/policy-source.js';
import { LimitStoreUnavailable, type LimitStore } from '../../../src/gateway/state/limit-store.js';
import { MemoryLimitStore } from '../../../src/gateway/state/memory.js';
import { auditRecords, cleanup, GATEWAY_FIXTURES, tempDir } from '../helpers/harness.js';

const POLICY = join(GATEWAY_FIXTURES, 'everything.policy');
let policies: PolicyStore;

beforeAll(async () => {
  const loaded = await loadPolicy({ path: POLICY });
  if (!loaded.ok) throw new Error(loaded.problem);
  policies = { active: loaded.active };
});
afterAll(cleanup);

const TOOLS = { kind: 'known' as const, tools: new Set(['echo', 'get-sum']) };
const call = (tool: string) => ({ tool, args: {}, identity: 'anonymous', session: 's1', inventory: TOOLS });

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`), error: (m) => lines.push(`error ${m}`), debug: () => {} };
}

/** A store that is away: every admission fails as Redis would when the socket is gone. */
const away: LimitStore = {
  description: 'redis 127.0.0.1:6379/0',
  tryAdmit: (claims): Promise<Admission> =>
    claims.length === 0 ? Promise.resolve({ admitted: true, ticket: { claims: [], admittedAt: 0 } }) : Promise.reject(new LimitStoreUnavailable('redis 127.0.0.1:6379/0: not connected (connect ECONNREFUSED 127.0.0.1:6379)')),
  release: () => Promise.reject(new LimitStoreUnavailable('redis 127.0.0.1:6379/0: not connected')),
  close: () => Promise.resolve(),
};

describe('the gate and its rate-limit store', () => {
  it('denies a limited call when the store does not answer, and records why', async () => {
    const folder = await tempDir();
    const audit = await openAuditLog(join(folder, 'audit.jsonl'));
    const log = recordingLogger();
    const gate = createCallGate({ policies, limiter: away, audit, log });
    expect(await gate.admit(call('get-sum'))).toEqual({
      forward: false,
      text: 'Denied by policyc: the gateway cannot count this call against its rate limits (rate-limit store unavailable: redis 127.0.0.1:6379/0: not connected (connect ECONNREFUSED 127.0.0.1:6379)), and it forwards no limited call uncounted. Try again later.',
    });
    // echo is under no limit: nothing to count, so the store is not needed.
    expect((await gate.admit(call('echo'))).forward).toBe(true);
    await audit.close();
    const records = await auditRecords(join(folder, 'audit.jsonl'));
    expect(records.map((r) => [r.tool, r.decision, r.basis, r.rule, r.reason])).toEqual([
      ['get-sum', 'deny', 'limit', null, 'rate-limit store unavailable: redis 127.0.0.1:6379/0: not connected (connect ECONNREFUSED 127.0.0.1:6379)'],
      ['echo', 'allow', 'rule', 'r1', null],
    ]);
    expect(log.lines).toEqual(['error denied "get-sum": rate-limit store unavailable: redis 127.0.0.1:6379/0: not connected (connect ECONNREFUSED 127.0.0.1:6379)']);
  });

  it('reports a quota it could not give back, and keeps going', async () => {
    const folder = await tempDir();
    const audit = await openAuditLog(join(folder, 'audit.jsonl'));
    const log = recordingLogger();
    const admitsButCannotRelease: LimitStore = {
      ...away,
      tryAdmit: (claims) => Promise.resolve({ admitted: true, ticket: { claims, admittedAt: 0 } as AdmissionTicket }),
    };
    const gate = createCallGate({ policies, limiter: admitsButCannotRelease, audit, log });
    const verdict = await gate.admit(call('get-sum'));
    if (!verdict.forward) throw new Error('denied');
    verdict.reservation?.release();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(log.lines).toEqual(['warn could not give back rate-limit quota: redis 127.0.0.1:6379/0: not connected']);
    await audit.close();
  });

  it('counts through whatever store it is given (the memory store, 3 per minute by session)', async () => {
    const folder = await tempDir();
    const audit = await openAuditLog(join(folder, 'audit.jsonl'));
    const gate = createCallGate({ policies, limiter: new MemoryLimitStore(), audit, log: recordingLogger() });
    const verdicts = await Promise.all(Array.from({ length: 50 }, () => gate.admit(call('get-sum'))));
    expect(verdicts.filter((v) => v.forward)).toHaveLength(3);
    await audit.close();
  });
});
