// Running decision tests: outcomes as the gateway would decide them, rule references, the
// simulated clock, coverage, and the names a suite may not get wrong.

import { describe, expect, it } from 'vitest';

import { checkSuite, runSuite, type SuiteResult } from '../../src/testing/run.js';
import { resultLines } from '../../src/testing/report.js';
import { at, compiled, suite, text } from './helpers.js';

const POLICY = text`
  version 1
  server "futu-stock-mcp-server"
  default deny
  hide cancel_all_orders
  allow class read
  allow place_order
    when trd_env == "SIMULATE" and qty <= 100
    limit 3 per 1m
  approve modify_order, cancel_order
    limit 2 per 1h by session
  deny unlock_trade reason "never the password"
  limit all 5 per 10s
  identity "bot" {
    hide class financial
    deny get_funds
  }
`;
// Lines: 4 hide, 5 r1, 6–8 r2, 9–10 r3, 11 r4, 12 a1, 14 hide (bot), 15 r5.

const PAPER = '{ trd_env: SIMULATE, qty: 10, code: HK.00700, trd_side: BUY }';

function run(cases: string, policy = POLICY): SuiteResult {
  const target = compiled(policy);
  const read = suite(cases);
  expect(checkSuite(read, target).map(at)).toEqual([]);
  return runSuite(read, target);
}

/** `name: outcome by decider (✓|✗)` for every reported line's first call. */
function outcomes(result: SuiteResult): string[] {
  return resultLines(result).map((line) => {
    const call = line.calls.find((c) => !c.passed) ?? line.calls[0]!;
    const decider = call.actual.decider;
    const by = decider.kind === 'rule' || decider.kind === 'limit' ? `${decider.kind} ${decider.id}` : decider.kind;
    return `${line.name}: ${call.actual.outcome} by ${by} ${line.passed ? '✓' : '✗'}`;
  });
}

describe('outcomes', () => {
  it('names each of the five outcomes and what decided it', () => {
    const result = run(text`
      cases:
        - { name: read, tool: get_funds, expect: allow }
        - { name: paper, tool: place_order, args: ${PAPER}, expect: allow }
        - { name: real, tool: place_order, args: { trd_env: REAL, qty: 10 }, expect: deny }
        - { name: ask, tool: cancel_order, args: { order_id: "1" }, expect: approval }
        - { name: password, tool: unlock_trade, expect: deny }
        - { name: hidden, tool: cancel_all_orders, expect: hidden }
        - { name: bot hidden, identity: bot, tool: place_order, args: ${PAPER}, expect: hidden }
        - { name: bot denied, identity: bot, tool: get_funds, expect: deny }
    `);
    expect(outcomes(result)).toEqual([
      'read: allow by rule r1 ✓',
      'paper: allow by rule r2 ✓',
      'real: deny by default ✓',
      'ask: approval by rule r3 ✓',
      'password: deny by rule r4 ✓',
      'hidden: hidden by hide ✓',
      'bot hidden: hidden by hide ✓',
      'bot denied: deny by rule r5 ✓',
    ]);
  });

  it('fails a case whose outcome differs, and keeps hidden, deny and rate_limited apart', () => {
    const result = run(text`
      cases:
        - { name: wrong, tool: place_order, args: { trd_env: REAL, qty: 10 }, expect: allow }
        - { name: hidden is not deny, tool: cancel_all_orders, expect: deny }
        - { name: deny is not hidden, tool: unlock_trade, expect: hidden }
        - { name: approval is not allow, tool: cancel_order, expect: allow }
    `);
    expect(resultLines(result).map((line) => line.passed)).toEqual([false, false, false, false]);
  });

  it('compares what the server will act on: normalised arguments', () => {
    const result = run('cases:\n  - { name: lower case, tool: place_order, args: { trd_env: simulate, qty: 1 }, expect: allow, rule: r2 }\n');
    expect(outcomes(result)).toEqual(['lower case: allow by rule r2 ✓']);
  });
});

describe('rule references', () => {
  it.each([
    ['r2', true],
    ['r1', false],
    ['6', true],
    ['7', true],
    ['8', true],
    ['9', false],
    ['test.policy:6', true],
    ['default', false],
  ])('a paper order decided by r2 (lines 6–8), expected by %s', (rule, passes) => {
    const result = run(`cases:\n  - { name: x, tool: place_order, args: ${PAPER}, expect: allow, rule: "${rule}" }\n`);
    expect(resultLines(result)[0]?.passed).toBe(passes);
  });

  it('names a hide statement by its line, and the default by `default`', () => {
    const result = run(text`
      cases:
        - { name: top hide, tool: cancel_all_orders, expect: hidden, rule: 4 }
        - { name: wrong hide, tool: cancel_all_orders, expect: hidden, rule: 14 }
        - { name: bot hide, identity: bot, tool: place_order, expect: hidden, rule: 14 }
        - { name: default, tool: place_order, args: { qty: 1000 }, expect: deny, rule: default }
    `);
    expect(resultLines(result).map((line) => line.passed)).toEqual([true, false, true, true]);
  });
});

