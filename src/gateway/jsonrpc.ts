// JSON-RPC 2.0 messages as the gateway sees them: parsed from text or taken from a transport,
// checked field by field, and rebuilt from the checked fields only. The gateway forwards what it
// checked, never the bytes it received, so duplicate keys, stray top-level fields and the like
// cannot reach the upstream in a form the gateway did not look at.

import type { JsonObject, JsonValue } from '../model/json.js';
import { quoted } from './log.js';

export type RequestId = string | number;

export interface JsonRpcRequest {
  jsonrpc: '2.0';
  id: RequestId;
  method: string;
  params?: JsonObject;
}

export interface JsonRpcNotification {
  jsonrpc: '2.0';
  method: string;
  params?: JsonObject;
}

export interface JsonRpcResult {
  jsonrpc: '2.0';
  id: RequestId;
  result: JsonObject;
}

export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: JsonValue;
}

export interface JsonRpcError {
  jsonrpc: '2.0';
  id: RequestId | null;
  error: JsonRpcErrorObject;
}

export type JsonRpcMessage = JsonRpcRequest | JsonRpcNotification | JsonRpcResult | JsonRpcError;

/** A message that could not be accepted, with what to answer (if it had a usable id). */
export interface InvalidMessage {
  kind: 'invalid';
  id: RequestId | null;
  code: number;
  reason: string;
  /**
   * The message had a "method": its id is the sender's own request id, to be answered with an
   * error, never taken for an answer to one of the receiver's requests.
   */
  request?: boolean;
}

export type Inbound =
  | { kind: 'request'; message: JsonRpcRequest }
  | { kind: 'notification'; message: JsonRpcNotification }
  | { kind: 'result'; message: JsonRpcResult }
  | { kind: 'error'; message: JsonRpcError }
  | InvalidMessage;

export const ErrorCodes = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
  /** Implementation-defined server errors (-32000 … -32099). */
  connectionClosed: -32000,
  requestTimeout: -32001,
  upstreamUnavailable: -32002,
} as const;

function isPlainObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function validId(value: unknown): value is RequestId {
  return typeof value === 'string' || (typeof value === 'number' && Number.isSafeInteger(value));
}

function invalid(id: unknown, code: number, reason: string, request = false): InvalidMessage {
  return { kind: 'invalid', id: validId(id) ? id : null, code, reason, ...(request ? { request } : {}) };
}

/** The largest message a client may send, as an HTTP body or as one stdio line (`--max-body`). */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/**
 * How deep a message may nest (the message object itself is level 1, its params level 2, a
 * call's arguments level 3). JSON.parse reads any depth without recursion, but everything after
 * it (the audit log's canonical JSON, the condition's deep equality, JSON.stringify on the way
 * out) recurses: a message must be refused before it can overflow the stack, not after.
 */
export const MAX_MESSAGE_DEPTH = 64;

/**
 * Method names as MCP writes them (`tools/call`, `notifications/initialized`): ASCII letters,
 * digits and `/ _ - .`. A method with spaces, control, zero-width or non-ASCII characters is no
 * method anyone defines, only a way to make two readers disagree on which method it is.
 */
const METHOD_NAME = /^[A-Za-z0-9_./-]+$/;

/** One value met while walking a message, and how it was reached. */
interface Step {
  value: unknown;
  depth: number;
  parent: Step | undefined;
  key: string | number;
}

/**
 * What a value holds that the gateway cannot check and forward faithfully: nesting beyond
 * MAX_MESSAGE_DEPTH, or a number JSON.parse read as ±Infinity (`1e400`), which JSON.stringify
 * would forward as `null` — a value other than the one checked. Iterative, so a deep value
 * cannot overflow the stack here either.
 */
function structureProblem(message: JsonObject): { reason: string; inParams: boolean } | undefined {
  return hasStructureProblem(message) ? describeStructureProblem(message) : undefined;
}

/**
 * The check every message passes, so it allocates nothing per value: two stacks of values and
 * depths, no paths. Only a message that fails it is walked again to say where.
 */
function hasStructureProblem(message: JsonObject): boolean {
  const values: unknown[] = [message];
  const depths: number[] = [1];
  while (values.length > 0) {
    const value = values.pop();
    const depth = depths.pop() as number;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) return true;
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth > MAX_MESSAGE_DEPTH) return true;
    if (Array.isArray(value)) {
      for (const item of value) {
        values.push(item);
        depths.push(depth + 1);
      }
    } else {
      for (const key of Object.keys(value)) {
        values.push((value as Record<string, unknown>)[key]);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}

function describeStructureProblem(message: JsonObject): { reason: string; inParams: boolean } | undefined {
  const stack: Step[] = [{ value: message, depth: 1, parent: undefined, key: '' }];
  while (stack.length > 0) {
    const step = stack.pop() as Step;
    const { value, depth } = step;
    if (typeof value === 'number') {
      if (Number.isFinite(value)) continue;
      const path = pathOf(step);
      return {
        reason: `${path} is a number too large for a double (it would read as ${value > 0 ? 'Infinity' : '-Infinity'}); send a finite number`,
        inParams: path.startsWith('params'),
      };
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth > MAX_MESSAGE_DEPTH) return { reason: `the message is nested more than ${MAX_MESSAGE_DEPTH} levels deep`, inParams: false };
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], depth: depth + 1, parent: step, key: i });
    } else {
      for (const key of Object.keys(value)) stack.push({ value: (value as Record<string, unknown>)[key], depth: depth + 1, parent: step, key });
    }
  }
  return undefined;
}

