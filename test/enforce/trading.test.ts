// The example policy of SPEC §1.1, compiled by the real pipeline from both spellings, decided
// call by call.

import { fileURLToPath } from 'node:url';

import { beforeAll, describe, expect, it } from 'vitest';

import { decide, explain, isHidden, preparePolicy, type PreparedPolicy } from '../../src/enforce/index.js';
import type { Call, Decision } from '../../src/enforce/types.js';
import type { JsonObject } from '../../src/model/json.js';
import { compileFile } from '../../src/pipeline.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../fixtures/policies/${name}`, import.meta.url));

const SPELLINGS = ['trading.policy', 'trading.policy.yaml'] as const;
const prepared = new Map<string, PreparedPolicy>();

beforeAll(async () => {
  for (const name of SPELLINGS) {
    const result = await compileFile(fixture(name));
    if (!result.policy) throw new Error(`${name} does not compile`);
    prepared.set(name, preparePolicy(result.policy));
  }
});

const SIMULATED: JsonObject = { trd_env: 'SIMULATE', qty: 100, code: 'HK.00700' };

type Row = [what: string, call: Call, expected: { outcome: Decision['outcome']; basis: Decision['basis']; rule?: string; limits: string[] }];

const ROWS: Row[] = [
  ['market data', { tool: 'get_stock_quote', args: {} }, { outcome: 'allow', basis: 'rule', rule: 'r1', limits: ['a1'] }],
  ['a read matched by a glob too', { tool: 'get_order_list', args: {} }, { outcome: 'allow', basis: 'rule', rule: 'r1', limits: ['a1'] }],
  ['a paper order', { tool: 'place_order', args: SIMULATED }, { outcome: 'allow', basis: 'rule', rule: 'r3', limits: ['r3', 'a1'] }],
  ['a paper order in lower case', { tool: 'place_order', args: { ...SIMULATED, trd_env: 'simulate' } }, { outcome: 'allow', basis: 'rule', rule: 'r3', limits: ['r3', 'a1'] }],
  ['a real order', { tool: 'place_order', args: { ...SIMULATED, trd_env: 'real' } }, { outcome: 'deny', basis: 'default', limits: [] }],
  ['too large', { tool: 'place_order', args: { ...SIMULATED, qty: 101 } }, { outcome: 'deny', basis: 'default', limits: [] }],
  ['qty as a string', { tool: 'place_order', args: { ...SIMULATED, qty: '10' } }, { outcome: 'deny', basis: 'default', limits: [] }],
  ['another stock', { tool: 'place_order', args: { ...SIMULATED, code: 'US.TSLA' } }, { outcome: 'deny', basis: 'default', limits: [] }],
  ['no trd_env', { tool: 'place_order', args: { qty: 1, code: 'US.AAPL' } }, { outcome: 'deny', basis: 'default', limits: [] }],
  ['changing an order', { tool: 'modify_order', args: { order_id: '1' } }, { outcome: 'approve', basis: 'rule', rule: 'r4', limits: ['a1'] }],
  ['cancelling one', { tool: 'cancel_order', args: {} }, { outcome: 'approve', basis: 'rule', rule: 'r4', limits: ['a1'] }],
  ['the trade password', { tool: 'unlock_trade', args: { password: 'x' } }, { outcome: 'deny', basis: 'rule', rule: 'r5', limits: [] }],
  ['cancel everything', { tool: 'cancel_all_orders', args: {} }, { outcome: 'deny', basis: 'hidden', limits: [] }],
  ['a tool the catalogue lacks', { tool: 'transfer_funds', args: {} }, { outcome: 'deny', basis: 'unknown-tool', limits: [] }],
  ['a write tool nobody allowed', { tool: 'subscribe', args: {} }, { outcome: 'deny', basis: 'default', limits: [] }],
  ['research: account data', { tool: 'get_funds', args: {}, identity: 'research-bot' }, { outcome: 'deny', basis: 'rule', rule: 'r6', limits: [] }],
  ['research: market data', { tool: 'get_stock_quote', args: {}, identity: 'research-bot' }, { outcome: 'allow', basis: 'rule', rule: 'r1', limits: ['a1'] }],
  ['research: orders', { tool: 'place_order', args: SIMULATED, identity: 'research-bot' }, { outcome: 'deny', basis: 'hidden', limits: [] }],
  ['research: approvals', { tool: 'modify_order', args: {}, identity: 'research-bot' }, { outcome: 'deny', basis: 'hidden', limits: [] }],
  ['anyone else: account data', { tool: 'get_funds', args: {}, identity: 'someone' }, { outcome: 'allow', basis: 'rule', rule: 'r1', limits: ['a1'] }],
];

describe.each(SPELLINGS)('fixtures/policies/%s', (name) => {
  it.each(ROWS)('%s', (_what, call, expected) => {
    const decision = decide(prepared.get(name) as PreparedPolicy, call);
    expect({
      outcome: decision.outcome,
      basis: decision.basis,
      ...(decision.rule === undefined ? {} : { rule: decision.rule }),
      limits: decision.limits.map((claim) => claim.id),
    }).toEqual(expected);
  });

  it('hides what the research bot must not see from its tools/list only', () => {
    const policy = prepared.get(name) as PreparedPolicy;
    expect(isHidden(policy, 'place_order', 'research-bot')).toBe(true);
    expect(isHidden(policy, 'place_order')).toBe(false);
    expect(isHidden(policy, 'cancel_all_orders')).toBe(true);
  });

  it('explains a refused order', () => {
    const explanation = explain(prepared.get(name) as PreparedPolicy, { tool: 'place_order', args: { ...SIMULATED, qty: '10' } });
    expect(explanation.trace).toEqual([
      {
        id: 'r3',
        effect: 'allow',
        when: 'error',
        error: 'qty is a string, compared with a number',
        matched: false,
        reason: 'paper trading only, small size',
      },
    ]);
  });
});

it('gives both spellings the same limit keys', () => {
  const [dsl, yaml] = SPELLINGS.map((name) => decide(prepared.get(name) as PreparedPolicy, { tool: 'place_order', args: SIMULATED }));
  expect(dsl?.limits.map((claim) => claim.key)).toEqual(yaml?.limits.map((claim) => claim.key));
});
