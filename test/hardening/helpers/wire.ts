// The gateway as an outsider meets it: raw bytes in over stdio or HTTP (never through the SDK
// client, which would sanitise them), raw answers out, and a recording upstream behind it (the
// Futu fixture behind wire-recorder.mjs) that says exactly which bytes reached the server and
// which calls it acted on. Every process and folder goes through the gateway tests' harness, so
// `cleanup()` ends them all.

import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { request, type IncomingHttpHeaders } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { addToken } from '../../../src/gateway/http/tokens.js';
import { assertBuilt, CLI, fixtureCalls, FUTU, httpGateway, ROOT, tempDir, type HttpGatewayProcess } from '../../gateway/helpers/harness.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Message = Record<string, Json>;
export type Id = string | number;

const HERE = dirname(fileURLToPath(import.meta.url));
export const RECORDER = join(HERE, 'wire-recorder.mjs');
export const HARDENING_POLICY = join(HERE, '..', 'fixtures', 'hardening.policy');

export const PROTOCOL_VERSION = '2025-06-18';
export const INITIALIZE = (id: Id = 'init'): string =>
  JSON.stringify({ jsonrpc: '2.0', id, method: 'initialize', params: { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'attacker', version: '1' } } });
export const INITIALIZED = '{"jsonrpc":"2.0","method":"notifications/initialized"}';

/** What one message sent to the gateway brought back, and what reached the server because of it. */
export interface Exchange {
  /** HTTP status of the POST (undefined over stdio). */
  status?: number;
  /** Every message the gateway sent back for it (the barrier's answer left out). */
  answers: Message[];
  /** The lines the server received meanwhile, except the gateway's own pings and tools/list. */
  upstream: string[];
  /** The tools/call requests the server acted on meanwhile (its FUTU_FIXTURE_LOG). */
  calls: { tool: string; arguments: Record<string, unknown> }[];
}

export interface Target {
  readonly kind: 'stdio' | 'http';
  readonly policy: string;
  readonly audit: string;
  readonly wireLog: string;
  readonly callLog: string;
  /** Sends one message's bytes and waits until it has been dealt with (see Exchange). */
  exchange(payload: string | Buffer, expectId?: Id): Promise<Exchange>;
  stderr(): string;
}

interface Upstream {
  folder: string;
  wireLog: string;
  callLog: string;
  audit: string;
  env: Record<string, string>;
  command: string[];
}

async function recordingUpstream(env: Record<string, string> = {}, audit?: string): Promise<Upstream> {
  const folder = await tempDir();
  const wireLog = join(folder, 'wire.log');
  const callLog = join(folder, 'calls.jsonl');
  return {
    folder,
    wireLog,
    callLog,
    audit: audit ?? join(folder, 'audit.jsonl'),
    env: { WIRE_LOG: wireLog, FUTU_FIXTURE_LOG: callLog, FUTU_ENABLE_TRADING: '1', ...env },
    command: [process.execPath, RECORDER, FUTU],
  };
}

async function readLines(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').filter((line) => line !== '');
}

/** The server-bound lines a test looks at: the gateway's own bookkeeping (pings, tool lists) left out. */
function interesting(line: string): boolean {
  try {
    const message = JSON.parse(line) as Message;
    return message.method !== 'ping' && message.method !== 'tools/list';
  } catch {
    return true;
  }
}

/** Snapshots of the two upstream logs, to tell what one exchange added. */
async function upstreamMark(up: Upstream): Promise<{ wire: number; calls: number }> {
  return { wire: (await readLines(up.wireLog)).length, calls: (await fixtureCalls(up.callLog)).length };
}

async function upstreamSince(up: Upstream, mark: { wire: number; calls: number }): Promise<Pick<Exchange, 'upstream' | 'calls'>> {
  const wire = (await readLines(up.wireLog)).slice(mark.wire).filter(interesting);
  const calls = (await fixtureCalls(up.callLog)).slice(mark.calls);
  return { upstream: wire, calls };
}

// ---- stdio -----------------------------------------------------------------------------------

