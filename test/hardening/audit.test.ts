// The audit writer under load and after a crash: records asked for at once share one write and
// one flush (group commit) and keep their order and chain; a record that cannot be serialised
// fails alone. A last line cut short by a kill is a trace of a call never forwarded: `verify`
// names it and passes.

import { appendFile, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { openAuditLog, type AuditEntry } from '../../src/gateway/audit.js';
import { verifyAuditFiles } from '../../src/gateway/audit-read.js';
import { auditRecords, cleanup, runCli, tempDir } from '../gateway/helpers/harness.js';

afterAll(cleanup);

const entry = (n: number): AuditEntry => ({
  identity: 'anonymous',
  session: 's',
  tool: `tool_${n}`,
  decision: 'allow',
  basis: 'rule',
  rule: 'r1',
  source: null,
  reason: null,
  args: { n },
});

/** Counts FileHandle#datasync calls made while `run` runs (every handle shares the prototype). */
async function countingFlushes<T>(folder: string, run: () => Promise<T>): Promise<{ result: T; flushes: number }> {
  const probe = await open(join(folder, 'probe'), 'w');
  const prototype = Object.getPrototypeOf(probe) as { datasync(this: unknown): Promise<void> };
  await probe.close();
  const original = prototype.datasync;
  let flushes = 0;
  prototype.datasync = function (this: unknown) {
    flushes++;
    return original.call(this);
  };
  try {
    return { result: await run(), flushes };
  } finally {
    prototype.datasync = original;
  }
}

describe('group commit', () => {
  it('writes 200 records asked for at once in a few flushes, in the order asked, chained', async () => {
    const folder = await tempDir();
    const path = join(folder, 'audit.jsonl');
    const log = await openAuditLog(path, { fsync: true });
    const { result: records, flushes } = await countingFlushes(folder, () => Promise.all(Array.from({ length: 200 }, (_, n) => log.append(entry(n)))));
    await log.close();
    expect(records.map((record) => record.seq)).toEqual(Array.from({ length: 200 }, (_, n) => n + 1));
    expect((await auditRecords(path)).map((record) => record.tool)).toEqual(Array.from({ length: 200 }, (_, n) => `tool_${n}`));
    expect(flushes).toBeGreaterThanOrEqual(1);
    expect(flushes).toBeLessThanOrEqual(5);
    expect(await verifyAuditFiles([path])).toMatchObject({ records: 200 });
  });

  it('flushes each record of a lone caller before its append resolves', async () => {
    const folder = await tempDir();
    const log = await openAuditLog(join(folder, 'audit.jsonl'), { fsync: true });
    const { flushes } = await countingFlushes(folder, async () => {
      for (let n = 0; n < 5; n++) await log.append(entry(n));
    });
    await log.close();
    expect(flushes).toBe(5);
  });

  it('fails a record that cannot be serialised alone, and writes the rest of its batch', async () => {
    const folder = await tempDir();
    const path = join(folder, 'audit.jsonl');
    const log = await openAuditLog(path);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const results = await Promise.allSettled([log.append(entry(1)), log.append({ ...entry(2), args: cyclic as never }), log.append(entry(3))]);
    await log.close();
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((await auditRecords(path)).map((record) => [record.seq, record.tool])).toEqual([
      [1, 'tool_1'],
      [2, 'tool_3'],
    ]);
    expect(await verifyAuditFiles([path])).toMatchObject({ records: 2 });
  });
});

describe('a log whose last line was cut short', () => {
  it('verifies: the fragment is not a record, is not counted, and is named', async () => {
    const folder = await tempDir();
    const path = join(folder, 'audit.jsonl');
    const log = await openAuditLog(path);
    for (let n = 0; n < 3; n++) await log.append(entry(n));
    await log.close();
    await appendFile(path, '{"seq":4,"time":"2025');
    expect(await verifyAuditFiles([path])).toEqual({ records: 3, last: expect.objectContaining({ seq: 3 }), incomplete: { file: path, line: 4, bytes: 21 } });
    const run = await runCli(['audit', 'verify', path]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(': 3 records, chain intact; last record seq 3');
    expect(run.stderr).toBe(
      `${path}:4: note: the last line is an incomplete record (21 bytes without a newline): the gateway stopped while writing it and did not forward its call; the next \`policyc serve\` moves it to ${path}.incomplete\n`,
    );
  });

  it('still fails on a damaged line that is not the last, and on a complete last line that is damaged', async () => {
    const folder = await tempDir();
    const path = join(folder, 'audit.jsonl');
    const log = await openAuditLog(path);
    for (let n = 0; n < 2; n++) await log.append(entry(n));
    await log.close();
    await appendFile(path, '{"seq":3,"broken":true}\n');
    expect(await verifyAuditFiles([path])).toMatchObject({ records: 2, problem: { line: 3 } });
    // A cut-short piece in an earlier segment of a rotated log is damage, not a crash's trace.
    const earlier = join(folder, 'earlier.jsonl');
    await appendFile(earlier, `${(await readFile(path, 'utf8')).split('\n')[0]}\n{"seq":2,"ti`);
    const later = join(folder, 'later.jsonl');
    const fresh = await openAuditLog(later);
    await fresh.append(entry(9));
    await fresh.close();
    expect(await verifyAuditFiles([earlier, later])).toMatchObject({ records: 1, problem: { file: earlier, line: 2 } });
  });
});
