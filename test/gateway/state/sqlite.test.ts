// The SQLite store (`--state FILE`): the shared contract, and what only a file can do — outlive
// the gateway, be shared by several processes at once, and refuse a file that is not its own.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';

import { LimitStoreOpenError, LimitStoreUnavailable } from '../../../src/gateway/state/limit-store.js';
import { SqliteLimitStore } from '../../../src/gateway/state/sqlite.js';
import { cleanup, tempDir } from '../helpers/harness.js';
import { ALICE, claim, describeAgreementWithMemory, describeLimitStore, outcome, type StoreFactory } from './contract.js';
import { hammer, removeHammer } from './hammer.js';

afterAll(async () => {
  await removeHammer();
  await cleanup();
});

const files = new WeakMap<object, string>();

const sqliteFactory: StoreFactory = {
  async open() {
    const file = join(await tempDir(), 'state.db');
    const store = SqliteLimitStore.open(file);
    files.set(store, file);
    return store;
  },
  async peer(store) {
    const file = files.get(store);
    if (!file) throw new Error('not a store this factory opened');
    return SqliteLimitStore.open(file);
  },
};

describeLimitStore('sqlite', sqliteFactory);
describeAgreementWithMemory('sqlite', sqliteFactory, 300);

const MINUTE = 60_000;

describe('sqlite store: a file', () => {
  it('keeps counters across a restart of the gateway', async () => {
    const file = join(await tempDir(), 'state.db');
    const c = [claim('r1', 10, MINUTE)];
    const before = SqliteLimitStore.open(file);
    for (let i = 0; i < 10; i++) expect(outcome(await before.tryAdmit(c, ALICE, 1_000_000 + i))).toBe(true);
    await before.close();

    const after = SqliteLimitStore.open(file);
    expect(outcome(await after.tryAdmit(c, ALICE, 1_000_500))).toEqual(['r1', 59_500]);
    expect(outcome(await after.tryAdmit(c, ALICE, 1_060_000))).toBe(true);
    expect(outcome(await after.tryAdmit(c, ALICE, 1_060_000))).toEqual(['r1', 1]);
    await after.close();
  });

  it('stays exact when four processes hammer one file at once: 10 admitted of 400', async () => {
    const file = join(await tempDir(), 'state.db');
    await SqliteLimitStore.open(file).close(); // created once, as a gateway started earlier would have
    const results = await hammer('sqlite', file, 4, 100);
    expect(results.flatMap((result) => result.errors)).toEqual([]);
    expect(results.reduce((sum, result) => sum + result.admitted, 0)).toBe(10);
    expect(results.reduce((sum, result) => sum + result.refused, 0)).toBe(390);
  }, 30_000);

  it('stays exact when the processes create the file together', async () => {
    const file = join(await tempDir(), 'state.db');
    const results = await hammer('sqlite', file, 3, 50);
    expect(results.flatMap((result) => result.errors)).toEqual([]);
    expect(results.reduce((sum, result) => sum + result.admitted, 0)).toBe(10);
  }, 30_000);

  it('denies, not admits, while another process holds the file locked past the busy timeout', async () => {
    const file = join(await tempDir(), 'state.db');
    const store = SqliteLimitStore.open(file, { busyTimeoutMs: 50 });
    const other = new Database(file);
    other.exec('BEGIN IMMEDIATE');
    const started = Date.now();
    const refusal = await store.tryAdmit([claim('r1', 10, MINUTE)], ALICE, 0).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(LimitStoreUnavailable);
    expect((refusal as Error).message).toBe(`sqlite ${file}: database is locked`);
    expect(Date.now() - started).toBeLessThan(1000);
    other.exec('COMMIT');
    other.close();
    expect(outcome(await store.tryAdmit([claim('r1', 10, MINUTE)], ALICE, 0))).toBe(true);
    await store.close();
  });

  it('deletes admissions once their window has passed, and counters once they are idle', async () => {
    const file = join(await tempDir(), 'state.db');
    const store = SqliteLimitStore.open(file);
    const rows = (): [number, number] => {
      const reader = new Database(file, { readonly: true });
      try {
        const count = (table: string): number => (reader.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
        return [count('admissions'), count('counters')];
      } finally {
        reader.close();
      }
    };
    for (let i = 0; i < 5; i++) await store.tryAdmit([claim('r1', 10, 1000), claim('r2', 10, 5000)], ALICE, i);
    expect(rows()).toEqual([10, 2]);
    await store.tryAdmit([claim('r3', 10, 1000)], ALICE, 2000); // r1 is idle: swept
    expect(rows()).toEqual([6, 2]);
    await store.tryAdmit([claim('r2', 10, 5000)], ALICE, 5003); // r2's first four leave its window; r3 is idle
    expect(rows()).toEqual([2, 1]);
    await store.tryAdmit([claim('r3', 10, 1000)], ALICE, 20_000);
    expect(rows()).toEqual([1, 1]);
    await store.close();
  });

  it('never lets a released ticket delete a later admission that reused its row', async () => {
    const file = join(await tempDir(), 'state.db');
    const store = SqliteLimitStore.open(file);
    const c = [claim('r1', 1, 1000)];
    const early = await store.tryAdmit(c, ALICE, 0);
    if (!early.admitted) throw new Error('refused');
    expect(outcome(await store.tryAdmit(c, ALICE, 5000))).toBe(true); // the early row is pruned first
    await store.release(early.ticket);
    expect(outcome(await store.tryAdmit(c, ALICE, 5001))).toEqual(['r1', 999]);
    await store.close();
  });

  it('refuses a file that is not a policyc state file, and says why', async () => {
    const folder = await tempDir();
    const text = join(folder, 'notes.txt');
    await writeFile(text, 'not a database at all, just some text long enough to have a header\n'.repeat(4));
    expect(() => SqliteLimitStore.open(text)).toThrow(new LimitStoreOpenError(`cannot use ${text} as the rate-limit state file: file is not a database`));

    const foreign = join(folder, 'app.db');
    const db = new Database(foreign);
    db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY)');
    db.close();
    expect(() => SqliteLimitStore.open(foreign)).toThrow(new LimitStoreOpenError(`cannot use ${foreign} as the rate-limit state file: it is a SQLite database of another program`));

    const newer = join(folder, 'newer.db');
    await SqliteLimitStore.open(newer).close();
    const bump = new Database(newer);
    bump.pragma('user_version = 2');
    bump.close();
    expect(() => SqliteLimitStore.open(newer)).toThrow(
      new LimitStoreOpenError(`cannot use ${newer} as the rate-limit state file: it was written by another version of policyc (schema 2, this one reads 1)`),
    );

    const missingFolder = join(folder, 'no', 'such', 'state.db');
    expect(() => SqliteLimitStore.open(missingFolder)).toThrow(LimitStoreOpenError);
  });
});
