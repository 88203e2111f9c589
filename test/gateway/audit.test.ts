// The audit log: the hash chain as written, continued across restarts, and every kind of
// tampering `policyc audit verify` must find — an edit, a deletion, a swap, a rewritten hash,
// a dropped head — reported at the right line with exit code 1.

import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import fc from 'fast-check';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';

import { AuditLogError, canonicalJson, encodeRecord, GENESIS_HASH, openAuditLog, recordHash, sha256, type AuditEntry } from '../../src/gateway/audit.js';
import { verifyAuditFiles } from '../../src/gateway/audit-read.js';
import type { JsonObject } from '../../src/model/json.js';
import { cleanup, CLI, eventually, ROOT, runCli, tempDir } from './helpers/harness.js';

function entry(tool: string, decision: 'allow' | 'deny', extra: Partial<AuditEntry> = {}): AuditEntry {
  return {
    identity: 'anonymous',
    session: 's1',
    tool,
    decision,
    basis: decision === 'allow' ? 'rule' : 'default',
    rule: decision === 'allow' ? 'r1' : null,
    source: decision === 'allow' ? 'trading.policy:8' : null,
    reason: null,
    args: { symbols: ['HK.00700'] },
    ...extra,
  };
}

let clock = 0;
const now = (): Date => new Date(Date.UTC(2025, 5, 13, 9, 30, 0) + clock++ * 1000);

async function writeLog(path: string, entries: AuditEntry[], includeArgs = false): Promise<void> {
  const log = await openAuditLog(path, { now, includeArgs });
  for (const item of entries) await log.append(item);
  await log.close();
}

async function lines(path: string): Promise<string[]> {
  return (await readFile(path, 'utf8')).split('\n').filter((line) => line !== '');
}

afterAll(cleanup);

describe('writing the audit log', () => {
  let folder: string;
  beforeEach(async () => {
    folder = await tempDir();
    clock = 0;
  });

  it('chains each record to the one before by hash, starting from the genesis hash', async () => {
    const path = join(folder, 'nested', 'audit.jsonl');
    await writeLog(path, [entry('get_stock_quote', 'allow'), entry('cancel_order', 'deny'), entry('get_funds', 'allow')]);
    const records = (await lines(path)).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.map((record) => record.seq)).toEqual([1, 2, 3]);
    expect(records[0]?.prev).toBe(GENESIS_HASH);
    expect(records[1]?.prev).toBe(records[0]?.hash);
    expect(records[2]?.prev).toBe(records[1]?.hash);
    for (const record of records) {
      const { hash, ...rest } = record;
      expect(hash).toBe(sha256(`${rest.prev as string}${canonicalJson(rest as never)}`));
    }
    expect(records[0]).toEqual({
      seq: 1,
      time: '2025-06-13T09:30:00.000Z',
      identity: 'anonymous',
      session: 's1',
      tool: 'get_stock_quote',
      decision: 'allow',
      basis: 'rule',
      rule: 'r1',
      source: 'trading.policy:8',
      reason: null,
      args_sha256: sha256('{"symbols":["HK.00700"]}'),
      prev: GENESIS_HASH,
      hash: records[0]?.hash,
    });
  });

  it('keeps the raw arguments only when asked, and hashes them canonically (key order does not matter)', async () => {
    const path = join(folder, 'audit.jsonl');
    await writeLog(path, [entry('place_order', 'allow', { args: { qty: 100, code: 'HK.00700' } })], true);
    const [record] = (await lines(path)).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(record?.args).toEqual({ qty: 100, code: 'HK.00700' });
    expect(record?.args_sha256).toBe(sha256('{"code":"HK.00700","qty":100}'));
  });

  it('continues the chain of an existing log', async () => {
    const path = join(folder, 'audit.jsonl');
    await writeLog(path, [entry('a', 'allow'), entry('b', 'deny')]);
    await writeLog(path, [entry('c', 'allow')]);
    const records = (await lines(path)).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.map((record) => record.seq)).toEqual([1, 2, 3]);
    expect(records[2]?.prev).toBe(records[1]?.hash);
    expect(await verifyAuditFiles([path])).toEqual({ records: 3, last: { seq: 3, hash: records[2]?.hash } });
  });

  it('refuses to append to a log whose last record is damaged', async () => {
    const path = join(folder, 'audit.jsonl');
    await writeLog(path, [entry('a', 'allow')]);
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.replace('"decision":"allow"', '"decision":"deny"'));
    await expect(openAuditLog(path)).rejects.toThrow(AuditLogError);
    await writeFile(path, `${text}{"seq":2,"tool":"whole line, not a record"}\n`);
    await expect(openAuditLog(path)).rejects.toThrow(AuditLogError);
  });

  it('moves a last line cut short (a write the gateway never finished) aside, and goes on from the record before', async () => {
    const path = join(folder, 'audit.jsonl');
    await writeLog(path, [entry('a', 'allow')]);
    const text = await readFile(path, 'utf8');
    await writeFile(path, `${text}{"seq":2,"tool":"half`);
    const log = await openAuditLog(path, { now });
    expect(log.repaired).toBe(
      `${path} ended in an incomplete record (21 bytes: the gateway stopped while writing it, and its call was not forwarded); it was moved to ${path}.incomplete and the log goes on from its last complete record`,
    );
    await log.append(entry('b', 'deny'));
    await log.close();
    expect(await readFile(`${path}.incomplete`, 'utf8')).toBe('{"seq":2,"tool":"half\n');
    expect(await verifyAuditFiles([path])).toMatchObject({ records: 2 });
  });

  it('lets one writer at a time append to a log', async () => {
    const path = join(folder, 'audit.jsonl');
    const first = await openAuditLog(path);
    await expect(openAuditLog(path)).rejects.toThrow(/another process \(pid \d+\) is writing the audit log/);
    await first.close();
    const second = await openAuditLog(path);
    await second.close();
  });

  it('writes records in the order appends were asked for, even when asked all at once', async () => {
    const path = join(folder, 'audit.jsonl');
    const log = await openAuditLog(path);
    const written = await Promise.all(Array.from({ length: 50 }, (_, i) => log.append(entry(`tool_${i}`, 'allow'))));
    await log.close();
    expect(written.map((record) => record.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect((await lines(path)).map((line) => (JSON.parse(line) as { tool: string }).tool)).toEqual(written.map((record) => record.tool));
    expect((await verifyAuditFiles([path])).problem).toBeUndefined();
  });
});

