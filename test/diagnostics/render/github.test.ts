import { describe, expect, it } from 'vitest';

import { escapeData, escapeProperty, renderGithub } from '../../../src/diagnostics/render/github.js';
import { DIAGNOSTICS, at, expectGolden, POLICY } from './sample.js';

describe('renderGithub', () => {
  it('matches the golden output', () => {
    expectGolden(renderGithub(DIAGNOSTICS), 'github.txt');
  });

  it('writes one command per diagnostic, by severity', () => {
    const lines = renderGithub(DIAGNOSTICS).trimEnd().split('\n');
    expect(lines).toHaveLength(DIAGNOSTICS.length);
    expect(lines.map((line) => /^::(\w+) /.exec(line)?.[1])).toEqual(['warning', 'notice', 'error', 'warning', 'warning', 'error', 'error']);
  });

  it('escapes data and properties as the Actions toolkit does', () => {
    expect(escapeData('100% done\r\nnext::x,y')).toBe('100%25 done%0D%0Anext::x,y');
    expect(escapeProperty('a:b,c%\n')).toBe('a%3Ab%2Cc%25%0A');
  });

  it('a file name with a comma or colon cannot break the command', () => {
    const text = renderGithub([{ code: 'unknown-tool', severity: 'error', message: 'm', span: { ...at(POLICY, 3, 7, 3, 21), file: 'a,b:c.policy' } }]);
    expect(text).toBe('::error file=a%2Cb%3Ac.policy,line=3,col=7,endLine=3,endColumn=21,title=unknown-tool::m\n');
  });

  it('omits columns for an annotation over several lines', () => {
    const text = renderGithub([{ code: 'unknown-tool', severity: 'warning', message: 'm', span: at(POLICY, 4, 1, 5, 5) }]);
    expect(text).toBe('::warning file=policies/trading.policy,line=4,endLine=5,title=unknown-tool::m\n');
  });

  it('writes paths relative to the root, with forward slashes', () => {
    const text = renderGithub([{ code: 'unknown-tool', severity: 'error', message: 'm', span: { ...at(POLICY, 3, 7, 3, 21), file: '/repo/policies/x.policy' } }], { root: '/repo' });
    expect(text).toContain('file=policies/x.policy,');
    const windows = renderGithub([{ code: 'unknown-tool', severity: 'error', message: 'm', span: { ...at(POLICY, 3, 7, 3, 21), file: '.\\policies\\x.policy' } }]);
    expect(windows).toContain('file=policies/x.policy,');
  });
});
