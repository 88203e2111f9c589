// The catalogue of attacks on an initialized session: one row per attempt to get a call past the
// enforcer, written as the raw bytes an attacker would send, with the answer the gateway must
// give and what (if anything) the server may receive. stdio.test.ts and http.test.ts run every
// row against a live gateway in front of the Futu fixture, with the policy in
// fixtures/hardening.policy:
//
//   r1 allow class read                     r5 deny modify_order when qty > 100 or price > 1000
//   r2 deny get_position_list when trd_env == "REAL"
//   r3 allow place_order when trd_env == "SIMULATE" and qty <= 100 and code in [...]
//   r4 allow modify_order when trd_env == "SIMULATE"       r6 approve cancel_order
//   hide cancel_all_orders                                  r7 deny unlock_trade

import { quoted } from '../../src/gateway/log.js';
import type { Id, Json, Message } from './helpers/wire.js';

export type Expected =
  /** A tool result with isError, saying exactly this. */
  | { kind: 'denied'; text: string }
  /** A tool result that is not an error: the call went through. */
  | { kind: 'allowed' }
  /** A JSON-RPC error. `refused`: the message itself was refused (HTTP answers 400). */
  | { kind: 'error'; id: Id | null; code: number; message: string; refused?: boolean }
  | { kind: 'result'; result: Message }
  /** No answer at all (a notification, a stray response). */
  | { kind: 'none' };

export interface Attack {
  name: string;
  /** The bytes of one message, for the request id the runner gives it. */
  send: (id: number) => string | Buffer;
  expect: (id: number, policy: string) => Expected;
  /** The id the message carries when it is not the runner's. */
  requestId?: Id;
  /** The tools/call params the server must receive, exactly; absent: nothing may reach it. */
  forwards?: { name: string; arguments: Record<string, Json>; _meta?: Message };
}

// ---- building messages -------------------------------------------------------------------------

const call = (id: number, name: string, args: Record<string, Json> = {}): string =>
  JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });

/** A tools/call whose params are written by hand (duplicate keys, escapes). */
const rawCall = (id: number, params: string): string => `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":${params}}`;

const ORDER = { code: 'HK.00700', price: 1, qty: 1, trd_side: 'BUY', trd_env: 'SIMULATE' } as const;
const order = (changes: Record<string, Json>, without: string[] = []): Record<string, Json> => {
  const args: Record<string, Json> = { ...ORDER, ...changes };
  for (const key of without) delete args[key];
  return args;
};
const MODIFY = { order_id: '8851102695472794941', modify_order_op: 'NORMAL', qty: 10, price: 500, trd_env: 'SIMULATE' } as const;

// ---- what the gateway says ---------------------------------------------------------------------

const denied = (text: string): Expected => ({ kind: 'denied', text });
const unknownTool = (name: string): Expected => denied(`Denied by policyc: ${JSON.stringify(name)} is not a tool that the upstream server offers.`);
const hidden = (policy: string, name = 'cancel_all_orders'): Expected => denied(`Denied by policyc: ${JSON.stringify(name)} is not available to this caller (hidden by ${policy}:7).`);
const unlockDenied = (policy: string): Expected => denied(`Denied by policyc: rule r7 at ${policy}:23 denies "unlock_trade": the trade password must never pass through the model`);
const orderDenied = (policy: string, detail?: string): Expected =>
  denied(
    `Denied by policyc: rule r3 at ${policy}:13 allows "place_order" only when its condition holds (paper trading only, small size), and for these arguments it does not${detail ? `; ${detail}` : ''}; the policy's default is deny.`,
  );
const modifyDenied = (policy: string, detail?: string): Expected =>
  denied(
    `Denied by policyc: rule r5 at ${policy}:18 denies "modify_order": no order changes above 100 shares or 1000 a share${detail ? ` (its condition could not be evaluated: ${detail}; a deny rule whose condition cannot be evaluated applies)` : ''}`,
  );
const positionsDenied = (policy: string, detail?: string): Expected =>
  denied(
    `Denied by policyc: rule r2 at ${policy}:10 denies "get_position_list": no real account data${detail ? ` (its condition could not be evaluated: ${detail}; a deny rule whose condition cannot be evaluated applies)` : ''}`,
  );