describe('the record encoder', () => {
  // The line is built by concatenation for speed; what it must equal is the plain definition:
  // the record as JSON, hashed over `prev` and the canonical JSON of every other field.
  const text = fc.string({ unit: 'binary' });
  const nullable = fc.option(text, { nil: null });
  const entries = fc.record({
    identity: text,
    session: text,
    tool: text,
    decision: fc.constantFrom('allow' as const, 'deny' as const),
    basis: fc.constantFrom('rule' as const, 'default' as const, 'hidden' as const, 'limit' as const),
    rule: nullable,
    source: nullable,
    reason: nullable,
    args: fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue()).map((args) => args as JsonObject),
  });

  it('writes the same record, and the same hash, as the canonical JSON of its fields', () => {
    fc.assert(
      fc.property(entries, fc.nat(), fc.boolean(), fc.date({ noInvalidDate: true }), (entry, seq, includeArgs, time) => {
        const previous = { seq, hash: sha256(String(seq)) };
        const { record, line } = encodeRecord(entry, previous, time, includeArgs);
        expect(line.endsWith('\n')).toBe(true);
        const parsed = JSON.parse(line) as Record<string, unknown>;
        expect(parsed).toEqual(JSON.parse(JSON.stringify(record)));
        const { hash, ...unsigned } = parsed;
        expect(hash).toBe(sha256(previous.hash + canonicalJson(unsigned)));
        expect(recordHash(parsed as never)).toBe(hash);
        expect(record.args_sha256).toBe(sha256(canonicalJson(entry.args)));
        expect('args' in parsed).toBe(includeArgs);
        expect(Object.keys(parsed)[0]).toBe('seq');
      }),
      { numRuns: 300 },
    );
  });
});

