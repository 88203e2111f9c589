// Bearer tokens for the HTTP gateway. The tokens file maps each identity to the sha256 of its
// token(s), never the tokens themselves, so the file can be read by anyone who may see the
// configuration without letting them call as anyone:
//
//   # policyc tokens: identity → sha256 of its bearer token(s)
//   research-bot: 5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8
//   trader:
//     - sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
//
// JSON with the same shape works too. A presented token is hashed and compared with every stored
// hash in constant time, so neither timing nor an early exit tells how close a guess was.

import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';

import { parseDocument, stringify } from 'yaml';

import { InputError } from '../../errors.js';

export interface TokenTable {
  /** Identity → the sha256 digests of its tokens. */
  readonly entries: ReadonlyArray<{ identity: string; digest: Buffer }>;
}

const DIGEST = /^(?:sha256:)?([0-9a-fA-F]{64})$/;

export function hashToken(token: string): string {
  return hash('sha256', token, 'hex');
}

/** A new random token: 32 bytes from the system's CSPRNG, base64url, with a recognisable prefix. */
export function newToken(): string {
  return `pcy_${randomBytes(32).toString('base64url')}`;
}

export async function loadTokens(path: string): Promise<TokenTable> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read the tokens file ${path}: ${(error as Error).message}`);
  }
  return parseTokens(text, path);
}

export function parseTokens(text: string, path: string): TokenTable {
  const value = parseTokenText(text, path);
  const entries: { identity: string; digest: Buffer }[] = [];
  for (const [identity, hashes] of Object.entries(value)) {
    if (identity.trim() === '') throw new InputError(`${path}: an identity name must not be empty`);
    const list = Array.isArray(hashes) ? hashes : [hashes];
    for (const hash of list) {
      const match = typeof hash === 'string' ? DIGEST.exec(hash.trim()) : null;
      if (!match?.[1]) {
        throw new InputError(`${path}: the token hash of "${identity}" must be the 64 hex digits of a sha256 (as \`policyc token create\` writes)`);
      }
      entries.push({ identity, digest: Buffer.from(match[1].toLowerCase(), 'hex') });
    }
  }
  return { entries };
}

function parseTokenText(text: string, path: string): Record<string, unknown> {
  let value: unknown;
  if (extname(path).toLowerCase() === '.json') {
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new InputError(`${path} is not valid JSON: ${(error as Error).message}`);
    }
  } else {
    const document = parseDocument(text, { uniqueKeys: true });
    if (document.errors.length > 0) throw new InputError(`${path} is not valid YAML: ${document.errors[0]?.message ?? 'syntax error'}`);
    value = document.toJS() ?? {};
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InputError(`${path} must map each identity to the sha256 of its token`);
  }
  return value as Record<string, unknown>;
}

/** The identity a presented token belongs to, or undefined. Looks at every entry, always. */
export function identify(table: TokenTable, token: string): string | undefined {
  // One-shot: no Hash object per request.
  const digest = hash('sha256', token, 'buffer');
  let found: string | undefined;
  for (const entry of table.entries) {
    if (timingSafeEqual(digest, entry.digest) && found === undefined) found = entry.identity;
  }
  return found;
}

/** The token in an `Authorization: Bearer …` header, if that is what it holds. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(header);
  return match?.[1];
}

/**
 * Adds a new token for an identity to the tokens file (created if missing) and returns the token;
 * only its hash is stored. YAML files keep their comments.
 */
export async function addToken(path: string, identity: string): Promise<string> {
  if (identity.trim() === '') throw new InputError('--identity must not be empty');
  let text: string | undefined;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new InputError(`cannot read the tokens file ${path}: ${(error as Error).message}`);
  }
  if (text !== undefined) parseTokens(text, path);
  const token = newToken();
  const digest = hashToken(token);
  await writeFile(path, withDigest(text, path, identity, digest), { mode: 0o600 });
  return token;
}

function withDigest(text: string | undefined, path: string, identity: string, digest: string): string {
  if (extname(path).toLowerCase() === '.json') {
    const value = text === undefined ? {} : (JSON.parse(text) as Record<string, unknown>);
    const existing = value[identity];
    const list = existing === undefined ? [] : Array.isArray(existing) ? existing : [existing];
    value[identity] = list.length === 0 ? digest : [...list, digest];
    return `${JSON.stringify(value, null, 2)}\n`;
  }
  if (text === undefined || text.trim() === '') {
    return `# policyc tokens: identity → sha256 of its bearer token(s). Add one with \`policyc token create\`.\n${stringify({ [identity]: digest })}`;
  }
  const document = parseDocument(text);
  const existing: unknown = document.get(identity);
  if (existing === undefined) document.set(identity, digest);
  else {
    const list = (document.toJS() as Record<string, unknown>)[identity];
    document.set(identity, [...(Array.isArray(list) ? list : [list]), digest]);
  }
  return document.toString();
}
