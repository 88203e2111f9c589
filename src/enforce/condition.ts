// Conditions: a `when` tree compiled once into a closure that answers TRUE, FALSE or ERROR
// (SPEC §2.4). The same closure serves `decide` (no sink: nothing is allocated, no message is
// built) and `explain` (with a sink: the message says why the condition could not be evaluated).
//
// Path lookup treats the call's arguments as untrusted data: it reads own properties only, so a
// `__proto__` or `constructor` key is plain data and never reaches Object.prototype; it descends
// only into plain objects (arrays are not indexed); a non-finite number is an error, not a value;
// `matches` tests strings of at most MAX_MATCHES_LENGTH characters.

import type { CompareOp, Condition } from '../model/condition.js';
import { jsonTypeOf, type JsonObject, type JsonType } from '../model/json.js';
import type { ConditionValue } from './types.js';

export const FALSE = 0;
export const TRUE = 1;
export const ERROR = 2;
/** A three-valued answer: FALSE, TRUE or ERROR. Numbers, so the hot path never allocates. */
export type Tri = typeof FALSE | typeof TRUE | typeof ERROR;

/** Where `explain` collects the reason a condition errored; `decide` passes none. */
export interface ErrorSink {
  error: string;
}

export type CompiledCondition = (args: JsonObject, sink: ErrorSink | undefined) => Tri;

export function triToValue(tri: Tri): ConditionValue {
  return tri === TRUE ? true : tri === FALSE ? false : 'error';
}

// --- path lookup ----------------------------------------------------------------------------

const NOT_FOUND: unique symbol = Symbol('not found');

const hasOwn = Object.prototype.hasOwnProperty;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The value at `path`, or NOT_FOUND when some step is missing or is not a plain object. */
function lookup(args: unknown, path: readonly string[]): unknown {
  let current: unknown = args;
  for (let i = 0; i < path.length; i++) {
    if (!isPlainObject(current)) return NOT_FOUND;
    const key = path[i] as string;
    if (!hasOwn.call(current, key)) return NOT_FOUND;
    current = current[key];
    if (current === undefined) return NOT_FOUND;
  }
  return current;
}

function pathText(path: readonly string[], length = path.length): string {
  return length === 0 ? 'the arguments' : path.slice(0, length).join('.');
}

function typePhrase(type: JsonType | undefined): string {
  switch (type) {
    case 'null':
      return 'null';
    case 'array':
      return 'an array';
    case 'object':
      return 'an object';
    case undefined:
      return 'not a JSON value';
    default:
      return `a ${type}`;
  }
}

/** Why lookup(args, path) found nothing: re-walks the path, only when a message is wanted. */
function lookupFailure(args: unknown, path: readonly string[]): string {
  let current: unknown = args;
  for (let i = 0; i < path.length; i++) {
    if (!isPlainObject(current)) {
      const where = i === 0 ? 'the arguments are' : `${pathText(path, i)} is`;
      if (Array.isArray(current)) return `${where} an array; a path does not index into arrays (${path.join('.')})`;
      return `${where} ${valuePhrase(current)}, not an object (${path.join('.')})`;
    }
    const key = path[i] as string;
    if (!hasOwn.call(current, key) || current[key] === undefined) return `${pathText(path, i + 1)} is missing`;
    current = current[key];
  }
  return `${pathText(path)} is missing`;
}

function valuePhrase(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) return 'a non-finite number';
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return 'an object of a non-JSON kind';
  return typePhrase(jsonTypeOf(value));
}

// --- equality -------------------------------------------------------------------------------

const NOT_JSON = 2;

/** JSON deep equality: 1 equal, 0 different, NOT_JSON when a nested value is not JSON data. */
function deepEqual(a: unknown, b: unknown): 0 | 1 | typeof NOT_JSON {
  const ta = jsonTypeOf(a);
  const tb = jsonTypeOf(b);
  if (ta === undefined || tb === undefined) return NOT_JSON;
  if (ta !== tb) return 0;
  if (ta === 'array') {
    const xs = a as unknown[];
    const ys = b as unknown[];
    if (xs.length !== ys.length) return 0;
    let result: 0 | 1 | typeof NOT_JSON = 1;
    for (let i = 0; i < xs.length; i++) {
      const r = deepEqual(xs[i], ys[i]);
      if (r === NOT_JSON) return NOT_JSON;
      if (r === 0) result = 0;
    }
    return result;
  }
  if (ta === 'object') {
    if (!isPlainObject(a) || !isPlainObject(b)) return NOT_JSON;
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return 0;
    let result: 0 | 1 | typeof NOT_JSON = 1;
    for (const key of keys) {
      if (!hasOwn.call(b, key)) return 0;
      const r = deepEqual(a[key], b[key]);
      if (r === NOT_JSON) return NOT_JSON;
      if (r === 0) result = 0;
    }
    return result;
  }
  return a === b ? 1 : 0;
}

