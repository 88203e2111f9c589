// `policyc serve` bounds how far V8 lets its heap grow between full collections (V8's default on
// a large machine lets a loaded gateway pass 150 MB of RSS, bench/README.md), unless node was
// started with a bound of the operator's own. Whether V8 honours the bound is measured by
// `node bench/load.mjs`; here, that the gateway sets it exactly when it should.

import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { cleanup, CLI, FUTU, runNode, tempDir, TRADING } from './helpers/harness.js';

afterAll(cleanup);

describe('policyc serve and the heap', () => {
  it("bounds the heap's growth, unless node was started with --heap-growing-percent", async () => {
    const folder = await tempDir();
    // stdin is empty: the gateway starts, finds its client gone, and stops.
    const args = [CLI, 'serve', '--verbose', '--policy', TRADING, '--audit', join(folder, 'audit.jsonl'), '--', process.execPath, FUTU];
    const bounded = await runNode(args);
    expect(bounded.stderr).toContain('the heap grows by at most 50 % between full collections');
    const chosen = await runNode(['--heap-growing-percent=20', ...args]);
    expect(chosen.stderr).not.toContain('the heap grows by at most');
    expect(chosen.code).toBe(bounded.code);
  });
});
