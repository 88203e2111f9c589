// The gate's words for denials the adversarial suite provokes: a deny rule that applies because
// its condition could not be evaluated (a number sent as a string) says so, in the answer the
// model reads and in the audit record, instead of giving a reason that does not fit the call.

import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { SlidingWindowLimiter } from '../../src/enforce/index.js';
import { openAuditLog } from '../../src/gateway/audit.js';
import { createCallGate, type PolicyStore } from '../../src/gateway/gate.js';
import type { ToolInventory } from '../../src/gateway/gate-types.js';
import { silentLogger } from '../../src/gateway/log.js';
import { loadPolicy } from '../../src/gateway/policy-source.js';
import { HARDENING_POLICY } from './helpers/wire.js';
import { auditRecords, cleanup, tempDir } from '../gateway/helpers/harness.js';

const TOOLS: ToolInventory = { kind: 'known', tools: new Set(['modify_order', 'get_position_list', 'unlock_trade']) };
let store: PolicyStore;

beforeAll(async () => {
  const loaded = await loadPolicy({ path: HARDENING_POLICY });
  if (!loaded.ok) throw new Error(loaded.problem);
  store = { active: loaded.active };
});
afterAll(cleanup);

describe('a deny rule whose condition cannot be evaluated', () => {
  it('says what could not be evaluated, in the answer and in the audit record', async () => {
    const auditPath = join(await tempDir(), 'audit.jsonl');
    const audit = await openAuditLog(auditPath);
    const gate = createCallGate({ policies: store, limiter: new SlidingWindowLimiter(), audit, log: silentLogger });
    const admit = (tool: string, args: Record<string, string | number>) => gate.admit({ tool, args, identity: 'anonymous', session: 's', inventory: TOOLS });

    expect(await admit('modify_order', { order_id: '1', modify_order_op: 'NORMAL', qty: '1000', price: 1, trd_env: 'SIMULATE' })).toEqual({
      forward: false,
      text: `Denied by policyc: rule r5 at ${HARDENING_POLICY}:18 denies "modify_order": no order changes above 100 shares or 1000 a share (its condition could not be evaluated: qty is a string, compared with a number; a deny rule whose condition cannot be evaluated applies)`,
    });
    // When the condition held, the reason alone is the whole story.
    expect(await admit('modify_order', { order_id: '1', modify_order_op: 'NORMAL', qty: 1000, price: 1, trd_env: 'SIMULATE' })).toEqual({
      forward: false,
      text: `Denied by policyc: rule r5 at ${HARDENING_POLICY}:18 denies "modify_order": no order changes above 100 shares or 1000 a share`,
    });
    expect(await admit('get_position_list', {})).toEqual({
      forward: false,
      text: `Denied by policyc: rule r2 at ${HARDENING_POLICY}:10 denies "get_position_list": no real account data (its condition could not be evaluated: trd_env is missing; a deny rule whose condition cannot be evaluated applies)`,
    });
    // A rule without a condition is unchanged.
    expect(await admit('unlock_trade', { password: 'x' })).toEqual({
      forward: false,
      text: `Denied by policyc: rule r7 at ${HARDENING_POLICY}:23 denies "unlock_trade": the trade password must never pass through the model`,
    });
    await audit.close();
    expect((await auditRecords(auditPath)).map((record) => record.reason)).toEqual([
      'no order changes above 100 shares or 1000 a share; its condition could not be evaluated: qty is a string, compared with a number',
      'no order changes above 100 shares or 1000 a share',
      'no real account data; its condition could not be evaluated: trd_env is missing',
      'the trade password must never pass through the model',
    ]);
  });
});
