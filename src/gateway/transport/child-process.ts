// Upstream over stdio: the real MCP server as a child process of the gateway. It inherits the
// gateway's whole environment (the SDK's own stdio transport passes only HOME, PATH and a few
// more, but a server such as Futu's needs its FUTU_* settings, which the user gave the gateway),
// and its stderr goes straight to the gateway's stderr so its own messages stay visible.

import { spawn, type ChildProcess } from 'node:child_process';

import type { JsonRpcMessage } from '../jsonrpc.js';
import type { Channel, ChannelEnd } from './channel.js';
import { createLineDecoder, encodeLine } from './lines.js';
import { writeLine } from './stdio-server.js';

export interface ChildCommand {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** How long a child gets to exit after its stdin closes, and then after SIGTERM. */
const GRACE_MS = 2000;

export function childProcessChannel(spec: ChildCommand): Channel & { readonly pid: number | undefined } {
  let child: ChildProcess | undefined;
  let ended = false;
  let closing = false;

  const channel: Channel & { pid: number | undefined } = {
    get pid() {
      return child?.pid;
    },
    start() {
      return new Promise<void>((resolve, reject) => {
        const proc = spawn(spec.command, spec.args, {
          env: spec.env ?? process.env,
          cwd: spec.cwd,
          stdio: ['pipe', 'pipe', 'inherit'],
          shell: false,
          windowsHide: true,
        });
        child = proc;
        const decoder = createLineDecoder((inbound) => channel.onmessage?.(inbound));
        proc.stdout?.on('data', (chunk: Buffer) => decoder.push(chunk));
        proc.stdout?.on('end', () => decoder.end());
        proc.stdin?.on('error', (error) => channel.onerror?.(new Error(`writing to the upstream server failed: ${error.message}`)));
        proc.once('spawn', () => resolve());
        proc.once('error', (error: NodeJS.ErrnoException) => {
          const why = error.code === 'ENOENT' ? `command not found: ${spec.command}` : error.message;
          if (proc.pid === undefined) reject(new Error(`cannot start the upstream server: ${why}`));
          else channel.onerror?.(error);
        });
        // 'close' comes after the child's stdout is drained, so its last answer is not lost; a
        // grandchild holding the pipe open must not keep the exit from being noticed, though.
        proc.once('close', (code, signal) => finish({ reason: describeExit(code, signal), expected: closing }));
        proc.once('exit', (code, signal) => {
          setTimeout(() => finish({ reason: describeExit(code, signal), expected: closing }), GRACE_MS).unref();
        });
      });
    },
    send(message: JsonRpcMessage) {
      const stdin = child?.stdin;
      if (!stdin || ended) return Promise.reject(new Error('the upstream server is not running'));
      return writeLine(stdin, encodeLine(message), () => ended);
    },
    async close() {
      const proc = child;
      if (!proc || ended) return;
      closing = true;
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      proc.stdin?.end();
      if (await within(exited, GRACE_MS)) return;
      proc.kill('SIGTERM');
      if (await within(exited, GRACE_MS)) return;
      proc.kill('SIGKILL');
      await within(exited, GRACE_MS);
    },
  };

  function finish(end: ChannelEnd): void {
    if (ended) return;
    ended = true;
    channel.onclose?.(end);
  }

  return channel;
}

export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `was killed by ${signal}`;
  return `exited with code ${code ?? 'unknown'}`;
}

async function within(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
    timer.unref();
  });
  const done = await Promise.race([promise.then(() => true), timeout]);
  clearTimeout(timer);
  return done;
}
