// Where rate-limit counters live (SPEC §6): in the process, in a SQLite file that outlives it and
// that several gateways on one machine share, or in Redis that gateway replicas share. Each store
// gives the same answers as the in-process SlidingWindowLimiter (src/enforce/limiter.ts) — the
// same windows, the same atomicity across claims, the same retry times — and each is exact under
// concurrency: a check and the admission it allows happen in one step that nothing else can
// interleave with (one JS turn, one SQLite write transaction, one Redis script).
//
// A store that fails or does not answer rejects with LimitStoreUnavailable; the gate then denies
// the call. Never admitted on a guess.

import type { Admission, AdmissionTicket, LimitClaim, LimitSubject } from '../../enforce/index.js';

export type { Admission, AdmissionTicket, LimitSubject } from '../../enforce/index.js';

export interface LimitStore {
  /** `memory`, `sqlite FILE`, `redis HOST:PORT/DB`: for log lines and messages. */
  readonly description: string;
  /**
   * Admits a call if every claim has room, and then counts it against all of them; otherwise
   * counts nothing and names the first claim without room. `nowMs` is for tests: without it the
   * memory and SQLite stores read this machine's clock, and Redis its own (so replicas with
   * skewed clocks agree). Rejects with LimitStoreUnavailable when the store cannot answer.
   */
  tryAdmit(claims: readonly LimitClaim[], who: LimitSubject, nowMs?: number): Promise<Admission>;
  /**
   * The same answer at once, for a store that needs no I/O (the in-process one): the gate then
   * decides, counts and records a call in one synchronous step. Throws LimitStoreUnavailable.
   */
  tryAdmitNow?(claims: readonly LimitClaim[], who: LimitSubject, nowMs?: number): Admission;
  /** Gives an admission's quota back; a ticket released twice, or a stranger's, does nothing. */
  release(ticket: AdmissionTicket): Promise<void>;
  close(): Promise<void>;
}

/** The store could not answer (an error, a lost connection, a timeout): the call is denied. */
export class LimitStoreUnavailable extends Error {
  override readonly name = 'LimitStoreUnavailable';
}

/** A store could not be opened at start (bad file, unreachable server): the gateway does not start. */
export class LimitStoreOpenError extends Error {
  override readonly name = 'LimitStoreOpenError';
}

/** One counter a call is checked against: a claim, under its scope, for this caller or session. */
export interface CounterPlan {
  claim: LimitClaim;
  /** Unique per limit and subject; the same for every gateway sharing the store. */
  counter: string;
  max: number;
  windowMs: number;
}

export type ClaimPlan =
  | { kind: 'counters'; counters: CounterPlan[] }
  /** A claim that can never admit (max below 1, a bad window): refused without asking the store. */
  | { kind: 'never'; claim: LimitClaim };

/**
 * The distinct counters a call needs, in the order of its claims. Two claims with the same
 * counter (two identical rules) count the call once, as in the in-process limiter. A claim that
 * can never admit refuses the call whatever the other counters say (the in-process limiter would
 * name a full counter before it, if one came first; both reasons are true, and this one says
 * that retrying will not help).
 */
export function planClaims(claims: readonly LimitClaim[], who: LimitSubject): ClaimPlan {
  const counters: CounterPlan[] = [];
  for (const claim of claims) {
    const max = Number.isFinite(claim.max) && claim.max >= 1 ? Math.floor(claim.max) : 0;
    if (max === 0 || !Number.isFinite(claim.window_ms) || claim.window_ms <= 0) return { kind: 'never', claim };
    const counter = counterName(claim, who);
    if (counters.some((planned) => planned.counter === counter)) continue;
    counters.push({ claim, counter, max, windowMs: Math.ceil(claim.window_ms) });
  }
  return { kind: 'counters', counters };
}

export function neverAdmits(claim: LimitClaim): Admission {
  return { admitted: false, claim, retryAfterMs: Number.POSITIVE_INFINITY };
}

/** The ticket of a call without claims: nothing is kept, nothing to give back. */
export const NO_CLAIMS_TICKET: AdmissionTicket = Object.freeze({ claims: Object.freeze([]), admittedAt: 0 });

export function newTicket(claims: readonly LimitClaim[], admittedAt: number): AdmissionTicket {
  return Object.freeze({ claims: Object.freeze([...claims]), admittedAt });
}

/**
 * A printable name: JSON of [limit key, scope, subject], so no identity or session id can make
 * two counters collide, and it is safe as a SQLite text value and a Redis key.
 */
function counterName(claim: LimitClaim, who: LimitSubject): string {
  switch (claim.by) {
    case 'identity':
      return JSON.stringify([claim.key, 'identity', who.identity]);
    case 'session':
      return JSON.stringify([claim.key, 'session', who.session]);
    default:
      // `global`, and anything unexpected: one counter for everyone is the strictest reading.
      return JSON.stringify([claim.key, 'global']);
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
