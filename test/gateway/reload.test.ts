// Hot reload: the policy file is replaced as editors do (write a new file, rename it over the
// old one). A valid change is swapped in, tells the client its tool list changed, and keeps the
// rate-limit counters; a broken one is refused and the old policy stays in force.

import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, describe, expect, it } from 'vitest';

import { callTool, cleanup, EVERYTHING, eventually, runCli, stdioGateway, tempDir, textOf } from './helpers/harness.js';

const BEFORE = `version 1
default deny
hide get-env
allow echo
allow get-sum
  limit 2 per 1m
`;

const AFTER = `# reloaded: a comment moves every line down
version 1
default deny
allow echo, get-tiny-image
allow get-sum
  limit 2 per 1m
`;

const BROKEN = `version 1
default deny
allow echo when
`;

async function replace(path: string, text: string): Promise<void> {
  const next = `${path}.tmp`;
  await writeFile(next, text);
  await rename(next, path);
}

describe('hot reload', () => {
  afterAll(cleanup);

  it('swaps a valid change in, keeping counters, and refuses a broken one', async () => {
    const folder = await tempDir();
    const policy = join(folder, 'live.policy');
    await writeFile(policy, BEFORE);
    const gateway = await stdioGateway({ policy, audit: join(folder, 'audit.jsonl'), upstream: [process.execPath, EVERYTHING, 'stdio'] });
    let changed = 0;
    gateway.client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      changed++;
    });

    expect((await callTool(gateway.client, 'get-sum', { a: 1, b: 2 })).isError).toBeFalsy();
    expect((await callTool(gateway.client, 'get-sum', { a: 1, b: 2 })).isError).toBeFalsy();
    expect(textOf(await callTool(gateway.client, 'get-tiny-image'))).toBe('Denied by policyc: no rule of the policy allows "get-tiny-image", and the policy\'s default is deny.');
    expect((await gateway.client.listTools()).tools.map((tool) => tool.name)).not.toContain('get-env');

    const before = changed;
    await replace(policy, AFTER);
    await eventually(() => gateway.stderr().includes(`policy reloaded from ${policy}`), 10_000, 'the reload');
    await eventually(() => changed > before, 5_000, 'notifications/tools/list_changed after the reload');

    expect((await callTool(gateway.client, 'get-tiny-image')).isError).toBeFalsy();
    expect((await gateway.client.listTools()).tools.map((tool) => tool.name)).toContain('get-env');
    // The limit is the same limit (on a new line): its two calls in this minute still count.
    expect(textOf(await callTool(gateway.client, 'get-sum', { a: 1, b: 2 }))).toMatch(
      new RegExp(`^Denied by policyc: the limit of 2 calls per 1m \\(rule r2 at ${policy.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5\\) is reached for this caller; retry after \\d+ s\\.$`),
    );

    // A comment above the rules moves their lines and nothing else: denials name the new line.
    await replace(policy, `# one more comment\n${AFTER}`);
    await eventually(() => gateway.stderr().includes(`policy reloaded from ${policy} (source lines only)`), 10_000, 'the line-only reload');
    expect(textOf(await callTool(gateway.client, 'get-sum', { a: 1, b: 2 }))).toContain(`(rule r2 at ${policy}:6)`);

    await replace(policy, BROKEN);
    await eventually(() => gateway.stderr().includes('policy not reloaded'), 10_000, 'the refusal');
    expect(gateway.stderr()).toContain(`policy not reloaded: ${policy} `);
    expect(gateway.stderr()).toContain('the previous policy stays in force');
    expect(gateway.stderr()).toContain(`${policy}:3:`);
    expect((await callTool(gateway.client, 'get-tiny-image')).isError).toBeFalsy();
    expect(textOf(await callTool(gateway.client, 'echo', { message: 'old policy' }))).toBe('Echo: old policy');
  });

  it('refuses to start on a policy with errors, showing the diagnostics (exit 1)', async () => {
    const folder = await tempDir();
    const policy = join(folder, 'broken.policy');
    await writeFile(policy, BROKEN);
    const run = await runCli(['serve', '--policy', policy, '--audit', join(folder, 'audit.jsonl'), '--', process.execPath, EVERYTHING, 'stdio']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${policy}:3:`);
    expect(run.stderr).toMatch(/policyc: .*broken\.policy (has \d+ lint errors?|does not compile); the gateway does not start/);
    expect(run.stdout).toBe('');
  });

  it('refuses a missing policy file as a usage error (exit 2)', async () => {
    const folder = await tempDir();
    const run = await runCli(['serve', '--policy', join(folder, 'nope.policy'), '--audit', join(folder, 'audit.jsonl'), '--', process.execPath, EVERYTHING, 'stdio']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`policyc: cannot read ${join(folder, 'nope.policy')}: no such file`);
  });
});