export interface StdioTarget extends Target {
  readonly child: ChildProcess;
  /** Every message the gateway wrote to its stdout, in order. */
  readonly messages: Message[];
  /** Lines on stdout that were not JSON: must stay empty, stdout is the MCP channel. */
  readonly strayOutput: string[];
  /** Writes bytes as they are, waiting for the pipe when it is full. */
  write(bytes: string | Buffer): Promise<void>;
  waitFor(match: (message: Message) => boolean, what: string, timeoutMs?: number): Promise<Message>;
  /** Initializes the session the way a client does. */
  initialize(): Promise<Message>;
  /** Closes stdin and waits for the gateway to exit. */
  end(): Promise<number | null>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function stdioTarget(options: { policy?: string; args?: string[]; env?: Record<string, string>; shell?: string; audit?: string } = {}): Promise<StdioTarget> {
  assertBuilt();
  const up = await recordingUpstream(options.env, options.audit);
  const policy = options.policy ?? HARDENING_POLICY;
  const argv = [CLI, 'serve', '--policy', policy, '--audit', up.audit, ...(options.args ?? []), '--', ...up.command];
  const child = options.shell
    ? spawn('/bin/sh', ['-c', `${options.shell}; exec "$0" "$@"`, process.execPath, ...argv], { cwd: ROOT, env: { ...process.env, ...up.env }, stdio: ['pipe', 'pipe', 'pipe'] })
    : spawn(process.execPath, argv, { cwd: ROOT, env: { ...process.env, ...up.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  trackChild(child);
  const messages: Message[] = [];
  const strayOutput: string[] = [];
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    const lines = stdout.split('\n');
    stdout = lines.pop() ?? '';
    for (const line of lines) {
      try {
        messages.push(JSON.parse(line) as Message);
      } catch {
        strayOutput.push(line);
      }
    }
    for (const wake of waiters) wake();
  });
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdin?.on('error', () => {});
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  let barriers = 0;

  const write = (bytes: string | Buffer): Promise<void> =>
    new Promise((resolve, reject) => {
      const stdin = child.stdin;
      if (!stdin || stdin.destroyed) return reject(new Error('the gateway\'s stdin is closed'));
      if (stdin.write(bytes)) resolve();
      else stdin.once('drain', () => resolve());
    });

  const waitFor = (match: (message: Message) => boolean, what: string, timeoutMs = 15_000): Promise<Message> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = messages.find(match);
        if (!found) return false;
        clearTimeout(timer);
        waiters.delete(wake);
        resolve(found);
        return true;
      };
      const wake = (): void => void check();
      const timer = setTimeout(() => {
        waiters.delete(wake);
        reject(new Error(`no ${what} from the gateway within ${timeoutMs} ms; stderr:\n${stderr}`));
      }, timeoutMs);
      waiters.add(wake);
      check();
    });

  const target: StdioTarget = {
    kind: 'stdio',
    policy,
    audit: up.audit,
    wireLog: up.wireLog,
    callLog: up.callLog,
    child,
    messages,
    strayOutput,
    exited,
    write,
    waitFor,
    stderr: () => stderr,
    async exchange(payload, expectId) {
      const mark = await upstreamMark(up);
      const start = messages.length;
      await write(typeof payload === 'string' ? `${payload}\n` : Buffer.concat([payload, Buffer.from('\n')]));
      // A ping behind it: once it is answered, every message before it has been read, and
      // (after initialization, when pings go upstream) everything sent upstream before it is there.
      const barrier = `barrier-${++barriers}`;
      await write(`{"jsonrpc":"2.0","id":"${barrier}","method":"ping"}\n`);
      await waitFor((message) => message.id === barrier, `answer to ${barrier}`);
      if (expectId !== undefined) await waitFor((message) => message.id === expectId && messages.indexOf(message) >= start, `answer to ${JSON.stringify(expectId)}`);
      const answers = messages.slice(start).filter((message) => message.id !== barrier);
      return { answers, ...(await upstreamSince(up, mark)) };
    },
    async initialize() {
      await write(`${INITIALIZE()}\n`);
      const answer = await waitFor((message) => message.id === 'init', 'initialize result');
      await write(`${INITIALIZED}\n`);
      // A ping round trip: notifications/initialized has reached the server before any exchange.
      await write('{"jsonrpc":"2.0","id":"initialized-barrier","method":"ping"}\n');
      await waitFor((message) => message.id === 'initialized-barrier', 'the ping after initialization');
      return answer;
    },
    async end() {
      child.stdin?.end();
      return (await exited).code;
    },
  };
  return target;
}

// ---- HTTP ------------------------------------------------------------------------------------

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One HTTP request with exactly these headers and body (no Host added unless asked). */
export function rawHttp(url: string, options: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer; timeoutMs?: number }): Promise<RawResponse> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: options.path ?? target.pathname,
        method: options.method ?? 'POST',
        headers: options.headers ?? {},
        setHost: options.headers?.host === undefined,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.setTimeout(options.timeoutMs ?? 15_000, () => req.destroy(new Error('no answer in time')));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The JSON-RPC messages of a response: a JSON body, or the `data:` lines of an SSE stream. */
