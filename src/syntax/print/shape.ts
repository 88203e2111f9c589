// What a model says, without where it says it: the model with every span, the file name and the
// spelling left out, as plain data. Two texts that mean the same policy have equal shapes, which
// is what `fmt` checks its output against and what the printers' tests compare.

import type { JsonValue } from '../../model/json.js';
import type { PolicyModel } from '../../model/policy.js';

/** Keys that say where or in which spelling, not what. */
const POSITION_KEYS = new Set(['span', 'effectSpan', 'maxSpan', 'nameSpan', 'file', 'syntax', 'appliesTo']);

/** A JSON value as data, with -0 kept apart from 0 (JSON.stringify would merge them). */
function literalShape(value: JsonValue): unknown {
  if (typeof value === 'number' && Object.is(value, -0)) return { negativeZero: true };
  if (Array.isArray(value)) return value.map(literalShape);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, literalShape(item)]));
  return value;
}

function isLiteralNode(value: object): value is { value: JsonValue; span: unknown } {
  const keys = Object.keys(value);
  return keys.length === 2 && keys.includes('value') && keys.includes('span');
}

function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shape);
  // NaN (a window that is not a duration) would print as null and equal a missing value.
  if (typeof value === 'number' && !Number.isFinite(value)) return { number: String(value) };
  if (value === null || typeof value !== 'object') return value;
  if (isLiteralNode(value)) return { value: literalShape(value.value) };
  const out: Record<string, unknown> = {};
  // Sorted keys: the front ends fill a node's fields in different orders.
  for (const [key, item] of Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (POSITION_KEYS.has(key)) continue;
    // Whether `by …` was written at all is part of the text; where it was is not.
    if (key === 'bySpan') out['byWritten'] = true;
    else out[key] = shape(item);
  }
  return out;
}

export function modelShape(model: PolicyModel): unknown {
  const shaped = shape(model) as { suppressions: unknown[] };
  // Suppressions are listed in comment order, which says nothing about what they cover.
  shaped.suppressions = shaped.suppressions.map((item) => JSON.stringify(item)).sort();
  return shaped;
}

/** Whether two models say the same thing, statement for statement. */
export function sameModel(a: PolicyModel, b: PolicyModel): boolean {
  return JSON.stringify(modelShape(a)) === JSON.stringify(modelShape(b));
}
