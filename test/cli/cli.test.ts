// The CLI as a user meets it: exit codes (SPEC §5), what goes to stdout and stderr, files written.

import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { CLI, EXAMPLE, ROOT, hasStackTrace, runCli, tempFolder } from './run.js';

let folder: { path: string; remove: () => void };
beforeEach(() => {
  folder = tempFolder();
});
afterEach(() => folder.remove());

function write(name: string, text: string | Buffer): string {
  const path = join(folder.path, name);
  writeFileSync(path, text);
  return path;
}

interface JsonDiagnostic {
  code: string;
  severity: string;
  line: number;
  column: number;
  suggestion?: string;
}

function diagnosticsOf(stdout: string): JsonDiagnostic[] {
  return (JSON.parse(stdout) as { diagnostics: JsonDiagnostic[] }).diagnostics;
}

const HEADER = 'version 1\nserver "futu-stock-mcp-server"\ndefault deny\n';

describe('policyc lint', () => {
  it('passes the example policy with the warning the spec expects, and the redundant glob of line 9', async () => {
    const result = await runCli(['lint', EXAMPLE, '--format', 'json']);
    expect(result.code).toBe(0);
    expect(diagnosticsOf(result.stdout).map((d) => [d.code, d.severity, d.line, d.column])).toEqual([
      ['redundant-rule', 'warning', 9, 7],
      ['destructive-allowed', 'warning', 11, 7],
    ]);
  });

  it('fails on an unknown tool and suggests the right name', async () => {
    const path = write('typo.policy', `${HEADER}allow get_stok_quote\n`);
    const result = await runCli(['lint', path, '--format', 'json']);
    expect(result.code).toBe(1);
    const [diagnostic] = diagnosticsOf(result.stdout);
    expect(diagnostic).toMatchObject({ code: 'unknown-tool', severity: 'error', line: 4, column: 7, suggestion: 'get_stock_quote' });
  });

  it('prints a code frame and a help line in pretty output', async () => {
    const path = write('typo.policy', `${HEADER}allow get_stok_quote\n`);
    const result = await runCli(['lint', path]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`${path}:4:7 - error unknown-tool`);
    expect(result.stdout).toContain('4 | allow get_stok_quote');
    expect(result.stdout).toContain('^^^^^^^^^^^^^^');
    expect(result.stdout).toContain('did you mean `get_stock_quote`?');
  });

  it('fails when warnings exceed --max-warnings', async () => {
    expect((await runCli(['lint', EXAMPLE, '--max-warnings', '2'])).code).toBe(0);
    const result = await runCli(['lint', EXAMPLE, '--max-warnings', '1']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('more than --max-warnings 1');
  });

  it('writes SARIF 2.1.0 and GitHub annotations', async () => {
    const sarif = JSON.parse((await runCli(['lint', EXAMPLE, '--format', 'sarif'])).stdout) as {
      version: string;
      runs: { results: { ruleId: string }[] }[];
    };
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0]!.results.map((r) => r.ruleId)).toEqual(['redundant-rule', 'destructive-allowed']);
    const github = await runCli(['lint', EXAMPLE, '--format', 'github']);
    expect(github.stdout).toMatch(/^::warning file=.*trading\.policy,line=11,col=7,.*title=destructive-allowed::/m);
  });

  it('lints every policy under the current folder when given no files', async () => {
    write('a.policy', `${HEADER}allow get_stock_quote\n`);
    write('b.policy.yaml', 'version: 1\nserver: futu-stock-mcp-server\ndefault: deny\nrules:\n  - allow: get_stok_quote\n');
    const result = await runCli(['lint', '--format', 'json'], { cwd: folder.path });
    expect(result.code).toBe(1);
    expect(diagnosticsOf(result.stdout).map((d) => d.code)).toEqual(['unknown-tool']);
  });

  it.each([
    [['lint', 'no-such-file.policy'], 'cannot read no-such-file.policy: no such file'],
    [['lint', EXAMPLE, '--format', 'xml'], '--format must be one of pretty, json, sarif, github'],
    [['lint', EXAMPLE, '--max-warnings', 'many'], '--max-warnings must be a whole number'],
    [['lint', EXAMPLE, '--no-such-flag'], "unknown option '--no-such-flag'"],
    [['lint', 'policy.txt'], 'unknown policy file type'],
  ])('exits 2 for a usage or input error: %j', async (args, message) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(hasStackTrace(result.stderr)).toBe(false);
  });
});