// --- compiling ------------------------------------------------------------------------------

function fail(sink: ErrorSink | undefined, message: () => string): Tri {
  if (sink) sink.error = message();
  return ERROR;
}

const compiledCache = new WeakMap<object, CompiledCondition>();

/**
 * Compiles a condition tree into a closure. Never throws: a malformed node (not a condition
 * policyc writes) compiles to a closure that always errors, which rule 4 turns into "deny rules
 * apply, allow and approve rules do not" — closed, whatever the damage.
 */
export function compileCondition(condition: Condition): CompiledCondition {
  if (typeof condition === 'object' && condition !== null) {
    const cached = compiledCache.get(condition);
    if (cached) return cached;
    const compiled = compileNode(condition as unknown);
    compiledCache.set(condition, compiled);
    return compiled;
  }
  return compileNode(condition as unknown);
}

function malformed(why: string): CompiledCondition {
  const message = `the condition is malformed: ${why}`;
  return (_args, sink) => fail(sink, () => message);
}

function compileNode(node: unknown): CompiledCondition {
  if (!isPlainObject(node)) return malformed(`expected an object, found ${valuePhrase(node)}`);
  if (hasOwn.call(node, 'and')) return compileJunction('and', node['and']);
  if (hasOwn.call(node, 'or')) return compileJunction('or', node['or']);
  if (hasOwn.call(node, 'not')) return compileNot(compileNode(node['not']));
  const op = node['op'];
  const path = node['path'];
  if (typeof op !== 'string') return malformed('a node has neither and, or, not nor op');
  if (!Array.isArray(path) || !path.every((segment): segment is string => typeof segment === 'string')) {
    return malformed(`the path of an ${op} test is not a list of keys`);
  }
  const value = node['value'];
  switch (op) {
    case '==':
    case '!=':
      return compileEquality(op, path, value);
    case '<':
    case '<=':
    case '>':
    case '>=':
      return compileOrdering(op, path, value);
    case 'in':
    case 'not_in': {
      if (!Array.isArray(value)) return malformed(`the value of an ${op} test is not a list`);
      const membership = compileIn(path, value as unknown[]);
      return op === 'in' ? membership : compileNot(membership);
    }
    case 'matches':
      return compileMatches(path, value);
    case 'exists':
      return (args) => (lookup(args, path) === NOT_FOUND ? FALSE : TRUE);
    default:
      return malformed(`unknown operator ${JSON.stringify(op)}`);
  }
}

function compileJunction(kind: 'and' | 'or', operands: unknown): CompiledCondition {
  if (!Array.isArray(operands)) return malformed(`${kind} does not hold a list`);
  const tests = operands.map(compileNode);
  // `and` is decided by the first FALSE and `or` by the first TRUE, whatever errors stand
  // beside them (SPEC §2.4, in either order); otherwise an error spreads.
  const decisive: Tri = kind === 'and' ? FALSE : TRUE;
  const neutral: Tri = kind === 'and' ? TRUE : FALSE;
  return (args, sink) => {
    let result: Tri = neutral;
    let firstError = '';
    for (let i = 0; i < tests.length; i++) {
      const r = (tests[i] as CompiledCondition)(args, sink);
      if (r === decisive) return decisive;
      if (r === ERROR && result !== ERROR) {
        result = ERROR;
        if (sink) firstError = sink.error;
      }
    }
    // An operand that did not decide may have left its own message behind; report the first
    // operand that made the whole expression an error.
    if (result === ERROR && sink) sink.error = firstError;
    return result;
  };
}

function compileNot(test: CompiledCondition): CompiledCondition {
  return (args, sink) => {
    const r = test(args, sink);
    return r === ERROR ? ERROR : r === TRUE ? FALSE : TRUE;
  };
}

/**
 * Reads a path and checks that the value is JSON data. Returns the value, or NOT_FOUND after
 * writing the reason to the sink.
 */
function read(args: JsonObject, path: readonly string[], sink: ErrorSink | undefined): unknown {
  const value = lookup(args, path);
  if (value === NOT_FOUND) {
    if (sink) sink.error = lookupFailure(args, path);
    return NOT_FOUND;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) {
    if (sink) sink.error = `${pathText(path)} is not a finite number`;
    return NOT_FOUND;
  }
  return value;
}

function mismatch(path: readonly string[], actual: JsonType | undefined, literal: JsonType | undefined): string {
  return `${pathText(path)} is ${typePhrase(actual)}, compared with ${typePhrase(literal)}`;
}

