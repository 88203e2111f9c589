// `catalog import`: a listing → a catalogue that loads, and the listing itself from real servers
// (the Futu fixture and server-everything over stdio, an SDK server over Streamable HTTP).

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { catalogFromListing, formatCatalog, type ServerListing } from '../../src/catalog/import.js';
import { loadCatalogFile } from '../../src/catalog/load.js';
import { SourceText } from '../../src/diagnostics/source.js';
import { InventoryError, listServerTools } from '../../src/gateway/inventory.js';
import type { JsonValue } from '../../src/model/json.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FUTU = join(ROOT, 'fixtures/futu/server.mjs');
const EVERYTHING = join(ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');

function listing(tools: JsonValue[], transport: ServerListing['transport'] = { kind: 'stdio', command: 'srv', args: [] }): ServerListing {
  return { serverInfo: { name: 'srv', version: '1.0' }, protocolVersion: '2025-06-18', tools, transport };
}

const tool = (name: string, extra: Record<string, JsonValue> = {}): JsonValue => ({ name, description: `does ${name}`, inputSchema: { type: 'object' }, ...extra });

describe('a listing → a catalogue', () => {
  it('keeps name, description and schema, guesses the rest, marks every tool unreviewed, and loads', () => {
    const { catalog, problems } = catalogFromListing(
      listing([tool('get_thing'), tool('delete_thing', { annotations: { destructiveHint: false }, inputSchema: { type: 'object', properties: { password: { type: 'string' } } } })]),
    );
    expect(problems).toEqual([]);
    expect(catalog?.tools.map((t) => [t.name, t.class, t.risk, t.secrets ?? [], t.reviewed, t.capabilities])).toEqual([
      ['get_thing', 'read', 'low', [], false, []],
      ['delete_thing', 'destructive', 'high', ['password'], false, []],
    ]);
    const loaded = loadCatalogFile(new SourceText('c.json', formatCatalog(catalog!)));
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.catalog?.name).toBe('srv');
  });

  it('is named by --name, else by the server', () => {
    expect(catalogFromListing(listing([tool('x')]), 'mine').catalog?.name).toBe('mine');
  });

  it('gives the same bytes for the same listing', () => {
    const once = formatCatalog(catalogFromListing(listing([tool('a'), tool('b')])).catalog!);
    expect(formatCatalog(catalogFromListing(listing([tool('a'), tool('b')])).catalog!)).toBe(once);
  });

  it.each([
    ['a tool listed twice', [tool('a'), tool('a')]],
    ['a tool without a name', [{ inputSchema: { type: 'object' } }]],
    ['a tool whose input schema is not an object schema', [{ name: 'a', inputSchema: { type: 'string' } }]],
    ['a tool that is not an object', ['a']],
  ])('refuses %s', (_name, tools) => {
    const { catalog, problems } = catalogFromListing(listing(tools as JsonValue[]));
    expect(catalog).toBeUndefined();
    expect(problems).toHaveLength(1);
  });

  it('writes down how the server was reached without its credentials', () => {
    const stdio = catalogFromListing(listing([tool('a')], { kind: 'stdio', command: 'srv', args: ['--api-key', 'K1', '--token=K2', '--port', '1'] })).catalog!;
    expect(stdio.source?.command).toEqual(['srv', '--api-key', '<redacted>', '--token=<redacted>', '--port', '1']);
    const http = catalogFromListing(listing([tool('a')], { kind: 'http', url: 'https://user:pw@example.com/mcp?key=K3' })).catalog!;
    expect(http.source?.url).toBe('https://example.com/mcp');
    expect(JSON.stringify([stdio, http])).not.toMatch(/K1|K2|K3|pw@/);
  });
});