describe('bad input never crashes', () => {
  const cases: [string, () => string | Buffer, string, number, number][] = [
    ['empty.policy', () => '', 'empty-policy', 1, 1],
    ['garbage.policy', () => Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)), 'invalid-encoding', 1, 1],
    ['huge.policy', () => '# padding\n'.repeat(1_100_000), 'file-too-large', 1, 1],
    ['deep.policy', () => `${HEADER}allow place_order when ${'('.repeat(100_000)}qty < 1${')'.repeat(100_000)}\n`, 'nesting-too-deep', 4, 88],
    ['regex.policy', () => `${HEADER}allow get_stock_basicinfo when stock_code matches "(unclosed"\n`, 'invalid-regex', 4, 51],
    ['unknown-key.yaml', () => 'version: 1\nserver: futu-stock-mcp-server\nrule:\n  - allow: get_stock_quote\n', 'schema-error', 3, 1],
    ['duplicate.policy', () => `${HEADER}identity "a" {\n  deny get_funds\n}\nidentity "a" {\n  deny get_positions\n}\n`, 'duplicate-identity', 7, 10],
    ['typo.policy', () => `${HEADER}alow get_stock_quote\nallow get_funds\n`, 'syntax-error', 4, 1],
  ];

  it.each(cases)('%s: a diagnostic with a position, exit 1, no stack trace', async (name, content, code, line, column) => {
    const path = write(name, content());
    const result = await runCli(['lint', path, '--format', 'json']);
    expect(result.code).toBe(1);
    expect(hasStackTrace(result.stdout + result.stderr)).toBe(false);
    const diagnostics = diagnosticsOf(result.stdout);
    expect(diagnostics.find((d) => d.code === code)).toMatchObject({ severity: 'error', line, column });
    // One mistake, one error: nothing about the policy being empty when a statement was dropped.
    expect(diagnostics.filter((d) => d.code === 'empty-policy').length).toBe(code === 'empty-policy' ? 1 : 0);
  });

  it('keeps the code frame of a megabyte-long line short', async () => {
    const path = write('deep.policy', `${HEADER}allow place_order when ${'('.repeat(100_000)}qty < 1${')'.repeat(100_000)}\n`);
    const result = await runCli(['lint', path]);
    expect(result.code).toBe(1);
    expect(Math.max(...result.stdout.split('\n').map((l) => l.length))).toBeLessThan(400);
  });
});

