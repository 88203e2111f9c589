// Faults, made real: the gateway killed with SIGKILL in the middle of a load (stdio and HTTP, with
// and without --audit-sync), a disk that is full (RLIMIT_FSIZE through `ulimit -f`), a client that
// goes away mid-call, an upstream that crashes under one HTTP session, and the policy file turned
// into garbage while serving. In each case: a clear answer or log line, the gateway keeps serving
// what it can, nothing fails open, and every call that reached the server has its audit record.

import { spawnSync } from 'node:child_process';
import { mkdir, readFile, rename, rm, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { canonicalJson, openAuditLog, sha256, type AuditEntry } from '../../src/gateway/audit.js';
import { HARDENING_POLICY, httpTarget, killStdioTargets, messagesOf, rawHttp, stdioTarget, type StdioTarget } from './helpers/wire.js';
import { auditRecords, cleanup, eventually, fixtureCalls, runCli, tempDir } from '../gateway/helpers/harness.js';

afterAll(async () => {
  killStdioTargets();
  await cleanup();
});

const call = (id: number | string, name: string, args: Record<string, unknown> = {}): string => JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every call the server received has an `allow` record with the hash of exactly its arguments, and the log verifies. */
async function everyCallRecorded(callLog: string, audit: string): Promise<number> {
  const calls = await fixtureCalls(callLog);
  const allowed = (await auditRecords(audit)).filter((record) => record.decision === 'allow');
  const recorded = new Set(allowed.map((record) => record.args_sha256));
  expect(calls.length).toBeGreaterThan(0);
  for (const received of calls) expect(recorded.has(sha256(canonicalJson(received.arguments as never))), JSON.stringify(received)).toBe(true);
  expect(allowed.length).toBeGreaterThanOrEqual(calls.length);
  const verify = await runCli(['audit', 'verify', audit]);
  expect(verify.stderr).toBe('');
  expect(verify.code).toBe(0);
  return calls.length;
}

describe('SIGKILL in the middle of a load', () => {
  async function killUnderLoad(target: StdioTarget): Promise<void> {
    await target.initialize();
    let sent = 0;
    const load = setInterval(() => {
      for (let i = 0; i < 20; i++, sent++) target.write(`${call(100 + sent, 'get_current_time', { n: sent })}\n`).catch(() => undefined);
    }, 2);
    await eventually(() => target.messages.filter((message) => typeof message.id === 'number' && message.id >= 100).length >= 80, 15_000, '80 answers');
    target.child.kill('SIGKILL');
    clearInterval(load);
    await target.exited;
    // The server sees its input close and records nothing more; give it a moment to go.
    await sleep(300);
  }

  it.each([
    ['the default', []],
    ['--audit-sync', ['--audit-sync']],
  ])('over stdio with %s: every call that reached the server has its record, and the log verifies and goes on', async (_what, args) => {
    const target = await stdioTarget({ args });
    await killUnderLoad(target);
    const reached = await everyCallRecorded(target.callLog, target.audit);
    expect(reached).toBeGreaterThanOrEqual(80);

    // A new gateway takes over the log (the lock of the killed one is stale) and continues its chain.
    const before = (await auditRecords(target.audit)).length;
    const next = await stdioTarget({ audit: target.audit });
    await next.initialize();
    const answer = await next.exchange(call(1, 'get_current_time'), 1);
    expect(answer.calls).toHaveLength(1);
    expect(await next.end()).toBe(0);
    const records = await auditRecords(target.audit);
    expect(records).toHaveLength(before + 1);
    expect(records.at(-1)?.seq).toBe(before + 1);
    expect((await runCli(['audit', 'verify', target.audit])).code).toBe(0);
  });

  it('over HTTP with several sessions at once: every call that reached the server has its record', async () => {
    const target = await httpTarget();
    const sessions = [await target.openSession('trader'), await target.openSession('other'), await target.openSession('trader')];
    const identities = ['trader', 'other', 'trader'];
    let answered = 0;
    let stop = false;
    let n = 0;
    const worker = async (index: number): Promise<void> => {
      while (!stop) {
        const body = call(n, 'get_current_time', { n: n++ });
        await rawHttp(target.url, { headers: target.headers(identities[index] as string, sessions[index]), body })
          .then(() => answered++)
          .catch(() => undefined);
      }
    };
    const workers = [0, 1, 2].flatMap((index) => Array.from({ length: 6 }, () => worker(index)));
    await eventually(() => answered >= 100, 20_000, '100 answers');
    target.gateway.process.kill('SIGKILL');
    stop = true;
    await Promise.all(workers);
    await sleep(300);
    expect(await everyCallRecorded(target.callLog, target.audit)).toBeGreaterThanOrEqual(100);
  });
});

describe('a full disk (RLIMIT_FSIZE)', () => {
  /** The unit of `ulimit -f` in this shell (512 bytes for dash, 1024 for bash). */
  function ulimitUnit(folder: string): number {
    const probe = join(folder, 'unit-probe');
    spawnSync('/bin/sh', ['-c', `ulimit -f 1; head -c 4096 /dev/zero > "${probe}"`], { stdio: 'ignore' });
    return Number(spawnSync('/bin/sh', ['-c', `wc -c < "${probe}"`], { encoding: 'utf8' }).stdout.trim());
  }

  it('denies the call it cannot record, forwards nothing, leaves the log whole, and keeps serving', async () => {
    const folder = await tempDir();
    const unit = ulimitUnit(folder);
    expect([512, 1024]).toContain(unit);
    // An existing log that ends 100 bytes short of the file-size limit: the next record cannot fit.
    const audit = join(folder, 'audit.jsonl');
    const log = await openAuditLog(audit);
    const entry = (reason: string): AuditEntry => ({ identity: 'earlier', session: 's0', tool: 'get_current_time', decision: 'allow', basis: 'rule', rule: 'r1', source: null, reason, args: {} });
    for (let i = 0; i < 12; i++) await log.append(entry(''));
    const size = (await stat(audit)).size;
    await log.append(entry(''));
    const base = (await stat(audit)).size - size;
    const now = size + base;
    const pad = (((unit - 100 - ((now + base) % unit)) % unit) + unit) % unit;
    await log.append(entry('x'.repeat(pad)));
    await log.close();
    const full = (await stat(audit)).size;
    expect((full + 100) % unit).toBe(0);
    const before = await readFile(audit, 'utf8');

    const target = await stdioTarget({ audit, shell: `ulimit -f ${(full + 100) / unit}` });
    await target.initialize();
    const allowed = await target.exchange(call(1, 'get_current_time'), 1);
    expect(allowed.answers).toEqual([
      {
        jsonrpc: '2.0',
        id: 1,
        result: {
          content: [{ type: 'text', text: expect.stringMatching(new RegExp(`^Denied by policyc: the gateway could not write its audit record \\(cannot write the audit log ${audit}: .+\\), and it forwards no call without one\\.$`)) }],
          isError: true,
        },
      },
    ]);
    expect(allowed.upstream).toEqual([]);
    expect(allowed.calls).toEqual([]);
    const denied = await target.exchange(call(2, 'unlock_trade', { password: 'x' }), 2);
    expect(denied.answers[0]).toMatchObject({ result: { isError: true, content: [{ text: expect.stringContaining('denies "unlock_trade"') }] } });
    expect(target.stderr()).toContain('policyc serve: error: denied "get_current_time": cannot write the audit log');
    expect(target.stderr()).toContain('policyc serve: error: could not write the audit record of a denied "unlock_trade" call: cannot write the audit log');
    // Still serving, still closed.
    const again = await target.exchange(call(3, 'get_stock_quote', { symbols: ['HK.00700'] }), 3);
    expect(again.answers[0]).toMatchObject({ result: { isError: true } });
    expect(again.calls).toEqual([]);
    expect(await target.end()).toBe(0);
    // Every partial write was undone: the log is byte for byte what it was, and verifies.
    expect(await readFile(audit, 'utf8')).toBe(before);
    expect((await runCli(['audit', 'verify', audit])).code).toBe(0);
  });
});

describe('a client that goes away mid-call', () => {
  it('over HTTP: the aborted call keeps its record, its session and every other session go on', async () => {
    const target = await httpTarget({ env: { FUTU_FIXTURE_DELAY_MS: '400' } });
    const quitter = await target.openSession('trader');
    const bystander = await target.openSession('other');
    const aborted = rawHttp(target.url, { headers: target.headers('trader', quitter), body: call(1, 'get_current_time', { who: 'quitter' }), timeoutMs: 100 });
    await expect(aborted).rejects.toThrow('no answer in time');
    const other = await target.exchangeAs('other', bystander, call(2, 'get_current_time', { who: 'bystander' }));
    expect(other.status).toBe(200);
    expect(other.answers[0]).toMatchObject({ id: 2, result: { content: [{ type: 'text' }] } });
    await eventually(async () => (await fixtureCalls(target.callLog)).length === 2, 5_000, 'both calls at the server');
    const again = await target.exchangeAs('trader', quitter, call(3, 'get_current_time', { who: 'quitter again' }));
    expect(again.answers[0]).toMatchObject({ id: 3, result: { content: [{ type: 'text' }] } });
    await everyCallRecorded(target.callLog, target.audit);
    expect(target.gateway.process.exitCode).toBeNull();
  });

  it('over stdio: closing stdin mid-call ends the gateway cleanly, with the record written', async () => {
    const target = await stdioTarget({ env: { FUTU_FIXTURE_DELAY_MS: '1000' } });
    await target.initialize();
    await target.write(`${call(1, 'get_current_time', { last: true })}\n`);
    await eventually(async () => (await fixtureCalls(target.callLog)).length === 1, 5_000, 'the call at the server');
    expect(await target.end()).toBe(0);
    await everyCallRecorded(target.callLog, target.audit);
  });
});

describe('an upstream that crashes under one HTTP session', () => {
  it('fails that session\'s call with an error and closes it; other sessions go on', async () => {
    const target = await httpTarget({ env: { FUTU_FIXTURE_FAULT: 'crash', FUTU_FIXTURE_FAULT_TOOL: 'get_ticker' } });
    const doomed = await target.openSession('trader');
    const fine = await target.openSession('other');
    const crash = { answers: messagesOf(await rawHttp(target.url, { headers: target.headers('trader', doomed), body: call(1, 'get_ticker', { symbol: 'HK.00700' }) })) };
    expect(crash.answers).toEqual([{ jsonrpc: '2.0', id: 1, error: { code: -32000, message: 'The request cannot complete: the upstream MCP server exited with code 70.' } }]);
    const after = await rawHttp(target.url, { headers: target.headers('trader', doomed), body: call(2, 'get_current_time') });
    expect(after.status).toBe(404);
    const other = messagesOf(await rawHttp(target.url, { headers: target.headers('other', fine), body: call(3, 'get_current_time') }));
    expect(other[0]).toMatchObject({ id: 3, result: { content: [{ type: 'text' }] } });
    expect(target.stderr()).toContain('the upstream MCP server exited with code 70');
  });
});

describe('the policy file turned into garbage while serving', () => {
  let target: StdioTarget;
  let policy: string;
  let original: string;
  beforeAll(async () => {
    const folder = await tempDir();
    policy = join(folder, 'live.policy');
    original = await readFile(HARDENING_POLICY, 'utf8');
    await writeFile(policy, original);
    target = await stdioTarget({ policy });
    await target.initialize();
  });

  /** The old policy is in force: reads allowed, unlock_trade denied. */
  async function oldPolicyHolds(id: number): Promise<void> {
    const read = await target.exchange(call(id, 'get_current_time'), id);
    expect(read.calls).toHaveLength(1);
    const unlock = await target.exchange(call(id + 1, 'unlock_trade', { password: 'x' }), id + 1);
    expect(unlock.answers[0]).toMatchObject({ result: { isError: true, content: [{ text: expect.stringContaining('denies "unlock_trade"') }] } });
    expect(unlock.calls).toEqual([]);
  }

  async function replaceWith(content: string | Buffer): Promise<void> {
    await writeFile(`${policy}.tmp`, content);
    await rename(`${policy}.tmp`, policy);
  }

  const refusals = (): number => target.stderr().split('policy not reloaded').length - 1;

  const BROKEN = /(does not compile|has \d+ lint errors?); the previous policy stays in force/;
  it.each<[string, () => Promise<void>, RegExp]>([
    ['text that is not a policy', () => replaceWith('allow everything, please {{{\n'), BROKEN],
    ['binary bytes', () => replaceWith(Buffer.from([0x00, 0xff, 0xfe, 0x7f, 0x1b, 0x5b, 0x32, 0x4a, 0x00, 0x80, 0x0a])), BROKEN],
    ['an empty file', () => replaceWith(''), /is empty \(no statements, only blank lines or comments\)/],
    ['comments only', () => replaceWith('# being rewritten\n\n'), /is empty/],
    ['nothing (deleted)', () => unlink(policy), /cannot read .*live\.policy/],
    ['a folder', async () => {
      await unlink(policy);
      await mkdir(policy);
    }, /cannot read .*live\.policy/],
  ])('keeps the previous policy when the file becomes %s, and says why', async (_what, replace, why) => {
    const before = refusals();
    await replace();
    await eventually(() => refusals() > before, 10_000, 'the refusal to reload');
    const line = target.stderr().split('\n').filter((text) => text.includes('policy not reloaded')).at(-1) ?? '';
    expect(line).toMatch(why);
    expect(line).toContain('the previous policy stays in force');
    await oldPolicyHolds(10 + before * 2);
    // Put the policy back as it was (its meaning unchanged: no reload is announced).
    await rm(policy, { recursive: true, force: true }).catch(() => rmdir(policy));
    await replaceWith(original);
    await sleep(400);
  });

  it('never reloaded, never stopped', async () => {
    expect(target.stderr()).not.toContain('policy reloaded');
    expect(target.child.exitCode).toBeNull();
    await oldPolicyHolds(90);
  });
});