describe('listing a live server', () => {
  const options = { timeoutMs: 20_000, clientVersion: 'test' };

  it('reads the 44 tools of the Futu fixture', async () => {
    const inventory = await listServerTools({ ...options, upstream: { kind: 'command', command: process.execPath, args: [FUTU] } });
    expect(inventory.tools).toHaveLength(44);
    expect(inventory.serverInfo.name).toBeTruthy();
    expect(inventory.pages).toBe(1);
  });

  it('follows every page, in order', async () => {
    const whole = await listServerTools({ ...options, upstream: { kind: 'command', command: process.execPath, args: [FUTU] } });
    process.env.FUTU_FIXTURE_PAGE_SIZE = '5';
    try {
      const paged = await listServerTools({ ...options, upstream: { kind: 'command', command: process.execPath, args: [FUTU] } });
      expect(paged.pages).toBe(9);
      expect(paged.tools).toEqual(whole.tools);
    } finally {
      delete process.env.FUTU_FIXTURE_PAGE_SIZE;
    }
  });

  it('fails on a malformed tools/list, a command that does not exist, and a server that exits', async () => {
    process.env.FUTU_FIXTURE_BAD_LIST = '1';
    try {
      await expect(listServerTools({ ...options, upstream: { kind: 'command', command: process.execPath, args: [FUTU] } })).rejects.toThrow(/no "tools" list/);
    } finally {
      delete process.env.FUTU_FIXTURE_BAD_LIST;
    }
    await expect(listServerTools({ ...options, upstream: { kind: 'command', command: 'policyc-no-such-command', args: [] } })).rejects.toThrow(InventoryError);
    await expect(listServerTools({ ...options, upstream: { kind: 'command', command: process.execPath, args: ['-e', 'process.exit(3)'] } })).rejects.toThrow(/exited with code 3/);
  });

  it('gives up after the timeout on a server that never answers', async () => {
    const started = Date.now();
    await expect(
      listServerTools({ ...options, timeoutMs: 500, upstream: { kind: 'command', command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'] } }),
    ).rejects.toThrow(/within 1 s/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('sees every tool of server-everything, also those it shows only to capable clients', async () => {
    const inventory = await listServerTools({ ...options, upstream: { kind: 'command', command: process.execPath, args: [EVERYTHING, 'stdio'] } });
    const names = inventory.tools.map((t) => (t as { name: string }).name);
    expect(names).toEqual(expect.arrayContaining(['echo', 'get-sum', 'get-env', 'get-roots-list', 'trigger-elicitation-request', 'trigger-sampling-request']));
    const { catalog } = catalogFromListing({ ...inventory, transport: { kind: 'stdio', command: 'mcp-server-everything', args: ['stdio'] } });
    const byName = new Map(catalog!.tools.map((t) => [t.name, t]));
    expect(byName.get('echo')).toMatchObject({ class: 'read', risk: 'low' });
    expect(byName.get('get-env')).toMatchObject({ class: 'read', risk: 'high' });
    expect(byName.get('toggle-simulated-logging')).toMatchObject({ class: 'write' });
    expect(byName.get('trigger-sampling-request')?.secrets).toBeUndefined();
  });

  describe('over Streamable HTTP', () => {
    let server: Server;
    let url: URL;
    const seenHeaders: string[] = [];

    beforeAll(async () => {
      server = createServer((request, response) => {
        seenHeaders.push(String(request.headers['x-api-key'] ?? ''));
        if (request.headers['x-api-key'] !== 'secret-1') {
          response.writeHead(401).end();
          return;
        }
        // Stateless: a server and transport per request, as the SDK's examples do.
        const mcp = new McpServer({ name: 'http-test', version: '0.1.0' });
        mcp.registerTool('remove_item', { description: 'Removes an item.', inputSchema: {} }, () => ({ content: [] }));
        mcp.registerTool('list_items', { description: 'Lists items.', inputSchema: {}, annotations: { readOnlyHint: true } }, () => ({ content: [] }));
        const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
        response.on('close', () => void transport.close());
        void mcp.connect(transport).then(() => transport.handleRequest(request, response));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`);
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('lists the tools with the headers given', async () => {
      const inventory = await listServerTools({ ...options, upstream: { kind: 'url', url, headers: { 'X-Api-Key': 'secret-1' } } });
      expect(inventory.serverInfo.name).toBe('http-test');
      expect(inventory.tools.map((t) => (t as { name: string }).name).sort()).toEqual(['list_items', 'remove_item']);
      expect(seenHeaders.every((header) => header === 'secret-1')).toBe(true);
    });

    it('fails without them', async () => {
      await expect(listServerTools({ ...options, upstream: { kind: 'url', url } })).rejects.toThrow(InventoryError);
    });
  });
});
