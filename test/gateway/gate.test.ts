// The gate: a compiled policy, the real limiter, an audit log. Every way a call is denied, and
// that a call is never let through without its audit record.

import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { SlidingWindowLimiter } from '../../src/enforce/index.js';
import { openAuditLog, type AuditEntry, type AuditLog, type AuditRecord } from '../../src/gateway/audit.js';
import { createCallGate, type PolicyStore } from '../../src/gateway/gate.js';
import type { ToolInventory } from '../../src/gateway/gate-types.js';
import { silentLogger } from '../../src/gateway/log.js';
import { loadPolicy } from '../../src/gateway/policy-source.js';
import { auditRecords, cleanup, GATEWAY_FIXTURES, tempDir } from './helpers/harness.js';

const POLICY = join(GATEWAY_FIXTURES, 'everything.policy');
const TOOLS: ToolInventory = { kind: 'known', tools: new Set(['echo', 'get-sum', 'get-env', 'toggle-simulated-logging', 'trigger-url-elicitation']) };

let store: PolicyStore;

beforeAll(async () => {
  const loaded = await loadPolicy({ path: POLICY });
  if (!loaded.ok) throw new Error(loaded.problem);
  store = { active: loaded.active };
});
afterAll(cleanup);

function call(tool: string, extra: Partial<{ session: string; inventory: ToolInventory; args: Record<string, never> }> = {}) {
  return { tool, args: extra.args ?? {}, identity: 'anonymous', session: extra.session ?? 's1', inventory: extra.inventory ?? TOOLS };
}

