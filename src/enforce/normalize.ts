// Normalisation: the Futu server upper-cases enum strings before acting on them, so `trd_env:
// "real"` places a REAL order. Conditions must compare what the server will act on, and the
// gateway forwards exactly what was checked, so both read the arguments through this function.

import type { Normalisation } from '../catalog/types.js';
import type { JsonObject, JsonValue } from '../model/json.js';

/** One argument to normalise: a top-level key of the arguments object and its transformation. */
export interface NormaliseStep {
  readonly key: string;
  readonly transform: (text: string) => string;
}

const TRANSFORMS: Record<Normalisation, (text: string) => string> = {
  // Locale-independent on purpose: the server's case mapping does not depend on our locale.
  upper: (text) => text.toUpperCase(),
  lower: (text) => text.toLowerCase(),
  trim: (text) => text.trim(),
};

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * The steps for a set of `normalize` maps, later maps adding to earlier ones (the top-level
 * entry, then the identity's). An unknown transformation is an internal error: the compiler
 * writes only those of the catalogue's vocabulary.
 */
export function normaliseSteps(maps: readonly (Record<string, Normalisation> | undefined)[]): readonly NormaliseStep[] {
  const merged = new Map<string, Normalisation>();
  for (const map of maps) {
    if (!map) continue;
    for (const [key, how] of Object.entries(map)) merged.set(key, how);
  }
  return [...merged].map(([key, how]) => {
    const transform = hasOwn.call(TRANSFORMS, how) ? TRANSFORMS[how] : undefined;
    if (!transform) throw new Error(`policy.json: unknown normalisation ${JSON.stringify(how)} for argument ${key}`);
    return { key, transform };
  });
}

function normaliseValue(value: JsonValue, transform: (text: string) => string): JsonValue {
  if (typeof value === 'string') return transform(value);
  if (!Array.isArray(value)) return value;
  let copy: JsonValue[] | undefined;
  for (let i = 0; i < value.length; i++) {
    const item = value[i] as JsonValue;
    if (typeof item !== 'string') continue;
    const changed = transform(item);
    if (changed === item) continue;
    copy ??= value.slice();
    copy[i] = changed;
  }
  return copy ?? value;
}

/**
 * The arguments with every listed string (or array of strings) transformed. Returns `args`
 * itself when nothing changes, so the common call allocates nothing; otherwise a shallow copy.
 */
export function applyNormalisation(steps: readonly NormaliseStep[], args: JsonObject): JsonObject {
  // Arguments that are not an object (MCP makes them optional) have nothing to normalise; the
  // conditions then find every path missing, which fails closed.
  if (steps.length === 0 || typeof args !== 'object' || args === null) return args;
  let copy: JsonObject | undefined;
  for (const step of steps) {
    if (!hasOwn.call(args, step.key)) continue;
    const value = args[step.key] as JsonValue;
    const changed = normaliseValue(value, step.transform);
    if (changed === value) continue;
    // Spread copies own keys as data, `__proto__` included; defineProperty writes one without
    // ever invoking the Object.prototype setter.
    copy ??= { ...args };
    Object.defineProperty(copy, step.key, { value: changed, writable: true, enumerable: true, configurable: true });
  }
  return copy ?? args;
}