const error = (id: Id | null, code: number, message: string, refused = false): Expected => ({ kind: 'error', id, code, message, ...(refused ? { refused } : {}) });
const refused = (id: Id | null, code: number, reason: string): Expected => error(id, code, `Invalid message: ${reason}`, true);

const allowed: Expected = { kind: 'allowed' };

// ---- the catalogue -----------------------------------------------------------------------------

/** Tool names that are not the tool they look like: each is a tool the server does not list. */
const LOOK_ALIKES: [string, string][] = [
  ['upper case', 'UNLOCK_TRADE'],
  ['title case', 'Unlock_Trade'],
  ['a leading space', ' unlock_trade'],
  ['a trailing space', 'unlock_trade '],
  ['a leading tab', '\tunlock_trade'],
  ['a trailing newline', 'unlock_trade\n'],
  ['a zero-width space inside', 'unlock_\u200btrade'],
  ['a zero-width joiner at the end', 'cancel_all_orders\u200d'],
  ['a byte-order mark in front', '\ufeffunlock_trade'],
  ['a NUL at the end', 'unlock_trade\u0000'],
  ['a right-to-left override', 'unlock_trade\u202e'],
  ['fullwidth letters', 'ｕｎｌｏｃｋ_ｔｒａｄｅ'],
  ['a Cyrillic o', 'unl\u043eck_trade'],
  ['a hyphen for the underscore', 'unlock-trade'],
  ['a lone surrogate', 'unlock_trade\ud800'],
  ['upper-case hidden tool', 'CANCEL_ALL_ORDERS'],
  ['the empty name', ''],
];

