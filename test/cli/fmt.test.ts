// `policyc fmt` as a user runs it: the built CLI in its own process, exit codes, stdout, stderr
// and the files it leaves behind.

import { chmodSync, lstatSync, mkdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { EXAMPLE, hasStackTrace, runCli, tempFolder } from './run.js';

const UNFORMATTED = 'version 1\nallow   a,b\n\n\n\ndeny c reason "r"\n';
const FORMATTED = 'version 1\nallow a, b\n\ndeny c reason "r"\n';

let folder: { path: string; remove: () => void };
beforeEach(() => {
  folder = tempFolder();
});
afterEach(() => folder.remove());

function file(name: string, text: string): string {
  const path = join(folder.path, name);
  writeFileSync(path, text);
  return path;
}

describe('policyc fmt', () => {
  it('prints the formatted text of one file and leaves the file alone', async () => {
    const path = file('a.policy', UNFORMATTED);
    const result = await runCli(['fmt', path]);
    expect(result).toMatchObject({ code: 0, stdout: FORMATTED, stderr: '' });
    expect(readFileSync(path, 'utf8')).toBe(UNFORMATTED);
  });

  it('reads standard input for `-`', async () => {
    const result = await runCli(['fmt', '-'], { input: UNFORMATTED });
    expect(result).toMatchObject({ code: 0, stdout: FORMATTED, stderr: '' });
  });

  it('leaves the example policy as it is', async () => {
    const result = await runCli(['fmt', '--check', EXAMPLE]);
    expect(result).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });

  it('--check names the files that would change, with a diff, and exits 1', async () => {
    const good = file('good.policy', FORMATTED);
    const bad = file('bad.policy', UNFORMATTED);
    const result = await runCli(['fmt', '--check', good, bad]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe([`--- ${bad}`, `+++ ${bad} (formatted)`, '@@ -1,6 +1,4 @@', ' version 1', '-allow   a,b', '-', '-', '+allow a, b', ' ', ' deny c reason "r"', ''].join('\n'));
    expect(result.stderr).toBe(`policyc: 1 file is not formatted; run: policyc fmt --write ${bad}\n`);
    expect(readFileSync(bad, 'utf8')).toBe(UNFORMATTED);
  });

  it('--check says so when only line endings differ', async () => {
    const path = file('crlf.policy', FORMATTED.replaceAll('\n', '\r\n'));
    const result = await runCli(['fmt', '--check', path]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(`${path}: line endings, blank space at line ends or the final newline differ\n`);
  });

  it('--write rewrites what is not formatted, keeps the file mode, and names what it rewrote', async () => {
    const good = file('good.policy', FORMATTED);
    const bad = file('bad.policy', UNFORMATTED);
    chmodSync(bad, 0o640);
    const result = await runCli(['fmt', '--write', good, bad]);
    expect(result).toMatchObject({ code: 0, stdout: `${bad}\n`, stderr: '' });
    expect(readFileSync(bad, 'utf8')).toBe(FORMATTED);
    expect(statSync(bad).mode & 0o777).toBe(0o640);
    expect((await runCli(['fmt', '--check', bad])).code).toBe(0);
  });

  it('--write follows a symbolic link and keeps the link', async () => {
    const target = file('target.policy', UNFORMATTED);
    const link = join(folder.path, 'link.policy');
    symlinkSync(target, link);
    expect((await runCli(['fmt', '--write', link])).code).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(target);
    expect(readFileSync(target, 'utf8')).toBe(FORMATTED);
  });

  it('refuses a file with errors: diagnostics on stderr, exit 1, file untouched', async () => {
    const broken = 'allow a when\n';
    const path = file('broken.policy', broken);
    const result = await runCli(['fmt', '--write', path]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`${path}:1:13 - error syntax-error:`);
    expect(result.stderr).toContain(`policyc: ${path} has errors; not formatted`);
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(readFileSync(path, 'utf8')).toBe(broken);
  });

  it('without FILES, checks every .policy file below the current folder', async () => {
    mkdirSync(join(folder.path, 'sub'));
    mkdirSync(join(folder.path, 'node_modules'));
    file('a.policy', UNFORMATTED);
    file('sub/b.policy', UNFORMATTED);
    file('node_modules/c.policy', UNFORMATTED);
    file('d.policy.yaml', 'version: 1\n');
    const result = await runCli(['fmt', '--check'], { cwd: folder.path });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`policyc: 2 files are not formatted; run: policyc fmt --write a.policy ${join('sub', 'b.policy')}\n`);
  });

  it.each([
    ['a YAML policy', ['fmt', 'x.policy.yaml'], 'formats DSL policies (.policy files)'],
    ['a missing file', ['fmt', 'missing.policy'], 'cannot read missing.policy: no such file'],
    ['two files without --check or --write', ['fmt', 'a.policy', 'b.policy'], 'prints one file'],
    ['--check with --write', ['fmt', '--check', '--write', 'a.policy'], 'do not go together'],
    ['--write on standard input', ['fmt', '--write', '-'], 'cannot rewrite standard input'],
  ])('%s is a usage error (exit 2)', async (_name, args, message) => {
    file('a.policy', FORMATTED);
    file('b.policy', FORMATTED);
    const result = await runCli(args, { cwd: folder.path });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(hasStackTrace(result.stderr)).toBe(false);
  });
});