describe('verifying the audit log', () => {
  let folder: string;
  let path: string;
  let original: string[];

  beforeEach(async () => {
    folder = await tempDir();
    path = join(folder, 'audit.jsonl');
    clock = 0;
    await writeLog(path, [entry('get_stock_quote', 'allow'), entry('cancel_order', 'deny'), entry('place_order', 'allow'), entry('get_funds', 'allow')]);
    original = await lines(path);
  });

  const write = (rows: string[]): Promise<void> => writeFile(path, `${rows.join('\n')}\n`);

  it('accepts an intact log', async () => {
    const result = await verifyAuditFiles([path]);
    expect(result.problem).toBeUndefined();
    expect(result.records).toBe(4);
  });

  it('finds an edited record', async () => {
    await write(original.map((line, i) => (i === 1 ? line.replace('"decision":"deny"', '"decision":"allow"') : line)));
    expect((await verifyAuditFiles([path])).problem).toEqual({ file: path, line: 2, message: 'record seq 2 was changed after it was written (its hash does not match its content)' });
  });

  it('finds an edited record whose hash was recomputed, at the next record', async () => {
    const edited = JSON.parse(original[1] as string) as Record<string, unknown>;
    edited.decision = 'allow';
    edited.hash = recordHash(edited as never);
    await write(original.map((line, i) => (i === 1 ? JSON.stringify(edited) : line)));
    expect((await verifyAuditFiles([path])).problem).toEqual({
      file: path,
      line: 3,
      message: 'record seq 3 does not chain to the record before it: a record was replaced or rewritten',
    });
  });

  it('finds a deleted record', async () => {
    await write(original.filter((_, i) => i !== 1));
    expect((await verifyAuditFiles([path])).problem).toEqual({
      file: path,
      line: 2,
      message: 'found seq 3 where seq 2 should be: a record is missing or records are out of order',
    });
  });

  it('finds two records swapped', async () => {
    await write([original[0], original[2], original[1], original[3]] as string[]);
    const result = await verifyAuditFiles([path]);
    expect(result.problem?.line).toBe(2);
    expect(result.records).toBe(1);
  });

  it('finds a log whose first records were dropped', async () => {
    await write(original.slice(2));
    expect((await verifyAuditFiles([path])).problem).toEqual({ file: path, line: 1, message: 'the log starts at seq 3: records 1 to 2 are missing' });
  });

  it('finds a record cut short and a line that is not a record', async () => {
    await write([original[0] as string, (original[1] as string).slice(0, 40)]);
    expect((await verifyAuditFiles([path])).problem).toMatchObject({ line: 2, message: 'not valid JSON: the record was damaged or cut short' });
    await write([original[0] as string, '[1, 2]']);
    expect((await verifyAuditFiles([path])).problem).toMatchObject({ line: 2, message: 'not an audit record (not a JSON object)' });
  });

  it('reads several files as consecutive pieces of one log, in the order given', async () => {
    const first = join(folder, 'audit.1.jsonl');
    const second = join(folder, 'audit.2.jsonl');
    await writeFile(first, `${original.slice(0, 2).join('\n')}\n`);
    await writeFile(second, `${original.slice(2).join('\n')}\n`);
    expect(await verifyAuditFiles([first, second])).toMatchObject({ records: 4 });
    expect((await verifyAuditFiles([second, first])).problem).toMatchObject({ file: second, line: 1 });
  });

  it('`policyc audit verify` exits 1 naming the first bad line, and 0 with the last hash when intact', async () => {
    const intact = await runCli(['audit', 'verify', path]);
    expect(intact.code).toBe(0);
    const last = JSON.parse(original[3] as string) as { hash: string };
    expect(intact.stdout).toBe(`${path}: 4 records, chain intact; last record seq 4, hash ${last.hash}\n`);

    await write([original[0], original[2], original[1], original[3]] as string[]);
    const swapped = await runCli(['audit', 'verify', path]);
    expect(swapped.code).toBe(1);
    expect(swapped.stderr).toContain(`${path}:2: found seq 3 where seq 2 should be`);
    expect(swapped.stderr).toContain('policyc: the audit log does not verify (1 record before line 2 are intact)');

    const missing = await runCli(['audit', 'verify', join(folder, 'nope.jsonl')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such file');
  });
});

describe('reading the audit log: tail and query', () => {
  afterAll(cleanup);

  it('prints the last records, and the records that match every filter', async () => {
    const folder = await tempDir();
    const path = join(folder, 'audit.jsonl');
    clock = 0;
    await writeLog(path, [
      entry('get_stock_quote', 'allow', { identity: 'trader' }),
      entry('cancel_order', 'deny', { identity: 'trader', basis: 'approval', rule: 'r4', source: 'trading.policy:16', reason: 'order changes need a person' }),
      entry('get_funds', 'deny', { identity: 'research-bot', basis: 'rule', rule: 'r6', source: 'trading.policy:26', reason: 'no account data for research' }),
      entry('get_stock_quote', 'allow', { identity: 'research-bot' }),
    ]);

    const tail = await runCli(['audit', 'tail', path, '-n', '2']);
    expect(tail.code).toBe(0);
    expect(tail.stdout).toBe(
      [
        '2025-06-13T09:30:02.000Z  #3  deny   get_funds  as research-bot  r6 (trading.policy:26)  — no account data for research',
        '2025-06-13T09:30:03.000Z  #4  allow  get_stock_quote  as research-bot  r1 (trading.policy:8)',
        '',
      ].join('\n'),
    );

    const denials = await runCli(['audit', 'query', path, '--decision', 'deny', '--format', 'json']);
    expect(denials.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { seq: number }).seq)).toEqual([2, 3]);
    const quotes = await runCli(['audit', 'query', path, '--tool', 'get_stock_quote', '--identity', 'trader', '--format', 'json']);
    expect(quotes.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { seq: number }).seq)).toEqual([1]);
    const since = await runCli(['audit', 'query', path, '--since', '2025-06-13T09:30:02Z', '--format', 'json']);
    expect(since.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { seq: number }).seq)).toEqual([3, 4]);
    const recent = await runCli(['audit', 'query', path, '--since', '15m']);
    expect(recent.stdout).toBe('');
    const bad = await runCli(['audit', 'query', path, '--decision', 'maybe']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--decision must be allow or deny');
  });

  it('`audit tail --follow` prints records as they are written, until interrupted', async () => {
    const folder = await tempDir();
    const path = join(folder, 'audit.jsonl');
    clock = 0;
    await writeLog(path, [entry('get_stock_quote', 'allow')]);
    const child = spawn(process.execPath, [CLI, 'audit', 'tail', path, '--follow', '--format', 'json'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const seqs = (): number[] => out.split('\n').filter((line) => line !== '').map((line) => (JSON.parse(line) as { seq: number }).seq);
    await eventually(() => seqs().length === 1, 10_000, 'the existing record');
    await writeLog(path, [entry('cancel_order', 'deny'), entry('get_funds', 'allow')]);
    await eventually(() => seqs().length === 3, 10_000, 'the new records');
    expect(seqs()).toEqual([1, 2, 3]);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});

