// The one way policyc writes JSON files that people diff and CI compares byte for byte:
// keys sorted by UTF-16 code unit at every level (the same on every machine and locale), arrays
// in their order, two-space indentation, a final newline, -0 written as 0, undefined members
// left out. Anything JSON cannot hold exactly is an internal bug, so it throws rather than
// writing something that reads back differently.

import type { CompiledPolicy, PolicySourceMap } from '../model/compiled.js';

export function canonicalJson(value: unknown): string {
  return `${write(value, '', new Set())}\n`;
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
