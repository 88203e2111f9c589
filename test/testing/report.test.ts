// What `policyc test` prints: one line per case (✓/✗, expected vs actual, the deciding rule and
// its line), failed sequence steps, the tally, and coverage; and the JSON form.

import { describe, expect, it } from 'vitest';

import { renderJson, renderPretty } from '../../src/testing/report.js';
import { checkSuite, runSuite } from '../../src/testing/run.js';
import { compiled, suite, text } from './helpers.js';

const POLICY = text`
  version 1
  server "futu-stock-mcp-server"
  default deny
  allow get_funds
  allow place_order when trd_env == "SIMULATE" limit 2 per 1m
  deny unlock_trade
`;

const CASES = text`
  cases:
    - { name: funds, tool: get_funds, expect: allow, rule: 4 }
    - { name: a wrong guess, tool: unlock_trade, expect: allow }
    - name: two a minute
      steps:
        - { tool: place_order, args: { trd_env: SIMULATE }, repeat: 3, expect: allow }
        - { after: 30s, tool: place_order, args: { trd_env: SIMULATE }, expect: allow }
`;

function result() {
  const target = compiled(POLICY, 'p.policy');
  const read = suite(CASES);
  expect(checkSuite(read, target)).toEqual([]);
  return runSuite(read, target);
}

describe('pretty', () => {
  it('prints each case, the failures with their place in the tests file, the tally and coverage', () => {
    expect(renderPretty(result(), { color: false, testsFile: 'p.tests.yaml' })).toBe(
      [
        '✓ funds          allow by r1 at p.policy:4',
        '✗ a wrong guess  expected allow, got deny by r3 at p.policy:6',
        '    at p.tests.yaml:3',
        '✗ two a minute   2 of 4 calls in 2 steps not as expected',
        '    step 1, call 3 of 3 at 0s: place_order: expected allow, got rate_limited by the limit of r2 at p.policy:5; room again in 1m',
        '      at p.tests.yaml:6',
        '    step 2 at 30s: place_order: expected allow, got rate_limited by the limit of r2 at p.policy:5; room again in 30s',
        '      at p.tests.yaml:7',
        '',
        '3 tests: 1 passed, 2 failed',
        '',
        'coverage: 3/3 rules matched a call, 1/1 limits reached, 0/0 hide statements hid a call',
      ].join('\n'),
    );
  });

  it('lists what no case covered', () => {
    const target = compiled(POLICY, 'p.policy');
    const outcome = runSuite(suite('cases:\n  - { name: funds, tool: get_funds, expect: allow }\n'), target);
    expect(renderPretty(outcome, { color: false, testsFile: 't.yaml' }).split('\n').slice(-4)).toEqual([
      'coverage: 1/3 rules matched a call, 0/1 limits reached, 0/0 hide statements hid a call',
      '  not matched   r2 allow place_order  p.policy:5',
      '  not matched   r3 deny unlock_trade  p.policy:6',
      '  not reached   r2 limit 2 per 1m (allow place_order)  p.policy:5',
    ]);
  });

  it('colours the marks only when asked', () => {
    expect(renderPretty(result(), { color: true, testsFile: 'x' })).toContain('\u001b[32m✓\u001b[0m funds');
    expect(renderPretty(result(), { color: false, testsFile: 'x' })).not.toContain('\u001b[');
  });
});

describe('json', () => {
  it('gives every decision of a one-call case and only the wrong calls of a sequence', () => {
    const document = JSON.parse(renderJson(result(), { policy: 'p.policy', tests: 'p.tests.yaml' })) as {
      passed: number;
      failed: number;
      results: { name: string; passed: boolean; calls: number; decisions: { step: number | null; repetition: number | null; actual: { outcome: string; rule: string | null; retry_after_ms: number | null } }[] }[];
      coverage: { rules: { id: string; covered: boolean; source: { line: number } }[] };
    };
    expect([document.passed, document.failed]).toEqual([1, 2]);
    expect(document.results.map((r) => [r.name, r.passed, r.calls, r.decisions.length])).toEqual([
      ['funds', true, 1, 1],
      ['a wrong guess', false, 1, 1],
      ['two a minute', false, 4, 2],
    ]);
    expect(document.results[2]?.decisions.map((d) => [d.step, d.repetition, d.actual.outcome, d.actual.rule, d.actual.retry_after_ms])).toEqual([
      [1, 3, 'rate_limited', 'r2', 60_000],
      [2, 1, 'rate_limited', 'r2', 30_000],
    ]);
    expect(document.coverage.rules.map((r) => [r.id, r.covered, r.source.line])).toEqual([
      ['r1', true, 4],
      ['r2', true, 5],
      ['r3', true, 6],
    ]);
  });
});
