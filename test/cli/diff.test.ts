// `policyc diff OLD NEW` as a user runs it: the report, the JSON, and --fail-on-new-access as a
// CI gate (exit 1 on new access, 0 otherwise), across spellings.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { EXAMPLE, ROOT, hasStackTrace, runCli, tempFolder } from './run.js';

let folder: { path: string; remove: () => void };
beforeEach(() => {
  folder = tempFolder();
});
afterEach(() => folder.remove());

function write(name: string, text: string): string {
  const path = join(folder.path, name);
  writeFileSync(path, text);
  return path;
}

const HEADER = 'version 1\nserver "futu-stock-mcp-server"\ndefault deny\n';

interface JsonChange {
  identity: string | null;
  tool: string;
  from: string;
  to: string;
  args: object;
  old: { outcome: string; basis: string; rule: string | null; source: { line: number } | null };
  new: { outcome: string; basis: string; rule: string | null; source: { line: number } | null };
}

describe('policyc diff', () => {
  it('says when nothing changed, across spellings (DSL against its compiled policy.json)', async () => {
    const result = await runCli(['diff', EXAMPLE, join(ROOT, 'fixtures/policies/trading.policy.json'), '--fail-on-new-access']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^no change in access: every call is decided as before \(\d+ caller and tool pairs compared\)\n$/);
  });

  it('reports new and removed access with an example call and the deciding rules', async () => {
    const before = write('old.policy', `${HEADER}approve modify_order\n`);
    const after = write('new.policy', `${HEADER}allow modify_order when modify_order_op == "NORMAL"\n`);
    const result = await runCli(['diff', before, after]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        `new access in ${after}:`,
        '+ modify_order: approve → allow, e.g. modify_order {"modify_order_op": "NORMAL"}',
        `    old: sent for approval by r1 (${before}:4)`,
        `    new: allowed by r1 (${after}:4)`,
        '',
        'access taken away:',
        '- modify_order: approve → deny, e.g. modify_order {}',
        `    old: sent for approval by r1 (${before}:4)`,
        '    new: denied by default (no rule decides it)',
        '',
        '1 kind of call gained access, 1 lost it (44 caller and tool pairs compared)',
        '',
      ].join('\n'),
    );
  });

  it('fails with --fail-on-new-access only when the new policy grants more', async () => {
    const before = write('old.policy', `${HEADER}approve place_order\n`);
    const after = write('new.policy', `${HEADER}approve place_order when qty < 10\n`);
    // Taking access away passes the gate…
    expect((await runCli(['diff', before, after, '--fail-on-new-access'])).code).toBe(0);
    // …granting it does not.
    const reverse = await runCli(['diff', after, before, '--fail-on-new-access']);
    expect(reverse.code).toBe(1);
    expect(reverse.stderr).toContain('grants access');
  });

  it('compares per identity, and writes JSON', async () => {
    const before = write('old.policy', `${HEADER}allow class read\nidentity "bot" {\n  deny get_funds\n}\n`);
    const after = write('new.policy.yaml', 'version: 1\nserver: futu-stock-mcp-server\ndefault: deny\nrules:\n  - allow: class read\n');
    const result = await runCli(['diff', before, after, '--format', 'json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { gained: JsonChange[]; lost: JsonChange[]; exhaustive: boolean };
    expect(report.exhaustive).toBe(true);
    expect(report.lost).toEqual([]);
    expect(report.gained).toEqual([
      {
        identity: 'bot',
        tool: 'get_funds',
        from: 'deny',
        to: 'allow',
        args: {},
        old: { outcome: 'deny', basis: 'rule', rule: 'r2', source: { file: before, line: 6, column: 3 } },
        new: { outcome: 'allow', basis: 'rule', rule: 'r1', source: { file: after, line: 5, column: 3 } },
      },
    ]);
  });

  it('refuses a policy that does not compile (exit 1) and a missing file (exit 2), without a stack trace', async () => {
    const good = write('good.policy', HEADER);
    const broken = write('broken.json', '{"version": "1", "tools": 3}');
    const result = await runCli(['diff', good, broken]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('does not compile');
    const missing = await runCli(['diff', good, join(folder.path, 'nope.policy')]);
    expect(missing.code).toBe(2);
    expect(hasStackTrace(result.stderr) || hasStackTrace(missing.stderr)).toBe(false);
  });

  it('says when it cannot compare every call, and then does not claim "no new access"', async () => {
    const before = write('old.policy', `${HEADER}approve place_order when code matches "A.*" and code matches "B.*"\n`);
    const result = await runCli(['diff', before, before, '--fail-on-new-access']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('not compared exhaustively:\n  place_order: the strings of code');
    expect(result.stderr).toContain('cannot be proved');
    expect(readFileSync(before, 'utf8')).toContain('approve place_order');
  });
});
