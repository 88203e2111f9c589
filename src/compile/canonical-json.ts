// The one way policyc writes JSON files that people diff and CI compares byte for byte:
// keys sorted by UTF-16 code unit at every level (the same on every machine and locale), arrays
// in their order, two-space indentation, a final newline, -0 written as 0, undefined members
// left out. Anything JSON cannot hold exactly is an internal bug, so it throws rather than
// writing something that reads back differently.

import type { CompiledPolicy, PolicySourceMap } from '../model/compiled.js';

export function canonicalJson(value: unknown): string {
  // JSON.stringify writes the same text (two-space indentation, `"key": value`, `[]` and `{}`
  // when empty) many times faster once the keys are in order, which a sorted copy gives. What it
  // would write differently (keys that objects order as array indices, `__proto__`) or not refuse
  // (non-finite numbers, holes, other objects, cycles) goes to the writer below.
  const sorted = sortedCopy(value, 0);
  if (sorted !== UNSUITED) return `${JSON.stringify(sorted, null, 2)}\n`;
  return `${write(value, '', new Set())}\n`;
}

const UNSUITED: unique symbol = Symbol('unsuited');
/** Deeper than any policy; past it (a cycle, say) the writer decides. */
const MAX_COPY_DEPTH = 200;
const ARRAY_INDEX = /^(?:0|[1-9][0-9]*)$/;

/** The value with every object's keys inserted in code-unit order, or UNSUITED. */
function sortedCopy(value: unknown, depth: number): unknown {
  if (value === null) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? (Object.is(value, -0) ? 0 : value) : UNSUITED;
    case 'object':
      break;
    default:
      return UNSUITED;
  }
  if (depth > MAX_COPY_DEPTH) return UNSUITED;
  if (Array.isArray(value)) {
    const copy: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (item === undefined) return UNSUITED;
      const sortedItem = sortedCopy(item, depth + 1);
      if (sortedItem === UNSUITED) return UNSUITED;
      copy[i] = sortedItem;
    }
    return copy;
  }
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return UNSUITED;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  const copy: Record<string, unknown> = {};
  for (const key of keys) {
    const member = record[key];
    if (member === undefined) continue;
    if (key === '__proto__' || ARRAY_INDEX.test(key)) return UNSUITED;
    const sortedMember = sortedCopy(member, depth + 1);
    if (sortedMember === UNSUITED) return UNSUITED;
    copy[key] = sortedMember;
  }
  return copy;
}

export function formatPolicyJson(policy: CompiledPolicy): string {
  return canonicalJson(policy);
}

export function formatSourceMap(map: PolicySourceMap): string {
  return canonicalJson(map);
}

const INDENT = '  ';

function write(value: unknown, indent: string, ancestors: Set<object>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`internal: ${value} cannot be written as JSON`);
      return Object.is(value, -0) ? '0' : JSON.stringify(value);
    case 'object':
      return writeContainer(value, indent, ancestors);
    default:
      throw new TypeError(`internal: a ${typeof value} cannot be written as JSON`);
  }
}

function writeContainer(value: object, indent: string, ancestors: Set<object>): string {
  if (ancestors.has(value)) throw new TypeError('internal: a value that contains itself cannot be written as JSON');
  const inner = indent + INDENT;
  ancestors.add(value);
  try {
    if (Array.isArray(value)) {
      if (value.length === 0) return '[]';
      const items = value.map((item: unknown) => {
        if (item === undefined) throw new TypeError('internal: an array element is undefined');
        return inner + write(item, inner, ancestors);
      });
      return `[\n${items.join(',\n')}\n${indent}]`;
    }
    const prototype = Object.getPrototypeOf(value) as unknown;
    if (prototype !== Object.prototype && prototype !== null) {
      throw new TypeError(`internal: a ${value.constructor.name} cannot be written as JSON`);
    }
    const record = value as Record<string, unknown>;
    // Array.prototype.sort without a comparator compares UTF-16 code units: locale-independent.
    const keys = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort();
    if (keys.length === 0) return '{}';
    const members = keys.map((key) => `${inner}${JSON.stringify(key)}: ${write(record[key], inner, ancestors)}`);
    return `{\n${members.join(',\n')}\n${indent}}`;
  } finally {
    ancestors.delete(value);
  }
}