/** `params.arguments.qty`, `result.content[0]`, `params["odd key"]`: where in the message a value is. */
function pathOf(step: Step): string {
  const parts: string[] = [];
  for (let at: Step | undefined = step; at?.parent !== undefined; at = at.parent) {
    const key = at.key;
    parts.push(typeof key === 'number' ? `[${key}]` : /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`);
  }
  return parts.reverse().join('').replace(/^\./, '');
}

/**
 * Checks one decoded JSON value as a JSON-RPC message. A batch (an array) is refused: MCP dropped
 * batching in 2025-06-18, and one message at a time is what the gateway can check.
 */
export function classify(value: unknown): Inbound {
  if (Array.isArray(value)) return invalid(null, ErrorCodes.invalidRequest, 'JSON-RPC batches are not supported; send one message at a time');
  if (!isPlainObject(value)) return invalid(null, ErrorCodes.invalidRequest, 'a JSON-RPC message must be a JSON object');
  const id = value.id;
  const isRequest = Object.hasOwn(value, 'method');
  if (value.jsonrpc !== '2.0') return invalid(id, ErrorCodes.invalidRequest, 'the "jsonrpc" member must be exactly "2.0"', isRequest);
  const inbound = classifyMembers(value, id, isRequest);
  if (inbound.kind === 'invalid') return inbound;
  const problem = structureProblem(value);
  if (problem) return invalid(id, problem.inParams ? ErrorCodes.invalidParams : ErrorCodes.invalidRequest, problem.reason, isRequest);
  return inbound;
}

/** The members of a message that is a JSON object with `"jsonrpc": "2.0"`, checked and rebuilt. */
function classifyMembers(value: JsonObject, id: JsonValue | undefined, isRequest: boolean): Inbound {
  if (isRequest) {
    const { method, params } = value;
    if (typeof method !== 'string' || method === '') return invalid(id, ErrorCodes.invalidRequest, 'the "method" member must be a non-empty string', true);
    if (!METHOD_NAME.test(method)) {
      return invalid(id, ErrorCodes.invalidRequest, `the "method" member ${quoted(method)} is not a method name (letters, digits and "/", "_", "-", "." only)`, true);
    }
    if (params !== undefined && !isPlainObject(params)) return invalid(id, ErrorCodes.invalidParams, 'the "params" member must be an object', true);
    const withParams = params === undefined ? {} : { params };
    if (!Object.hasOwn(value, 'id')) return { kind: 'notification', message: { jsonrpc: '2.0', method, ...withParams } };
    if (!validId(id)) return invalid(null, ErrorCodes.invalidRequest, 'a request id must be a string or an integer', true);
    return { kind: 'request', message: { jsonrpc: '2.0', id, method, ...withParams } };
  }

  const hasResult = Object.hasOwn(value, 'result');
  const hasError = Object.hasOwn(value, 'error');
  if (hasResult === hasError) return invalid(id, ErrorCodes.invalidRequest, 'a message needs a "method", or exactly one of "result" and "error"');
  if (hasResult) {
    if (!validId(id)) return invalid(null, ErrorCodes.invalidRequest, 'a response id must be a string or an integer');
    if (!isPlainObject(value.result)) return invalid(id, ErrorCodes.invalidRequest, 'the "result" member must be an object');
    return { kind: 'result', message: { jsonrpc: '2.0', id, result: value.result } };
  }
  const error = value.error;
  if (!isPlainObject(error) || typeof error.code !== 'number' || !Number.isInteger(error.code) || typeof error.message !== 'string') {
    return invalid(id, ErrorCodes.invalidRequest, 'the "error" member must be an object with an integer "code" and a string "message"');
  }
  if (id !== null && id !== undefined && !validId(id)) return invalid(null, ErrorCodes.invalidRequest, 'a response id must be a string, an integer or null');
  const errorObject: JsonRpcErrorObject = { code: error.code, message: error.message, ...(error.data === undefined ? {} : { data: error.data }) };
  return { kind: 'error', message: { jsonrpc: '2.0', id: validId(id) ? id : null, error: errorObject } };
}

/** Parses one line or body of text. Malformed JSON is a parse error (-32700), never a guess. */
export function parseMessage(text: string): Inbound {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return invalid(null, ErrorCodes.parseError, `not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  return classify(value);
}

export function errorResponse(id: RequestId | null, code: number, message: string, data?: JsonValue): JsonRpcError {
  return { jsonrpc: '2.0', id, error: { code, message, ...(data === undefined ? {} : { data }) } };
}

export function resultResponse(id: RequestId, result: JsonObject): JsonRpcResult {
  return { jsonrpc: '2.0', id, result };
}

/** Map key for a request id: `1` and `"1"` are different ids. */
export function idKey(id: RequestId): string {
  return typeof id === 'number' ? `n:${id}` : `s:${id}`;
}

export function isObject(value: unknown): value is JsonObject {
  return isPlainObject(value);
}
