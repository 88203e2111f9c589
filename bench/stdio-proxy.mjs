#!/usr/bin/env node
// A plain MCP proxy over stdio that enforces nothing: the baseline "what any relay costs" for the
// gateway benchmark. It starts the server given after `--` and relays messages both ways, reading
// each line as a JSON-RPC message and writing it out again (the least a proxy that routes
// messages must do), with no policy, no audit, no session state.
//
//   node bench/stdio-proxy.mjs -- COMMAND [ARGS…]

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const dash = process.argv.indexOf('--');
const [command, ...args] = dash === -1 ? [] : process.argv.slice(dash + 1);
if (!command) {
  process.stderr.write('usage: node bench/stdio-proxy.mjs -- COMMAND [ARGS…]\n');
  process.exit(2);
}

const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });

function relay(from, to) {
  const lines = createInterface({ input: from, crlfDelay: Infinity });
  lines.on('line', (line) => {
    if (line.trim() === '') return;
    to.write(`${JSON.stringify(JSON.parse(line))}\n`);
  });
  return lines;
}

relay(process.stdin, child.stdin).on('close', () => child.stdin.end());
relay(child.stdout, process.stdout);
child.on('exit', (code) => process.exit(code ?? 1));
process.on('SIGTERM', () => child.kill('SIGTERM'));
