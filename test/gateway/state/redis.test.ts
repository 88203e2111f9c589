// The Redis store (`--redis URL`) against a real redis-server started here: the shared contract,
// Redis's clock, expiry of idle counters, processes sharing it, and failing closed when Redis is
// killed, frozen or unreachable — then admitting again once it is back.

import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { LimitStoreOpenError, LimitStoreUnavailable, type LimitStore } from '../../../src/gateway/state/limit-store.js';
import { REDIS_KEY_PREFIX, RedisLimitStore } from '../../../src/gateway/state/redis.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { ALICE, claim, describeAgreementWithMemory, describeLimitStore, outcome, type StoreFactory } from './contract.js';
import { hammer, removeHammer } from './hammer.js';

const MINUTE = 60_000;
let server: RedisServer;
let admin: Redis;

beforeAll(async () => {
  server = await startRedis();
  admin = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  admin.on('error', () => {}); // it reconnects by itself after the kill below
  await admin.connect();
}, 30_000);

afterAll(async () => {
  admin?.disconnect();
  await removeHammer();
  await server?.stop();
});

const redisFactory: StoreFactory = {
  async open() {
    await admin.flushdb();
    return RedisLimitStore.open(server.url);
  },
  peer: () => RedisLimitStore.open(server.url),
};

describeLimitStore('redis', redisFactory);
describeAgreementWithMemory('redis', redisFactory, 300);

async function refusal(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected the store to fail');
    },
    (error: unknown) => error as Error,
  );
}

describe('redis store: Redis', () => {
  it('reads the time from Redis, not from the gateway\'s clock', async () => {
    await admin.flushdb();
    const store = await RedisLimitStore.open(server.url);
    const [seconds, micros] = await admin.time();
    const redisNow = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    // This gateway's clock is an hour fast; its admissions are still stamped with Redis's time.
    const skewed = vi.spyOn(Date, 'now').mockImplementation(() => redisNow + 3_600_000);
    try {
      expect(outcome(await store.tryAdmit([claim('r1', 1, MINUTE, 'global')], ALICE))).toBe(true);
      const refused = await store.tryAdmit([claim('r1', 1, MINUTE, 'global')], ALICE);
      expect(refused.admitted).toBe(false);
      if (!refused.admitted) expect(refused.retryAfterMs).toBeGreaterThan(MINUTE - 5_000);
    } finally {
      skewed.mockRestore();
    }
    const keys = await admin.keys(`${REDIS_KEY_PREFIX}*`);
    expect(keys).toEqual([`${REDIS_KEY_PREFIX}["key-r1","global"]`]);
    const [, score] = await admin.zrange(keys[0] as string, '0', '-1', 'WITHSCORES');
    expect(Math.abs(Number(score) - redisNow)).toBeLessThan(5_000);
    await store.close();
  });

  it('lets idle counters expire with their newest admission, and drops emptied ones', async () => {
    await admin.flushdb();
    const store = await RedisLimitStore.open(server.url);
    const key = `${REDIS_KEY_PREFIX}["key-r1","identity","alice"]`;
    const first = await store.tryAdmit([claim('r1', 5, MINUTE)], ALICE, 1_000_000);
    expect((await admin.pttl(key)) / MINUTE).toBeCloseTo(1, 1);
    await store.tryAdmit([claim('r1', 5, MINUTE)], ALICE, 1_030_000);
    // The newest admission now expires 60 s from "now".
    expect((await admin.pttl(key)) / MINUTE).toBeCloseTo(1, 1);
    await store.tryAdmit([claim('r2', 5, 2_000)], ALICE);
    expect(await admin.pttl(`${REDIS_KEY_PREFIX}["key-r2","identity","alice"]`)).toBeLessThanOrEqual(2_000);

    const second = await store.tryAdmit([claim('r3', 5, MINUTE)], ALICE, 0);
    if (!first.admitted || !second.admitted) throw new Error('refused');
    await store.release(second.ticket);
    expect(await admin.exists(`${REDIS_KEY_PREFIX}["key-r3","identity","alice"]`)).toBe(0);
    expect(await admin.zcard(key)).toBe(2);
    await store.release(first.ticket);
    expect(await admin.zcard(key)).toBe(1);
    await store.close();
  });

  it('stays exact when four processes share it at once: 10 admitted of 400', async () => {
    await admin.flushdb();
    const results = await hammer('redis', server.url, 4, 100);
    expect(results.flatMap((result) => result.errors)).toEqual([]);
    expect(results.reduce((sum, result) => sum + result.admitted, 0)).toBe(10);
    expect(results.reduce((sum, result) => sum + result.refused, 0)).toBe(390);
  }, 30_000);

  it('refuses to start when Redis cannot be reached, and says where it tried', async () => {
    const error = await refusal(RedisLimitStore.open('redis://127.0.0.1:1/0', { connectTimeoutMs: 2000 }));
    expect(error).toBeInstanceOf(LimitStoreOpenError);
    expect(error.message).toMatch(/^cannot use redis 127\.0\.0\.1:1\/0 for rate limits: .*ECONNREFUSED/);
  });

  it('keeps the password out of its messages', async () => {
    const store = await RedisLimitStore.open(server.url.replace('redis://', 'redis://:s3cret@'));
    expect(store.description).toBe(`redis 127.0.0.1:${server.port}/0`);
    await store.close();
  });
});

describe('redis store: failing closed', () => {
  let store: LimitStore;

  beforeAll(async () => {
    await admin.flushdb();
    store = await RedisLimitStore.open(server.url, { timeoutMs: 300 });
  });
  afterAll(() => store.close());

  it('denies while Redis does not answer (frozen), within the timeout, and admits once it answers again', async () => {
    const c = [claim('frozen', 100, MINUTE)];
    expect(outcome(await store.tryAdmit(c, ALICE))).toBe(true);
    server.pause();
    try {
      const started = Date.now();
      const error = await refusal(store.tryAdmit(c, ALICE));
      expect(error).toBeInstanceOf(LimitStoreUnavailable);
      expect(error.message).toBe(`redis 127.0.0.1:${server.port}/0: no answer within 300 ms`);
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      server.resume();
    }
    await expect.poll(async () => (await store.tryAdmit(c, ALICE).catch(() => undefined))?.admitted, { timeout: 10_000, interval: 100 }).toBe(true);
  });

  it('denies while Redis is gone, and admits again once it is back', async () => {
    const c = [claim('killed', 100, MINUTE)];
    const before = await store.tryAdmit(c, ALICE);
    if (!before.admitted) throw new Error('refused');
    await server.kill();
    const errors = await Promise.all(Array.from({ length: 20 }, () => refusal(store.tryAdmit(c, ALICE))));
    for (const error of errors) {
      expect(error).toBeInstanceOf(LimitStoreUnavailable);
      expect(error.message).toMatch(new RegExp(`^redis 127\\.0\\.0\\.1:${server.port}/0: not connected`));
    }
    // Giving quota back fails too (the gate logs it; the quota stays counted).
    expect(await refusal(store.release(before.ticket))).toBeInstanceOf(LimitStoreUnavailable);
    await server.restart();
    // The restarted Redis knows no scripts (EVALSHA → NOSCRIPT → EVAL) and, without persistence, no counters.
    await expect.poll(async () => (await store.tryAdmit(c, ALICE).catch(() => undefined))?.admitted, { timeout: 10_000, interval: 100 }).toBe(true);
  }, 30_000);
});
