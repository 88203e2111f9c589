// Rate-limit counters in Redis (`--redis URL`), shared by every gateway replica that names the
// same server, so a limit holds across all of them.
//
// One sorted set per counter (`policyc:limit:` + counter name): a member per admission (the
// admission's random id, the same in every counter it counts against), scored by its time in ms.
// One Lua script prunes, checks every counter and admits — Redis runs a script with nothing else
// in between, so concurrent calls from any number of replicas cannot both take a last slot. The
// time is Redis's own (`TIME`), read inside the script, so replicas whose clocks disagree still
// agree on every window. Each set gets PEXPIRE for its newest admission's window, so idle
// counters vanish. Releasing a ticket removes its member from each of its sets.
//
// Failing closed: commands are not queued while disconnected (they fail at once), not resent
// after a reconnect (an admission resent after its caller was denied would count twice… or be
// forwarded twice), and time out after `timeoutMs`. A script that times out on our side may still
// have run on Redis: that admission then counts without its call — the store errs towards
// counting, never towards admitting. The client reconnects by itself; calls are admitted again as
// soon as Redis answers.

import { createHash, randomUUID } from 'node:crypto';

import { Redis } from 'ioredis';

import type { Admission, AdmissionTicket, LimitClaim, LimitSubject } from '../../enforce/index.js';
import type { Logger } from '../log.js';
import { LimitStoreOpenError, LimitStoreUnavailable, messageOf, neverAdmits, newTicket, NO_CLAIMS_TICKET, planClaims, type LimitStore } from './limit-store.js';

export const REDIS_KEY_PREFIX = 'policyc:limit:';

/**
 * KEYS: the counters' sets. ARGV: the time in ms ('' to read Redis's clock), the admission's
 * member, then max and window_ms for each key. Returns {1, now} when admitted, or {0, i,
 * retry_after_ms} naming the first full counter (1-based). Semantics as in SlidingWindowLimiter:
 * an admission at t occupies [t, t + window); a counter is full when its max-th newest admission
 * is still inside the window, and has room again when that one leaves it.
 */
export const ADMIT_SCRIPT = `
if redis.replicate_commands then redis.replicate_commands() end
local now
if ARGV[1] == '' then
  local clock = redis.call('TIME')
  now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
else
  now = tonumber(ARGV[1])
end
for i = 1, #KEYS do
  local max = tonumber(ARGV[1 + 2 * i])
  local window = tonumber(ARGV[2 + 2 * i])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  local kept = redis.call('ZCARD', KEYS[i])
  if kept >= max then
    local blocking = redis.call('ZRANGE', KEYS[i], kept - max, kept - max, 'WITHSCORES')
    return {0, i, tonumber(blocking[2]) + window - now}
  end
end
for i = 1, #KEYS do
  local window = tonumber(ARGV[2 + 2 * i])
  local time = now
  local newest = redis.call('ZRANGE', KEYS[i], -1, -1, 'WITHSCORES')
  -- No earlier than the newest admission: a clock stepping back only makes admissions expire later.
  if newest[2] and tonumber(newest[2]) > time then time = tonumber(newest[2]) end
  redis.call('ZADD', KEYS[i], time, ARGV[2])
  redis.call('PEXPIRE', KEYS[i], time + window - now)
end
return {1, now}
`;
const ADMIT_SHA = createHash('sha1').update(ADMIT_SCRIPT).digest('hex');

export interface RedisLimitStoreOptions {
  /** A command Redis has not answered in this long fails, and the call is denied (default 1000 ms). */
  timeoutMs?: number;
  /** How long to try to reach Redis at start before giving up (default 5000 ms). */
  connectTimeoutMs?: number;
  log?: Logger;
}

interface Hold {
  keys: string[];
  member: string;
}

export class RedisLimitStore implements LimitStore {
  readonly description: string;
  readonly #redis: Redis;
  readonly #timeoutMs: number;
  readonly #holds = new WeakMap<AdmissionTicket, Hold>();
  #lastError: string | undefined;

  private constructor(redis: Redis, description: string, timeoutMs: number) {
    this.#redis = redis;
    this.description = description;
    this.#timeoutMs = timeoutMs;
  }

