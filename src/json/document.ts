// Strict JSON (RFC 8259) with a position for every value and key, for the files policyc reads
// as JSON: a compiled policy.json, its source map, a catalogue. `JSON.parse` gives no positions
// and silently keeps the last of two equal keys; a YAML parser accepts far more than JSON. Here a
// duplicate key is an error (two `"default"` members are a known way to show a reviewer one
// value and the enforcer another), and so is anything that is not JSON.

import { report } from '../diagnostics/codes.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceText } from '../diagnostics/source.js';
import type { JsonObject, JsonValue } from '../model/json.js';

/** A parsed value with the offsets [start, end) of its text. */
export type JsonNode =
  | { kind: 'object'; members: JsonMember[]; start: number; end: number }
  | { kind: 'array'; items: JsonNode[]; start: number; end: number }
  | { kind: 'string'; value: string; start: number; end: number }
  | { kind: 'number'; value: number; start: number; end: number }
  | { kind: 'boolean'; value: boolean; start: number; end: number }
  | { kind: 'null'; start: number; end: number };

export interface JsonMember {
  key: string;
  keyStart: number;
  keyEnd: number;
  value: JsonNode;
}

export interface JsonDocument {
  /** Absent when the text is not JSON (the diagnostics say where). */
  root?: JsonNode;
  diagnostics: Diagnostic[];
}

/** Deeper than any policy or catalogue needs, shallow enough that no reader runs out of stack. */
export const MAX_JSON_DEPTH = 256;

class JsonSyntaxError extends Error {
  constructor(
    readonly offset: number,
    readonly end: number,
    message: string,
    readonly code: 'syntax-error' | 'nesting-too-deep' = 'syntax-error',
    readonly related?: { offset: number; end: number; message: string },
  ) {
    super(message);
  }
}

export function parseJsonDocument(source: SourceText): JsonDocument {
  const parser = new Parser(source.text);
  try {
    const root = parser.parseDocument();
    return { root, diagnostics: [] };
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    const diagnostic = report(error.code, source.span(error.offset, error.end), error.message);
    if (error.related) {
      diagnostic.related = [{ message: error.related.message, span: source.span(error.related.offset, error.related.end) }];
    }
    return { diagnostics: [diagnostic] };
  }
}

/**
 * The value of `text` when it is JSON that {@link parseJsonDocument} reads without a diagnostic,
 * and to the same value; undefined otherwise (then only the strict reader can say what is wrong
 * and where). It is `JSON.parse`, which builds no node per value and is many times faster on a
 * catalogue of thousands of tools, held to the strict reader's rules: `JSON.parse` keeps the last
 * of two equal keys silently, so the members in the text are counted (one `:` outside strings
 * each) and compared with the keys of the value, where a repeated key would be missing; nesting
 * beyond {@link MAX_JSON_DEPTH} and numbers too large for a double are left to the strict reader;
 * `-0` reads as 0, as there. Callers that find a problem in the value use the strict reader's
 * nodes for positions.
 */
export function parseJsonFast(text: string): JsonValue | undefined {
  // A byte order mark is skipped by the strict reader; JSON.parse refuses it.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const members = countMembers(body);
  if (members === undefined) return undefined;
  let value: JsonValue;
  try {
    value = JSON.parse(body) as JsonValue;
  } catch {
    return undefined;
  }
  const counted = { keys: 0, finite: true };
  const normalised = normaliseParsed(value, counted);
  if (!counted.finite || counted.keys !== members) return undefined;
  return normalised;
}

/**
 * The number of `:` outside strings (the members of every object, in text JSON.parse accepts);
 * undefined when values nest deeper than the strict reader allows, or a string is not closed.
 */
function countMembers(text: string): number | undefined {
  let members = 0;
  let depth = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code === 34 /* " */) {
      // To the closing quote: the next one not escaped by an odd run of backslashes.
      for (;;) {
        const close = text.indexOf('"', i + 1);
        if (close < 0) return undefined;
        let backslashes = 0;
        while (text.charCodeAt(close - 1 - backslashes) === 92 /* \ */) backslashes++;
        i = close;
        if (backslashes % 2 === 0) break;
      }
    } else if (code === 58 /* : */) {
      members++;
    } else if (code === 123 /* { */ || code === 91 /* [ */) {
      // The strict reader refuses a value deeper than MAX_JSON_DEPTH (the top-level value is at
      // depth 0): anything inside a container opened that deep, so it may only be empty.
      if (++depth > MAX_JSON_DEPTH + 1) return undefined;
      if (depth === MAX_JSON_DEPTH + 1) {
        let next = i + 1;
        while (/[ \t\n\r]/.test(text[next] ?? '')) next++;
        if (text.charCodeAt(next) !== (code === 123 ? 125 : 93)) return undefined;
      }
    } else if (code === 125 /* } */ || code === 93 /* ] */) {
      depth--;
    }
  }
  return members;
}

