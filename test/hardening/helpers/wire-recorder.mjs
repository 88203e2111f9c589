#!/usr/bin/env node
// An upstream for the adversarial tests: the Futu fixture behind a tap that appends every byte
// the gateway sends to the server to WIRE_LOG before passing it on. The fixture's own
// FUTU_FIXTURE_LOG says which calls the server acted on; this says exactly what reached it, so a
// test can prove that a notification, a renamed method or a raw duplicate key never got there,
// and that what did get there is the gateway's re-serialisation, not the client's bytes.
//
//   node wire-recorder.mjs SERVER.mjs [ARGS…]      (environment: WIRE_LOG=FILE, passed on)

import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';

const [server, ...args] = process.argv.slice(2);
const log = process.env.WIRE_LOG;
const child = spawn(process.execPath, [server, ...args], { stdio: ['pipe', 'inherit', 'inherit'] });

process.stdin.on('data', (chunk) => {
  if (log) appendFileSync(log, chunk);
  child.stdin.write(chunk);
});
process.stdin.on('end', () => child.stdin.end());
child.stdin.on('error', () => {});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => child.kill(signal));