  /** Connects and loads the script; a server that cannot be reached or run it is refused at start. */
  static async open(url: string, options: RedisLimitStoreOptions = {}): Promise<RedisLimitStore> {
    const description = `redis ${describeUrl(url)}`;
    const timeoutMs = Math.max(1, Math.floor(options.timeoutMs ?? 1000));
    const redis = new Redis(url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      commandTimeout: timeoutMs,
      connectTimeout: Math.max(timeoutMs, 1000),
      // Reconnect for ever, soon: while Redis is away every limited call is denied.
      retryStrategy: (attempt: number) => Math.min(100 * attempt, 1000),
    });
    const store = new RedisLimitStore(redis, description, timeoutMs);
    store.#watch(options.log);
    try {
      await withDeadline(redis.connect(), options.connectTimeoutMs ?? 5000, 'no connection');
      await redis.script('LOAD', ADMIT_SCRIPT);
    } catch (error) {
      redis.disconnect();
      throw new LimitStoreOpenError(`cannot use ${description} for rate limits: ${store.#lastError ?? messageOf(error)}`);
    }
    return store;
  }

  async tryAdmit(claims: readonly LimitClaim[], who: LimitSubject, nowMs?: number): Promise<Admission> {
    if (claims.length === 0) return { admitted: true, ticket: NO_CLAIMS_TICKET };
    const plan = planClaims(claims, who);
    if (plan.kind === 'never') return neverAdmits(plan.claim);
    const keys = plan.counters.map((planned) => REDIS_KEY_PREFIX + planned.counter);
    const member = randomUUID();
    const args = [nowMs === undefined ? '' : String(Math.floor(nowMs)), member, ...plan.counters.flatMap((planned) => [String(planned.max), String(planned.windowMs)])];
    const reply = await this.#run(keys, args);
    if (reply[0] === 1) {
      const ticket = newTicket(claims, reply[1] ?? 0);
      this.#holds.set(ticket, { keys, member });
      return { admitted: true, ticket };
    }
    const full = plan.counters[(reply[1] ?? 0) - 1];
    if (!full || reply[2] === undefined) throw this.#unavailable(`unexpected answer from the admission script: ${JSON.stringify(reply)}`);
    return { admitted: false, claim: full.claim, retryAfterMs: reply[2] };
  }

  async release(ticket: AdmissionTicket): Promise<void> {
    const hold = this.#holds.get(ticket);
    if (!hold) return;
    this.#holds.delete(ticket);
    try {
      await Promise.all(hold.keys.map((key) => this.#redis.zrem(key, hold.member)));
    } catch (error) {
      throw this.#unavailable(this.#explain(error));
    }
  }

  async close(): Promise<void> {
    if (this.#redis.status === 'end') return;
    try {
      await withDeadline(this.#redis.quit(), this.#timeoutMs, 'no answer to QUIT');
    } catch {
      // Closing either way.
    }
    this.#redis.disconnect();
  }

  async #run(keys: string[], args: string[]): Promise<number[]> {
    let reply: unknown;
    try {
      try {
        reply = await this.#redis.evalsha(ADMIT_SHA, keys.length, ...keys, ...args);
      } catch (error) {
        // A restarted Redis has forgotten its scripts; NOSCRIPT means nothing ran.
        if (!messageOf(error).startsWith('NOSCRIPT')) throw error;
        reply = await this.#redis.eval(ADMIT_SCRIPT, keys.length, ...keys, ...args);
      }
    } catch (error) {
      throw this.#unavailable(this.#explain(error));
    }
    if (!Array.isArray(reply) || !reply.every((item) => typeof item === 'number' && Number.isFinite(item))) {
      throw this.#unavailable(`unexpected answer from the admission script: ${JSON.stringify(reply)}`);
    }
    return reply as number[];
  }

  #explain(error: unknown): string {
    const message = messageOf(error);
    if (/timed out/i.test(message)) return `no answer within ${this.#timeoutMs} ms`;
    // ioredis's words for "the socket is gone", which can come before its status says so.
    if (this.#redis.status !== 'ready' || /Stream isn't writeable|Connection is closed/i.test(message)) {
      return `not connected${this.#lastError ? ` (${this.#lastError})` : ''}`;
    }
    return message;
  }

  #unavailable(why: string): LimitStoreUnavailable {
    return new LimitStoreUnavailable(`${this.description}: ${why}`);
  }

  /** Tells the operator once when Redis goes away and once when it is back, not at every retry. */
  #watch(log: Logger | undefined): void {
    let lost = false;
    let wasReady = false;
    this.#redis.on('error', (error: unknown) => {
      this.#lastError = messageOf(error);
    });
    this.#redis.on('ready', () => {
      this.#lastError = undefined;
      if (lost) log?.info(`reconnected to ${this.description}; rate-limited calls are admitted again`);
      lost = false;
      wasReady = true;
    });
    this.#redis.on('close', () => {
      if (!wasReady || lost) return;
      lost = true;
      log?.error(`lost the connection to ${this.description}; calls under a rate limit are denied until it is back`);
    });
  }
}

/** host:port/db, without the password. */
function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const db = parsed.pathname.replace(/^\//, '') || '0';
    return `${parsed.hostname || 'localhost'}:${parsed.port || '6379'}/${db}`;
  } catch {
    return '(bad URL)';
  }
}

async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
