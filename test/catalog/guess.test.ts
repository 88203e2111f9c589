// Guessing a tool's class, risk, secrets and trading environment from what a server lists.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

import { builtinCatalog } from '../../src/catalog/builtin.js';
import { guessTool, isSecretName, secretParameters, words, type ListedTool } from '../../src/catalog/guess.js';
import type { JsonObject } from '../../src/model/json.js';

interface Fact {
  name: string;
  description: string;
  inputSchema: JsonObject;
}

const FACTS = (JSON.parse(readFileSync(new URL('../../fixtures/futu/futu-stock-mcp-server.tools.json', import.meta.url), 'utf8')) as { tools: Fact[] }).tools;
const REVIEWED = builtinCatalog('futu-stock-mcp-server')!;
const OBJECT = { type: 'object' } as const;

const guess = (name: string, extra: Partial<ListedTool> = {}) => guessTool({ name, inputSchema: OBJECT, ...extra });

describe('the Futu server, as its tools/list gives it', () => {
  const guesses = new Map(FACTS.map((fact) => [fact.name, guessTool(fact)]));

  it('guesses the class a person gave every one of the 44 tools', () => {
    const differences = REVIEWED.tools.filter((tool) => guesses.get(tool.name)?.class !== tool.class).map((tool) => tool.name);
    expect(differences).toEqual([]);
  });

  it('places and modifies orders: financial, critical; cancels: destructive; get_*: read', () => {
    expect(guesses.get('place_order')).toMatchObject({ class: 'financial', risk: 'critical' });
    expect(guesses.get('modify_order')).toMatchObject({ class: 'financial', risk: 'critical' });
    expect(guesses.get('cancel_order')).toMatchObject({ class: 'destructive', risk: 'high' });
    expect(guesses.get('cancel_all_orders')).toMatchObject({ class: 'destructive', risk: 'critical' });
    for (const [name, guessed] of guesses) if (name.startsWith('get_')) expect([name, guessed.class]).toEqual([name, 'read']);
  });

  it('finds the trade password of unlock_trade and nothing secret elsewhere', () => {
    const withSecrets = [...guesses].filter(([, guessed]) => guessed.secrets.length > 0);
    expect(withSecrets.map(([name, guessed]) => [name, guessed.secrets])).toEqual([['unlock_trade', ['password', 'password_md5']]]);
  });

  it('finds trd_env as the trading environment of the four trading tools, SIMULATE the safe value', () => {
    const trading = [...guesses].filter(([, guessed]) => guessed.tradingEnvironment !== undefined).map(([name, guessed]) => [name, guessed.tradingEnvironment]);
    expect(trading).toEqual(
      ['place_order', 'modify_order', 'cancel_order', 'cancel_all_orders'].map((name) => [name, { param: 'trd_env', safe: ['SIMULATE'] }]),
    );
  });

  it('never guesses a risk lower than the reviewed one', () => {
    const order = ['low', 'medium', 'high', 'critical'];
    const lower = REVIEWED.tools.filter((tool) => order.indexOf(guesses.get(tool.name)!.risk) < order.indexOf(tool.risk)).map((tool) => tool.name);
    expect(lower).toEqual([]);
  });

  it('says what each guess was based on', () => {
    expect(guesses.get('unlock_trade')?.rationale).toBe(
      'Guessed by policyc catalog import, not reviewed: financial because the name says "unlock" of "trade"; takes a secret: password, password_md5.',
    );
  });
});

describe('names', () => {
  it.each([
    ['delete_file', 'destructive', 'high'],
    ['bulk_delete_users', 'destructive', 'critical'],
    ['getAndDeleteItem', 'destructive', 'high'],
    ['transfer_funds', 'financial', 'critical'],
    ['submit_payment', 'financial', 'critical'],
    ['create_issue', 'write', 'medium'],
    ['post_message', 'write', 'medium'],
    ['get_post', 'read', 'low'],
    ['list_runs', 'read', 'low'],
    ['get_messages', 'read', 'medium'],
    ['read_env', 'read', 'high'],
    ['get-env', 'read', 'high'],
    ['echo', 'read', 'low'],
  ])('%s → %s, %s', (name, klass, risk) => {
    expect(guess(name)).toMatchObject({ class: klass, risk });
  });

  it('splits names in every style into words', () => {
    expect(words('getHTTPResponse-code_v2.json')).toEqual(['get', 'http', 'response', 'code', 'v2', 'json']);
  });

  it('reads the description when the name says nothing', () => {
    expect(guess('frobnicate', { description: 'Deletes every widget.' })).toMatchObject({ class: 'destructive' });
    expect(guess('frobnicate', { description: 'Returns the widget count.' })).toMatchObject({ class: 'read' });
  });
});

describe('annotations are untrusted hints', () => {
  it('a harmless hint never lowers what the name says', () => {
    const deleting = guess('delete_repo', { annotations: { readOnlyHint: true, destructiveHint: false } });
    expect(deleting.class).toBe('destructive');
    expect(deleting.rationale).toContain('never lowers');
    expect(guess('create_issue', { annotations: { destructiveHint: false } }).class).toBe('write');
  });

  it('a dangerous hint raises the guess', () => {
    expect(guess('get_widget', { annotations: { readOnlyHint: false, destructiveHint: true } }).class).toBe('destructive');
    expect(guess('update_widget', { annotations: { destructiveHint: true } }).class).toBe('destructive');
    // readOnlyHint false with destructiveHint absent: MCP's default for destructiveHint is true.
    expect(guess('get_widget', { annotations: { readOnlyHint: false } }).class).toBe('destructive');
    expect(guess('get_widget', { annotations: { readOnlyHint: false, destructiveHint: false } }).class).toBe('write');
  });

  it('settles a name that says nothing: read only if the server says so, destructive if nothing is known', () => {
    expect(guess('frobnicate', { annotations: { readOnlyHint: true } }).class).toBe('read');
    expect(guess('frobnicate', { annotations: { readOnlyHint: false, destructiveHint: false } }).class).toBe('write');
    expect(guess('frobnicate').class).toBe('destructive');
    expect(guess('frobnicate').rationale).toContain('nothing in the name, description or annotations');
  });
});

describe('secrets', () => {
  it.each([
    ['password', true],
    ['password_md5', true],
    ['apiKey', true],
    ['api_key', true],
    ['access_token', true],
    ['token', true],
    ['client_secret', true],
    ['pin', true],
    ['page_token', false],
    ['next_token', false],
    ['maxTokens', false],
    ['sort_key', false],
    ['spinner', false],
    ['is_unlock', false],
    ['pinned', false],
  ])('%s → %s', (name, secret) => {
    expect(isSecretName(name)).toBe(secret);
  });

  it('also from the schema: format password, writeOnly', () => {
    expect(secretParameters({ type: 'object', properties: { word: { type: 'string', format: 'password' }, blob: { type: 'string', writeOnly: true }, name: { type: 'string' } } })).toEqual([
      'word',
      'blob',
    ]);
  });

  it('makes a tool that takes one at least high risk', () => {
    expect(guess('get_quote', { inputSchema: { type: 'object', properties: { api_key: { type: 'string' } } } })).toMatchObject({ class: 'read', risk: 'high', secrets: ['api_key'] });
  });
});
