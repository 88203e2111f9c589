// The example of SPEC §1.1 (fixtures/policies/trading.policy): it must parse without a single
// diagnostic, into exactly this model, with spans that point at the right text.

import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import type { RuleNode } from '../../../src/model/policy.js';
import { at, parse, textAt, withoutSpans } from './helpers.js';

const text = readFileSync(new URL('../../../fixtures/policies/trading.policy', import.meta.url), 'utf8');
const { model, diagnostics } = parse(text, 'fixtures/policies/trading.policy');

describe('the trading example', () => {
  it('parses without diagnostics', () => {
    expect(diagnostics).toEqual([]);
  });

  it('gives the expected model', () => {
    expect(withoutSpans(model)).toEqual({
      file: 'fixtures/policies/trading.policy',
      syntax: 'dsl',
      version: { value: 1 },
      server: { name: 'futu-stock-mcp-server' },
      default: { value: 'deny' },
      hide: [{ selectors: [{ kind: 'name', name: 'cancel_all_orders' }] }],
      rules: [
        { effect: 'allow', selectors: [{ kind: 'class', class: 'read' }] },
        {
          effect: 'allow',
          selectors: [
            { kind: 'glob', pattern: 'get_order_*' },
            { kind: 'name', name: 'get_deal_list' },
          ],
        },
        {
          effect: 'allow',
          selectors: [{ kind: 'name', name: 'place_order' }],
          when: {
            kind: 'and',
            operands: [
              { kind: 'compare', op: '==', path: { segments: ['trd_env'] }, value: { value: 'SIMULATE' } },
              { kind: 'compare', op: '<=', path: { segments: ['qty'] }, value: { value: 100 } },
              {
                kind: 'in',
                negated: false,
                path: { segments: ['code'] },
                values: [{ value: 'HK.00700' }, { value: 'US.AAPL' }],
              },
            ],
          },
          limit: { max: 10, per: { text: '1m', ms: 60_000 }, by: 'identity' },
          reason: { text: 'paper trading only, small size' },
        },
        {
          effect: 'approve',
          selectors: [
            { kind: 'name', name: 'modify_order' },
            { kind: 'name', name: 'cancel_order' },
          ],
          reason: { text: 'order changes need a person' },
        },
        {
          effect: 'deny',
          selectors: [{ kind: 'name', name: 'unlock_trade' }],
          reason: { text: 'the trade password must never pass through the model' },
        },
      ],
      limits: [{ max: 120, per: { text: '1m', ms: 60_000 }, by: 'identity' }],
      identities: [
        {
          name: 'research-bot',
          hide: [
            {
              identity: 'research-bot',
              selectors: [
                { kind: 'class', class: 'financial' },
                { kind: 'class', class: 'destructive' },
              ],
            },
          ],
          rules: [
            {
              effect: 'deny',
              identity: 'research-bot',
              selectors: [
                { kind: 'name', name: 'get_funds' },
                { kind: 'name', name: 'get_positions' },
              ],
              reason: { text: 'no account data for research' },
            },
          ],
        },
      ],
      suppressions: [],
    });
  });

  it('gives every node the span of its text', () => {
    const placeOrder = model.rules[2] as RuleNode;
    expect(at(model.version?.span)).toBe('2:9-2:10');
    expect(at(model.server?.span)).toBe('3:8-3:31');
    expect(at(model.default?.span)).toBe('4:9-4:13');
    expect(at(model.hide[0]?.span)).toBe('6:1-6:23');

    expect(at(placeOrder.span)).toBe('11:1-14:42');
    expect(at(placeOrder.effectSpan)).toBe('11:1-11:6');
    expect(at(placeOrder.selectors[0]?.span)).toBe('11:7-11:18');
    expect(at(placeOrder.when?.span)).toBe('12:8-12:80');
    expect(textAt(text, placeOrder.when!.span)).toBe('trd_env == "SIMULATE" and qty <= 100 and code in ["HK.00700", "US.AAPL"]');
    const operands = placeOrder.when?.kind === 'and' ? placeOrder.when.operands : [];
    expect(operands.map((operand) => textAt(text, operand.span))).toEqual([
      'trd_env == "SIMULATE"',
      'qty <= 100',
      'code in ["HK.00700", "US.AAPL"]',
    ]);
    expect(at(placeOrder.limit?.span)).toBe('13:3-13:18');
    expect(at(placeOrder.limit?.maxSpan)).toBe('13:9-13:11');
    expect(at(placeOrder.limit?.per.span)).toBe('13:16-13:18');
    expect(placeOrder.limit?.bySpan).toBeUndefined();
    expect(at(placeOrder.reason?.span)).toBe('14:10-14:42');

    expect(at(model.limits[0]?.span)).toBe('22:1-22:21');
    const block = model.identities[0]!;
    expect(at(block.span)).toBe('24:1-27:2');
    expect(at(block.nameSpan)).toBe('24:10-24:24');
    expect(at(block.rules[0]?.span)).toBe('26:3-26:70');
    expect(textAt(text, block.hide[0]!.selectors[1]!.span)).toBe('class destructive');
  });

  it('puts every span in the file it read', () => {
    const files = new Set<string>();
    JSON.stringify(model, (key, value: unknown) => {
      if ((key === 'span' || key.endsWith('Span')) && value !== null && typeof value === 'object') files.add((value as { file: string }).file);
      return value;
    });
    expect([...files]).toEqual(['fixtures/policies/trading.policy']);
  });
});
