// Bearer tokens: the tokens file, matching a presented token, and `policyc token create`.

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { addToken, bearerToken, hashToken, identify, parseTokens } from '../../src/gateway/http/tokens.js';
import { cleanup, runCli, tempDir } from './helpers/harness.js';

afterAll(cleanup);

describe('tokens', () => {
  it('maps a token to its identity by the sha256 stored for it, and nothing else', () => {
    const table = parseTokens(
      [`research-bot: ${hashToken('alpha')}`, 'trader:', `  - sha256:${hashToken('beta').toUpperCase()}`, `  - ${hashToken('gamma')}`].join('\n'),
      'tokens.yaml',
    );
    expect(identify(table, 'alpha')).toBe('research-bot');
    expect(identify(table, 'beta')).toBe('trader');
    expect(identify(table, 'gamma')).toBe('trader');
    expect(identify(table, 'Alpha')).toBeUndefined();
    expect(identify(table, hashToken('alpha'))).toBeUndefined();
    expect(identify(table, '')).toBeUndefined();
  });

  it('refuses a file that stores something other than a sha256', () => {
    expect(() => parseTokens('bot: hunter2', 'tokens.yaml')).toThrow('tokens.yaml: the token hash of "bot" must be the 64 hex digits of a sha256');
    expect(() => parseTokens('[1, 2]', 'tokens.yaml')).toThrow('must map each identity');
    expect(() => parseTokens(`a: ${hashToken('x')}\na: ${hashToken('y')}`, 'tokens.yaml')).toThrow(/not valid YAML/);
    expect(() => parseTokens('{"a": ', 'tokens.json')).toThrow(/not valid JSON/);
  });

  it('reads the bearer token of an Authorization header', () => {
    expect(bearerToken('Bearer abc.def')).toBe('abc.def');
    expect(bearerToken('bearer   abc')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken('Bearer a b')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });

  it('adds tokens to YAML (keeping comments) and JSON files, storing only hashes', async () => {
    const folder = await tempDir();
    const yamlPath = join(folder, 'tokens.yaml');
    await writeFile(yamlPath, `# who may call\nresearch-bot: ${hashToken('old')}\n`);
    const first = await addToken(yamlPath, 'research-bot');
    const second = await addToken(yamlPath, 'trader');
    expect(first).toMatch(/^pcy_[A-Za-z0-9_-]{43}$/);
    const text = await readFile(yamlPath, 'utf8');
    expect(text).toContain('# who may call');
    expect(text).not.toContain(first);
    const table = parseTokens(text, yamlPath);
    expect([identify(table, 'old'), identify(table, first), identify(table, second)]).toEqual(['research-bot', 'research-bot', 'trader']);

    const jsonPath = join(folder, 'tokens.json');
    const token = await addToken(jsonPath, 'bot');
    expect(JSON.parse(await readFile(jsonPath, 'utf8'))).toEqual({ bot: hashToken(token) });
  });

  it('`policyc token create` prints the token once and stores its hash', async () => {
    const folder = await tempDir();
    const path = join(folder, 'tokens.yaml');
    const run = await runCli(['token', 'create', '--identity', 'trader', '--tokens', path]);
    expect(run.code).toBe(0);
    const token = run.stdout.trim();
    expect(token).toMatch(/^pcy_/);
    expect(run.stderr).toContain('token for "trader" added');
    expect(identify(parseTokens(await readFile(path, 'utf8'), path), token)).toBe('trader');
  });
});