/** Counts the keys of every object, notes numbers that are not finite, and turns -0 into 0. */
function normaliseParsed(value: JsonValue, counted: { keys: number; finite: boolean }): JsonValue {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) counted.finite = false;
    return Object.is(value, -0) ? 0 : value;
  }
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item = value[i]!;
      if (typeof item === 'object' || typeof item === 'number') value[i] = normaliseParsed(item, counted);
    }
    return value;
  }
  for (const key in value) {
    counted.keys++;
    const item = value[key]!;
    if (typeof item === 'object' || typeof item === 'number') {
      const normalised = normaliseParsed(item, counted);
      if (!Object.is(normalised, item)) value[key] = normalised;
    }
  }
  return value;
}

const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

class Parser {
  private pos = 0;

  constructor(private readonly text: string) {}

  parseDocument(): JsonNode {
    // A byte order mark is not JSON, but editors on some systems write one; it carries no meaning.
    if (this.text.charCodeAt(0) === 0xfeff) this.pos = 1;
    this.skipSpace();
    if (this.pos >= this.text.length) throw this.error('the file is empty; expected a JSON value');
    const root = this.parseValue(0);
    this.skipSpace();
    if (this.pos < this.text.length) throw this.error(`unexpected ${this.describeHere()} after the end of the JSON value`);
    return root;
  }

  private parseValue(depth: number): JsonNode {
    if (depth > MAX_JSON_DEPTH) {
      throw new JsonSyntaxError(this.pos, this.pos + 1, `values are nested more than ${MAX_JSON_DEPTH} deep`, 'nesting-too-deep');
    }
    const ch = this.text[this.pos];
    const start = this.pos;
    switch (ch) {
      case '{':
        return this.parseObject(depth);
      case '[':
        return this.parseArray(depth);
      case '"':
        return { kind: 'string', value: this.parseString(), start, end: this.pos };
      case 't':
        return { kind: 'boolean', value: this.literal('true', true), start, end: this.pos };
      case 'f':
        return { kind: 'boolean', value: this.literal('false', false), start, end: this.pos };
      case 'n':
        this.literal('null', null);
        return { kind: 'null', start, end: this.pos };
      default:
        if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) return this.parseNumber();
        throw this.error(`expected a JSON value, found ${this.describeHere()}`);
    }
  }

  private parseObject(depth: number): JsonNode {
    const start = this.pos++;
    const members: JsonMember[] = [];
    const seen = new Map<string, JsonMember>();
    this.skipSpace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return { kind: 'object', members, start, end: this.pos };
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] !== '"') {
        const trailing = this.text[this.pos] === '}' && members.length > 0;
        throw this.error(trailing ? 'trailing comma before "}"' : `expected a key in double quotes, found ${this.describeHere()}`);
      }
      const keyStart = this.pos;
      const key = this.parseString();
      const keyEnd = this.pos;
      const earlier = seen.get(key);
      if (earlier) {
        throw new JsonSyntaxError(keyStart, keyEnd, `duplicate key ${JSON.stringify(key)}: a key may appear only once in an object`, 'syntax-error', {
          offset: earlier.keyStart,
          end: earlier.keyEnd,
          message: 'first given here',
        });
      }
      this.skipSpace();
      this.expect(':', 'after a key');
      this.skipSpace();
      const member = { key, keyStart, keyEnd, value: this.parseValue(depth + 1) };
      members.push(member);
      seen.set(key, member);
      this.skipSpace();
      if (this.text[this.pos] === ',') {
        this.pos++;
        continue;
      }
      this.expect('}', 'after a member', "','");
      return { kind: 'object', members, start, end: this.pos };
    }
  }

  private parseArray(depth: number): JsonNode {
    const start = this.pos++;
    const items: JsonNode[] = [];
    this.skipSpace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return { kind: 'array', items, start, end: this.pos };
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === ']' && items.length > 0) throw this.error('trailing comma before "]"');
      items.push(this.parseValue(depth + 1));
      this.skipSpace();
      if (this.text[this.pos] === ',') {
        this.pos++;
        continue;
      }
      this.expect(']', 'after an element', "','");
      return { kind: 'array', items, start, end: this.pos };
    }
  }

  private parseString(): string {
    const start = this.pos++;
    const text = this.text;
    let value = '';
    for (;;) {
      // Plain characters are taken a run at a time: catalogues are mostly long descriptions.
      const runStart = this.pos;
      let code = text.charCodeAt(this.pos);
      while (code >= 0x20 && code !== 34 /* " */ && code !== 92 /* \\ */) code = text.charCodeAt(++this.pos);
      if (this.pos > runStart) value += text.slice(runStart, this.pos);
      const ch = text[this.pos];
      if (ch === undefined) throw new JsonSyntaxError(start, this.pos, 'this string is not closed');
      if (ch === '"') {
        this.pos++;
        return value;
      }
      if (code < 0x20) {
        throw this.error(code === 10 || code === 13 ? 'line break inside a string (write \\n)' : 'control character inside a string (escape it as \\u00XX)');
      }
      const escape = this.text[this.pos + 1];
      if (escape === 'u') {
        const hex = this.text.slice(this.pos + 2, this.pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new JsonSyntaxError(this.pos, this.pos + 2, 'invalid \\u escape: expected four hexadecimal digits');
        value += String.fromCharCode(parseInt(hex, 16));
        this.pos += 6;
      } else if (escape !== undefined && Object.hasOwn(ESCAPES, escape)) {
        value += ESCAPES[escape];
        this.pos += 2;
      } else {
        throw new JsonSyntaxError(this.pos, this.pos + 2, `invalid escape \\${escape ?? ''} in a string`);
      }
    }
  }

  private parseNumber(): JsonNode {
    const start = this.pos;
    NUMBER.lastIndex = start;
    const match = NUMBER.exec(this.text);
    if (!match) throw this.error(`expected a number, found ${this.describeHere()}`);
    this.pos = start + match[0].length;
    const next = this.text[this.pos];
    if (next !== undefined && /[0-9A-Za-z.+-]/.test(next)) throw this.error(`invalid number: unexpected ${this.describeHere()}`);
    const value = Number(match[0]);
    if (!Number.isFinite(value)) throw new JsonSyntaxError(start, this.pos, `the number ${match[0]} is too large`);
    return { kind: 'number', value: Object.is(value, -0) ? 0 : value, start, end: this.pos };
  }

  private literal<T>(word: string, value: T): T {
    if (this.text.startsWith(word, this.pos)) {
      const after = this.text[this.pos + word.length];
      if (after === undefined || !/[A-Za-z0-9_]/.test(after)) {
        this.pos += word.length;
        return value;
      }
    }
    throw this.error(`expected a JSON value, found ${this.describeHere()}`);
  }

  private expect(ch: string, context: string, alternative?: string): void {
    if (this.text[this.pos] === ch) {
      this.pos++;
      return;
    }
    const wanted = alternative ? `${alternative} or '${ch}'` : `'${ch}'`;
    throw this.error(`expected ${wanted} ${context}, found ${this.describeHere()}`);
  }

  private skipSpace(): void {
    const text = this.text;
    for (;;) {
      const code = text.charCodeAt(this.pos); // NaN past the end: not a space
      if (code !== 32 && code !== 9 && code !== 10 && code !== 13) return;
      this.pos++;
    }
  }

  private describeHere(): string {
    if (this.pos >= this.text.length) return 'the end of the file';
    const ch = this.text.codePointAt(this.pos)!;
    if (this.text.startsWith('//', this.pos) || this.text[this.pos] === '#') return 'a comment (JSON has none)';
    if (ch < 0x20 || ch === 0x7f) return `the control character U+${ch.toString(16).toUpperCase().padStart(4, '0')}`;
    if (this.text[this.pos] === "'") return "a single quote (JSON strings use double quotes)";
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos, this.pos + 40));
    if (word) return `'${word[0]}'`;
    return `'${String.fromCodePoint(ch)}'`;
  }

  private error(message: string): JsonSyntaxError {
    const width = this.pos < this.text.length ? 1 : 0;
    return new JsonSyntaxError(this.pos, this.pos + width, message);
  }
}

