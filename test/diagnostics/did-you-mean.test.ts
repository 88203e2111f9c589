import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance } from '../../src/diagnostics/did-you-mean.js';

const tools = ['get_stock_quote', 'get_market_snapshot', 'place_order', 'modify_order', 'cancel_order', 'cancel_all_orders'];

describe('didYouMean', () => {
  it.each([
    ['get_stok_quote', 'get_stock_quote'],
    ['getStockQuote', 'get_stock_quote'],
    ['get-stock-quote', 'get_stock_quote'],
    ['place_ordr', 'place_order'],
    ['cancel_orders', 'cancel_order'],
    ['alow', 'allow'],
  ])('%s → %s', (name, expected) => {
    expect(didYouMean(name, [...tools, 'allow', 'deny', 'approve'])).toBe(expected);
  });

  it.each(['xyz', 'transfer_funds', 'q'])('suggests nothing for %s', (name) => {
    expect(didYouMean(name, tools)).toBeUndefined();
  });

  it('never suggests the name itself', () => {
    expect(didYouMean('place_order', ['place_order'])).toBeUndefined();
  });
});

describe('editDistance', () => {
  it('counts insertions, deletions and substitutions', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });
  it('gives up beyond the bound', () => {
    expect(editDistance('abcdef', 'uvwxyz', 2)).toBe(Infinity);
  });
});