export function messagesOf(response: RawResponse): Message[] {
  if (response.body.trim() === '') return [];
  if (String(response.headers['content-type'] ?? '').startsWith('text/event-stream')) {
    return response.body
      .split('\n')
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).trim())
      .filter((data) => data !== '')
      .map((data) => JSON.parse(data) as Message);
  }
  return [JSON.parse(response.body) as Message];
}

export const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' } as const;

export interface HttpTarget extends Target {
  readonly gateway: HttpGatewayProcess;
  readonly url: string;
  readonly tokens: Record<string, string>;
  readonly tokensFile: string;
  /** Opens a session for an identity with a raw initialize; returns its Mcp-Session-Id. */
  openSession(identity: string): Promise<string>;
  /** Headers for a request in a session of this identity. */
  headers(identity: string, session?: string): Record<string, string>;
  /** POSTs one message in the given session and reports as `exchange` does. */
  exchangeAs(identity: string, session: string | undefined, payload: string | Buffer): Promise<Exchange>;
}

export async function httpTarget(options: { policy?: string; identities?: string[]; args?: string[]; env?: Record<string, string>; audit?: string } = {}): Promise<HttpTarget> {
  const up = await recordingUpstream(options.env, options.audit);
  const policy = options.policy ?? HARDENING_POLICY;
  const tokensFile = join(up.folder, 'tokens.yaml');
  const tokens: Record<string, string> = {};
  for (const identity of options.identities ?? ['trader', 'other']) tokens[identity] = await addToken(tokensFile, identity);
  const gateway = await httpGateway(['--policy', policy, '--tokens', tokensFile, '--audit', up.audit, ...(options.args ?? []), '--', ...up.command], up.env);
  const url = gateway.url;
  const sessions = new Map<string, string>();

  const headers = (identity: string, session?: string): Record<string, string> => ({
    ...MCP_HEADERS,
    authorization: `Bearer ${tokens[identity] ?? 'pcy_unknown'}`,
    ...(session === undefined ? {} : { 'mcp-session-id': session, 'mcp-protocol-version': PROTOCOL_VERSION }),
  });

  const exchangeAs = async (identity: string, session: string | undefined, payload: string | Buffer): Promise<Exchange> => {
    const mark = await upstreamMark(up);
    const response = await rawHttp(url, { headers: headers(identity, session), body: payload });
    // The POST's answer has come; a ping in a live session makes sure that whatever the gateway
    // sent upstream before it has reached the server.
    const live = sessions.get(identity);
    if (live !== undefined) {
      const barrier = await rawHttp(url, { headers: headers(identity, live), body: '{"jsonrpc":"2.0","id":"barrier","method":"ping"}' });
      if (barrier.status !== 200) throw new Error(`the barrier ping failed with HTTP ${barrier.status}: ${barrier.body}`);
    }
    return { status: response.status, answers: messagesOf(response), ...(await upstreamSince(up, mark)) };
  };

  const target: HttpTarget = {
    kind: 'http',
    policy,
    audit: up.audit,
    wireLog: up.wireLog,
    callLog: up.callLog,
    gateway,
    url,
    tokens,
    tokensFile,
    headers,
    stderr: () => gateway.stderr(),
    async openSession(identity) {
      const response = await rawHttp(url, { headers: headers(identity), body: INITIALIZE() });
      const id = response.headers['mcp-session-id'];
      if (response.status !== 200 || typeof id !== 'string') throw new Error(`initialize failed with HTTP ${response.status}: ${response.body}`);
      const initialized = await rawHttp(url, { headers: headers(identity, id), body: INITIALIZED });
      if (initialized.status !== 202) throw new Error(`notifications/initialized got HTTP ${initialized.status}`);
      if (!sessions.has(identity)) sessions.set(identity, id);
      return id;
    },
    exchangeAs,
    exchange(payload) {
      return exchangeAs('trader', sessions.get('trader'), payload);
    },
  };
  return target;
}

// ---- processes -------------------------------------------------------------------------------

const children = new Set<ChildProcess>();

function trackChild(child: ChildProcess): void {
  children.add(child);
  child.on('exit', () => children.delete(child));
}

/** Kills the stdio gateways this module started (the harness's cleanup() handles the rest). */
export function killStdioTargets(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
}

/** Reads /proc/PID/status: the peak resident memory of a process, in bytes (Linux). */
export async function peakRss(pid: number): Promise<number | undefined> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => undefined);
  const match = status === undefined ? null : /VmHWM:\s+(\d+) kB/.exec(status);
  return match?.[1] === undefined ? undefined : Number(match[1]) * 1024;
}