export const ATTACKS: Attack[] = [
  // -- names --
  { name: 'a denied tool called by its name', send: (id) => call(id, 'unlock_trade', { password: 'x' }), expect: (_id, p) => unlockDenied(p) },
  { name: 'a hidden tool called by its name', send: (id) => call(id, 'cancel_all_orders', { trd_env: 'SIMULATE' }), expect: (_id, p) => hidden(p) },
  ...LOOK_ALIKES.map(([what, name]): Attack => ({ name: `a tool name with ${what}`, send: (id) => call(id, name), expect: () => unknownTool(name) })),
  { name: 'a \\u escape in the tool name (unlock\\u005ftrade is unlock_trade)', send: (id) => rawCall(id, '{"name":"unlock\\u005ftrade","arguments":{}}'), expect: (_id, p) => unlockDenied(p) },
  { name: 'escapes spelling out a hidden tool', send: (id) => rawCall(id, '{"name":"\\u0063ancel\\u005fall\\u005forders","arguments":{}}'), expect: (_id, p) => hidden(p) },
  {
    name: 'an overlong UTF-8 encoding in the tool name',
    send: (id) => Buffer.concat([Buffer.from(`{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"unlock`), Buffer.from([0xc1, 0x9f]), Buffer.from('trade","arguments":{}}}')]),
    expect: () => unknownTool('unlock\ufffd\ufffdtrade'),
  },
  { name: 'a tool nobody offers', send: (id) => call(id, 'rm_rf', { path: '/' }), expect: () => unknownTool('rm_rf') },

  // -- duplicate keys: the gateway decides on one reading and forwards that one --
  { name: 'a duplicate "name", the denied one last', send: (id) => rawCall(id, '{"name":"get_stock_quote","name":"unlock_trade","arguments":{}}'), expect: (_id, p) => unlockDenied(p) },
  {
    name: 'a duplicate "name", the allowed one last',
    send: (id) => rawCall(id, '{"name":"unlock_trade","name":"get_stock_quote","arguments":{"symbols":["HK.00700"]}}'),
    expect: () => allowed,
    forwards: { name: 'get_stock_quote', arguments: { symbols: ['HK.00700'] } },
  },
  {
    name: 'a duplicate "method", tools/call last',
    send: (id) => `{"jsonrpc":"2.0","id":${id},"method":"ping","method":"tools/call","params":{"name":"unlock_trade","arguments":{}}}`,
    expect: (_id, p) => unlockDenied(p),
  },
  {
    name: 'a duplicate "method", ping last',
    send: (id) => `{"jsonrpc":"2.0","id":${id},"method":"tools/call","method":"ping","params":{"name":"unlock_trade","arguments":{}}}`,
    expect: () => ({ kind: 'result', result: {} }),
  },
  {
    name: 'duplicate "arguments", REAL last',
    send: (id) => rawCall(id, `{"name":"place_order","arguments":${JSON.stringify(order({}))},"arguments":${JSON.stringify(order({ trd_env: 'REAL' }))}}`),
    expect: (_id, p) => orderDenied(p),
  },
  {
    name: 'duplicate "arguments", SIMULATE last',
    send: (id) => rawCall(id, `{"name":"place_order","arguments":${JSON.stringify(order({ trd_env: 'REAL' }))},"arguments":${JSON.stringify(order({}))}}`),
    expect: () => allowed,
    forwards: { name: 'place_order', arguments: order({}) },
  },
  {
    name: 'a duplicate trd_env inside the arguments, REAL last',
    send: (id) => rawCall(id, '{"name":"place_order","arguments":{"code":"HK.00700","price":1,"qty":1,"trd_side":"BUY","trd_env":"SIMULATE","trd_env":"REAL"}}'),
    expect: (_id, p) => orderDenied(p),
  },
  {
    name: 'a duplicate trd_env inside the arguments, SIMULATE last',
    send: (id) => rawCall(id, '{"name":"place_order","arguments":{"code":"HK.00700","price":1,"qty":1,"trd_side":"BUY","trd_env":"REAL","trd_env":"SIMULATE"}}'),
    expect: () => allowed,
    forwards: { name: 'place_order', arguments: order({}) },
  },

  // -- the envelope --
  { name: 'a batch holding a call', send: (id) => `[${call(id, 'unlock_trade')}]`, expect: () => refused(null, -32600, 'JSON-RPC batches are not supported; send one message at a time') },
  { name: 'an empty batch', send: () => '[]', expect: () => refused(null, -32600, 'JSON-RPC batches are not supported; send one message at a time') },
  { name: 'a call sent as a notification (no id)', send: () => '{"jsonrpc":"2.0","method":"tools/call","params":{"name":"unlock_trade","arguments":{"password":"x"}}}', expect: () => ({ kind: 'none' }) },
  { name: 'an allowed call sent as a notification', send: () => '{"jsonrpc":"2.0","method":"tools/call","params":{"name":"get_stock_quote","arguments":{"symbols":["HK.00700"]}}}', expect: () => ({ kind: 'none' }) },
  { name: 'a tools/list sent as a notification', send: () => '{"jsonrpc":"2.0","method":"tools/list"}', expect: () => ({ kind: 'none' }) },
  { name: 'params as an array', send: (id) => `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":["unlock_trade",{}]}`, expect: (id) => refused(id, -32602, 'the "params" member must be an object') },
  { name: 'params as a string', send: (id) => `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":"unlock_trade"}`, expect: (id) => refused(id, -32602, 'the "params" member must be an object') },
  { name: 'params null', send: (id) => `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":null}`, expect: (id) => refused(id, -32602, 'the "params" member must be an object') },
  { name: 'no params at all', send: (id) => `{"jsonrpc":"2.0","id":${id},"method":"tools/call"}`, expect: (id) => error(id, -32602, 'tools/call needs "name", a string.') },
  { name: 'a number for the name', send: (id) => rawCall(id, '{"name":7,"arguments":{}}'), expect: (id) => error(id, -32602, 'tools/call needs "name", a string.') },
  { name: 'arguments as an array', send: (id) => rawCall(id, '{"name":"get_stock_quote","arguments":[["HK.00700"]]}'), expect: (id) => error(id, -32602, 'tools/call "arguments" must be an object.') },
  { name: 'arguments as a string', send: (id) => rawCall(id, '{"name":"get_stock_quote","arguments":"{\\"symbols\\":[]}"}'), expect: (id) => error(id, -32602, 'tools/call "arguments" must be an object.') },
  { name: 'arguments null', send: (id) => rawCall(id, '{"name":"get_stock_quote","arguments":null}'), expect: (id) => error(id, -32602, 'tools/call "arguments" must be an object.') },
  {
    name: 'extra members beside name and arguments',
    send: (id) => rawCall(id, '{"name":"get_stock_quote","arguments":{"symbols":["HK.00700"]},"extra":{"name":"unlock_trade"},"input":{"password":"x"},"_meta":{"progressToken":"p1"}}'),
    expect: () => allowed,
    forwards: { name: 'get_stock_quote', arguments: { symbols: ['HK.00700'] }, _meta: { progressToken: 'p1' } },
  },
  { name: 'a null request id', send: () => '{"jsonrpc":"2.0","id":null,"method":"tools/call","params":{"name":"unlock_trade","arguments":{}}}', expect: () => refused(null, -32600, 'a request id must be a string or an integer') },
  { name: 'an object as the id', send: () => '{"jsonrpc":"2.0","id":{"n":1},"method":"tools/call","params":{"name":"unlock_trade","arguments":{}}}', expect: () => refused(null, -32600, 'a request id must be a string or an integer') },
  { name: 'an array as the id', send: () => '{"jsonrpc":"2.0","id":[1],"method":"tools/call","params":{"name":"unlock_trade","arguments":{}}}', expect: () => refused(null, -32600, 'a request id must be a string or an integer') },
  { name: 'true as the id', send: () => '{"jsonrpc":"2.0","id":true,"method":"tools/call","params":{"name":"unlock_trade","arguments":{}}}', expect: () => refused(null, -32600, 'a request id must be a string or an integer') },
  { name: 'a fractional id', send: () => '{"jsonrpc":"2.0","id":1.5,"method":"tools/call","params":{"name":"unlock_trade","arguments":{}}}', expect: () => refused(null, -32600, 'a request id must be a string or an integer') },
  { name: 'an id beyond 2^53', send: () => '{"jsonrpc":"2.0","id":9007199254740993,"method":"tools/call","params":{"name":"unlock_trade","arguments":{}}}', expect: () => refused(null, -32600, 'a request id must be a string or an integer') },
  { name: 'an id of 1e400', send: () => '{"jsonrpc":"2.0","id":1e400,"method":"tools/call","params":{"name":"unlock_trade","arguments":{}}}', expect: () => refused(null, -32600, 'a request id must be a string or an integer') },
  { name: 'a string id shaped like the gateway\'s own keys', requestId: 'n:1', send: () => call(0, 'unlock_trade').replace('"id":0', '"id":"n:1"'), expect: (_id, p) => unlockDenied(p) },
  { name: 'a string id equal to a gateway id upstream', requestId: '1', send: () => call(0, 'unlock_trade').replace('"id":0', '"id":"1"'), expect: (_id, p) => unlockDenied(p) },
  { name: 'jsonrpc "1.0"', send: (id) => `{"jsonrpc":"1.0","id":${id},"method":"tools/call","params":{"name":"unlock_trade","arguments":{}}}`, expect: (id) => refused(id, -32600, 'the "jsonrpc" member must be exactly "2.0"') },
  { name: 'no jsonrpc member', send: (id) => `{"id":${id},"method":"tools/call","params":{"name":"unlock_trade","arguments":{}}}`, expect: (id) => refused(id, -32600, 'the "jsonrpc" member must be exactly "2.0"') },
  { name: 'an empty method', send: (id) => `{"jsonrpc":"2.0","id":${id},"method":"","params":{"name":"unlock_trade","arguments":{}}}`, expect: (id) => refused(id, -32600, 'the "method" member must be a non-empty string') },
  { name: 'a result and an error at once', send: (id) => `{"jsonrpc":"2.0","id":${id},"result":{},"error":{"code":1,"message":"x"}}`, expect: (id) => refused(id, -32600, 'a message needs a "method", or exactly one of "result" and "error"') },
  { name: 'a response to a request nobody sent', send: (id) => `{"jsonrpc":"2.0","id":${id},"result":{"content":[]}}`, expect: () => ({ kind: 'none' }) },

  // -- method names that are tools/call to a lenient reader --
  { name: 'tools/call with an escaped slash', send: (id) => `{"jsonrpc":"2.0","id":${id},"method":"tools\\/call","params":{"name":"unlock_trade","arguments":{}}}`, expect: (_id, p) => unlockDenied(p) },
  { name: 'tools/call spelt with \\u escapes', send: (id) => `{"jsonrpc":"2.0","id":${id},"method":"\\u0074ools\\u002fcall","params":{"name":"unlock_trade","arguments":{}}}`, expect: (_id, p) => unlockDenied(p) },
  ...(
    [
      ['in upper case', 'TOOLS/CALL'],
      ['in title case', 'Tools/Call'],
      ['with a trailing space', 'tools/call '],
      ['with a leading space', ' tools/call'],
      ['with a NUL', 'tools/call\u0000'],
      ['with a zero-width space', 'tools/\u200bcall'],
      ['with a doubled slash', 'tools//call'],
      ['with a dot', 'tools.call'],
      ['with an underscore', 'tools_call'],
      ['in fullwidth letters', 'ｔｏｏｌｓ/ｃａｌｌ'],
    ] as [string, string][]
  ).map(
    ([what, method]): Attack => ({
      name: `the method tools/call ${what}`,
      send: (id) => JSON.stringify({ jsonrpc: '2.0', id, method, params: { name: 'unlock_trade', arguments: { password: 'x' } } }),
      expect: (id) =>
        /^[A-Za-z0-9_./-]+$/.test(method)
          ? error(id, -32601, `Method not found: ${JSON.stringify(method)}. Method names are case-sensitive and exact; did you mean "tools/call"?`)
          : refused(id, -32600, `the "method" member ${quoted(method)} is not a method name (letters, digits and "/", "_", "-", "." only)`),
    }),
  ),
  {
    name: 'a tools/list spelt another way (would list hidden tools)',
    send: (id) => `{"jsonrpc":"2.0","id":${id},"method":"Tools/List"}`,
    expect: (id) => error(id, -32601, 'Method not found: "Tools/List". Method names are case-sensitive and exact; did you mean "tools/list"?'),
  },

  // -- __proto__ and constructor are data --
  {
    name: 'a __proto__ member in params holding another name',
    send: (id) => rawCall(id, '{"__proto__":{"name":"unlock_trade"},"name":"get_stock_quote","arguments":{"symbols":["HK.00700"]}}'),
    expect: () => allowed,
    forwards: { name: 'get_stock_quote', arguments: { symbols: ['HK.00700'] } },
  },
  { name: 'a __proto__ member in params holding an allowed name', send: (id) => rawCall(id, '{"__proto__":{"name":"get_stock_quote"},"name":"unlock_trade","arguments":{}}'), expect: (_id, p) => unlockDenied(p) },
  { name: 'a name only inside __proto__', send: (id) => rawCall(id, '{"__proto__":{"name":"get_stock_quote"},"arguments":{}}'), expect: (id) => error(id, -32602, 'tools/call needs "name", a string.') },
  {
    name: 'the allowed order only inside arguments.__proto__',
    send: (id) => rawCall(id, `{"name":"place_order","arguments":{"__proto__":${JSON.stringify(ORDER)},"price":1}}`),
    expect: (_id, p) => orderDenied(p, 'trd_env is missing'),
  },
  {
    name: 'a small qty in arguments.__proto__, a large one as data',
    send: (id) => rawCall(id, `{"name":"place_order","arguments":{"__proto__":{"qty":1},"code":"HK.00700","price":1,"qty":5000,"trd_side":"BUY","trd_env":"SIMULATE"}}`),
    expect: (_id, p) => orderDenied(p),
  },
  {
    name: 'a constructor.prototype member in the arguments',
    send: (id) => rawCall(id, `{"name":"place_order","arguments":{"constructor":{"prototype":{"qty":1}},"code":"HK.00700","price":1,"trd_side":"BUY","trd_env":"SIMULATE"}}`),
    expect: (_id, p) => orderDenied(p, 'qty is missing'),
  },

  // -- numbers and types the server reads its own way --
  { name: 'qty as a numeric string over the limit', send: (id) => call(id, 'place_order', order({ qty: '1000' })), expect: (_id, p) => orderDenied(p, 'qty is a string, compared with a number') },
  { name: 'qty as a numeric string under the limit', send: (id) => call(id, 'place_order', order({ qty: '50' })), expect: (_id, p) => orderDenied(p, 'qty is a string, compared with a number') },
  { name: 'qty as a numeric string against a deny rule', send: (id) => call(id, 'modify_order', { ...MODIFY, qty: '1000' }), expect: (_id, p) => modifyDenied(p, 'qty is a string, compared with a number') },
  { name: 'qty true', send: (id) => call(id, 'place_order', order({ qty: true })), expect: (_id, p) => orderDenied(p, 'qty is a boolean, compared with a number') },
  { name: 'qty null', send: (id) => call(id, 'place_order', order({ qty: null })), expect: (_id, p) => orderDenied(p, 'qty is null, compared with a number') },
  { name: 'qty in a list', send: (id) => call(id, 'place_order', order({ qty: [50] })), expect: (_id, p) => orderDenied(p, 'qty is an array, compared with a number') },
  { name: 'qty as an object', send: (id) => call(id, 'place_order', order({ qty: { $numberInt: '50' } })), expect: (_id, p) => orderDenied(p, 'qty is an object, compared with a number') },
  { name: 'qty missing', send: (id) => call(id, 'place_order', order({}, ['qty'])), expect: (_id, p) => orderDenied(p, 'qty is missing') },
  {
    name: 'qty 1e400 (Infinity to JSON.parse, null to JSON.stringify)',
    send: (id) => rawCall(id, '{"name":"place_order","arguments":{"code":"HK.00700","price":1,"qty":1e400,"trd_side":"BUY","trd_env":"SIMULATE"}}'),
    expect: (id) => refused(id, -32602, 'params.arguments.qty is a number too large for a double (it would read as Infinity); send a finite number'),
  },
  {
    name: '-1e400 in an argument no rule reads',
    send: (id) => rawCall(id, '{"name":"get_stock_quote","arguments":{"symbols":["HK.00700"],"pad":-1e400}}'),
    expect: (id) => refused(id, -32602, 'params.arguments.pad is a number too large for a double (it would read as -Infinity); send a finite number'),
  },
  { name: 'qty 1e21', send: (id) => rawCall(id, '{"name":"place_order","arguments":{"code":"HK.00700","price":1,"qty":1e21,"trd_side":"BUY","trd_env":"SIMULATE"}}'), expect: (_id, p) => orderDenied(p) },
  {
    name: 'qty 100.0000000000000001 (reads as 100, and 100 is what is forwarded)',
    send: (id) => rawCall(id, '{"name":"place_order","arguments":{"code":"HK.00700","price":1,"qty":100.0000000000000001,"trd_side":"BUY","trd_env":"SIMULATE"}}'),
    expect: () => allowed,
    forwards: { name: 'place_order', arguments: order({ qty: 100 }) },
  },
  { name: 'qty 100.00000000000001 against a deny rule (a double above 100)', send: (id) => rawCall(id, `{"name":"modify_order","arguments":{"order_id":"1","modify_order_op":"NORMAL","qty":100.00000000000001,"price":1,"trd_env":"SIMULATE"}}`), expect: (_id, p) => modifyDenied(p) },
  { name: 'qty 2^53 + 1 (reads as 2^53)', send: (id) => rawCall(id, '{"name":"modify_order","arguments":{"order_id":"1","modify_order_op":"NORMAL","qty":9007199254740993,"price":1,"trd_env":"SIMULATE"}}'), expect: (_id, p) => modifyDenied(p) },
  {
    name: 'qty -0 (forwarded as 0)',
    send: (id) => rawCall(id, '{"name":"place_order","arguments":{"code":"HK.00700","price":1,"qty":-0,"trd_side":"BUY","trd_env":"SIMULATE"}}'),
    expect: () => allowed,
    forwards: { name: 'place_order', arguments: order({ qty: 0 }) },
  },
  {
    name: 'qty 1E2 (an exponent, forwarded as 100)',
    send: (id) => rawCall(id, '{"name":"place_order","arguments":{"code":"HK.00700","price":1,"qty":1E2,"trd_side":"BUY","trd_env":"SIMULATE"}}'),
    expect: () => allowed,
    forwards: { name: 'place_order', arguments: order({ qty: 100 }) },
  },
  {
    name: 'arguments nested 100,000 deep',
    send: (id) => rawCall(id, `{"name":"get_stock_quote","arguments":{"symbols":["HK.00700"],"deep":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`),
    expect: (id) => refused(id, -32600, 'the message is nested more than 64 levels deep'),
  },
  {
    // message (1) › params (2) › arguments (3) › 62 objects: level 65.
    name: 'a message nested 65 levels deep',
    send: (id) => rawCall(id, `{"name":"get_stock_quote","arguments":{"symbols":["HK.00700"],"deep":${'{"a":'.repeat(62)}1${'}'.repeat(62)}}}`),
    expect: (id) => refused(id, -32600, 'the message is nested more than 64 levels deep'),
  },
  {
    name: 'a message nested 64 levels deep (the cap)',
    send: (id) => rawCall(id, `{"name":"get_stock_quote","arguments":{"symbols":["HK.00700"],"deep":${'['.repeat(61)}${']'.repeat(61)}}}`),
    expect: () => allowed,
    forwards: { name: 'get_stock_quote', arguments: { symbols: ['HK.00700'], deep: JSON.parse(`${'['.repeat(61)}${']'.repeat(61)}`) as Json } },
  },
  {
    name: 'lone surrogates in an argument (forwarded as escapes)',
    send: (id) => rawCall(id, '{"name":"get_stock_quote","arguments":{"symbols":["HK.00700\\ud800","\\udfff"]}}'),
    expect: () => allowed,
    forwards: { name: 'get_stock_quote', arguments: { symbols: ['HK.00700\ud800', '\udfff'] } },
  },

  // -- the trading environment, as the server will read it (it upper-cases; nothing else) --
  { name: 'trd_env "real"', send: (id) => call(id, 'place_order', order({ trd_env: 'real' })), expect: (_id, p) => orderDenied(p) },
  { name: 'trd_env "Real"', send: (id) => call(id, 'place_order', order({ trd_env: 'Real' })), expect: (_id, p) => orderDenied(p) },
  { name: 'trd_env " REAL"', send: (id) => call(id, 'place_order', order({ trd_env: ' REAL' })), expect: (_id, p) => orderDenied(p) },
  { name: 'trd_env " SIMULATE" (the server would not read SIMULATE)', send: (id) => call(id, 'place_order', order({ trd_env: ' SIMULATE' })), expect: (_id, p) => orderDenied(p) },
  { name: 'trd_env fullwidth "ＳＩＭＵＬＡＴＥ"', send: (id) => call(id, 'place_order', order({ trd_env: 'ＳＩＭＵＬＡＴＥ' })), expect: (_id, p) => orderDenied(p) },
  { name: 'trd_env "SIMULATE\\u0000"', send: (id) => call(id, 'place_order', order({ trd_env: 'SIMULATE\u0000' })), expect: (_id, p) => orderDenied(p) },
  { name: 'trd_env "SIMU\\u200bLATE"', send: (id) => call(id, 'place_order', order({ trd_env: 'SIMU\u200bLATE' })), expect: (_id, p) => orderDenied(p) },
  { name: 'trd_env null (the server would use its own default)', send: (id) => call(id, 'place_order', order({ trd_env: null })), expect: (_id, p) => orderDenied(p, 'trd_env is null, compared with a string') },
  { name: 'trd_env missing', send: (id) => call(id, 'place_order', order({}, ['trd_env'])), expect: (_id, p) => orderDenied(p, 'trd_env is missing') },
  { name: 'trd_env in a list', send: (id) => call(id, 'place_order', order({ trd_env: ['SIMULATE'] })), expect: (_id, p) => orderDenied(p, 'trd_env is an array, compared with a string') },
  {
    // trd_env is read by a condition, so it is compared and forwarded as the server reads it;
    // trd_side is read by none, so it goes on as sent (the server upper-cases it itself).
    name: 'trd_env "simulate" (upper-cased, and forwarded upper-cased)',
    send: (id) => call(id, 'place_order', order({ trd_env: 'simulate', trd_side: 'buy' })),
    expect: () => allowed,
    forwards: { name: 'place_order', arguments: order({ trd_side: 'buy' }) },
  },
  {
    name: 'trd_env "ſımulate" (long s and dotless i upper-case to SIMULATE, in Python too)',
    send: (id) => call(id, 'place_order', order({ trd_env: 'ſımulate' })),
    expect: () => allowed,
    forwards: { name: 'place_order', arguments: order({}) },
  },
  { name: 'a deny-list rule: trd_env "real"', send: (id) => call(id, 'get_position_list', { trd_env: 'real' }), expect: (_id, p) => positionsDenied(p) },
  { name: 'a deny-list rule: trd_env missing', send: (id) => call(id, 'get_position_list', {}), expect: (_id, p) => positionsDenied(p, 'trd_env is missing') },
  { name: 'a deny-list rule: trd_env 0', send: (id) => call(id, 'get_position_list', { trd_env: 0 }), expect: (_id, p) => positionsDenied(p, 'trd_env is a number, compared with a string') },
  {
    name: 'a deny-list rule: trd_env " REAL" is what the server reads, not REAL',
    send: (id) => call(id, 'get_position_list', { trd_env: ' real' }),
    expect: () => allowed,
    forwards: { name: 'get_position_list', arguments: { trd_env: ' REAL' } },
  },
];
