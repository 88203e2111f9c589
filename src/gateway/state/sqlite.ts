// Rate-limit counters in a SQLite file (`--state FILE`): they survive a restart of the gateway,
// and several gateway processes on one machine can share the file and stay exact.
//
// Schema: one row per admission and counter — (counter, time, expires) — with an index on
// (counter, time). A counter has no room when its max-th newest admission is still inside the
// window; that one row, found by the index, is also what says when to retry. Every check and the
// admission it allows run in one `BEGIN IMMEDIATE` transaction: SQLite lets one writer at a time
// hold it, and a writer always reads the newest data (WAL), so processes cannot both take the
// last slot. Expired rows are deleted at each admission (an index range on `expires`), so the
// file holds about the admissions inside their windows. Ids are AUTOINCREMENT so a released
// ticket can never delete a later admission that reused its id.
//
// better-sqlite3 is synchronous: a transaction is a few tens of microseconds; a process waiting
// for another's lock waits at most `busyTimeoutMs` (blocking its event loop meanwhile), then the
// call is denied ("database is locked").

import Database from 'better-sqlite3';

import type { Admission, AdmissionTicket, LimitClaim, LimitSubject } from '../../enforce/index.js';
import { LimitStoreOpenError, LimitStoreUnavailable, messageOf, neverAdmits, newTicket, NO_CLAIMS_TICKET, planClaims, type CounterPlan, type LimitStore } from './limit-store.js';

/** `PRAGMA application_id` of a policyc state file ("PLCY"): never write into another program's database. */
const APPLICATION_ID = 0x504c4359;
const SCHEMA_VERSION = 1;

const SCHEMA = `
  CREATE TABLE admissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    counter TEXT NOT NULL,
    time INTEGER NOT NULL,
    expires INTEGER NOT NULL
  );
  CREATE INDEX admissions_by_counter ON admissions (counter, time);
  CREATE INDEX admissions_by_expiry ON admissions (expires);
`;

export interface SqliteLimitStoreOptions {
  /** How long to wait for another process's transaction before denying (default 1000 ms). */
  busyTimeoutMs?: number;
  clock?: () => number;
}

type Outcome = { admitted: true; ids: number[] } | { admitted: false; claim: LimitClaim; retryAfterMs: number };

export class SqliteLimitStore implements LimitStore {
  readonly description: string;
  readonly #db: Database.Database;
  readonly #clock: () => number;
  readonly #holds = new WeakMap<AdmissionTicket, number[]>();
  readonly #admit: Database.Transaction<(counters: CounterPlan[], now: number) => Outcome>;
  readonly #release: Database.Transaction<(ids: number[]) => void>;

  private constructor(path: string, db: Database.Database, clock: () => number) {
    this.description = `sqlite ${path}`;
    this.#db = db;
    this.#clock = clock;
    const prune = db.prepare<[number]>('DELETE FROM admissions WHERE expires <= ?');
    const kthNewest = db.prepare<[string, number, number], { time: number }>('SELECT time FROM admissions WHERE counter = ? AND time > ? ORDER BY time DESC LIMIT 1 OFFSET ?');
    const newest = db.prepare<[string], { time: number | null }>('SELECT MAX(time) AS time FROM admissions WHERE counter = ?');
    const insert = db.prepare<[string, number, number]>('INSERT INTO admissions (counter, time, expires) VALUES (?, ?, ?)');
    const remove = db.prepare<[number]>('DELETE FROM admissions WHERE id = ?');

    this.#admit = db.transaction((counters: CounterPlan[], now: number): Outcome => {
      prune.run(now);
      for (const { claim, counter, max, windowMs } of counters) {
        const blocking = kthNewest.get(counter, now - windowMs, max - 1);
        if (blocking) return { admitted: false, claim, retryAfterMs: blocking.time + windowMs - now };
      }
      return {
        admitted: true,
        ids: counters.map(({ counter, windowMs }) => {
          // As in memory: an admission is recorded no earlier than the newest one, so a clock
          // that steps back only ever makes admissions expire later.
          const last = newest.get(counter)?.time ?? null;
          const time = last === null ? now : Math.max(now, last);
          return Number(insert.run(counter, time, time + windowMs).lastInsertRowid);
        }),
      };
    });
    this.#release = db.transaction((ids: number[]) => {
      for (const id of ids) remove.run(id);
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
    this.#holds.set(ticket, outcome.ids);
    return Promise.resolve({ admitted: true, ticket });
  }

  release(ticket: AdmissionTicket): Promise<void> {
    const ids = this.#holds.get(ticket);
    if (!ids) return Promise.resolve();
    this.#holds.delete(ticket);
    try {
      this.#release.immediate(ids);
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
