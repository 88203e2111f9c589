// Real parts for the gateway tests: the built CLI (`policyc serve`), the Futu fixture and
// server-everything as upstreams, the SDK's Client over stdio and Streamable HTTP. Every process
// and temporary folder is tracked and cleaned up.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema, type CallToolResult, type ClientCapabilities } from '@modelcontextprotocol/sdk/types.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const CLI = join(ROOT, 'dist', 'cli', 'main.js');
export const FUTU = join(ROOT, 'fixtures', 'futu', 'server.mjs');
export const EVERYTHING = join(ROOT, 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');
export const INSPECTOR = join(ROOT, 'node_modules', '@modelcontextprotocol', 'inspector-cli', 'build', 'cli.js');
export const TRADING = join(ROOT, 'fixtures', 'policies', 'trading.policy');
export const GATEWAY_FIXTURES = join(ROOT, 'fixtures', 'gateway');

export function assertBuilt(): void {
  if (!existsSync(CLI)) {
    throw new Error('the gateway tests run the built CLI: run `npm run build` first (npm test does)');
  }
}

const folders: string[] = [];
const processes = new Set<ChildProcess>();
const closers = new Set<() => Promise<void>>();

export async function tempDir(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'policyc-gateway-'));
  folders.push(folder);
  return folder;
}

/** Closes every client, kills every process and removes every folder the tests made. */
export async function cleanup(): Promise<void> {
  await Promise.allSettled([...closers].map((close) => close()));
  closers.clear();
  for (const child of processes) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  processes.clear();
  await Promise.allSettled(folders.splice(0).map((folder) => rm(folder, { recursive: true, force: true })));
}

export interface StdioGatewayOptions {
  policy: string;
  upstream: string[];
  audit: string;
  /** Added to this process's environment for the gateway (which passes it to the upstream). */
  env?: Record<string, string>;
  args?: string[];
  capabilities?: ClientCapabilities;
}

export interface StdioGateway {
  client: Client;
  transport: StdioClientTransport;
  stderr(): string;
  close(): Promise<void>;
}

export async function stdioGateway(options: StdioGatewayOptions): Promise<StdioGateway> {
  assertBuilt();
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, 'serve', '--policy', options.policy, '--audit', options.audit, ...(options.args ?? []), '--', ...options.upstream],
    env: { ...(process.env as Record<string, string>), ...options.env },
    stderr: 'pipe',
    cwd: ROOT,
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const client = new Client({ name: 'gateway-test', version: '1.0.0' }, { capabilities: options.capabilities ?? {} });
  const close = async (): Promise<void> => {
    closers.delete(close);
    await client.close().catch(() => undefined);
  };
  closers.add(close);
  try {
    await client.connect(transport);
  } catch (error) {
    await close();
    throw new Error(`the gateway did not start: ${(error as Error).message}\n${stderr}`);
  }
  return { client, transport, stderr: () => stderr, close };
}

export async function callTool(client: Client, name: string, args: Record<string, unknown> = {}): Promise<CallToolResult> {
  return client.request({ method: 'tools/call', params: { name, arguments: args } }, CallToolResultSchema);
}

export function textOf(result: CallToolResult): string {
  return result.content.map((part) => (part.type === 'text' ? part.text : `[${part.type}]`)).join('\n');
}

export async function listAllTools(client: Client): Promise<string[]> {
  const names: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listTools(cursor === undefined ? {} : { cursor });
    names.push(...page.tools.map((tool) => tool.name));
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return names;
}

/** The tools/call lines the Futu fixture recorded (its own start lines left out). */
export async function fixtureCalls(logFile: string): Promise<{ tool: string; arguments: Record<string, unknown> }[]> {
  const text = await readFile(logFile, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { tool?: string; arguments?: Record<string, unknown> })
    .filter((entry): entry is { tool: string; arguments: Record<string, unknown> } => typeof entry.tool === 'string');
}

export async function auditRecords(file: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(file, 'utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion. */
export function runCli(args: string[], options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<CliRun> {
  assertBuilt();
  return runNode([CLI, ...args], options);
}

export function runNode(args: string[], options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<CliRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, { cwd: options.cwd ?? ROOT, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    processes.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out: node ${args.join(' ')}\n${stderr}`));
    }, options.timeoutMs ?? 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      processes.delete(child);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

export interface HttpGatewayProcess {
  url: string;
  process: ChildProcess;
  stderr(): string;
  /** Resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `policyc serve --listen 127.0.0.1:0 …` and waits until it says where it listens. */
export async function httpGateway(args: string[], env: Record<string, string> = {}): Promise<HttpGatewayProcess> {
  assertBuilt();
  const child = spawn(process.execPath, [CLI, 'serve', '--listen', '127.0.0.1:0', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  processes.add(child);
  let stderr = '';
  const url = await new Promise<string>((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`the HTTP gateway did not start:\n${stderr}`)), 20_000);
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /listening on (\S+);/.exec(stderr);
      if (match?.[1]) {
        clearTimeout(timer);
        resolvePromise(match[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the HTTP gateway exited with code ${code}:\n${stderr}`));
    });
  });
  const exited = new Promise<number | null>((resolvePromise) => child.on('exit', (code) => resolvePromise(code)));
  return {
    url,
    process: child,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const code = await exited;
      processes.delete(child);
      return code;
    },
  };
}

export async function httpClient(url: string, token: string, capabilities: ClientCapabilities = {}): Promise<Client> {
  const client = new Client({ name: 'gateway-test', version: '1.0.0' }, { capabilities });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
  const close = async (): Promise<void> => {
    closers.delete(close);
    await client.close().catch(() => undefined);
  };
  closers.add(close);
  return client;
}

/** Waits until `check` holds, polling; fails after `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
