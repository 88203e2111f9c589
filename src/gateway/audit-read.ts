// Reading the audit log back: verifying its chain, and picking records out of it for
// `policyc audit tail` and `policyc audit query`.

import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';

import { GENESIS_HASH, recordHash, type AuditRecord } from './audit.js';

export interface VerifyProblem {
  file: string;
  /** 1-based line number in `file`. */
  line: number;
  message: string;
}

export interface VerifyResult {
  /** Records that verified, over all files, before the first problem. */
  records: number;
  last?: { seq: number; hash: string };
  problem?: VerifyProblem;
  /**
   * The last file ends in a line without its newline: a record the gateway was writing when it
   * stopped. Its call was not forwarded (that waits for the write), so it is not a problem and
   * not counted; the next `policyc serve` moves it to `<log>.incomplete`.
   */
  incomplete?: { file: string; line: number; bytes: number };
}

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Checks the chain line by line, one record after another. Files given together are read as
 * consecutive pieces of one log (rotated segments); a file whose first record is seq 1 starts a
 * new chain. The first bad line is reported: an edited record (its hash no longer matches), a
 * dropped one (a gap in seq, or a `prev` that does not match), records out of order.
 * A log cut short at its end cannot be told from a shorter log: compare the last seq and hash
 * printed here with a copy kept elsewhere.
 */
export function createChainVerifier(): {
  push(file: string, lineNumber: number, line: string, firstOfFile: boolean): VerifyProblem | undefined;
  result(): Omit<VerifyResult, 'problem'>;
} {
  let last: { seq: number; hash: string } | undefined;
  let records = 0;
  return {
    push(file, lineNumber, line, firstOfFile) {
      const problem = (message: string): VerifyProblem => ({ file, line: lineNumber, message });
      if (line.trim() === '') return problem('blank line inside the log');
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        return problem('not valid JSON: the record was damaged or cut short');
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return problem('not an audit record (not a JSON object)');
      const record = value as Record<string, unknown>;
      const { seq, prev, hash } = record;
      if (!Number.isSafeInteger(seq) || (seq as number) < 1) return problem('not an audit record (no positive integer "seq")');
      if (typeof prev !== 'string' || !HEX64.test(prev) || typeof hash !== 'string' || !HEX64.test(hash)) {
        return problem(`record seq ${String(seq)} has no valid "prev" and "hash"`);
      }
      const n = seq as number;
      if (recordHash(record as Parameters<typeof recordHash>[0]) !== hash) {
        return problem(`record seq ${n} was changed after it was written (its hash does not match its content)`);
      }
      const startsChain = n === 1 && prev === GENESIS_HASH;
      if (last === undefined || (firstOfFile && startsChain)) {
        if (!startsChain) {
          return problem(
            n === 1 ? 'record seq 1 does not start a chain (its "prev" is not the genesis hash)' : `the log starts at seq ${n}: records 1 to ${n - 1} are missing`,
          );
        }
      } else if (n !== last.seq + 1) {
        return problem(
          n <= last.seq
            ? `record seq ${n} comes after seq ${last.seq}: records are out of order or repeated`
            : `found seq ${n} where seq ${last.seq + 1} should be: a record is missing or records are out of order`,
        );
      } else if (prev !== last.hash) {
        return problem(`record seq ${n} does not chain to the record before it: a record was replaced or rewritten`);
      }
      last = { seq: n, hash };
      records++;
      return undefined;
    },
    result() {
      return last ? { records, last } : { records };
    },
  };
}

export async function verifyAuditFiles(files: readonly string[]): Promise<VerifyResult> {
  const verifier = createChainVerifier();
  const lastFile = files[files.length - 1];
  const torn = lastFile === undefined ? undefined : await unterminatedTail(lastFile);
  for (const file of files) {
    // Each line is checked once the next one is read, so the last one can be told apart.
    let lineNumber = 0;
    let pending: string | undefined;
    for await (const line of readLines(file)) {
      if (pending !== undefined) {
        const problem = verifier.push(file, lineNumber, pending, lineNumber === 1);
        if (problem) return { ...verifier.result(), problem };
      }
      lineNumber++;
      pending = line;
    }
    if (pending === undefined) continue;
    if (file === lastFile && torn !== undefined) return { ...verifier.result(), incomplete: { file, line: lineNumber, bytes: torn } };
    const problem = verifier.push(file, lineNumber, pending, lineNumber === 1);
    if (problem) return { ...verifier.result(), problem };
  }
  return verifier.result();
}

/** The length of a last line that has no newline after it, or undefined when the file ends in one. */
async function unterminatedTail(file: string): Promise<number | undefined> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    if (size === 0) return undefined;
    const tail = Buffer.alloc(Math.min(size, 1024 * 1024));
    await handle.read(tail, 0, tail.length, size - tail.length);
    if (tail[tail.length - 1] === 0x0a) return undefined;
    const newline = tail.lastIndexOf(0x0a);
    return newline === -1 ? tail.length : tail.length - newline - 1;
  } finally {
    await handle.close();
  }
}

/** The lines of a file; a final newline does not make an extra empty line. */
export async function* readLines(file: string): AsyncGenerator<string> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of lines) yield line;
}

export interface RecordFilter {
  tool?: string;
  decision?: string;
  identity?: string;
  session?: string;
  /** Records at or after this time. */
  since?: Date;
}

export function matches(record: AuditRecord, filter: RecordFilter): boolean {
  if (filter.tool !== undefined && record.tool !== filter.tool) return false;
  if (filter.decision !== undefined && record.decision !== filter.decision) return false;
  if (filter.identity !== undefined && record.identity !== filter.identity) return false;
  if (filter.session !== undefined && record.session !== filter.session) return false;
  if (filter.since !== undefined && !(Date.parse(record.time) >= filter.since.getTime())) return false;
  return true;
}

/** Parses one line as a record; undefined for a line that is not one (reported by the caller). */
export function parseRecord(line: string): AuditRecord | undefined {
  try {
    const value: unknown = JSON.parse(line);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    const record = value as Partial<AuditRecord>;
    if (typeof record.seq !== 'number' || typeof record.tool !== 'string' || typeof record.decision !== 'string' || typeof record.time !== 'string') return undefined;
    return value as AuditRecord;
  } catch {
    return undefined;
  }
}

/** One line of text per record, for people: time, seq, decision, tool, caller, rule, reason. */
export function formatRecord(record: AuditRecord): string {
  const rule = record.rule === null ? record.basis : `${record.rule}${record.source ? ` (${record.source})` : ''}`;
  const parts = [record.time, `#${record.seq}`, record.decision.padEnd(5), record.tool, `as ${record.identity}`, rule];
  if (record.reason) parts.push(`— ${record.reason}`);
  return parts.join('  ');
}