describe('the call gate', () => {
  it('denies by rule, hiding, default and unknown tool, and records each denial', async () => {
    const folder = await tempDir();
    const auditPath = join(folder, 'audit.jsonl');
    const audit = await openAuditLog(auditPath);
    const gate = createCallGate({ policies: store, limiter: new SlidingWindowLimiter(), audit, log: silentLogger });

    expect(await gate.admit(call('toggle-simulated-logging'))).toEqual({ forward: false, text: `Denied by policyc: rule r5 at ${POLICY}:12 denies "toggle-simulated-logging": no log spam` });
    expect(await gate.admit(call('get-env'))).toEqual({ forward: false, text: `Denied by policyc: "get-env" is not available to this caller (hidden by ${POLICY}:5).` });
    expect(await gate.admit(call('drop-tables'))).toEqual({ forward: false, text: 'Denied by policyc: "drop-tables" is not a tool that the upstream server offers.' });
    expect(await gate.admit(call('trigger-url-elicitation'))).toEqual({
      forward: false,
      text: `Denied by policyc: rule r7 at ${POLICY}:18 requires a person to approve each "trigger-url-elicitation" call (a person opens the link), and this gateway cannot ask for approval yet, so the call is denied.`,
    });
    expect(await gate.admit(call('echo', { inventory: { kind: 'unavailable', reason: 'timeout' } }))).toEqual({
      forward: false,
      text: 'Denied by policyc: the gateway could not learn which tools the upstream server offers (timeout), so it cannot check this call. Try again later.',
    });
    await audit.close();
    const records = await auditRecords(auditPath);
    expect(records.map((record) => [record.tool, record.decision, record.basis, record.rule])).toEqual([
      ['toggle-simulated-logging', 'deny', 'rule', 'r5'],
      ['get-env', 'deny', 'hidden', null],
      ['drop-tables', 'deny', 'unknown-tool', null],
      ['trigger-url-elicitation', 'deny', 'approval', 'r7'],
      ['echo', 'deny', 'inventory', null],
    ]);
  });

  it('counts limits per session, says when to retry, and admits again once the window has moved', async () => {
    const folder = await tempDir();
    const audit = await openAuditLog(join(folder, 'audit.jsonl'));
    let now = 1_000_000;
    const gate = createCallGate({ policies: store, limiter: new SlidingWindowLimiter(), audit, log: silentLogger, now: () => now });
    for (let i = 0; i < 3; i++) {
      expect((await gate.admit(call('get-sum'))).forward).toBe(true);
      now += 10_000;
    }
    expect(await gate.admit(call('get-sum'))).toEqual({
      forward: false,
      text: `Denied by policyc: the limit of 3 calls per 1m (rule r6 at ${POLICY}:15) is reached for this session; retry after 30 s.`,
    });
    expect((await gate.admit(call('get-sum', { session: 's2' }))).forward).toBe(true);
    now += 30_000;
    expect((await gate.admit(call('get-sum'))).forward).toBe(true);
    await audit.close();
  });

  const DISK_FULL = 'cannot write the audit log /full/disk: ENOSPC: no space left on device';
  const failingLogs: [string, AuditLog][] = [
    ['through the thread pool (append)', { path: '/full/disk', append: (_entry: AuditEntry): Promise<AuditRecord> => Promise.reject(new Error(DISK_FULL)), close: async () => {} }],
    [
      'at once (appendNow)',
      {
        path: '/full/disk',
        append: (_entry: AuditEntry): Promise<AuditRecord> => Promise.reject(new Error('unused')),
        appendNow: (_entry: AuditEntry): AuditRecord => {
          throw new Error(DISK_FULL);
        },
        close: async () => {},
      },
    ],
  ];

  it.each(failingLogs)('denies a call whose audit record cannot be written %s, and gives its quota back', async (_how, failing) => {
    const limiter = new SlidingWindowLimiter();
    const gate = createCallGate({ policies: store, limiter, audit: failing, log: silentLogger });
    for (let i = 0; i < 5; i++) {
      expect(await gate.admit(call('get-sum'))).toEqual({
        forward: false,
        text: `Denied by policyc: the gateway could not write its audit record (${DISK_FULL}), and it forwards no call without one.`,
      });
    }
    // Five refused calls took none of the three per minute.
    const folder = await tempDir();
    const audit = await openAuditLog(join(folder, 'audit.jsonl'));
    const working = createCallGate({ policies: store, limiter, audit, log: silentLogger });
    for (let i = 0; i < 3; i++) expect((await working.admit(call('get-sum'))).forward).toBe(true);
    expect((await working.admit(call('get-sum'))).forward).toBe(false);
    await audit.close();
  });

  it('answers an allowed call at once, its record already written, when neither the limiter nor the log must wait', async () => {
    const folder = await tempDir();
    const auditPath = join(folder, 'audit.jsonl');
    const audit = await openAuditLog(auditPath);
    const gate = createCallGate({ policies: store, limiter: new SlidingWindowLimiter(), audit, log: silentLogger });
    const verdict = gate.admit(call('echo'));
    expect(verdict).not.toBeInstanceOf(Promise);
    expect((verdict as { forward: boolean }).forward).toBe(true);
    expect((await auditRecords(auditPath)).map((record) => [record.tool, record.decision])).toEqual([['echo', 'allow']]);
    await audit.close();

    // With fsync the flush goes through the thread pool: the answer is a promise, the record
    // written before it settles.
    const syncedPath = join(folder, 'synced.jsonl');
    const synced = await openAuditLog(syncedPath, { fsync: true });
    const later = createCallGate({ policies: store, limiter: new SlidingWindowLimiter(), audit: synced, log: silentLogger }).admit(call('echo'));
    expect(later).toBeInstanceOf(Promise);
    expect((await later).forward).toBe(true);
    expect((await auditRecords(syncedPath)).length).toBe(1);
    await synced.close();
  });

  it('reads the policy in force at each call: a swapped policy applies to the next call', async () => {
    const folder = await tempDir();
    const audit = await openAuditLog(join(folder, 'audit.jsonl'));
    const local: PolicyStore = { active: store.active };
    const gate = createCallGate({ policies: local, limiter: new SlidingWindowLimiter(), audit, log: silentLogger });
    expect(gate.hides('get-env', 'anonymous')).toBe(true);
    expect((await gate.admit(call('echo'))).forward).toBe(true);
    const other = await loadPolicy({ path: join(GATEWAY_FIXTURES, 'deny-all.json') });
    if (!other.ok) throw new Error(other.problem);
    local.active = other.active;
    expect(gate.hides('get-env', 'anonymous')).toBe(false);
    expect(await gate.admit(call('echo'))).toEqual({ forward: false, text: 'Denied by policyc: no rule of the policy allows "echo", and the policy\'s default is deny.' });
    await audit.close();
  });
});
