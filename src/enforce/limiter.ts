// Rate limits as sliding windows (SPEC §2.5): at most `max` admitted calls in any window of
// `window_ms`, not per calendar minute. An admission at time t occupies its counter during
// [t, t + window_ms). Each counter keeps the times of its last `max` admissions in a ring, so a
// check is O(1): there is room when fewer than `max` are kept or the oldest kept one has expired.
//
// Counters are keyed by the claim's `key` (a fingerprint of what the limit belongs to, stable
// across hot reloads that renumber rule ids) and its scope, so the gateway keeps one limiter for
// its lifetime and hands it every PreparedPolicy in turn. Time is an argument: no clock here.

import type { LimitClaim } from './types.js';

/** Who a call counts against: `by identity` counts per caller, `by session` per MCP session. */
export interface LimitSubject {
  identity: string;
  session: string;
}

/** Proof of an admission, to give the quota back when the call is cancelled or fails upstream. */
export interface AdmissionTicket {
  readonly claims: readonly LimitClaim[];
  readonly admittedAt: number;
}

export type Admission =
  | { admitted: true; ticket: AdmissionTicket }
  | {
      admitted: false;
      /** The first claim, in the order given, that had no room. */
      claim: LimitClaim;
      /**
       * Milliseconds until that claim has room again (when its oldest admission in the window
       * expires); Infinity for a limit that can never admit (a max below 1, or a bad window).
       */
      retryAfterMs: number;
    };

export interface LimiterOptions {
  /**
   * Idle counters (every admission expired) are swept out after this many admissions, or after
   * as many admissions as counters were left by the last sweep if that is more: the sweep costs
   * O(1) amortised, and at most twice the counters with admissions inside their windows are kept
   * (plus this many).
   */
  sweepEvery?: number;
}

/**
 * The last admissions of one counter, oldest first, in a ring that grows up to `max`. A typed
 * array: a busy limit holds hundreds of thousands of times, which the garbage collector then
 * never has to look through or copy.
 */
interface Counter {
  times: Float64Array;
  start: number;
  size: number;
  max: number;
  windowMs: number;
}

interface Hold {
  counter: Counter;
  time: number;
}

/**
 * Where a ticket keeps what its release gives back: on the ticket itself, under a key only this
 * module knows. (A WeakMap keyed by tickets kept each one, and its holds, alive past every
 * young-generation collection until the next full one: under load, a fifth of everything the
 * gateway promoted to the old generation.) The box is emptied on release; the ticket stays frozen.
 */
const HOLDS = Symbol('holds');

interface HoldsBox {
  owner: SlidingWindowLimiter;
  holds: Hold[] | undefined;
}

type HeldTicket = AdmissionTicket & { readonly [HOLDS]?: HoldsBox };

const NO_CLAIMS_TICKET: AdmissionTicket = Object.freeze({ claims: Object.freeze([]), admittedAt: 0 });

function usableMax(max: number): number {
  return Number.isFinite(max) && max >= 1 ? Math.floor(max) : 0;
}

function usableWindow(windowMs: number): boolean {
  return Number.isFinite(windowMs) && windowMs > 0;
}

function counterKey(claim: LimitClaim, who: LimitSubject): string {
  switch (claim.by) {
    case 'identity':
      return `${claim.key}\u0000i\u0000${who.identity}`;
    case 'session':
      return `${claim.key}\u0000s\u0000${who.session}`;
    default:
      // `global`, and anything unexpected: one counter for everyone is the strictest reading.
      return `${claim.key}\u0000g`;
  }
}

function at(counter: Counter, index: number): number {
  return counter.times[(counter.start + index) % counter.times.length]!;
}

function newest(counter: Counter): number {
  return at(counter, counter.size - 1);
}

/** When the counter next has room, or `now` if it has room already. */
function roomAt(counter: Counter): number {
  return counter.size < counter.max ? Number.NEGATIVE_INFINITY : at(counter, 0) + counter.windowMs;
}

function push(counter: Counter, time: number): void {
  if (counter.size === counter.max) {
    // Full, and there was room: the oldest kept admission has expired and can go.
    counter.times[counter.start] = time;
    counter.start = (counter.start + 1) % counter.times.length;
    return;
  }
  if (counter.size === counter.times.length) grow(counter);
  counter.times[(counter.start + counter.size) % counter.times.length] = time;
  counter.size++;
}

/** Capacity doubles up to `max`, so a limit of 10000 per day costs memory only when used. */
function grow(counter: Counter): void {
  const capacity = Math.min(counter.max, Math.max(4, counter.times.length * 2));
  const times = new Float64Array(capacity);
  for (let i = 0; i < counter.size; i++) times[i] = at(counter, i);
  counter.times = times;
  counter.start = 0;
}