/** The plain value of a node. Keys such as `__proto__` become own properties, as with JSON.parse. */
export function jsonValueOf(node: JsonNode): JsonValue {
  switch (node.kind) {
    case 'object': {
      const object: JsonObject = {};
      for (const member of node.members) {
        // Assignment makes an own data property of every key but `__proto__`, whose setter on
        // Object.prototype would change the prototype instead.
        if (member.key === '__proto__') {
          Object.defineProperty(object, member.key, { value: jsonValueOf(member.value), enumerable: true, writable: true, configurable: true });
        } else {
          object[member.key] = jsonValueOf(member.value);
        }
      }
      return object;
    }
    case 'array':
      return node.items.map(jsonValueOf);
    case 'null':
      return null;
    default:
      return node.value;
  }
}

/** Where a JSON pointer (`/tools/place_order/rules/0`) lands: the node, and the member holding it. */
export interface PointerTarget {
  node: JsonNode;
  member?: JsonMember;
}

export function resolvePointer(root: JsonNode, pointer: string): PointerTarget | undefined {
  let target: PointerTarget = { node: root };
  for (const segment of pointerSegments(pointer)) {
    const node = target.node;
    if (node.kind === 'object') {
      const member = node.members.find((m) => m.key === segment);
      if (!member) return undefined;
      target = { node: member.value, member };
    } else if (node.kind === 'array') {
      const item = /^(0|[1-9][0-9]*)$/.test(segment) ? node.items[Number(segment)] : undefined;
      if (!item) return undefined;
      target = { node: item };
    } else {
      return undefined;
    }
  }
  return target;
}

export function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** A pointer in the way a person reads a path: `rules[2].limit.max`, `tools["a.b"]`. */
export function readablePointer(pointer: string): string {
  let text = '';
  for (const segment of pointerSegments(pointer)) {
    if (/^(0|[1-9][0-9]*)$/.test(segment)) text += `[${segment}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text === '' ? 'the top level' : text;
}
