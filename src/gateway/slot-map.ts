/**
 * A Map for what a session has in flight, which mostly holds one entry at a time: the first entry
 * lives in fields of its own and a Map holds the rest. A plain Map that fills and empties on every
 * call reallocates its table each time (V8 shrinks it when the last entry goes), and once the Map
 * has moved to the old generation so does each new table — under load, a fifth of the gateway's
 * promoted garbage came from three such Maps (bench/README.md).
 *
 * Keys compare as a Map's do (SameValueZero). Iteration visits every entry once, the one in the
 * slot first: not insertion order, which nothing here relies on.
 */
export class SlotMap<K, V> {
  #slotFull = false;
  #slotKey: K | undefined;
  #slotValue: V | undefined;
  /** Created when a second entry first comes, and kept for the session's life. */
  #rest: Map<K, V> | undefined;

  get size(): number {
    return (this.#slotFull ? 1 : 0) + (this.#rest?.size ?? 0);
  }

  has(key: K): boolean {
    return (this.#slotFull && sameValueZero(this.#slotKey, key)) || (this.#rest?.has(key) ?? false);
  }

  get(key: K): V | undefined {
    if (this.#slotFull && sameValueZero(this.#slotKey, key)) return this.#slotValue;
    return this.#rest?.get(key);
  }

  set(key: K, value: V): this {
    if (this.#slotFull && sameValueZero(this.#slotKey, key)) {
      this.#slotValue = value;
    } else if (!this.#slotFull && !(this.#rest?.has(key) ?? false)) {
      this.#slotFull = true;
      this.#slotKey = key;
      this.#slotValue = value;
    } else {
      (this.#rest ??= new Map()).set(key, value);
    }
    return this;
  }

  delete(key: K): boolean {
    if (this.#slotFull && sameValueZero(this.#slotKey, key)) {
      this.#slotFull = false;
      this.#slotKey = this.#slotValue = undefined;
      return true;
    }
    return this.#rest?.delete(key) ?? false;
  }

  clear(): void {
    this.#slotFull = false;
    this.#slotKey = this.#slotValue = undefined;
    this.#rest?.clear();
  }

  *entries(): IterableIterator<[K, V]> {
    if (this.#slotFull) yield [this.#slotKey as K, this.#slotValue as V];
    if (this.#rest !== undefined) yield* this.#rest.entries();
  }

  *keys(): IterableIterator<K> {
    for (const [key] of this.entries()) yield key;
  }

  *values(): IterableIterator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries();
  }
}

function sameValueZero(a: unknown, b: unknown): boolean {
  return a === b || (a !== a && b !== b);
}
