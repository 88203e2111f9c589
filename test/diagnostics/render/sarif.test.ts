import { describe, expect, it } from 'vitest';

import { CODES } from '../../../src/diagnostics/codes.js';
import { renderSarif, SARIF_SCHEMA } from '../../../src/diagnostics/render/sarif.js';
import { DIAGNOSTICS, at, expectGolden, POLICY } from './sample.js';

interface SarifLog {
  $schema: string;
  version: string;
  runs: Array<{
    tool: { driver: { name: string; version: string; informationUri?: string; rules: Array<Record<string, unknown> & { id: string }> } };
    columnKind: string;
    results: Array<Record<string, unknown> & { ruleId: string; ruleIndex: number }>;
  }>;
}

const render = (options: Partial<Parameters<typeof renderSarif>[1]> = {}) =>
  JSON.parse(renderSarif(DIAGNOSTICS, { toolVersion: '0.1.0', ...options })) as SarifLog;

// No copy of the SARIF 2.1.0 JSON Schema ships in node_modules, so the shape GitHub code
// scanning needs is checked field by field (NOTES §6).
describe('renderSarif', () => {
  it('matches the golden output', () => {
    expectGolden(renderSarif(DIAGNOSTICS, { toolVersion: '0.1.0', informationUri: 'https://example.org/policyc' }), 'sarif.json');
  });

  it('has the top level GitHub requires', () => {
    const log = render();
    expect(log.$schema).toBe(SARIF_SCHEMA);
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    expect(log.runs[0]!.tool.driver.name).toBe('policyc');
    expect(log.runs[0]!.tool.driver.version).toBe('0.1.0');
    expect(log.runs[0]!.tool.driver.informationUri).toBeUndefined();
    expect(render({ informationUri: 'https://x.test/' }).runs[0]!.tool.driver.informationUri).toBe('https://x.test/');
    expect(log.runs[0]!.columnKind).toBe('utf16CodeUnits');
  });

  it('describes every code as a rule', () => {
    const rules = render().runs[0]!.tool.driver.rules;
    expect(rules.map((rule) => rule.id)).toEqual(Object.keys(CODES));
    const unknownTool = rules.find((rule) => rule.id === 'unknown-tool')!;
    expect(unknownTool).toEqual({
      id: 'unknown-tool',
      name: 'UnknownTool',
      shortDescription: { text: CODES['unknown-tool'].summary },
      fullDescription: { text: `${CODES['unknown-tool'].summary} ${CODES['unknown-tool'].help}` },
      help: { text: CODES['unknown-tool'].help, markdown: CODES['unknown-tool'].help },
      defaultConfiguration: { level: 'error' },
      properties: { tags: ['reference', 'security'], precision: 'very-high', 'security-severity': '7.5' },
    });
    const approve = rules.find((rule) => rule.id === 'approve-read-only')!;
    expect(approve.defaultConfiguration).toEqual({ level: 'note' });
    expect(approve.properties).toEqual({ tags: ['correctness'], precision: 'very-high' });
  });

  it('gives every result a rule, a level, a message and a repo-relative location', () => {
    const run = render().runs[0]!;
    expect(run.results).toHaveLength(DIAGNOSTICS.length);
    for (const result of run.results) {
      expect(run.tool.driver.rules[result.ruleIndex]!.id).toBe(result.ruleId);
      expect(['error', 'warning', 'note']).toContain(result.level);
      expect(typeof (result.message as { text: unknown }).text).toBe('string');
      const location = (result.locations as Array<{ physicalLocation: { artifactLocation: { uri: string }; region: Record<string, number> } }>)[0]!;
      expect(location.physicalLocation.artifactLocation.uri).toMatch(/^policies\/[a-z]+\.policy$/);
      const region = location.physicalLocation.region;
      expect(Object.keys(region)).toEqual(['startLine', 'startColumn', 'endLine', 'endColumn']);
      for (const value of Object.values(region)) expect(Number.isInteger(value) && value >= 1).toBe(true);
    }
  });

  it('maps a result with related locations and a suggestion', () => {
    const results = render().runs[0]!.results;
    const hidden = results.find((result) => result.ruleId === 'hidden-and-allowed')!;
    expect(hidden.relatedLocations).toEqual([
      {
        id: 1,
        message: { text: 'hidden here' },
        physicalLocation: { artifactLocation: { uri: 'policies/trading.policy' }, region: { startLine: 2, startColumn: 1, endLine: 2, endColumn: 23 } },
      },
    ]);
    const unknown = results.find((result) => result.ruleId === 'unknown-tool')!;
    expect(unknown.fixes).toEqual([
      {
        description: { text: 'Replace with `get_stock_quote`' },
        artifactChanges: [
          {
            artifactLocation: { uri: 'policies/trading.policy' },
            replacements: [{ deletedRegion: { startLine: 3, startColumn: 7, endLine: 3, endColumn: 21 }, insertedContent: { text: 'get_stock_quote' } }],
          },
        ],
      },
    ]);
    const info = results.find((result) => result.ruleId === 'approve-read-only')!;
    expect(info.level).toBe('note');
  });

  it('writes URIs relative to the root, encoded, with forward slashes', () => {
    const uri = (file: string, root?: string) => {
      const log = JSON.parse(
        renderSarif([{ code: 'unknown-tool', severity: 'error', message: 'm', span: { ...at(POLICY, 1, 1, 1, 2), file } }], {
          toolVersion: '1',
          ...(root === undefined ? {} : { root }),
        }),
      ) as SarifLog;
      return (log.runs[0]!.results[0]!.locations as Array<{ physicalLocation: { artifactLocation: { uri: string } } }>)[0]!.physicalLocation.artifactLocation.uri;
    };
    expect(uri('/repo/policies/a b.policy', '/repo')).toBe('policies/a%20b.policy');
    expect(uri('./policies/x.policy')).toBe('policies/x.policy');
    expect(uri('policies\\win.policy')).toBe('policies/win.policy');
    expect(uri('/elsewhere/x.policy', '/repo')).toBe('file:///elsewhere/x.policy');
  });

  it('keeps regions valid for positions a recovering parser could not give', () => {
    const nan = { line: Number.NaN, column: Number.NaN, offset: Number.NaN };
    const log = JSON.parse(renderSarif([{ code: 'syntax-error', severity: 'error', message: 'm', span: { file: 'x.policy', start: nan, end: nan } }], { toolVersion: '1' })) as SarifLog;
    const location = (log.runs[0]!.results[0]!.locations as Array<{ physicalLocation: { region: unknown } }>)[0]!;
    expect(location.physicalLocation.region).toEqual({ startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 });
  });

  it('adds a rule for a code missing from the table', () => {
    const log = JSON.parse(renderSarif([{ code: 'brand-new', severity: 'warning', message: 'm', span: at(POLICY, 1, 1, 1, 2) }], { toolVersion: '1', rules: {} })) as SarifLog;
    expect(log.runs[0]!.tool.driver.rules.map((rule) => rule.id)).toEqual(['brand-new']);
    expect(log.runs[0]!.results[0]!.ruleIndex).toBe(0);
  });
});
