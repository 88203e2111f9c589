#!/usr/bin/env node
// An MCP server over Streamable HTTP that answers at once: the Futu server's 44 tools in
// tools/list, and every tools/call answered with the same small text result, without work. It is
// the upstream of the load benchmark, so that what is measured is the gateway, not the server.
// One process serves every session (the gateway opens one upstream session per downstream one).
//
//   node bench/fixture-upstream.mjs [--port N]     prints {"port": N} once listening
//
// Bound to 127.0.0.1 only. Plain node:http, no SDK: JSON responses (never SSE), a session id on
// `initialize`, 202 for notifications, 405 for the optional GET stream, 200 for DELETE.

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const facts = JSON.parse(readFileSync(new URL('../fixtures/futu/futu-stock-mcp-server.tools.json', import.meta.url), 'utf8'));
const TOOLS = facts.tools.map((tool) => ({ name: tool.name, description: tool.description, inputSchema: tool.inputSchema }));
const MAX_BODY = 1024 * 1024;

const sessions = new Set();

function resultFor(message) {
  switch (message.method) {
    case 'initialize':
      return {
        protocolVersion: message.params?.protocolVersion ?? '2025-06-18',
        capabilities: { tools: { listChanged: false } },
        serverInfo: { name: 'policyc-bench-upstream', version: '1.0.0' },
      };
    case 'ping':
      return {};
    case 'tools/list':
      return { tools: TOOLS };
    case 'tools/call':
      return { content: [{ type: 'text', text: `ok ${message.params?.name ?? ''}` }], isError: false };
    default:
      return undefined;
  }
}

function answer(message) {
  const result = resultFor(message);
  if (result !== undefined) return { jsonrpc: '2.0', id: message.id, result };
  return { jsonrpc: '2.0', id: message.id, error: { code: -32601, message: `method not found: ${message.method}` } };
}

function send(response, status, body, headers = {}) {
  const text = body === undefined ? '' : JSON.stringify(body);
  response.writeHead(status, { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }) });
  response.end(text);
}

const server = createServer((request, response) => {
  if (request.method === 'GET') return send(response, 405, undefined, { allow: 'POST, DELETE' });
  if (request.method === 'DELETE') {
    sessions.delete(request.headers['mcp-session-id']);
    return send(response, 200);
  }
  if (request.method !== 'POST') return send(response, 405, undefined, { allow: 'POST, DELETE' });
  const chunks = [];
  let size = 0;
  request.on('data', (chunk) => {
    size += chunk.length;
    if (size > MAX_BODY) request.destroy();
    else chunks.push(chunk);
  });
  request.on('end', () => {
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return send(response, 400, { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'parse error' } });
    }
    const messages = Array.isArray(body) ? body : [body];
    const isInitialize = messages.some((m) => m?.method === 'initialize');
    let session = request.headers['mcp-session-id'];
    if (isInitialize) {
      session = randomUUID();
      sessions.add(session);
    } else if (!sessions.has(session)) {
      return send(response, 404, { jsonrpc: '2.0', id: null, error: { code: -32001, message: 'unknown session' } });
    }
    const requests = messages.filter((m) => m && m.id !== undefined && m.method !== undefined);
    const headers = { 'mcp-session-id': session };
    if (requests.length === 0) return send(response, 202, undefined, headers);
    const answers = requests.map(answer);
    send(response, 200, Array.isArray(body) ? answers : answers[0], headers);
  });
});

const portIndex = process.argv.indexOf('--port');
const port = portIndex === -1 ? 0 : Number(process.argv[portIndex + 1]);
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
