// Starts several hammer-worker processes on one store, releases them at the same moment, and adds
// up what they admitted. The worker is bundled from its TypeScript source with esbuild into the
// checkout's tmp/ (ignored by git), where node finds better-sqlite3 and ioredis in node_modules.

import { spawn } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

import { build } from 'esbuild';

import { ROOT } from '../helpers/harness.js';

let bundled: Promise<string> | undefined;

/** The worker as one .mjs file, built once per test file; removed by removeHammer(). */
function hammerWorker(): Promise<string> {
  bundled ??= (async () => {
    const outfile = join(ROOT, 'tmp', `hammer-worker-${process.pid}-${Date.now()}.mjs`);
    await mkdir(join(ROOT, 'tmp'), { recursive: true });
    await build({
      entryPoints: [join(ROOT, 'test', 'gateway', 'state', 'hammer-worker.ts')],
      outfile,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20.19',
      external: ['better-sqlite3', 'ioredis'],
      logLevel: 'warning',
    });
    return outfile;
  })();
  return bundled;
}

export async function removeHammer(): Promise<void> {
  if (bundled) await rm(await bundled, { force: true });
  bundled = undefined;
}

export interface HammerResult {
  admitted: number;
  refused: number;
  errors: string[];
}

export async function hammer(kind: 'sqlite' | 'redis', where: string, processes: number, callsEach: number): Promise<HammerResult[]> {
  const worker = await hammerWorker();
  const children = Array.from({ length: processes }, () => spawn(process.execPath, [worker, kind, where, String(callsEach)], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] }));
  const outputs = children.map((child) => {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const ready = new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (stdout.startsWith('ready\n')) resolve();
      };
      child.stdout.on('data', check);
      child.once('exit', (code) => reject(new Error(`hammer exited with ${code} before it was ready:\n${stderr}`)));
    });
    const done = new Promise<HammerResult>((resolve, reject) => {
      child.once('exit', (code) => {
        const line = stdout.split('\n').find((text) => text.startsWith('{'));
        if (code !== 0 || !line) reject(new Error(`hammer exited with ${code}:\n${stdout}\n${stderr}`));
        else resolve(JSON.parse(line) as HammerResult);
      });
    });
    return { ready, done };
  });
  try {
    await Promise.all(outputs.map((output) => output.ready));
    for (const child of children) child.stdin.write('go\n');
    return await Promise.all(outputs.map((output) => output.done));
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  }
}
