// Reading a decision-tests file: the three kinds of case, rule references, and every mistake
// reported at its YAML line and column.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

import { SourceText } from '../../src/diagnostics/source.js';
import { OUTCOMES, readTestSuite, ruleReference } from '../../src/testing/cases.js';
import { problems, suite, text } from './helpers.js';

const SPAN = new SourceText('x', '').span(0, 0);

describe('cases', () => {
  it('reads a call with its arguments, identity, outcome and rule', () => {
    const read = suite(text`
      cases:
        - name: quotes
          identity: research-bot
          tool: get_stock_quote
          args: { symbols: [HK.00700] }
          expect: allow
          rule: trading.policy:8
    `);
    expect(read.cases).toHaveLength(1);
    const [only] = read.cases;
    expect(only?.kind).toBe('call');
    if (only?.kind !== 'call') return;
    expect(only.call).toMatchObject({ tool: 'get_stock_quote', identity: 'research-bot', args: { symbols: ['HK.00700'] }, expect: 'allow' });
    expect(only.call.rule).toMatchObject({ kind: 'line', file: 'trading.policy', line: 8 });
    expect(only.call.span.start.line).toBe(2);
    expect(only.call.toolSpan.start).toMatchObject({ line: 4, column: 11 });
  });

  it('reads a sequence: after moves the clock, repeat repeats, identity and session are inherited', () => {
    const read = suite(text`
      cases:
        - name: limits
          identity: bot
          steps:
            - { tool: place_order, expect: allow, repeat: 10 }
            - { tool: place_order, expect: rate_limited, rule: r3 }
            - { after: 2m, tool: place_order, expect: allow, identity: other, session: s2 }
    `);
    const [sequence] = read.cases;
    expect(sequence?.kind).toBe('sequence');
    if (sequence?.kind !== 'sequence') return;
    expect(sequence.steps.map((step) => [step.afterMs, step.repeat, step.identity, step.session])).toEqual([
      [0, 10, 'bot', 'sequence 1'],
      [0, 1, 'bot', 'sequence 1'],
      [120_000, 1, 'other', 's2'],
    ]);
    expect(sequence.steps[1]?.rule).toMatchObject({ kind: 'id', id: 'r3' });
  });

  it('reads a matrix as one call per identity × tool, with per-tool arguments', () => {
    const read = suite(text`
      cases:
        - name: who may do what
          identities: [anonymous, research-bot]
          tools: [get_funds, place_order]
          args: { place_order: { qty: 1 } }
          expect:
            anonymous: { get_funds: allow, place_order: deny }
            research-bot: { get_funds: deny, place_order: hidden }
    `);
    const [matrix] = read.cases;
    if (matrix?.kind !== 'matrix') throw new Error('not a matrix');
    expect(matrix.cells.map((cell) => [cell.identity, cell.tool, cell.expect, cell.args])).toEqual([
      ['anonymous', 'get_funds', 'allow', {}],
      ['anonymous', 'place_order', 'deny', { qty: 1 }],
      ['research-bot', 'get_funds', 'deny', {}],
      ['research-bot', 'place_order', 'hidden', { qty: 1 }],
    ]);
    // A failing cell points at its own outcome.
    expect(matrix.cells[3]?.span.start).toMatchObject({ line: 8, column: 53 });
  });

  it('reads the example tests file', () => {
    const path = new URL('../../fixtures/policies/trading.tests.yaml', import.meta.url);
    const { suite: read, diagnostics } = readTestSuite(new SourceText('trading.tests.yaml', readFileSync(path, 'utf8')));
    expect(diagnostics).toEqual([]);
    expect(read?.cases.map((c) => c.kind)).toContain('matrix');
  });
});

describe('rule references', () => {
  it.each([
    ['r3', { kind: 'id', id: 'r3' }],
    ['a1', { kind: 'id', id: 'a1' }],
    ['default', { kind: 'default' }],
    ['11', { kind: 'line', line: 11 }],
    [11, { kind: 'line', line: 11 }],
    ['trading.policy:11', { kind: 'line', file: 'trading.policy', line: 11 }],
    ['policies/a b.policy:7', { kind: 'line', file: 'policies/a b.policy', line: 7 }],
  ] as const)('%s', (written, expected) => {
    expect(ruleReference(written, SPAN)).toMatchObject(expected);
  });
});

describe('mistakes, each at its line and column', () => {
  it.each([
    ['an empty file', '', ['1:1 schema-error']],
    ['no cases key', 'tests: []\n', ['1:1 schema-error', '1:1 schema-error']],
    ['a misspelt key, with did-you-mean', 'cases:\n  - name: a\n    tool: get_funds\n    expct: allow\n', ['4:5 schema-error']],
    ['an outcome that does not exist', 'cases:\n  - name: a\n    tool: get_funds\n    expect: approve\n', ['4:13 schema-error']],
    ['a case without a name', 'cases:\n  - tool: get_funds\n    expect: allow\n', ['2:5 schema-error']],
    ['args that are not a mapping', 'cases:\n  - name: a\n    tool: get_funds\n    args: [1]\n    expect: allow\n', ['4:11 schema-error']],
    ['a step mixing call keys into a sequence', 'cases:\n  - name: a\n    tool: x\n    steps: [{ tool: x, expect: allow }]\n', ['3:5 schema-error']],
    ['a bad duration', 'cases:\n  - name: a\n    steps:\n      - { after: 1 minute, tool: x, expect: allow }\n', ['4:18 schema-error']],
    ['repeat 0', 'cases:\n  - name: a\n    steps:\n      - { repeat: 0, tool: x, expect: allow }\n', ['4:19 schema-error']],
    ['a duplicate key', 'cases:\n  - name: a\n    name: b\n    tool: x\n    expect: allow\n', ['3:5 schema-error']],
    ['a YAML syntax error (reported where the string should have ended)', 'cases:\n  - name: "a\n', ['3:1 syntax-error']],
  ])('%s', (_name, written, expected) => {
    expect(problems(written)).toEqual(expected);
  });

  it('suggests the outcome meant', () => {
    const { diagnostics } = readTestSuite(new SourceText('cases.yaml', 'cases:\n  - name: a\n    tool: get_funds\n    expect: alow\n'));
    expect(diagnostics.map((d) => d.suggestion)).toEqual(['allow']);
  });

  it('refuses a matrix with a hole, a stray row, a stray cell or arguments for a tool it does not call', () => {
    expect(
      problems(text`
        cases:
          - name: m
            identities: [a, b]
            tools: [get_funds, place_order]
            args: { cancel_order: {} }
            expect:
              a: { get_funds: allow, place_order: deny, get_positions: allow }
              c: { get_funds: allow }
      `),
    ).toEqual(['5:13 invalid-test', '6:5 invalid-test', '7:49 invalid-test', '8:7 invalid-test']);
  });
});

describe('the published schema', () => {
  it('lists exactly the outcomes the runner knows', () => {
    const schema = JSON.parse(readFileSync(new URL('../../grammar/policy-tests.schema.json', import.meta.url), 'utf8')) as {
      definitions: { outcome: { enum: string[] } };
    };
    expect(schema.definitions.outcome.enum).toEqual([...OUTCOMES]);
  });
});
