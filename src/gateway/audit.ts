// The audit log: JSON Lines, one record per decision, each chained to the one before it by hash
// so that `policyc audit verify` finds any record edited, dropped or moved.
//
//   hash = sha256(prev + canonical JSON of the record without `hash`)
//
// The first record of a log has `prev` = 64 zeros. Appending to an existing log continues its
// chain. A record is written, and the write completed, before the call it describes is forwarded:
// a call that reached the upstream always has its record, even if the gateway is killed the next
// instant (the bytes are in the operating system's hands; `fsync` also covers a power cut).
// A write that fails (disk full) is undone, so the log never ends in half a record, and the
// caller is told, so the call can be denied.
//
// How a record is written: by default with one write(2) on the event loop, inside `append`
// itself, so the call's next step already finds it written. That is a copy of a few hundred
// bytes into the page cache (about 10 µs); the thread pool's asynchronous write costs more than
// the copy itself — a hand-off to a worker thread and a wake-up of the loop, measured at 35–60 µs
// and as much CPU on every call (bench/README.md) — and buys nothing, since the call waits for
// its record either way. With `fsync` the flush can take milliseconds, so the write and the
// fdatasync go through the thread pool and the loop keeps serving.
//
// Group commit (with `fsync`): records asked for while a write is under way are written
// together by the next write and flushed by one fdatasync, each still resolved only once it is
// written. A single caller sees no difference; many callers at once share the cost of the flush.
//
// A gateway killed in the middle of a write can leave a last line without its newline. Its call
// was never forwarded (that waits for the write to finish), so on the next start that fragment
// is moved to `<log>.incomplete` and the chain goes on from the last complete record.

