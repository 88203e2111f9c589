// The gateway over stdio in front of the Futu fixture, with the example policy
// (fixtures/policies/trading.policy), driven by the SDK's Client and by mcp-inspector-cli.
// The fixture records every call it receives: a denied call must never be among them.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  auditRecords,
  callTool,
  cleanup,
  eventually,
  fixtureCalls,
  FUTU,
  INSPECTOR,
  listAllTools,
  ROOT,
  runCli,
  runNode,
  stdioGateway,
  tempDir,
  textOf,
  TRADING,
  type StdioGateway,
} from './helpers/harness.js';

const ORDER = { code: 'HK.00700', price: 500, qty: 100, trd_side: 'BUY' };

describe('policyc serve over stdio, in front of the Futu fixture', () => {
  let folder: string;
  let calls: string;
  let audit: string;
  let gateway: StdioGateway;

  beforeAll(async () => {
    folder = await tempDir();
    calls = join(folder, 'calls.jsonl');
    audit = join(folder, 'audit.jsonl');
    gateway = await stdioGateway({
      policy: TRADING,
      audit,
      upstream: [process.execPath, FUTU],
      env: { FUTU_FIXTURE_LOG: calls, FUTU_FIXTURE_PAGE_SIZE: '7', FUTU_ENABLE_TRADING: '1', FUTU_FIXTURE_OMIT_TOOLS: 'get_market_state' },
    });
  });
  afterAll(cleanup);

  it('lists every tool except the hidden one, on every page, keeping the cursor', async () => {
    const pages: number[] = [];
    let cursor: string | undefined;
    const names: string[] = [];
    do {
      const page = await gateway.client.listTools(cursor === undefined ? {} : { cursor });
      pages.push(page.tools.length);
      names.push(...page.tools.map((tool) => tool.name));
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    // 43 listed by the fixture (get_market_state left out), 7 a page; cancel_all_orders is on page 4.
    expect(pages).toEqual([7, 7, 7, 6, 7, 7, 1]);
    expect(names).toHaveLength(42);
    expect(names).not.toContain('cancel_all_orders');
    expect(names).toContain('cancel_order');
  });

  it('denies a hidden tool called by name, and the upstream never sees it', async () => {
    const result = await callTool(gateway.client, 'cancel_all_orders', { trd_env: 'SIMULATE' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe(`Denied by policyc: "cancel_all_orders" is not available to this caller (hidden by ${TRADING}:6).`);
    expect((await fixtureCalls(calls)).map((call) => call.tool)).not.toContain('cancel_all_orders');
  });

  it('compares tool names byte for byte: no case folding, trimming or look-alikes', async () => {
    for (const name of ['CANCEL_ALL_ORDERS', 'cancel_all_orders ', ' cancel_all_orders', 'cancel_all_orders\u200b', 'cancel_аll_orders', 'Get_Stock_Quote']) {
      const result = await callTool(gateway.client, name, { trd_env: 'SIMULATE', symbols: ['HK.00700'] });
      expect(textOf(result), JSON.stringify(name)).toBe(`Denied by policyc: ${JSON.stringify(name)} is not a tool that the upstream server offers.`);
    }
    expect(await fixtureCalls(calls)).toEqual([]);
  });

  it('answers get_stock_quote and denies cancel_order, naming the rule, its line and reason', async () => {
    const quote = await callTool(gateway.client, 'get_stock_quote', { symbols: ['HK.00700'] });
    expect(quote.isError).toBeFalsy();
    expect(JSON.parse(textOf(quote))[0]).toMatchObject({ code: 'HK.00700', name: 'TENCENT' });

    const cancel = await callTool(gateway.client, 'cancel_order', { order_id: '8851102695472794941' });
    expect(cancel.isError).toBe(true);
    expect(textOf(cancel)).toContain(`rule r4 at ${TRADING}:16`);
    expect(textOf(cancel)).toContain('order changes need a person');

    const received = (await fixtureCalls(calls)).map((call) => call.tool);
    expect(received).toContain('get_stock_quote');
    expect(received).not.toContain('cancel_order');
  });

  it('denies place_order with trd_env REAL (in any case) and forwards SIMULATE, normalised as checked', async () => {
    const before = (await fixtureCalls(calls)).length;
    for (const env of ['REAL', 'real', 'Real']) {
      const denied = await callTool(gateway.client, 'place_order', { ...ORDER, trd_env: env });
      expect(denied.isError, env).toBe(true);
      expect(textOf(denied)).toBe(
        `Denied by policyc: rule r3 at ${TRADING}:11 allows "place_order" only when its condition holds (paper trading only, small size), and for these arguments it does not; the policy's default is deny.`,
      );
    }
    expect(await fixtureCalls(calls)).toHaveLength(before);

    const { trd_env: _omitted, ...withoutEnv } = { ...ORDER, trd_env: 'SIMULATE' };
    const missing = await callTool(gateway.client, 'place_order', withoutEnv);
    expect(textOf(missing)).toMatch(/^Denied by policyc: rule r3 at .* allows "place_order" only when its condition holds \(paper trading only, small size\), and for these arguments it does not; .*trd_env.*; the policy's default is deny\.$/);
    expect(await fixtureCalls(calls)).toHaveLength(before);

    const allowed = await callTool(gateway.client, 'place_order', { ...ORDER, trd_env: 'simulate' });
    expect(allowed.isError).toBeFalsy();
    expect(JSON.parse(textOf(allowed))).toMatchObject({ code: 'HK.00700', trd_env: 'SIMULATE', order_status: 'SUBMITTED' });
    const received = await fixtureCalls(calls);
    expect(received).toHaveLength(before + 1);
    // The gateway forwards the arguments it compared: upper-cased, as the server would read them.
    expect(received.at(-1)).toEqual({ tool: 'place_order', arguments: { ...ORDER, trd_env: 'SIMULATE' } });
  });

  it('denies the 11th place_order within a minute under `limit 10 per 1m`, saying when to retry', async () => {
    const placed = (await fixtureCalls(calls)).filter((call) => call.tool === 'place_order').length;
    expect(placed).toBe(1);
    for (let i = placed; i < 10; i++) {
      const result = await callTool(gateway.client, 'place_order', { ...ORDER, trd_env: 'SIMULATE' });
      expect(result.isError, `call ${i + 1}`).toBeFalsy();
    }
    const eleventh = await callTool(gateway.client, 'place_order', { ...ORDER, trd_env: 'SIMULATE' });
    expect(eleventh.isError).toBe(true);
    expect(textOf(eleventh)).toMatch(
      new RegExp(`^Denied by policyc: the limit of 10 calls per 1m \\(rule r3 at ${TRADING.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:11\\) is reached for this caller; retry after (\\d+) s\\.$`),
    );
    const retry = Number(/retry after (\d+) s/.exec(textOf(eleventh))?.[1]);
    expect(retry).toBeGreaterThan(30);
    expect(retry).toBeLessThanOrEqual(60);
    expect((await fixtureCalls(calls)).filter((call) => call.tool === 'place_order')).toHaveLength(10);
  });

  it('denies a tool the upstream does not list, even one the catalogue knows; learns it after list_changed', async () => {
    const unknown = await callTool(gateway.client, 'drop_all_tables');
    expect(textOf(unknown)).toBe('Denied by policyc: "drop_all_tables" is not a tool that the upstream server offers.');
    const unlisted = await callTool(gateway.client, 'get_market_state', { market: 'HK' });
    expect(unlisted.isError).toBe(true);
    expect(textOf(unlisted)).toBe('Denied by policyc: "get_market_state" is not a tool that the upstream server offers.');

    // The fixture lists it after SIGUSR2 and says so with notifications/tools/list_changed.
    let changed = false;
    gateway.client.setNotificationHandler(
      (await import('@modelcontextprotocol/sdk/types.js')).ToolListChangedNotificationSchema,
      () => {
        changed = true;
      },
    );
    const pid = JSON.parse((await readFile(calls, 'utf8')).split('\n')[0] as string).pid as number;
    process.kill(pid, 'SIGUSR2');
    await eventually(() => changed, 10_000, 'notifications/tools/list_changed');

    const names = await listAllTools(gateway.client);
    expect(names).toContain('get_market_state');
    expect(names).not.toContain('cancel_all_orders');
    const listed = await callTool(gateway.client, 'get_market_state', { market: 'HK' });
    expect(listed.isError).toBeFalsy();
    expect(JSON.parse(textOf(listed))).toEqual([{ market: 'HK', market_state: 'AFTERNOON' }]);
    expect((await fixtureCalls(calls)).map((call) => call.tool)).not.toContain('drop_all_tables');
  });

  it('passes prompts through unchanged', async () => {
    const prompts = await gateway.client.listPrompts();
    expect(prompts.prompts.map((prompt) => prompt.name)).toEqual(['market_analysis', 'option_strategy']);
    const prompt = await gateway.client.getPrompt({ name: 'option_strategy', arguments: { symbol: 'HK.00700', expiry: '2025-06-27' } });
    expect(prompt.messages[0]?.content).toEqual({ type: 'text', text: 'Analyse HK.00700 for expiry 2025-06-27.' });
  });

  it('wrote one chained audit record per decision, with the argument hash only', async () => {
    const records = await auditRecords(audit);
    expect(records.filter((record) => record.basis === 'unknown-tool')).toHaveLength(8);
    const decisions = records.filter((record) => record.basis !== 'unknown-tool').map((record) => [record.tool, record.decision, record.basis, record.rule, record.source]);
    expect(decisions.slice(0, 4)).toEqual([
      ['cancel_all_orders', 'deny', 'hidden', null, `${TRADING}:6`],
      ['get_stock_quote', 'allow', 'rule', 'r1', `${TRADING}:8`],
      ['cancel_order', 'deny', 'approval', 'r4', `${TRADING}:16`],
      ['place_order', 'deny', 'default', null, null],
    ]);
    expect(records.map((record) => record.seq)).toEqual(records.map((_, i) => i + 1));
    expect(records.every((record) => !('args' in record) && /^[0-9a-f]{64}$/.test(record.args_sha256 as string))).toBe(true);
    const limited = records.find((record) => record.basis === 'limit');
    expect(limited).toMatchObject({ tool: 'place_order', decision: 'deny', rule: 'r3', source: `${TRADING}:11` });
    expect(limited?.reason).toMatch(/^limit 10 per 1m reached for this caller; retry after \d+ s$/);

    const verified = await runCli(['audit', 'verify', audit]);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toContain(`${records.length} records, chain intact`);
  });

  it('works the same for mcp-inspector-cli: a denial it prints, an answer it prints', async () => {
    // The inspector reads its own package.json relative to the working folder's parent.
    const cwd = join(ROOT, 'test');
    const inspect = (tool: string, args: string[]) =>
      runNode(
        [INSPECTOR, '--cli', process.execPath, join(ROOT, 'dist/cli/main.js'), 'serve', '--policy', TRADING, '--audit', join(folder, 'inspector.jsonl'), process.execPath, FUTU, '--method', 'tools/call', '--tool-name', tool, '--tool-arg', ...args],
        { cwd, env: { FUTU_FIXTURE_LOG: join(folder, 'inspector-calls.jsonl') } },
      );
    const denied = await inspect('cancel_order', ['order_id=1']);
    expect(denied.code).toBe(0);
    expect(JSON.parse(denied.stdout)).toMatchObject({ isError: true, content: [{ type: 'text', text: expect.stringContaining('rule r4') }] });
    const answered = await inspect('get_stock_quote', ['symbols=["US.AAPL"]']);
    expect(answered.code).toBe(0);
    const result = JSON.parse(answered.stdout) as { isError?: boolean; content: { text: string }[] };
    expect(result.isError).toBeUndefined();
    expect(JSON.parse(result.content[0]?.text ?? '')[0]).toMatchObject({ code: 'US.AAPL' });
    expect((await fixtureCalls(join(folder, 'inspector-calls.jsonl'))).map((call) => call.tool)).toEqual(['get_stock_quote']);
  });
});

describe('policyc serve --identity', () => {
  afterAll(cleanup);

  it('applies the identity block: account data denied, financial and destructive tools hidden', async () => {
    const folder = await tempDir();
    const calls = join(folder, 'calls.jsonl');
    const gateway = await stdioGateway({
      policy: TRADING,
      audit: join(folder, 'audit.jsonl'),
      upstream: [process.execPath, FUTU],
      args: ['--identity', 'research-bot'],
      env: { FUTU_FIXTURE_LOG: calls },
    });
    const names = await listAllTools(gateway.client);
    for (const hidden of ['place_order', 'modify_order', 'unlock_trade', 'cancel_order', 'cancel_all_orders']) expect(names).not.toContain(hidden);
    expect(names).toContain('get_funds');
    const funds = await callTool(gateway.client, 'get_funds');
    expect(textOf(funds)).toBe(`Denied by policyc: rule r6 at ${TRADING}:26 denies "get_funds": no account data for research`);
    const order = await callTool(gateway.client, 'place_order', { ...ORDER, trd_env: 'SIMULATE' });
    expect(textOf(order)).toBe(`Denied by policyc: "place_order" is not available to this caller (hidden by ${TRADING}:25).`);
    expect(await fixtureCalls(calls)).toEqual([]);
    const records = await auditRecords(join(folder, 'audit.jsonl'));
    expect(records.map((record) => record.identity)).toEqual(['research-bot', 'research-bot']);
  });
});

describe('policyc serve with each spelling of the policy', () => {
  afterAll(cleanup);

  it('enforces the DSL, the YAML and the built policy.json alike, naming the source line', async () => {
    const folder = await tempDir();
    const yaml = join(ROOT, 'fixtures', 'policies', 'trading.policy.yaml');
    const built = join(folder, 'policy.json');
    const build = await runCli(['build', yaml, '-o', built]);
    expect(build.code).toBe(0);
    for (const [policy, source] of [
      [TRADING, `${TRADING}:16`],
      [yaml, `${yaml}:16`],
      [built, `${yaml}:16`],
    ] as const) {
      const calls = join(folder, `${policy.replace(/\W/g, '_')}.calls.jsonl`);
      const gateway = await stdioGateway({
        policy,
        audit: join(folder, `${policy.replace(/\W/g, '_')}.audit.jsonl`),
        upstream: [process.execPath, FUTU],
        env: { FUTU_FIXTURE_LOG: calls, FUTU_ENABLE_TRADING: '1' },
      });
      expect(textOf(await callTool(gateway.client, 'cancel_order', { order_id: '1' }))).toContain(`rule r4 at ${source} requires a person`);
      expect((await callTool(gateway.client, 'place_order', { ...ORDER, trd_env: 'REAL' })).isError).toBe(true);
      expect((await callTool(gateway.client, 'place_order', { ...ORDER, trd_env: 'SIMULATE' })).isError).toBeFalsy();
      expect((await fixtureCalls(calls)).map((call) => call.tool)).toEqual(['place_order']);
      await gateway.close();
    }
  });
});