function compileEquality(op: '==' | '!=', path: readonly string[], literal: unknown): CompiledCondition {
  const literalType = jsonTypeOf(literal);
  if (literalType === undefined) return malformed(`the value compared with ${pathText(path)} is not JSON data`);
  const primitive = literalType !== 'array' && literalType !== 'object';
  const same: Tri = op === '==' ? TRUE : FALSE;
  const different: Tri = op === '==' ? FALSE : TRUE;
  return (args, sink) => {
    const value = read(args, path, sink);
    if (value === NOT_FOUND) return ERROR;
    const valueType = jsonTypeOf(value);
    if (valueType !== literalType) return fail(sink, () => mismatch(path, valueType, literalType));
    if (primitive) return value === literal ? same : different;
    const r = deepEqual(value, literal);
    if (r === NOT_JSON) return fail(sink, () => `${pathText(path)} holds a value that is not JSON data`);
    return r === 1 ? same : different;
  };
}

function compileOrdering(op: Exclude<CompareOp, '==' | '!='>, path: readonly string[], literal: unknown): CompiledCondition {
  const literalType = jsonTypeOf(literal);
  if (literalType !== 'number' && literalType !== 'string') {
    return malformed(`${op} compares numbers or strings, but the value compared with ${pathText(path)} is ${typePhrase(literalType)}`);
  }
  const bound = literal as number | string;
  const compare = ORDERINGS[op];
  return (args, sink) => {
    const value = read(args, path, sink);
    if (value === NOT_FOUND) return ERROR;
    if (typeof value !== literalType) return fail(sink, () => mismatch(path, jsonTypeOf(value), literalType));
    return compare(value as number | string, bound) ? TRUE : FALSE;
  };
}

// Strings compare by UTF-16 code units, which is what JavaScript's < does on two strings.
const ORDERINGS: Record<'<' | '<=' | '>' | '>=', (a: number | string, b: number | string) => boolean> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

/** `x in [a, b]` is `x == a or x == b`: TRUE on any match, else ERROR if any pair errs. */
function compileIn(path: readonly string[], literals: readonly unknown[]): CompiledCondition {
  const entries = literals.map((literal) => ({ literal, type: jsonTypeOf(literal) }));
  if (entries.some((entry) => entry.type === undefined)) return malformed(`a value in the list for ${pathText(path)} is not JSON data`);
  if (entries.length === 0) return () => FALSE;
  return (args, sink) => {
    const value = read(args, path, sink);
    if (value === NOT_FOUND) return ERROR;
    const valueType = jsonTypeOf(value);
    let errorAt = -1;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i] as { literal: unknown; type: JsonType };
      if (entry.type !== valueType) {
        if (errorAt < 0) errorAt = i;
        continue;
      }
      const r = entry.type === 'array' || entry.type === 'object' ? deepEqual(value, entry.literal) : value === entry.literal ? 1 : 0;
      if (r === 1) return TRUE;
      if (r === NOT_JSON && errorAt < 0) errorAt = i;
    }
    if (errorAt < 0) return FALSE;
    return fail(sink, () => {
      const entry = entries[errorAt] as { type: JsonType };
      return entry.type === valueType
        ? `${pathText(path)} holds a value that is not JSON data`
        : mismatch(path, valueType, entry.type);
    });
  };
}

/**
 * The longest string `matches` tests. JavaScript's regular expressions backtrack: a pattern that
 * is quadratic or worse in the length of its input would let one long argument stall the gateway,
 * which decides every caller's calls on one thread. A longer string makes the test an error
 * (deny rules apply, allow rules do not). Exponential patterns are lint's to find (`slow-regex`).
 */
export const MAX_MATCHES_LENGTH = 1024;

function compileMatches(path: readonly string[], pattern: unknown): CompiledCondition {
  if (typeof pattern !== 'string') return malformed(`the pattern for ${pathText(path)} is not a string`);
  let regex: RegExp;
  try {
    // Checked on its own first: wrapping an invalid pattern such as `a)|(b` would make it valid
    // and no longer anchored.
    new RegExp(pattern, 'u');
    regex = new RegExp(`^(?:${pattern})$`, 'u');
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    const message = `the pattern ${JSON.stringify(pattern)} is not a valid regular expression (${why})`;
    return (_args, sink) => fail(sink, () => message);
  }
  return (args, sink) => {
    const value = read(args, path, sink);
    if (value === NOT_FOUND) return ERROR;
    if (typeof value !== 'string') return fail(sink, () => `${pathText(path)} is ${typePhrase(jsonTypeOf(value))}; matches needs a string`);
    if (value.length > MAX_MATCHES_LENGTH) return fail(sink, () => `${pathText(path)} is ${value.length} characters long; matches tests at most ${MAX_MATCHES_LENGTH}`);
    return regex.test(value) ? TRUE : FALSE;
  };
}

/**
 * The value of a condition on a call's arguments, and why it could not be evaluated. The
 * arguments are taken as given: normalise them first (`normalizeArgs`) to see what a rule sees.
 */
export function evaluateCondition(condition: Condition, args: JsonObject): { value: ConditionValue; error?: string } {
  const sink: ErrorSink = { error: '' };
  const tri = compileCondition(condition)(args, sink);
  return tri === ERROR ? { value: 'error', error: sink.error || 'the condition could not be evaluated' } : { value: tri === TRUE };
}