import { hash } from 'node:crypto';
import { ftruncateSync, writeSync } from 'node:fs';
import { appendFile, mkdir, open, readFile, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

import { canonicalJson, type JsonObject } from '../model/json.js';

export { canonicalJson };

export const GENESIS_HASH = '0'.repeat(64);

/** What the gateway did with a call, and on what grounds. */
export type AuditDecision = 'allow' | 'deny';

/**
 * Why: `rule` and `default` as in the policy's meaning (SPEC §2); `hidden`, `unknown-tool`;
 * `limit` (no room in a limit); `approval` (the rule asks a person and no approval was given);
 * `inventory` (the upstream's tool list could not be learned).
 */
export type AuditBasis = 'rule' | 'default' | 'hidden' | 'unknown-tool' | 'limit' | 'approval' | 'inventory';

export interface AuditEntry {
  identity: string;
  session: string;
  tool: string;
  decision: AuditDecision;
  basis: AuditBasis;
  /** The rule or limit id that settled it (`r3`, `a1`). */
  rule: string | null;
  /** Where that rule is written: `trading.policy:12`. */
  source: string | null;
  reason: string | null;
  /** The arguments as checked (and, when allowed, forwarded). */
  args: JsonObject;
}

export interface AuditRecord {
  seq: number;
  time: string;
  identity: string;
  session: string;
  tool: string;
  decision: AuditDecision;
  basis: AuditBasis;
  rule: string | null;
  source: string | null;
  reason: string | null;
  args_sha256: string;
  args?: JsonObject;
  prev: string;
  hash: string;
}

export interface AuditLog {
  readonly path: string;
  /** Set when opening found a last line cut short and moved it aside: what to tell the operator. */
  readonly repaired?: string;
  /** Resolves once the record is written; rejects (and leaves the log as it was) if it cannot be. */
  append(entry: AuditEntry): Promise<AuditRecord>;
  /**
   * Without fsync: writes the record before returning, and throws (leaving the log as it was) if
   * it cannot. Absent with fsync, whose flush goes through the thread pool.
   */
  appendNow?: (entry: AuditEntry) => AuditRecord;
  close(): Promise<void>;
}

export interface AuditLogOptions {
  /** Keep the raw arguments in each record (`--audit-args`); otherwise only their hash. */
  includeArgs?: boolean;
  /** Flush every record to the disk before going on (survives a power cut; slower). */
  fsync?: boolean;
  /** The clock, for tests. */
  now?: () => Date;
}

/** Records written together at most; a burst larger than this takes several writes. */
const MAX_BATCH_RECORDS = 256;

/** A problem with the log that stops the gateway from starting: it would break the chain. */
export class AuditLogError extends Error {
  override readonly name = 'AuditLogError';
}

export function sha256(text: string): string {
  return hash('sha256', text, 'hex');
}

/** The hash a record must carry: over its `prev` and every other field but `hash`. */
export function recordHash(record: JsonObject): string {
  const { hash: _hash, ...rest } = record;
  return unsignedHash(rest);
}

/** The hash of a record that has no `hash` member yet. */
function unsignedHash(record: JsonObject): string {
  return sha256((typeof record.prev === 'string' ? record.prev : '') + canonicalJson(record));
}

interface Waiting {
  entry: AuditEntry;
  resolve: (record: AuditRecord) => void;
  reject: (error: Error) => void;
}

interface Signed {
  item: Waiting;
  record: AuditRecord;
  line: string;
}

/**
 * A record and its line, built by concatenation: every call writes one, so the canonical text
 * that is hashed is assembled from the fields in their sorted order instead of by sorting keys
 * (`canonicalJson` gives the same text; a test holds the two together). The arguments'
 * canonical text serves both their own hash and, with `--audit-args`, the line.
 */
export function encodeRecord(entry: AuditEntry, previous: { seq: number; hash: string }, time: Date, includeArgs: boolean): { record: AuditRecord; line: string } {
  const seq = previous.seq + 1;
  const iso = time.toISOString();
  const argsText = canonicalJson(entry.args);
  const argsSha256 = sha256(argsText);
  const identity = JSON.stringify(entry.identity);
  const session = JSON.stringify(entry.session);
  const tool = JSON.stringify(entry.tool);
  const decision = JSON.stringify(entry.decision);
  const basis = JSON.stringify(entry.basis);
  const rule = entry.rule === null ? 'null' : JSON.stringify(entry.rule);
  const source = entry.source === null ? 'null' : JSON.stringify(entry.source);
  const reason = entry.reason === null ? 'null' : JSON.stringify(entry.reason);
  const prev = JSON.stringify(previous.hash);
  const args = includeArgs ? `"args":${argsText},` : '';
  const canonical =
    `{${args}"args_sha256":"${argsSha256}","basis":${basis},"decision":${decision},"identity":${identity},"prev":${prev},` +
    `"reason":${reason},"rule":${rule},"seq":${seq},"session":${session},"source":${source},"time":"${iso}","tool":${tool}}`;
  const hash = sha256(previous.hash + canonical);
  const line =
    `{"seq":${seq},"time":"${iso}","identity":${identity},"session":${session},"tool":${tool},"decision":${decision},"basis":${basis},` +
    `"rule":${rule},"source":${source},"reason":${reason},"args_sha256":"${argsSha256}",${args}"prev":${prev},"hash":"${hash}"}\n`;
  const record: AuditRecord = {
    seq,
    time: iso,
    identity: entry.identity,
    session: entry.session,
    tool: entry.tool,
    decision: entry.decision,
    basis: entry.basis,
    rule: entry.rule,
    source: entry.source,
    reason: entry.reason,
    args_sha256: argsSha256,
    ...(includeArgs ? { args: entry.args } : {}),
    prev: previous.hash,
    hash,
  };
  return { record, line };
}

export async function openAuditLog(path: string, options: AuditLogOptions = {}): Promise<AuditLog> {
  await mkdir(dirname(path), { recursive: true });
  const release = await lockLog(path);
  let handle: FileHandle;
  let size: number;
  let last: { seq: number; hash: string };
  let repaired: string | undefined;
  let opened: FileHandle | undefined;
  try {
    handle = opened = await open(path, 'a+');
    size = (await handle.stat()).size;
    const torn = await cutIncompleteTail(handle, size, path);
    if (torn) {
      size = torn.size;
      repaired = torn.message;
    }
    last = await lastRecord(handle, size, path);
  } catch (error) {
    // A log refused (damaged, unreadable) leaves no descriptor open behind it.
    await opened?.close().catch(() => undefined);
    await release();
    throw error;
  }
  const now = options.now ?? (() => new Date());
  let waiting: Waiting[] = [];
  let draining: Promise<void> | undefined;
  let damaged: string | undefined;
  let closed = false;

  /** Signs a batch in order; a record that cannot even be serialised fails alone. */
  function signBatch(batch: Waiting[]): Signed[] {
    const signed: Signed[] = [];
    let chain = last;
    for (const item of batch) {
      try {
        const { record, line } = encodeRecord(item.entry, chain, now(), options.includeArgs === true);
        signed.push({ item, record, line });
        chain = record;
      } catch (error) {
        item.reject(failure(error));
      }
    }
    return signed;
  }

  /** Why nothing more can be written, if so. */
  function unusable(): Error | undefined {
    if (!closed && !damaged) return undefined;
    return new Error(closed ? 'the audit log is closed' : `the audit log is damaged (${damaged}); restart the gateway after checking it with \`policyc audit verify\``);
  }

  function advance(newest: AuditRecord, bytes: number): void {
    size += bytes;
    last = { seq: newest.seq, hash: newest.hash };
  }

  function failure(error: unknown): Error {
    return new Error(`cannot write the audit log ${path}: ${describe(error)}`);
  }

  /**
   * Without fsync: one write(2) on the event loop. The record is written when this returns; if it
   * cannot be, this throws and the log is as it was.
   */
  function writeNow(entry: AuditEntry): AuditRecord {
    const refused = unusable();
    if (refused) throw refused;
    let encoded: { record: AuditRecord; line: string };
    try {
      encoded = encodeRecord(entry, last, now(), options.includeArgs === true);
    } catch (error) {
      throw failure(error);
    }
    const bytes = Buffer.byteLength(encoded.line, 'utf8');
    try {
      const bytesWritten = writeSync(handle.fd, encoded.line, null, 'utf8');
      if (bytesWritten !== bytes) throw new Error(`only ${bytesWritten} of ${bytes} bytes were written`);
    } catch (error) {
      // Undo a partial write so the chain stays whole; if even that fails, stop writing.
      try {
        ftruncateSync(handle.fd, size);
      } catch (truncateError) {
        damaged = `a failed write could not be undone: ${describe(truncateError)}`;
      }
      throw failure(error);
    }
    advance(encoded.record, bytes);
    return encoded.record;
  }

  /** With fsync: the write and the fdatasync through the thread pool; the loop keeps serving. */
  async function writeBatchFlushed(batch: Waiting[]): Promise<void> {
    const refused = unusable();
    if (refused) {
      for (const item of batch) item.reject(refused);
      return;
    }
    const signed = signBatch(batch);
    if (signed.length === 0) return;
    const buffer = Buffer.from(signed.map(({ line }) => line).join(''), 'utf8');
    try {
      const { bytesWritten } = await handle.write(buffer);
      if (bytesWritten !== buffer.length) throw new Error(`only ${bytesWritten} of ${buffer.length} bytes were written`);
      await handle.datasync();
    } catch (error) {
      await handle.truncate(size).catch((truncateError: unknown) => {
        damaged = `a failed write could not be undone: ${describe(truncateError)}`;
      });
      const failed = failure(error);
      for (const { item } of signed) item.reject(failed);
      return;
    }
    advance(signed[signed.length - 1]!.record, buffer.length);
    for (const { item, record } of signed) item.resolve(record);
  }

  /** Writes whatever is waiting, batch after batch; one drain at a time keeps the chain in order. */
  function drain(): Promise<void> {
    if (draining) return draining;
    draining = (async () => {
      // Yield first, so `draining` is set before the loop can end and clear it.
      await Promise.resolve();
      while (waiting.length > 0) {
        const batch = waiting.slice(0, MAX_BATCH_RECORDS);
        waiting = waiting.slice(batch.length);
        await writeBatchFlushed(batch);
      }
      draining = undefined;
    })();
    return draining;
  }

  return {
    path,
    ...(repaired === undefined ? {} : { repaired }),
    append(entry) {
      // Without fsync nothing is ever left in flight, so the record is written right here, before
      // the caller's next step, and no queue is needed.
      if (!options.fsync) {
        try {
          return Promise.resolve(writeNow(entry));
        } catch (error) {
          return Promise.reject(error as Error);
        }
      }
      return new Promise<AuditRecord>((resolve, reject) => {
        waiting.push({ entry, resolve, reject });
        void drain();
      });
    },
    ...(options.fsync ? {} : { appendNow: writeNow }),
    async close() {
      if (closed) return;
      await draining;
      closed = true;
      await handle.close().catch(() => undefined);
      await release();
    },
  };
}

/**
 * A last line without its newline was being written when the gateway stopped; its call never
 * went on. Moves it to `<log>.incomplete` (appended, so nothing is lost) and cuts the log back to
 * its last complete record.
 */
async function cutIncompleteTail(handle: FileHandle, size: number, path: string): Promise<{ size: number; message: string } | undefined> {
  if (size === 0) return undefined;
  const tail = Buffer.alloc(Math.min(size, 1024 * 1024));
  await handle.read(tail, 0, tail.length, size - tail.length);
  if (tail[tail.length - 1] === 0x0a) return undefined;
  const newline = tail.lastIndexOf(0x0a);
  if (newline === -1 && tail.length < size) return undefined; // a last line over 1 MiB: refused below, as damaged
  const keep = size - tail.length + newline + 1;
  const fragment = tail.subarray(newline + 1);
  await appendFile(`${path}.incomplete`, Buffer.concat([fragment, Buffer.from('\n')]));
  await handle.truncate(keep);
  return {
    size: keep,
    message: `${path} ended in an incomplete record (${fragment.length} bytes: the gateway stopped while writing it, and its call was not forwarded); it was moved to ${path}.incomplete and the log goes on from its last complete record`,
  };
}

/** Reads the log's last record, to continue its chain; refuses a log that ends damaged. */
async function lastRecord(handle: FileHandle, size: number, path: string): Promise<{ seq: number; hash: string }> {
  if (size === 0) return { seq: 0, hash: GENESIS_HASH };
  const line = await readLastLine(handle, size);
  if (line === undefined) {
    throw new AuditLogError(`${path} does not end with a complete record; check it with \`policyc audit verify ${path}\` and move it aside before starting the gateway`);
  }
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    throw new AuditLogError(`the last line of ${path} is not a valid audit record; check it with \`policyc audit verify ${path}\` and move it aside`);
  }
  if (!isRecordLike(record) || recordHash(record) !== record.hash) {
    throw new AuditLogError(`the last record of ${path} does not verify; check it with \`policyc audit verify ${path}\` and move it aside`);
  }
  return { seq: record.seq, hash: record.hash };
}

