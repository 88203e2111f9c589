// First guesses for a tool that no person has looked at yet (`policyc catalog import`): its class
// and risk from the verbs and nouns of its name, then its description, then the server's
// annotations; secrets from parameter names; a trading environment from an enum with a safe
// value. Every guess says what it was based on (`rationale`), and every entry stays
// `reviewed: false` until a person confirms it.
//
// Errs towards danger, because a guess too dangerous costs an approval and a guess too harmless
// lets an agent through:
// - the most dangerous signal in a name wins (`get_or_delete` is destructive);
// - annotations are untrusted hints from the server: one that says "more dangerous" is believed,
//   one that says "harmless" (`destructiveHint: false`, `readOnlyHint: true`) never lowers what
//   the name or description says;
// - a tool about which nothing is known is destructive, as MCP's annotation defaults say.

import type { JsonObject, JsonValue } from '../model/json.js';
import type { Risk, ToolClass } from './types.js';

/** A tool as `tools/list` gives it (only the parts a guess reads). */
export interface ListedTool {
  name: string;
  title?: string;
  description?: string;
  inputSchema: JsonObject;
  annotations?: ToolAnnotations;
}

export interface ToolAnnotations {
  title?: string;
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

export interface ToolGuess {
  class: ToolClass;
  risk: Risk;
  /** Parameters whose names (or schema) say they carry a secret. */
  secrets: string[];
  tradingEnvironment?: { param: string; safe: string[] };
  /** What the guesses were based on, for the person who reviews them. */
  rationale: string;
}

const DESTRUCTIVE_VERBS = new Set([
  'delete', 'remove', 'cancel', 'destroy', 'drop', 'purge', 'erase', 'wipe', 'kill', 'terminate', 'revoke', 'truncate', 'reset',
  'clear', 'uninstall', 'rm', 'unlink', 'shutdown', 'flush', 'overwrite', 'evict', 'expunge', 'discard', 'liquidate', 'rmdir', 'del',
]);

/** Verbs that move money whatever they act on. */
const FINANCIAL_VERBS = new Set([
  'buy', 'sell', 'pay', 'transfer', 'withdraw', 'deposit', 'purchase', 'charge', 'refund', 'swap', 'stake', 'unstake', 'borrow',
  'lend', 'repay', 'invest', 'remit', 'payout', 'bid',
]);

/** Nouns that make a changing verb a financial act: `place_order`, `modify_order`, `unlock_trade`. */
const FINANCIAL_NOUNS = new Set([
  'order', 'trade', 'trading', 'payment', 'transfer', 'transaction', 'invoice', 'money', 'wallet', 'loan', 'payout', 'remittance',
  'fund', 'cash', 'coin', 'crypto', 'forex',
]);

/** Verbs that change something wherever they stand in a name. */
const WRITE_VERBS = new Set([
  'create', 'add', 'update', 'set', 'put', 'write', 'edit', 'modify', 'insert', 'upload', 'send', 'subscribe', 'unsubscribe',
  'enable', 'disable', 'execute', 'exec', 'rename', 'install', 'save', 'submit', 'publish', 'push', 'merge', 'commit', 'trigger',
  'invoke', 'toggle', 'apply', 'approve', 'assign', 'place', 'amend', 'replace', 'patch', 'upsert', 'register', 'unregister',
  'unlock', 'archive', 'restore', 'invite', 'grant', 'compress', 'gzip', 'deploy', 'launch', 'notify', 'attach', 'detach',
  'configure', 'allocate', 'login', 'logout', 'connect', 'disconnect', 'navigate', 'click',
]);

/** Words that change something only as a name's first word: `post_message`, but `get_post`. */
const LEADING_WRITE_VERBS = new Set([
  'post', 'run', 'start', 'stop', 'move', 'copy', 'change', 'open', 'close', 'lock', 'sync', 'import', 'schedule', 'book', 'reserve',
  'share', 'mark', 'like', 'follow', 'build', 'make', 'generate', 'store', 'reply', 'comment', 'email', 'message', 'fill', 'type',
  'press', 'release', 'resolve', 'transition',
]);

const READ_VERBS = new Set([
  'get', 'list', 'read', 'fetch', 'search', 'query', 'find', 'describe', 'show', 'view', 'lookup', 'look', 'check', 'count',
  'inspect', 'browse', 'preview', 'retrieve', 'stat', 'status', 'info', 'echo', 'ping', 'explain', 'calculate', 'compute',
  'validate', 'verify', 'download', 'export', 'sum', 'summarize', 'summarise', 'analyze', 'analyse', 'whoami', 'return',
  'watch', 'diff', 'compare', 'estimate', 'quote', 'snapshot', 'filter',
]);

/** Data that is someone's own: reading it is not harmless. */
const PERSONAL_NOUNS = new Set([
  'account', 'acc', 'fund', 'funds', 'position', 'positions', 'balance', 'order', 'orders', 'deal', 'deals', 'cash', 'asset', 'assets',
  'portfolio', 'margin', 'transaction', 'transactions', 'user', 'users', 'customer', 'customers', 'email', 'emails', 'message',
  'messages', 'profile', 'contact', 'contacts', 'address', 'phone', 'personal', 'private', 'file', 'files', 'document', 'documents',
  'payment', 'payments', 'invoice', 'invoices', 'trade', 'trades', 'power', 'fee',
]);

/** Reading these can hand a secret to the model: the environment, configuration, keys. */
const SECRET_BEARING_NOUNS = new Set(['env', 'environment', 'secret', 'secrets', 'credential', 'credentials', 'password', 'passwords', 'key', 'keys', 'token', 'tokens', 'config', 'vault', 'cookie', 'cookies', 'session']);

/** Words that make a destructive act sweeping: `cancel_all_orders`, `drop_table`. */
const SWEEPING_WORDS = new Set(['all', 'every', 'bulk', 'batch', 'drop', 'purge', 'wipe', 'truncate', 'everything']);

/** Parameter-name words that mean a secret. */
const SECRET_WORDS = new Set([
  'password', 'passwd', 'pwd', 'passphrase', 'passcode', 'secret', 'pin', 'otp', 'totp', 'mfa', 'cvv', 'cvc', 'credential',
  'credentials', 'apikey', 'privatekey', 'mnemonic', 'authorization', 'cookie',
]);
/** A `token` that is a place in a list, not a credential: `page_token`, `max_tokens`. */
const PAGING_WORDS = new Set(['page', 'next', 'continuation', 'cursor', 'max', 'count', 'limit', 'num', 'offset']);

const SAFE_ENVIRONMENT = /^(simulate|simulated|simulation|paper|sandbox|demo|test|testnet|practice|mock)$/i;

/** `getStockQuote`, `get-stock_quote`, `get.stock quote` → ['get', 'stock', 'quote']. */
export function words(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');
}

/** The word as written, and without an English plural or third-person `s` ("Returns", "orders"). */
function forms(word: string): string[] {
  const result = [word];
  if (word.endsWith('es') && word.length > 4) result.push(word.slice(0, -2));
  if (word.endsWith('s') && word.length > 3) result.push(word.slice(0, -1));
  return result;
}

/** Where words come from: a name's verbs are bare (`get`, `run`), prose inflects them ("Returns"). */
interface Reading {
  where: string;
  inflected: boolean;
  /** Whether the first word is the verb (tool names), so that a noun later on is not read as one. */
  leading: boolean;
}

function firstIn(tokens: readonly string[], set: ReadonlySet<string>, inflected = true): string | undefined {
  for (const token of tokens) for (const form of inflected ? forms(token) : [token]) if (set.has(form)) return token;
  return undefined;
}

interface Signal {
  class: ToolClass;
  because: string;
}

/** The class the words suggest, with the words that suggest it; undefined when they say nothing. */
function signalOf(tokens: readonly string[], reading: Reading): Signal | undefined {
  const { where, inflected, leading } = reading;
  const destructive = firstIn(tokens, DESTRUCTIVE_VERBS, inflected);
  if (destructive) return { class: 'destructive', because: `${where} says "${destructive}"` };
  const moves = firstIn(tokens, FINANCIAL_VERBS, inflected);
  if (moves) return { class: 'financial', because: `${where} says "${moves}"` };
  const first = tokens[0];
  const changes = firstIn(tokens, WRITE_VERBS, inflected) ?? (leading && first !== undefined && LEADING_WRITE_VERBS.has(first) ? first : undefined);
  const money = firstIn(tokens, FINANCIAL_NOUNS);
  if (changes && money) return { class: 'financial', because: `${where} says "${changes}" of "${money}"` };
  if (changes) return { class: 'write', because: `${where} says "${changes}"` };
  const reads = firstIn(tokens, READ_VERBS, inflected);
  if (reads) return { class: 'read', because: `${where} says "${reads}"` };
  return undefined;
}

export function guessTool(tool: ListedTool): ToolGuess {
  const reasons: string[] = [];
  const nameWords = words(tool.name);
  const descriptionWords = words(`${tool.title ?? ''} ${tool.annotations?.title ?? ''} ${tool.description ?? ''}`);
  const fromName = signalOf(nameWords, { where: 'the name', inflected: false, leading: true });
  const fromDescription = fromName ? undefined : signalOf(descriptionWords, { where: 'the description', inflected: true, leading: false });
  let guessed = fromName ?? fromDescription;
  if (guessed) reasons.push(`${guessed.class} because ${guessed.because}`);

  const hints = tool.annotations;
  const { readOnlyHint, destructiveHint } = hints ?? {};
  // MCP: destructiveHint means something only when readOnlyHint is false, and defaults to true.
  const saysDestructive = destructiveHint === true || (readOnlyHint === false && destructiveHint === undefined);
  if (guessed) {
    if (readOnlyHint === false && guessed.class === 'read') {
      guessed = { class: saysDestructive ? 'destructive' : 'write', because: 'readOnlyHint is false' };
      reasons.push(`raised to ${guessed.class}: the server's readOnlyHint is false${saysDestructive ? ' and destructiveHint is true or absent' : ''}`);
    } else if (saysDestructive && (guessed.class === 'read' || guessed.class === 'write')) {
      guessed = { class: 'destructive', because: 'destructiveHint' };
      reasons.push("raised to destructive: the server's annotations say it may destroy (destructiveHint true or absent with readOnlyHint false)");
    } else if (readOnlyHint === true || destructiveHint === false) {
      reasons.push('the annotations (untrusted hints) say it is harmless, which never lowers a guess');
    }
  } else if (readOnlyHint === true) {
    guessed = { class: 'read', because: 'readOnlyHint' };
    reasons.push("read only because the server's readOnlyHint says so (an untrusted hint: check it); the name and description say nothing");
  } else if (hints && readOnlyHint === false && destructiveHint === false) {
    guessed = { class: 'write', because: 'annotations' };
    reasons.push('write because the annotations say it changes state but destroys nothing; the name and description say nothing');
  } else {
    guessed = { class: 'destructive', because: 'nothing known' };
    reasons.push('destructive because nothing in the name, description or annotations says what it does, and MCP\'s annotation defaults say destructive');
  }

  const secrets = secretParameters(tool.inputSchema);
  if (secrets.length > 0) reasons.push(`takes a secret: ${secrets.join(', ')}`);
  const klass = guessed.class;
  const risk = riskOf(klass, nameWords, secrets.length > 0, reasons);
  const tradingEnvironment = klass === 'financial' || klass === 'destructive' ? tradingEnvironmentOf(tool.inputSchema) : undefined;
  if (tradingEnvironment) reasons.push(`${tradingEnvironment.param} selects the trading environment; safe: ${tradingEnvironment.safe.join(', ')}`);

  return {
    class: klass,
    risk,
    secrets,
    ...(tradingEnvironment ? { tradingEnvironment } : {}),
    rationale: `Guessed by policyc catalog import, not reviewed: ${reasons.join('; ')}.`,
  };
}

function riskOf(klass: ToolClass, nameWords: readonly string[], hasSecret: boolean, reasons: string[]): Risk {
  let risk: Risk;
  switch (klass) {
    case 'financial':
      risk = 'critical';
      break;
    case 'destructive': {
      const sweeping = firstIn(nameWords, SWEEPING_WORDS);
      risk = sweeping ? 'critical' : 'high';
      if (sweeping) reasons.push(`critical: the name says "${sweeping}"`);
      break;
    }
    case 'write':
      risk = 'medium';
      break;
    case 'read': {
      const secretBearing = firstIn(nameWords, SECRET_BEARING_NOUNS);
      // The name only: prose about market data mentions "trades" and "orders" too.
      const personal = firstIn(nameWords, PERSONAL_NOUNS);
      if (secretBearing) reasons.push(`high: reading "${secretBearing}" can hand a secret to the model`);
      else if (personal) reasons.push(`medium: it reads "${personal}" data`);
      risk = secretBearing ? 'high' : personal ? 'medium' : 'low';
      break;
    }
  }
  if (hasSecret && (risk === 'low' || risk === 'medium')) {
    reasons.push('high: a secret passes through its arguments');
    return 'high';
  }
  return risk;
}

type Schema = { [key: string]: JsonValue };

function isSchema(value: JsonValue | undefined): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function propertiesOf(inputSchema: JsonObject): [string, Schema][] {
  const properties = inputSchema.properties;
  if (!isSchema(properties)) return [];
  return Object.entries(properties).filter((entry): entry is [string, Schema] => isSchema(entry[1]));
}

/** Top-level parameters that carry a secret, by name or by schema (`format: password`, `writeOnly`). */
export function secretParameters(inputSchema: JsonObject): string[] {
  return propertiesOf(inputSchema)
    .filter(([name, schema]) => schema.format === 'password' || schema.writeOnly === true || isSecretName(name))
    .map(([name]) => name);
}

/** Whether a parameter (or flag) name says it carries a secret: `password`, `api_key`, `access_token`. */
export function isSecretName(name: string): boolean {
  const tokens = words(name);
  const joined = tokens.join('');
  if (tokens.some((token) => SECRET_WORDS.has(token))) return true;
  if (/apikey|privatekey|accesskey|secretkey|clientsecret/.test(joined)) return true;
  // `api_key`, `private_key`, `access_key`; but not `sort_key` or `key` alone (a lookup key).
  if (tokens.includes('key') && tokens.some((token) => ['api', 'private', 'access', 'signing', 'encryption', 'ssh'].includes(token))) return true;
  return tokens.includes('token') && !tokens.some((token) => PAGING_WORDS.has(token));
}

/** The string values a parameter's schema lists, in `enum`/`const` or in its `anyOf`/`oneOf` branches. */
function listedStrings(schema: Schema): string[] {
  const values: string[] = [];
  const collect = (node: Schema): void => {
    if (Array.isArray(node.enum)) values.push(...node.enum.filter((value): value is string => typeof value === 'string'));
    if (typeof node.const === 'string') values.push(node.const);
  };
  collect(schema);
  for (const key of ['anyOf', 'oneOf'] as const) {
    const branches = schema[key];
    if (Array.isArray(branches)) for (const branch of branches) if (isSchema(branch)) collect(branch);
  }
  return [...new Set(values)];
}

/** A string parameter whose listed values have a safe one (SIMULATE, PAPER…) beside a real one. */
function tradingEnvironmentOf(inputSchema: JsonObject): { param: string; safe: string[] } | undefined {
  for (const [name, schema] of propertiesOf(inputSchema)) {
    const values = listedStrings(schema);
    const safe = values.filter((value) => SAFE_ENVIRONMENT.test(value));
    if (safe.length > 0 && safe.length < values.length) return { param: name, safe };
  }
  return undefined;
}
