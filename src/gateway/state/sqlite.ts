// Rate-limit counters in a SQLite file (`--state FILE`): they survive a restart of the gateway,
// and several gateway processes on one machine can share the file and stay exact.
//
// Schema: one row per admission (counter, time), and one per counter holding how many admissions
// it keeps and when its newest one leaves the window. A check first deletes the counter's expired
// admissions (an index range on (counter, time)), so its size is the number inside the window; it
// has no room when that size has reached max, and then its max-th newest admission — found by
// the same index — says when to retry. Each step is an index lookup, so a check costs the same
// under `limit 10 per 1m` as under `limit 100000 per 1d`. Counters whose newest admission has
// expired are swept out, a few at each admission, so the file holds about the admissions inside
// their windows. Ids are AUTOINCREMENT so a released ticket can never delete a later admission
// that reused its id.
//
// Every check and the admission it allows run in one `BEGIN IMMEDIATE` transaction: SQLite lets
// one writer at a time hold it, and a writer always reads the newest data (WAL), so processes
// cannot both take the last slot.
//
// better-sqlite3 is synchronous: a transaction takes tens of microseconds; a process waiting for
// another's lock waits at most `busyTimeoutMs` (blocking its event loop meanwhile), then the call
// is denied ("database is locked").

import Database from 'better-sqlite3';

import type { Admission, AdmissionTicket, LimitClaim, LimitSubject } from '../../enforce/index.js';
import { LimitStoreOpenError, LimitStoreUnavailable, messageOf, neverAdmits, newTicket, NO_CLAIMS_TICKET, planClaims, type CounterPlan, type LimitStore } from './limit-store.js';

/** `PRAGMA application_id` of a policyc state file ("PLCY"): never write into another program's database. */
const APPLICATION_ID = 0x504c4359;
const SCHEMA_VERSION = 1;

const SCHEMA = `
  CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    idle_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX counters_by_idle_at ON counters (idle_at);
  CREATE TABLE admissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    counter TEXT NOT NULL,
    time INTEGER NOT NULL
  );
  CREATE INDEX admissions_by_counter ON admissions (counter, time);
`;

/** Idle counters swept per admission: bounded work per call, and ahead of any rate of new ones. */
const SWEEP_BATCH = 8;

export interface SqliteLimitStoreOptions {
  /** How long to wait for another process's transaction before denying (default 1000 ms). */
  busyTimeoutMs?: number;
  clock?: () => number;
}

interface Hold {
  id: number;
  counter: string;
}

type Outcome = { admitted: true; holds: Hold[] } | { admitted: false; claim: LimitClaim; retryAfterMs: number };

export class SqliteLimitStore implements LimitStore {
  readonly description: string;
  readonly #db: Database.Database;
  readonly #clock: () => number;
  readonly #holds = new WeakMap<AdmissionTicket, Hold[]>();
  readonly #admit: Database.Transaction<(counters: CounterPlan[], now: number) => Outcome>;
  readonly #release: Database.Transaction<(holds: Hold[]) => void>;