function isRecordLike(value: unknown): value is JsonObject & { seq: number; hash: string } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  return Number.isSafeInteger(record.seq) && (record.seq as number) > 0 && typeof record.hash === 'string' && typeof record.prev === 'string';
}

/** The text of the last line, or undefined when the file does not end with a newline. */
async function readLastLine(handle: FileHandle, size: number): Promise<string | undefined> {
  const chunkSize = 64 * 1024;
  let end = size;
  let collected = Buffer.alloc(0);
  while (end > 0) {
    const start = Math.max(0, end - chunkSize);
    const chunk = Buffer.alloc(end - start);
    await handle.read(chunk, 0, chunk.length, start);
    collected = Buffer.concat([chunk, collected]);
    end = start;
    if (collected[collected.length - 1] !== 0x0a) return undefined;
    const previousNewline = collected.lastIndexOf(0x0a, collected.length - 2);
    if (previousNewline !== -1) return collected.subarray(previousNewline + 1, collected.length - 1).toString('utf8');
  }
  return collected.subarray(0, collected.length - 1).toString('utf8');
}

/**
 * One writer per log: two gateways appending to one file would interleave two chains. The lock
 * is a file holding the writer's pid; one left behind by a process that is gone is taken over.
 */
const heldHere = new Set<string>();

async function lockLog(path: string): Promise<() => Promise<void>> {
  const lockPath = `${path}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(lockPath, `${process.pid}\n`, { flag: 'wx' });
      heldHere.add(lockPath);
      return async () => {
        heldHere.delete(lockPath);
        await rm(lockPath, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number((await readFile(lockPath, 'utf8').catch(() => '')).trim());
      const mine = holder === process.pid;
      if ((mine && heldHere.has(lockPath)) || (!mine && Number.isSafeInteger(holder) && holder > 0 && isAlive(holder))) {
        throw new AuditLogError(`another process (pid ${holder}) is writing the audit log ${path}; give each gateway its own --audit file`);
      }
      await rm(lockPath, { force: true });
    }
  }
  throw new AuditLogError(`cannot lock the audit log ${path} (${lockPath})`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
