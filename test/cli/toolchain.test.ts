// The tool chain as a user meets it: `policyc test`, `init`, `catalog list|show|import`, and the
// configuration (severity overrides, strict, extra catalogues) — exit codes, outputs, files.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { EXAMPLE, ROOT, hasStackTrace, runCli, tempFolder } from './run.js';

const EXAMPLE_TESTS = join(ROOT, 'fixtures/policies/trading.tests.yaml');
const FUTU_SERVER = join(ROOT, 'fixtures/futu/server.mjs');
const EVERYTHING = join(ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');

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

const inFolder = (args: string[]) => runCli(args, { cwd: folder.path });

describe('policyc test', () => {
  it('passes the example tests, covering every rule, limit and hide of the example policy', async () => {
    const result = await runCli(['test', EXAMPLE, EXAMPLE_TESTS, '--fail-on-uncovered']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^✓ market data is free +allow by r1 at .*trading\.policy:8$/m);
    expect(result.stdout).toContain('29 tests: 29 passed');
    expect(result.stdout).toContain('coverage: 6/6 rules matched a call, 2/2 limits reached, 2/2 hide statements hid a call');
    // The policy's own lint warning goes to stderr, as with explain.
    expect(result.stderr).toContain('warning destructive-allowed');
  });

  it('fails (exit 1) on a case that does not hold, saying expected, actual and where', async () => {
    const cases = write('t.yaml', 'cases:\n  - name: real orders\n    tool: place_order\n    args: { trd_env: REAL, qty: 1 }\n    expect: allow\n');
    const result = await runCli(['test', EXAMPLE, cases]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('✗ real orders  expected allow, got deny by the default');
    expect(result.stdout).toContain(`    at ${cases}:2`);
    expect(result.stdout).toContain('1 test: 0 passed, 1 failed');
  });

  it('writes JSON with --format json', async () => {
    const result = await runCli(['test', EXAMPLE, EXAMPLE_TESTS, '--format', 'json']);
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout) as { passed: number; failed: number; coverage: { rules: { covered: boolean }[] } };
    expect([document.passed, document.failed]).toEqual([29, 0]);
    expect(document.coverage.rules.every((rule) => rule.covered)).toBe(true);
  });

  it('fails with --fail-on-uncovered when a rule was never matched', async () => {
    const cases = write('t.yaml', 'cases:\n  - { name: quotes, tool: get_stock_quote, expect: allow }\n');
    const plain = await runCli(['test', EXAMPLE, cases]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/not matched +r3 allow place_order +.*trading\.policy:11/);
    const strict = await runCli(['test', EXAMPLE, cases, '--fail-on-uncovered']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('not covered by any test (--fail-on-uncovered)');
  });

  it('refuses (exit 2) a cases file with a mistake, at its line and column, running nothing', async () => {
    const cases = write('t.yaml', 'cases:\n  - name: a\n    tool: get_funds\n    expect: approve\n');
    const result = await runCli(['test', EXAMPLE, cases]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${cases}:4:13 - error schema-error`);
    expect(result.stdout).toBe('');
  });

  it('refuses (exit 2) a case naming a tool the catalogue does not have', async () => {
    const cases = write('t.yaml', 'cases:\n  - { name: a, tool: cancel_all_order, expect: hidden }\n');
    const result = await runCli(['test', EXAMPLE, cases]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${cases}:2:22 - error invalid-test`);
    expect(result.stderr).toContain('did you mean `cancel_all_orders`?');
  });

  it('refuses (exit 2) a missing cases file without a stack trace', async () => {
    const result = await runCli(['test', EXAMPLE, join(folder.path, 'none.yaml')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no such file');
    expect(hasStackTrace(result.stderr)).toBe(false);
  });

  it('tests the YAML spelling and the compiled policy.json (with its map) alike', async () => {
    for (const policy of ['fixtures/policies/trading.policy.yaml', 'fixtures/policies/trading.policy.json']) {
      const cases = write('t.yaml', 'cases:\n  - { name: orders, tool: cancel_order, expect: approval, rule: r4 }\n  - { name: hidden, tool: cancel_all_orders, expect: hidden }\n');
      const result = await runCli(['test', join(ROOT, policy), cases]);
      expect([policy, result.code, result.stdout]).toEqual([policy, 0, expect.stringContaining('2 tests: 2 passed')]);
    }
  });
});

describe('policyc init', () => {
  it('writes policy.policy, which lints with no diagnostics at all', async () => {
    const result = await inFolder(['init']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('wrote policy.policy');
    const lint = await inFolder(['lint', 'policy.policy', '--max-warnings', '0']);
    expect([lint.code, lint.stdout]).toEqual([0, '']);
  });

  it('never overwrites a file without --force (exit 2)', async () => {
    write('policy.policy', 'mine\n');
    const again = await inFolder(['init']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('policy.policy exists');
    expect(readFileSync(join(folder.path, 'policy.policy'), 'utf8')).toBe('mine\n');
    expect((await inFolder(['init', '--force'])).code).toBe(0);
    expect(readFileSync(join(folder.path, 'policy.policy'), 'utf8')).toContain('default deny');
  });

  it('refuses a catalogue it does not know, with did-you-mean, and an output that is not DSL', async () => {
    const unknown = await inFolder(['init', '--server', 'futu-stock-mcp-servr']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('did you mean futu-stock-mcp-server?');
    expect((await inFolder(['init', '-o', 'p.yaml'])).code).toBe(2);
    expect(existsSync(join(folder.path, 'p.yaml'))).toBe(false);
  });
});

describe('policyc catalog', () => {
  it('lists the built-in catalogue with its tool count and source', async () => {
    const result = await runCli(['catalog', 'list']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^futu-stock-mcp-server +Futu Stock MCP Server +44 +0 +built-in \(futu-stock-mcp-server 1\.0\.7\)$/m);
    const json = JSON.parse((await runCli(['catalog', 'list', '--format', 'json'])).stdout) as { name: string; tools: number }[];
    expect(json).toContainEqual(expect.objectContaining({ name: 'futu-stock-mcp-server', tools: 44 }));
  });

  it('shows the tools with class, risk and capabilities', async () => {
    const result = await runCli(['catalog', 'show', 'futu-stock-mcp-server']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^place_order +financial +critical +order\.place +trading env: trd_env \(safe SIMULATE\)$/m);
    expect(result.stdout).toMatch(/^unlock_trade +financial +critical +trade\.unlock +secret: password, password_md5$/m);
    expect(result.stdout).toMatch(/^modify_order +financial +critical +order\.modify, order\.place when modify_order_op in \["NORMAL", "ENABLE"\], order\.cancel when /m);
  });

  it('shows one tool: parameters with required ones marked, enums, secrets, normalisation, rationale', async () => {
    const result = await runCli(['catalog', 'show', 'place_order']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ {2}class +financial$/m);
    expect(result.stdout).toMatch(/^ {2}trading env +trd_env; safe: SIMULATE$/m);
    expect(result.stdout).toMatch(/^ {2}code \* +string +Security code as MARKET\.CODE/m);
    expect(result.stdout).toMatch(/^ {2}trd_env +string\|null +trading env, normalised upper +one of "REAL", "SIMULATE"\. Trading environment;/m);
    expect(result.stdout).toMatch(/^ {2}rationale +Financial and critical: /m);
    const json = JSON.parse((await runCli(['catalog', 'show', 'futu-stock-mcp-server', 'unlock_trade', '--format', 'json'])).stdout) as { secrets: string[] };
    expect(json.secrets).toEqual(['password', 'password_md5']);
  });

  it('says which tool was meant (exit 2)', async () => {
    const result = await runCli(['catalog', 'show', 'futu-stock-mcp-server', 'place_ordr']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('did you mean place_order?');
  });

  it('imports the Futu fixture with sensible guesses, all unreviewed, and starts a clean policy from it', async () => {
    const imported = await inFolder(['catalog', 'import', '-o', 'futu.json', '--name', 'futu-imported', '--', process.execPath, FUTU_SERVER]);
    expect(imported.code).toBe(0);
    expect(imported.stderr).toContain('44 tools (37 read, 2 write, 3 financial, 2 destructive), 1 taking a secret');
    const shown = await inFolder(['catalog', 'show', '--catalog', 'futu.json']);
    expect(shown.stdout).toMatch(/^place_order +financial +critical +trading env: trd_env \(safe SIMULATE\); unreviewed$/m);
    expect(shown.stdout).toMatch(/^cancel_order +destructive +high /m);
    expect(shown.stdout).toMatch(/^unlock_trade +financial +critical +secret: password, password_md5; unreviewed$/m);

    expect((await inFolder(['init', '--catalog', 'futu.json'])).code).toBe(0);
    const lint = await inFolder(['lint', 'policy.policy', '--catalog', 'futu.json', '--format', 'json']);
    expect(lint.code).toBe(0);
    const diagnostics = (JSON.parse(lint.stdout) as { diagnostics: { code: string; severity: string }[] }).diagnostics;
    expect(diagnostics.map((d) => `${d.severity} ${d.code}`)).toEqual(['info unreviewed-catalog']);
  });

  it('imports server-everything over stdio and starts a policy that lints with no errors or warnings', async () => {
    const imported = await inFolder(['catalog', 'import', '-o', 'everything.json', '--', process.execPath, EVERYTHING, 'stdio']);
    expect(imported.code).toBe(0);
    expect((await inFolder(['init', '--catalog', 'everything.json', '-o', 'everything.policy'])).code).toBe(0);
    const lint = await inFolder(['lint', 'everything.policy', '--catalog', 'everything.json', '--max-warnings', '0', '--format', 'json']);
    expect(lint.code).toBe(0);
    const diagnostics = (JSON.parse(lint.stdout) as { diagnostics: { severity: string }[] }).diagnostics;
    expect(diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
    const explain = await inFolder(['explain', 'everything.policy', '--catalog', 'everything.json', '--tool', 'get-env']);
    expect(explain.stdout).toContain('decision  APPROVE');
  });

  it('refuses to replace a catalogue without --force, and a server given twice or not at all (exit 2)', async () => {
    write('c.json', '{}');
    const replace = await inFolder(['catalog', 'import', '-o', 'c.json', '--', process.execPath, FUTU_SERVER]);
    expect(replace.code).toBe(2);
    expect(readFileSync(join(folder.path, 'c.json'), 'utf8')).toBe('{}');
    expect((await inFolder(['catalog', 'import', '-o', 'x.json'])).code).toBe(2);
    expect((await inFolder(['catalog', 'import', '-o', 'x.json', '--url', 'http://127.0.0.1:1/mcp', '--', 'srv'])).code).toBe(2);
  });

  it('reports a server that cannot be reached (exit 2, no stack trace)', async () => {
    const result = await inFolder(['catalog', 'import', '-o', 'x.json', '--url', 'http://127.0.0.1:9/mcp', '--timeout', '5']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('cannot list the tools of http://127.0.0.1:9');
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(existsSync(join(folder.path, 'x.json'))).toBe(false);
  });
});

describe('the configuration', () => {
  const DEFAULT_ALLOW = 'version 1\nserver "futu-stock-mcp-server"\ndefault allow\nhide class financial, class destructive\n';

  it('changes severities and turns rules off, for lint and build alike', async () => {
    write('p.policy', DEFAULT_ALLOW);
    const before = await inFolder(['lint', 'p.policy', '--format', 'json']);
    expect(before.stdout).toContain('"code": "default-allow"');
    write('policyc.config.yaml', 'rules:\n  default-allow: error\n');
    const raised = await inFolder(['lint', 'p.policy']);
    expect(raised.code).toBe(1);
    expect(raised.stdout).toContain('error default-allow');
    expect((await inFolder(['build', 'p.policy', '-o', 'p.json'])).code).toBe(1);
    write('policyc.config.yaml', 'rules:\n  default-allow: off\n');
    const off = await inFolder(['lint', 'p.policy']);
    expect([off.code, off.stdout]).toEqual([0, '']);
  });

  it('makes warnings fail with strict (config or flag): lint exits 1, build writes nothing, serve does not start', async () => {
    const flag = await runCli(['lint', EXAMPLE, '--strict']);
    expect(flag.code).toBe(1);
    expect(flag.stdout).toContain('error destructive-allowed');
    write('policyc.config.yaml', 'strict: true\n');
    expect((await inFolder(['lint', EXAMPLE])).code).toBe(1);
    expect((await inFolder(['build', EXAMPLE, '-o', 'p.json'])).code).toBe(1);
    expect(existsSync(join(folder.path, 'p.json'))).toBe(false);
    const serve = await inFolder(['serve', '--policy', EXAMPLE, '--audit', join(folder.path, 'audit.jsonl'), '--', process.execPath, FUTU_SERVER]);
    expect(serve.code).toBe(1);
    expect(serve.stderr).toContain('the gateway does not start');
  });

  it('takes maxWarnings, unless --max-warnings says otherwise', async () => {
    const warnings = (JSON.parse((await inFolder(['lint', EXAMPLE, '--format', 'json'])).stdout) as { diagnostics: { severity: string }[] }).diagnostics.filter(
      (d) => d.severity === 'warning',
    ).length;
    expect(warnings).toBeGreaterThan(0);
    write('policyc.config.yaml', `maxWarnings: ${warnings - 1}\n`);
    const result = await inFolder(['lint', EXAMPLE]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`more than maxWarnings ${warnings - 1}`);
    expect((await inFolder(['lint', EXAMPLE, '--max-warnings', String(warnings)])).code).toBe(0);
  });

  it('lets a policy name an imported catalogue with `server "NAME"`', async () => {
    expect((await inFolder(['catalog', 'import', '-o', 'srv.json', '--name', 'my-futu', '--', process.execPath, FUTU_SERVER])).code).toBe(0);
    write('policyc.config.yaml', 'catalogs: [srv.json]\n');
    write('p.policy', 'version 1\nserver "my-futu"\ndefault deny\nallow get_stok_quote\n');
    const lint = await inFolder(['lint', 'p.policy']);
    expect(lint.code).toBe(1);
    expect(lint.stdout).toContain('did you mean `get_stock_quote`?');
    const listed = await inFolder(['catalog', 'list']);
    expect(listed.stdout).toMatch(/^my-futu +.* 44 +44 +.*srv\.json \(from .*policyc\.config\.yaml\)$/m);
  });

  it('refuses (exit 2) a configuration with an unknown rule id, saying where and what was meant', async () => {
    write('policyc.config.yaml', 'rules:\n  destructive-alowed: off\n');
    const result = await inFolder(['lint', EXAMPLE]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('policyc.config.yaml:2:3 - error invalid-config');
    expect(result.stderr).toContain('did you mean `destructive-allowed`?');
  });

  it('is taken from --config instead of the folder', async () => {
    const config = write('strict.yaml', 'strict: true\n');
    expect((await runCli(['lint', EXAMPLE, '--config', config])).code).toBe(1);
    expect((await runCli(['lint', EXAMPLE, '--config', join(folder.path, 'missing.yaml')])).code).toBe(2);
  });
});