describe('policyc build', () => {
  it('writes the canonical policy.json and its source map; DSL and YAML give the same bytes', async () => {
    const fromDsl = join(folder.path, 'dsl.json');
    const fromYaml = join(folder.path, 'yaml.json');
    expect((await runCli(['build', EXAMPLE, '-o', fromDsl])).code).toBe(0);
    expect((await runCli(['build', `${EXAMPLE}.yaml`, '-o', fromYaml])).code).toBe(0);
    const bytes = readFileSync(fromDsl, 'utf8');
    expect(readFileSync(fromYaml, 'utf8')).toBe(bytes);
    expect(bytes).toBe(readFileSync(join(ROOT, 'fixtures/policies/trading.policy.json'), 'utf8'));
    const map = JSON.parse(readFileSync(`${fromDsl}.map`, 'utf8')) as { rules: Record<string, { line: number }> };
    expect(map.rules.r3!.line).toBe(11);
  });

  it('--check passes when the output is current and fails when it is stale or missing', async () => {
    const out = join(folder.path, 'policy.json');
    expect((await runCli(['build', EXAMPLE, '-o', out, '--check'])).code).toBe(1);
    await runCli(['build', EXAMPLE, '-o', out]);
    expect((await runCli(['build', EXAMPLE, '-o', out, '--check'])).code).toBe(0);
    writeFileSync(out, readFileSync(out, 'utf8').replace('"max": 120', '"max": 1200'));
    const stale = await runCli(['build', EXAMPLE, '-o', out, '--check']);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('is stale');
  });

  it('refuses to write when lint has errors', async () => {
    const path = write('typo.policy', `${HEADER}allow get_stok_quote\n`);
    const out = join(folder.path, 'policy.json');
    const result = await runCli(['build', path, '-o', out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('unknown-tool');
    expect(() => readFileSync(out)).toThrow();
  });

  it('accepts a compiled policy.json and PolicyLayer\'s minimal form as input', async () => {
    const minimal = write('minimal.json', '{"version":"1","default":"deny","hide":["cancel_order"]}');
    const result = await runCli(['build', minimal, '-o', '-']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ version: '1', default: 'deny', hide: ['cancel_order'] });
  });
});

describe('policyc explain', () => {
  async function explainJson(args: string[]): Promise<{ decision: string; rule?: string; matched: { id: string }[]; source?: { line: number } }> {
    const result = await runCli(['explain', EXAMPLE, '--format', 'json', ...args]);
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout) as { decision: string; rule?: string; matched: { id: string }[]; source?: { line: number } };
  }

  it('allows a small simulated order, naming the rule and its line', async () => {
    const view = await explainJson(['--tool', 'place_order', '--args', '{"trd_env":"SIMULATE","qty":10,"code":"HK.00700"}']);
    expect(view).toMatchObject({ decision: 'allow', rule: 'r3', source: { line: 11 } });
    expect(view.matched.map((r) => r.id)).toEqual(['r3']);
  });

  it('denies a real order by default, and asks a person for a cancellation', async () => {
    expect((await explainJson(['--tool', 'place_order', '--args', '{"trd_env":"REAL","qty":10,"code":"HK.00700"}'])).decision).toBe('deny');
    expect(await explainJson(['--tool', 'cancel_order', '--args', '{"order_id":"1"}'])).toMatchObject({ decision: 'approve', rule: 'r4' });
  });

  it('applies an identity block', async () => {
    expect(await explainJson(['--tool', 'get_funds', '--identity', 'research-bot'])).toMatchObject({ decision: 'deny', rule: 'r6' });
    expect((await explainJson(['--tool', 'get_funds'])).decision).toBe('allow');
  });

  it('prints a readable explanation', async () => {
    const result = await runCli(['explain', EXAMPLE, '--tool', 'unlock_trade', '--args', '{"password":"x"}']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('decision  DENY: a rule decided (r5 at');
    expect(result.stdout).toContain('reason    the trade password must never pass through the model');
  });

  it('explains a policy with lint errors, showing them on stderr', async () => {
    const path = write('typo.policy', `${HEADER}allow get_stok_quote\nallow get_funds\n`);
    const result = await runCli(['explain', path, '--tool', 'get_funds', '--format', 'json']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('unknown-tool');
    expect((JSON.parse(result.stdout) as { decision: string }).decision).toBe('allow');
  });

  it.each([
    [['--tool', 'get_funds', '--args', '{not json'], '--args is not valid JSON'],
    [['--tool', 'get_funds', '--args', '[1]'], '--args must be a JSON object'],
    [['--args', '{}'], "required option '-t, --tool <name>' not specified"],
  ])('exits 2 for bad arguments: %j', async (args, message) => {
    const result = await runCli(['explain', EXAMPLE, ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });
});

describe('the program', () => {
  it('prints its version and help with exit 0', async () => {
    expect(await runCli(['--version'])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^\d+\.\d+\.\d+\n$/) as unknown as string });
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['lint', 'build', 'explain', 'serve', 'audit']) expect(help.stdout).toContain(command);
  });

  it('runs as an executable, as npx and the installed bin run it', () => {
    // `npx policyc …` executes dist/cli/main.js itself: its shebang and its mode must hold.
    expect(statSync(CLI).mode & 0o111).toBe(0o111);
    const result = spawnSync(CLI, ['--version'], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('exits 2 for an unknown command', async () => {
    expect((await runCli(['frobnicate'])).code).toBe(2);
  });
});

describe('output to a reader that stops early', () => {
  it('ends quietly, without a stack trace, when stdout is closed (policyc … | head)', async () => {
    const { spawn } = await import('node:child_process');
    const { CLI } = await import('./run.js');
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'catalog', 'show', 'futu-stock-mcp-server'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      // Closed before policyc writes anything: every write it makes meets a closed pipe.
      child.stdout.destroy();
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(result.stderr).not.toContain('EPIPE');
    expect(result.code).toBe(0);
  });
});