describe('sequences on a simulated clock', () => {
  it('refuses the call over a limit and admits again once the window has slid past the oldest', () => {
    const result = run(text`
      cases:
        - name: three a minute
          steps:
            - { tool: place_order, args: ${PAPER}, repeat: 3, expect: allow }
            - { tool: place_order, args: ${PAPER}, expect: rate_limited, rule: r2 }
            - { after: 59s, tool: place_order, args: ${PAPER}, expect: rate_limited }
            - { after: 1s, tool: place_order, args: ${PAPER}, expect: allow }
    `);
    expect(resultLines(result)[0]?.passed).toBe(true);
    const limited = result.cases[0]!.calls[3]!;
    expect(limited.actual).toMatchObject({ outcome: 'rate_limited', decider: { kind: 'limit', id: 'r2' }, retryAfterMs: 60_000 });
  });

  it('fails when the limit is expected too early', () => {
    const result = run(text`
      cases:
        - name: off by one
          steps:
            - { tool: place_order, args: ${PAPER}, repeat: 2, expect: allow }
            - { tool: place_order, args: ${PAPER}, expect: rate_limited }
    `);
    expect(resultLines(result)[0]?.passed).toBe(false);
    expect(result.cases[0]!.calls.map((call) => call.passed)).toEqual([true, true, false]);
  });

  it('counts by caller: another identity has its own room', () => {
    const result = run(text`
      cases:
        - name: per caller
          steps:
            - { identity: a, tool: place_order, args: ${PAPER}, repeat: 3, expect: allow }
            - { identity: a, tool: place_order, args: ${PAPER}, expect: rate_limited }
            - { identity: b, tool: place_order, args: ${PAPER}, expect: allow }
    `);
    expect(resultLines(result)[0]?.passed).toBe(true);
  });

  it('counts approvals (by session) and a limit all across tools', () => {
    const result = run(text`
      cases:
        - name: approvals by session
          steps:
            - { tool: cancel_order, repeat: 2, expect: approval }
            - { tool: cancel_order, expect: rate_limited, rule: r3 }
            - { session: other, tool: cancel_order, expect: approval }
        - name: five calls in ten seconds, any tools
          steps:
            - { tool: get_funds, repeat: 4, expect: allow }
            - { tool: get_positions, expect: allow }
            - { tool: get_stock_quote, expect: rate_limited, rule: a1 }
            - { after: 10s, tool: get_stock_quote, expect: allow }
    `);
    expect(outcomes(result)).toEqual(['approvals by session: approval by rule r3 ✓', 'five calls in ten seconds, any tools: allow by rule r1 ✓']);
  });

  it('starts every single call and every matrix cell with empty limits', () => {
    const result = run(text`
      cases:
        - { name: one, tool: place_order, args: ${PAPER}, expect: allow }
        - { name: two, tool: place_order, args: ${PAPER}, expect: allow }
        - { name: three, tool: place_order, args: ${PAPER}, expect: allow }
        - { name: four, tool: place_order, args: ${PAPER}, expect: allow }
    `);
    expect(resultLines(result).every((line) => line.passed)).toBe(true);
  });
});

describe('coverage', () => {
  it('lists the rules no call matched, the limits never reached and the hides that never hid', () => {
    const result = run('cases:\n  - { name: read, tool: get_funds, expect: allow }\n');
    const uncovered = (items: { covered: boolean; statement: { id?: string; at?: { line: number } } }[]) =>
      items.filter((item) => !item.covered).map((item) => item.statement.id ?? `line ${item.statement.at?.line}`);
    expect(uncovered(result.coverage.rules)).toEqual(['r2', 'r3', 'r4', 'r5']);
    expect(uncovered(result.coverage.limits)).toEqual(['r2', 'r3', 'a1']);
    expect(uncovered(result.coverage.hides)).toEqual(['line 4', 'line 14']);
  });

  it('does not count the rules of a call that was hidden', () => {
    const result = run('cases:\n  - { name: hidden, identity: bot, tool: place_order, args: { trd_env: SIMULATE, qty: 1 }, expect: hidden }\n');
    expect(result.coverage.rules.find((item) => item.statement.id === 'r2')?.covered).toBe(false);
    expect(result.coverage.hides.map((item) => item.covered)).toEqual([false, true]);
  });
});

describe('names the suite may not get wrong', () => {
  const check = (cases: string, policy = POLICY) => checkSuite(suite(cases), compiled(policy));

  it('a tool the catalogue does not have, with did-you-mean', () => {
    const diagnostics = check('cases:\n  - { name: typo, tool: cancel_all_order, expect: hidden }\n');
    expect(diagnostics.map(at)).toEqual(['2:25 invalid-test']);
    expect(diagnostics[0]?.suggestion).toBe('cancel_all_orders');
  });

  it('an identity that looks like a misspelt block; any other name is a caller without one', () => {
    expect(check('cases:\n  - { name: x, identity: bto, tool: get_funds, expect: deny }\n').map(at)).toEqual([]);
    expect(check('cases:\n  - { name: x, identity: bots, tool: get_funds, expect: deny }\n').map(at)).toEqual(['2:26 invalid-test']);
    expect(check('cases:\n  - { name: x, identity: bot, tool: get_funds, expect: deny }\n').map(at)).toEqual([]);
    expect(check('cases:\n  - { name: x, identity: someone, tool: get_funds, expect: allow }\n').map(at)).toEqual([]);
  });

  it.each([
    ['r9'],
    ['a2'],
    ['3'],
    ['99'],
    ['other.policy:5'],
  ])('a rule reference %s that names nothing', (rule) => {
    expect(check(`cases:\n  - { name: x, tool: get_funds, args: {}, expect: allow, rule: "${rule}" }\n`).map(at)).toEqual(['2:64 invalid-test']);
  });

  it('lines of a policy.json without its source map', () => {
    const target = compiled(POLICY);
    const { sourceMap: _dropped, model: _model, ...withoutMap } = target;
    const diagnostics = checkSuite(suite('cases:\n  - { name: x, tool: get_funds, expect: allow, rule: 5 }\n'), { ...withoutMap, path: 'policy.json' });
    expect(diagnostics.map((d) => d.message)).toEqual([expect.stringContaining('no source map')]);
    expect(checkSuite(suite('cases:\n  - { name: x, tool: get_funds, expect: allow, rule: r1 }\n'), { ...withoutMap, path: 'policy.json' })).toEqual([]);
  });
});