/** Removes one admission at `time` (the newest such), shifting later ones down. */
function remove(counter: Counter, time: number): void {
  for (let i = counter.size - 1; i >= 0; i--) {
    if (at(counter, i) !== time) continue;
    for (let j = i; j < counter.size - 1; j++) {
      counter.times[(counter.start + j) % counter.times.length] = at(counter, j + 1);
    }
    counter.size--;
    return;
  }
}

export class SlidingWindowLimiter {
  readonly #counters = new Map<string, Counter>();
  readonly #sweepEvery: number;
  #sinceSweep = 0;
  /** Admissions until the next sweep: fixed at each sweep, so the cost is O(1) amortised. */
  #sweepAfter: number;

  constructor(options: LimiterOptions = {}) {
    this.#sweepEvery = Math.max(1, Math.floor(options.sweepEvery ?? 1024));
    this.#sweepAfter = this.#sweepEvery;
  }

  /** Counters currently kept (for tests and metrics). */
  get size(): number {
    return this.#counters.size;
  }

  /**
   * Admits a call if every claim has room, and then counts it against all of them; otherwise
   * counts nothing and names the first claim without room. Two claims with the same counter
   * (two identical rules) count the call once.
   */
  tryAdmit(claims: readonly LimitClaim[], who: LimitSubject, nowMs: number): Admission {
    if (claims.length === 0) return { admitted: true, ticket: NO_CLAIMS_TICKET };
    const keys: string[] = [];
    const counters: Counter[] = [];
    for (const claim of claims) {
      const max = usableMax(claim.max);
      if (max === 0 || !usableWindow(claim.window_ms)) return { admitted: false, claim, retryAfterMs: Number.POSITIVE_INFINITY };
      const key = counterKey(claim, who);
      if (keys.includes(key)) continue;
      const counter = this.#existingCounter(key, max, claim.window_ms) ?? { times: new Float64Array(0), start: 0, size: 0, max, windowMs: claim.window_ms };
      const room = roomAt(counter);
      if (room > nowMs) return { admitted: false, claim, retryAfterMs: room - nowMs };
      keys.push(key);
      counters.push(counter);
    }

    // Counters are stored only now, so that refused calls leave nothing behind.
    const holds: Hold[] = [];
    counters.forEach((counter, i) => {
      if (counter.size === 0) this.#counters.set(keys[i] as string, counter);
      // Times stay in order even if the caller's clock steps back: the admission is recorded no
      // earlier than the newest one, which only ever makes it expire later.
      const time = counter.size > 0 ? Math.max(nowMs, newest(counter)) : nowMs;
      push(counter, time);
      holds.push({ counter, time });
    });
    const box: HoldsBox = { owner: this, holds };
    const ticket: HeldTicket = Object.freeze({ claims: Object.freeze([...claims]), admittedAt: nowMs, [HOLDS]: box });
    this.#afterAdmission(nowMs);
    return { admitted: true, ticket };
  }

  /** Gives an admission's quota back. Releasing a ticket twice, or a stranger's, does nothing. */
  release(ticket: AdmissionTicket): void {
    const box = (ticket as HeldTicket)[HOLDS];
    const holds = box?.owner === this ? box.holds : undefined;
    if (!box || !holds) return;
    box.holds = undefined;
    // An admission that already left its ring had expired: there is nothing left to give back.
    for (const hold of holds) remove(hold.counter, hold.time);
  }

  /** Drops counters whose admissions have all expired; returns how many went. */
  sweep(nowMs: number): number {
    let dropped = 0;
    for (const [key, counter] of this.#counters) {
      if (counter.size === 0 || newest(counter) + counter.windowMs <= nowMs) {
        this.#counters.delete(key);
        dropped++;
      }
    }
    this.#sinceSweep = 0;
    this.#sweepAfter = Math.max(this.#sweepEvery, this.#counters.size);
    return dropped;
  }

  #existingCounter(key: string, max: number, windowMs: number): Counter | undefined {
    const counter = this.#counters.get(key);
    if (counter !== undefined && (counter.max !== max || counter.windowMs !== windowMs)) {
      // Keys fingerprint the limit, so this happens only when a caller reuses a key for a
      // different limit: keep the newest admissions that still fit.
      reshape(counter, max, windowMs);
    }
    return counter;
  }

  #afterAdmission(nowMs: number): void {
    this.#sinceSweep++;
    if (this.#sinceSweep >= this.#sweepAfter) this.sweep(nowMs);
  }
}

function reshape(counter: Counter, max: number, windowMs: number): void {
  const from = Math.max(0, counter.size - max);
  const kept = new Float64Array(counter.size - from);
  for (let i = from; i < counter.size; i++) kept[i - from] = at(counter, i);
  counter.times = kept;
  counter.start = 0;
  counter.size = kept.length;
  counter.max = max;
  counter.windowMs = windowMs;
}
