// The gateway runs without the MCP SDK: its transports are its own, and the one fact it takes
// from the SDK (the protocol versions a client may send) is a copy held equal to the SDK's list.

import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

import { describe, expect, it } from 'vitest';

import { SUPPORTED_PROTOCOL_VERSIONS as SDK_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';

import { SUPPORTED_PROTOCOL_VERSIONS } from '../../src/gateway/http/protocol-versions.js';
import { ROOT } from './helpers/harness.js';

async function sourceFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => (entry.isDirectory() ? sourceFiles(join(folder, entry.name)) : Promise.resolve(entry.name.endsWith('.ts') ? [join(folder, entry.name)] : []))),
  );
  return nested.flat();
}

describe('module boundaries', () => {
  it('never imports the MCP SDK at run time', async () => {
    const importers: string[] = [];
    for (const file of await sourceFiles(join(ROOT, 'src'))) {
      if (/from '@modelcontextprotocol\//.test(await readFile(file, 'utf8'))) importers.push(relative(ROOT, file));
    }
    expect(importers).toEqual([]);
  });

  it('accepts exactly the protocol versions the installed SDK supports', () => {
    expect([...SUPPORTED_PROTOCOL_VERSIONS]).toEqual([...SDK_PROTOCOL_VERSIONS]);
  });
});