  private constructor(path: string, db: Database.Database, clock: () => number) {
    this.description = `sqlite ${path}`;
    this.#db = db;
    this.#clock = clock;
    const idle = db.prepare<[number, number], { name: string }>('SELECT name FROM counters WHERE idle_at <= ? LIMIT ?');
    const dropAdmissions = db.prepare<[string]>('DELETE FROM admissions WHERE counter = ?');
    const dropCounter = db.prepare<[string]>('DELETE FROM counters WHERE name = ?');
    const counterRow = db.prepare<[string], { size: number }>('SELECT size FROM counters WHERE name = ?');
    const expire = db.prepare<[string, number]>('DELETE FROM admissions WHERE counter = ? AND time <= ?');
    const resize = db.prepare<[number, string]>('UPDATE counters SET size = ? WHERE name = ?');
    const nthOldest = db.prepare<[string, number], { time: number }>('SELECT time FROM admissions WHERE counter = ? ORDER BY time LIMIT 1 OFFSET ?');
    const newest = db.prepare<[string], { time: number | null }>('SELECT MAX(time) AS time FROM admissions WHERE counter = ?');
    const insert = db.prepare<[string, number]>('INSERT INTO admissions (counter, time) VALUES (?, ?)');
    const upsert = db.prepare<[string, number, number]>('INSERT INTO counters (name, size, idle_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET size = excluded.size, idle_at = excluded.idle_at');
    const remove = db.prepare<[number]>('DELETE FROM admissions WHERE id = ?');
    const shrink = db.prepare<[string]>('UPDATE counters SET size = size - 1 WHERE name = ?');

    this.#admit = db.transaction((counters: CounterPlan[], now: number): Outcome => {
      for (const { name } of idle.all(now, SWEEP_BATCH)) {
        dropAdmissions.run(name);
        dropCounter.run(name);
      }
      const sizes: number[] = [];
      for (const { claim, counter, max, windowMs } of counters) {
        const kept = counterRow.get(counter)?.size ?? 0;
        const expired = kept === 0 ? 0 : expire.run(counter, now - windowMs).changes;
        const size = kept - expired;
        if (expired > 0) resize.run(size, counter);
        if (size >= max) {
          // Every kept admission is inside the window: the max-th newest is the (size − max)-th oldest.
          const blocking = nthOldest.get(counter, size - max);
          if (!blocking) throw new Error(`the state file is inconsistent: counter ${counter} keeps fewer admissions than it says`);
          return { admitted: false, claim, retryAfterMs: blocking.time + windowMs - now };
        }
        sizes.push(size);
      }
      return {
        admitted: true,
        holds: counters.map(({ counter, windowMs }, i) => {
          // As in memory: an admission is recorded no earlier than the newest one, so a clock
          // that steps back only ever makes admissions expire later.
          const last = newest.get(counter)?.time ?? null;
          const time = last === null ? now : Math.max(now, last);
          const id = Number(insert.run(counter, time).lastInsertRowid);
          upsert.run(counter, (sizes[i] ?? 0) + 1, time + windowMs);
          return { id, counter };
        }),
      };
    });
    this.#release = db.transaction((holds: Hold[]) => {
      // An admission already expired or swept is gone: nothing to give back for it.
      for (const { id, counter } of holds) if (remove.run(id).changes > 0) shrink.run(counter);
    });
  }

  /** Opens (or creates) the state file; a file that is not a policyc state file is refused. */
  static open(path: string, options: SqliteLimitStoreOptions = {}): SqliteLimitStore {
    let db: Database.Database | undefined;
    try {
      db = new Database(path);
      db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 1000))}`);
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') throw new Error(`cannot use write-ahead logging on it (journal mode ${String(mode)}); use a file on a local disk`);
      // NORMAL with WAL: a committed admission survives a crash of the process; a power cut may
      // lose the last few (the OS had not written them yet).
      db.pragma('synchronous = NORMAL');
      prepareSchema(db);
      return new SqliteLimitStore(path, db, options.clock ?? Date.now);
    } catch (error) {
      db?.close();
      throw new LimitStoreOpenError(`cannot use ${path} as the rate-limit state file: ${messageOf(error)}`);
    }
  }

  tryAdmit(claims: readonly LimitClaim[], who: LimitSubject, nowMs?: number): Promise<Admission> {
    if (claims.length === 0) return Promise.resolve({ admitted: true, ticket: NO_CLAIMS_TICKET });
    const plan = planClaims(claims, who);
    if (plan.kind === 'never') return Promise.resolve(neverAdmits(plan.claim));
    const now = nowMs ?? this.#clock();
    let outcome: Outcome;
    try {
      outcome = this.#admit.immediate(plan.counters, now);
    } catch (error) {
      return Promise.reject(this.#unavailable(error));
    }
    if (!outcome.admitted) return Promise.resolve(outcome);
    const ticket = newTicket(claims, now);
    this.#holds.set(ticket, outcome.holds);
    return Promise.resolve({ admitted: true, ticket });
  }

  release(ticket: AdmissionTicket): Promise<void> {
    const holds = this.#holds.get(ticket);
    if (!holds) return Promise.resolve();
    this.#holds.delete(ticket);
    try {
      this.#release.immediate(holds);
    } catch (error) {
      return Promise.reject(this.#unavailable(error));
    }
    return Promise.resolve();
  }

  close(): Promise<void> {
    if (this.#db.open) this.#db.close();
    return Promise.resolve();
  }

  #unavailable(error: unknown): LimitStoreUnavailable {
    return new LimitStoreUnavailable(`${this.description}: ${messageOf(error)}`);
  }
}

/** Creates the schema in a new file, or checks that an existing file holds this schema. */
function prepareSchema(db: Database.Database): void {
  // IMMEDIATE: two gateways starting on a new file at once must not both create the tables.
  db.transaction(() => {
    const id = db.pragma('application_id', { simple: true });
    const version = db.pragma('user_version', { simple: true });
    if (id === APPLICATION_ID) {
      if (version !== SCHEMA_VERSION) throw new Error(`it was written by another version of policyc (schema ${String(version)}, this one reads ${SCHEMA_VERSION})`);
      return;
    }
    const tables = db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM sqlite_schema WHERE type = 'table'").get()?.n ?? 0;
    if (id !== 0 || tables > 0) throw new Error('it is a SQLite database of another program');
    db.exec(SCHEMA);
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}
