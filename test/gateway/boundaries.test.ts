// The MCP SDK stays inside the gateway's transport layer, so moving to another SDK version (v2)
// touches a known handful of files: the relay, the gate and the audit log never see it.

import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

import { describe, expect, it } from 'vitest';

import { ROOT } from './helpers/harness.js';

async function sourceFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => (entry.isDirectory() ? sourceFiles(join(folder, entry.name)) : Promise.resolve(entry.name.endsWith('.ts') ? [join(folder, entry.name)] : []))),
  );
  return nested.flat();
}

describe('module boundaries', () => {
  it('imports the MCP SDK only in the gateway\'s transports and HTTP listener', async () => {
    const importers: string[] = [];
    for (const file of await sourceFiles(join(ROOT, 'src'))) {
      if (/from '@modelcontextprotocol\//.test(await readFile(file, 'utf8'))) importers.push(relative(ROOT, file));
    }
    // The relay has its own transports; the listener takes only the SDK's list of protocol versions.
    expect(importers.sort()).toEqual(['src/gateway/http/listener.ts']);
  });
});
