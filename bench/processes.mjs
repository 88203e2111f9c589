// The processes the gateway benchmarks start (the Futu fixture, the plain proxies, policyc serve,
// the fixture upstream), each tracked so that every one is stopped at the end, whatever happens.
// Everything listens on 127.0.0.1.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CLI = join(ROOT, 'dist', 'cli', 'main.js');
export const FUTU = join(ROOT, 'fixtures', 'futu', 'server.mjs');
export const EXAMPLE_POLICY = join(ROOT, 'fixtures', 'policies', 'trading.policy');
export const STDIO_PROXY = join(ROOT, 'bench', 'stdio-proxy.mjs');
export const FIXTURE_UPSTREAM = join(ROOT, 'bench', 'fixture-upstream.mjs');
export const LOOPBACK_ONLY = join(ROOT, 'bench', 'loopback-only.mjs');
export const SUPERGATEWAY = join(ROOT, 'node_modules', 'supergateway', 'dist', 'index.js');

const running = new Set();

/** Starts a process; `ready` (a RegExp on stdout+stderr) resolves with its match. */
export function start(command, args, { ready, env = {}, timeoutMs = 30_000 } = {}) {
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.on('exit', () => running.delete(child));
  let output = '';
  const collect = (chunk) => {
    output += chunk.toString();
    if (output.length > 1_000_000) output = output.slice(-100_000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const matched = ready
    ? new Promise((resolvePromise, reject) => {
        const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not start:\n${output}`)), timeoutMs);
        const check = () => {
          const match = ready.exec(output);
          if (match) {
            clearTimeout(timer);
            resolvePromise(match);
          }
        };
        child.stdout.on('data', check);
        child.stderr.on('data', check);
        child.on('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`${args.join(' ')} exited with ${code}:\n${output}`));
        });
      })
    : Promise.resolve(undefined);
  return { child, ready: matched, output: () => output };
}

/** Stops every process the benchmarks started (SIGTERM, then SIGKILL after a second). */
export async function stopAll() {
  const children = [...running];
  await Promise.all(
    children.map(
      (child) =>
        new Promise((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done();
          child.once('exit', done);
          child.kill('SIGTERM');
          setTimeout(() => {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
          }, 1000).unref();
        }),
    ),
  );
}

export async function freePort() {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePromise(port));
    });
  });
}

export async function tempFolder(prefix) {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function removeFolder(folder) {
  await rm(folder, { recursive: true, force: true });
}

/** A copy of the example policy whose `limit all` admits every benchmark call (see README). */
export async function benchPolicy(folder) {
  const source = await readFile(EXAMPLE_POLICY, 'utf8');
  const raised = source.replace(/limit all 120 per 1m/, 'limit all 1000000 per 1m');
  if (raised === source) throw new Error(`${EXAMPLE_POLICY} no longer has \`limit all 120 per 1m\`; update bench/processes.mjs`);
  const path = join(folder, 'trading.policy');
  await writeFile(path, raised);
  return path;
}

/** A tokens file with one token for `identity`; returns the token. */
export function createToken(tokensFile, identity) {
  const result = spawnSync(process.execPath, [CLI, 'token', 'create', '--identity', identity, '--tokens', tokensFile], { cwd: ROOT, encoding: 'utf8' });
  const token = /^pcy_\S+$/m.exec(result.stdout)?.[0];
  if (result.status !== 0 || !token) throw new Error(`policyc token create failed: ${result.stderr}`);
  return token;
}

/** Resident set size of a process, in MiB, from /proc (Linux). */
export async function rssMiB(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kib = Number(/^VmRSS:\s+(\d+)\s+kB$/m.exec(status)?.[1] ?? NaN);
  return kib / 1024;
}

/** CPU time (user + system) a process has used so far, in ms, from /proc (Linux). */
export async function cpuMs(pid) {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // Fields after the command name (which may hold spaces, inside parentheses): utime is the 14th
  // field and stime the 15th of the whole line, in clock ticks (100 per second on Linux).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}
