// The policyc configuration: where it is found, what it may say (checked with positions), and
// what its lint settings do to diagnostics.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { findConfigFile, loadConfig } from '../../src/config/config.js';
import { applyLintSettings, FIXED_CODES } from '../../src/config/lint-settings.js';
import { report } from '../../src/diagnostics/codes.js';
import type { Diagnostic } from '../../src/diagnostics/diagnostic.js';
import { SourceText } from '../../src/diagnostics/source.js';
import { readSource } from '../../src/pipeline.js';

let folder: string;
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'policyc-config-'));
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

function write(name: string, content: string): string {
  const path = join(folder, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
  return path;
}

const at = (d: Diagnostic) => `${d.span.start.line}:${d.span.start.column} ${d.code}`;

const CATALOG = JSON.stringify({
  name: 'my-server',
  tools: [{ name: 'echo', description: '', inputSchema: { type: 'object' }, class: 'read', risk: 'low', capabilities: [], reviewed: false }],
});

describe('finding the configuration', () => {
  it('walks up from the current folder to the nearest one', async () => {
    const path = write('policyc.config.yaml', 'strict: true\n');
    mkdirSync(join(folder, 'a', 'b'), { recursive: true });
    expect(await findConfigFile(join(folder, 'a', 'b'))).toBe(path);
  });

  it('prefers .yaml, then .yml, then .json in one folder', async () => {
    write('policyc.config.json', '{}');
    const yml = write('policyc.config.yml', '');
    expect(await findConfigFile(folder)).toBe(yml);
  });

  it('finds none where there is none', async () => {
    // The temporary folder's parents hold no configuration on a test machine.
    expect(await findConfigFile(folder)).toBeUndefined();
  });
});

describe('loading', () => {
  it('reads rules, maxWarnings, strict and catalogues (relative to the file) from YAML', async () => {
    write('catalogs/mine.json', CATALOG);
    const path = write('policyc.config.yaml', 'rules:\n  default-allow: off\n  hidden-and-allowed: error\nmaxWarnings: 3\nstrict: true\ncatalogs: [catalogs/mine.json]\n');
    const { config, diagnostics } = await loadConfig(path, readSource);
    expect(diagnostics).toEqual([]);
    expect([...(config?.lint.severities ?? [])]).toEqual([
      ['default-allow', 'off'],
      ['hidden-and-allowed', 'error'],
    ]);
    expect(config?.lint.strict).toBe(true);
    expect(config?.maxWarnings).toBe(3);
    expect([...(config?.catalogs.keys() ?? [])]).toEqual(['my-server']);
    expect(config?.catalogFiles.get('my-server')).toBe(join(folder, 'catalogs/mine.json'));
  });

  it('reads the same from JSON', async () => {
    const path = write('policyc.config.json', '{"rules": {"default-allow": "info"}, "strict": false}');
    const { config, diagnostics } = await loadConfig(path, readSource);
    expect(diagnostics).toEqual([]);
    expect(config?.lint).toEqual({ severities: new Map([['default-allow', 'info']]), strict: false });
  });

  it('takes an empty file as no settings', async () => {
    const { config, diagnostics } = await loadConfig(write('policyc.config.yaml', '# nothing yet\n'), readSource);
    expect(diagnostics).toEqual([]);
    expect(config?.lint.severities?.size).toBe(0);
  });

  it.each([
    ['an unknown key, with did-you-mean', 'strcit: true\n', ['1:1 schema-error']],
    ['a severity that does not exist', 'rules:\n  default-allow: fatal\n', ['2:18 schema-error']],
    ['maxWarnings below 0', 'maxWarnings: -1\n', ['1:14 schema-error']],
    ['strict as text', 'strict: "yes"\n', ['1:9 schema-error']],
    ['an unknown rule id, at its key', 'rules:\n  destructive-alowed: error\n', ['2:3 invalid-config']],
    ['a front-end code', 'rules:\n  syntax-error: off\n', ['2:3 invalid-config']],
    ['a catalogue file that does not exist', 'catalogs: [nowhere.json]\n', ['1:12 invalid-config']],
  ])('refuses %s', async (_name, content, expected) => {
    const { config, diagnostics } = await loadConfig(write('policyc.config.yaml', content), readSource);
    expect(config).toBeUndefined();
    expect(diagnostics.map(at)).toEqual(expected);
  });

  it('suggests the rule id meant', async () => {
    const { diagnostics } = await loadConfig(write('policyc.config.yaml', 'rules:\n  destructive-alowed: error\n'), readSource);
    expect(diagnostics[0]?.suggestion).toBe('destructive-allowed');
  });

  it('points into a JSON configuration too', async () => {
    const { diagnostics } = await loadConfig(write('policyc.config.json', '{\n  "rules": {\n    "unknown-tol": "off"\n  }\n}\n'), readSource);
    expect(diagnostics.map(at)).toEqual(['3:5 invalid-config']);
    expect(diagnostics[0]?.suggestion).toBe('unknown-tool');
  });

  it('refuses a catalogue named like a built-in one, or like another', async () => {
    write('a.json', CATALOG);
    write('b.json', CATALOG);
    write('futu.json', CATALOG.replace('my-server', 'futu-stock-mcp-server'));
    const { diagnostics } = await loadConfig(write('policyc.config.yaml', 'catalogs:\n  - a.json\n  - b.json\n  - futu.json\n'), readSource);
    expect(diagnostics.map(at)).toEqual(['3:5 invalid-config', '4:5 invalid-config']);
  });

  it('passes on the problems of a catalogue that does not load, in that file', async () => {
    write('bad.json', '{"name": "x", "tools": [{"name": "t"}]}');
    const { diagnostics } = await loadConfig(write('policyc.config.yaml', 'catalogs: [bad.json]\n'), readSource);
    expect(diagnostics.map((d) => [d.span.file.endsWith('bad.json'), d.code])).toContainEqual([true, 'schema-error']);
    expect(diagnostics.map(at)).toContain('1:12 invalid-config');
  });
});

describe('lint settings', () => {
  const span = new SourceText('p.policy', 'x').span(0, 1);
  const diagnostics = [
    report('default-allow', span, 'm'),
    report('hidden-and-allowed', span, 'm'),
    report('unknown-tool', span, 'm'),
    report('syntax-error', span, 'm'),
    { ...report('missing-version', span, 'm') },
  ];
  const shown = (list: Diagnostic[]) => list.map((d) => `${d.code}:${d.severity}`);

  it('leaves diagnostics alone without settings', () => {
    expect(applyLintSettings(diagnostics, undefined)).toEqual(diagnostics);
  });

  it('changes severities and drops what is off', () => {
    const severities = new Map([
      ['default-allow', 'off'],
      ['hidden-and-allowed', 'error'],
      ['unknown-tool', 'info'],
    ] as const);
    expect(shown(applyLintSettings(diagnostics, { severities }))).toEqual(['hidden-and-allowed:error', 'unknown-tool:info', 'syntax-error:error', 'missing-version:warning']);
  });

  it('makes warnings errors when strict, after the overrides', () => {
    const severities = new Map([['unknown-tool', 'warning']] as const);
    expect(shown(applyLintSettings(diagnostics, { severities, strict: true }))).toEqual([
      'default-allow:error',
      'hidden-and-allowed:error',
      'unknown-tool:error',
      'syntax-error:error',
      'missing-version:error',
    ]);
  });

  it('never changes a front-end code, even if asked', () => {
    const severities = new Map([['syntax-error', 'off']] as const);
    expect(shown(applyLintSettings(diagnostics, { severities }))).toContain('syntax-error:error');
    expect(FIXED_CODES.has('schema-error')).toBe(true);
  });
});
