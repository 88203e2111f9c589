// The DSL printer: conditions with the fewest parentheses that keep the tree, rule layout by
// width, and whole policies that read back as the model they were printed from.

import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { SourceText } from '../../../src/diagnostics/source.js';
import type { Expr } from '../../../src/model/policy.js';
import { parseConditionFragment, parseDsl } from '../../../src/syntax/dsl/index.js';
import { conditionText, printDsl, ruleLines } from '../../../src/syntax/print/dsl.js';
import { LINE_WIDTH, ONE_LINE_RULE_WIDTH } from '../../../src/syntax/print/layout.js';
import { modelShape } from '../../../src/syntax/print/shape.js';

function condition(text: string): Expr {
  const source = new SourceText('c', text);
  const { expr, diagnostics } = parseConditionFragment({ source, text, toFileOffset: (offset) => offset });
  expect(diagnostics).toEqual([]);
  return expr!;
}

function model(text: string) {
  const { model: parsed, diagnostics } = parseDsl(new SourceText('p.policy', text));
  expect(diagnostics).toEqual([]);
  return parsed;
}

describe('conditions', () => {
  it.each([
    ['a==1', 'a == 1'],
    ['100 >= qty', 'qty <= 100'],
    ['(a == 1)', 'a == 1'],
    ['((a == 1) and (b == 2))', 'a == 1 and b == 2'],
    ['a == 1 and (b == 2 and c == 3)', 'a == 1 and (b == 2 and c == 3)'],
    ['(a == 1 or b == 2) and c == 3', '(a == 1 or b == 2) and c == 3'],
    ['a == 1 or (b == 2 and c == 3)', 'a == 1 or b == 2 and c == 3'],
    ['a == 1 or (b == 2 or c == 3)', 'a == 1 or (b == 2 or c == 3)'],
    ['not (a == 1)', 'not a == 1'],
    ['not (a == 1 and b == 2)', 'not (a == 1 and b == 2)'],
    ['not (not a exists)', 'not not a exists'],
    ['x not in ["A","B"]', 'x not in ["A", "B"]'],
    ['not x in []', 'not x in []'],
    ['code matches "HK\\\\..*"', 'code matches "HK\\\\..*"'],
    ['x.`limit`.`a b` == [1,[true,null]]', 'x.limit.`a b` == [1, [true, null]]'],
    ['`limit` exists', '`limit` exists'],
    ['n == -0.50', 'n == -0.5'],
  ])('%s → %s', (input, printed) => {
    const expr = condition(input);
    expect(conditionText(expr)).toBe(printed);
    // The printed text reads back as the same tree.
    expect(JSON.stringify(modelShape(model(`allow x when ${printed}\n`)))).toBe(JSON.stringify(modelShape(model(`allow x when ${input}\n`))));
  });
});

describe('rule layout', () => {
  it('a rule of at most ONE_LINE_RULE_WIDTH columns is one line', () => {
    const fits = `deny a reason "${'x'.repeat(ONE_LINE_RULE_WIDTH - 'deny a reason ""'.length)}"`;
    expect(fits).toHaveLength(ONE_LINE_RULE_WIDTH);
    expect(ruleLines(model(`${fits}\n`).rules[0]!, 0).map((line) => line.text)).toEqual([fits]);
    const wider = fits.replace('"x', '"xx');
    expect(ruleLines(model(`${wider}\n`).rules[0]!, 0).map((line) => line.text)).toEqual(['deny a', wider.replace('deny a ', '')]);
  });

  it('indentation counts: the same rule inside an identity block breaks sooner', () => {
    const rule = `deny a reason "${'x'.repeat(ONE_LINE_RULE_WIDTH - 'deny a reason ""'.length)}"`;
    expect(ruleLines(model(`${rule}\n`).rules[0]!, 2)).toHaveLength(2);
  });

  it('clauses go in the order when, limit, reason, each on its own line', () => {
    const rule = model('allow place_order reason "r" limit 10 per 1m by session when qty <= 100 and trd_env == "SIMULATE" and code == "HK.00700"\n').rules[0]!;
    expect(ruleLines(rule, 0).map((line) => `${' '.repeat(line.indent)}${line.text}`)).toEqual([
      'allow place_order',
      '  when qty <= 100 and trd_env == "SIMULATE" and code == "HK.00700"',
      '  limit 10 per 1m by session',
      '  reason "r"',
    ]);
  });

  it('a long condition is filled up to LINE_WIDTH, continued four columns in, each line starting with its operator', () => {
    const terms = Array.from({ length: 9 }, (_, i) => `argument_${i} == ${i}`);
    const rule = model(`allow x when ${terms.join(' and ')}\n`).rules[0]!;
    const lines = ruleLines(rule, 0).map((line) => `${' '.repeat(line.indent)}${line.text}`);
    expect(lines).toEqual([
      'allow x',
      '  when argument_0 == 0 and argument_1 == 1 and argument_2 == 2',
      '    and argument_3 == 3 and argument_4 == 4 and argument_5 == 5',
      '    and argument_6 == 6 and argument_7 == 7 and argument_8 == 8',
    ]);
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(LINE_WIDTH);
  });

  it('only the top-level chain breaks; an operand wider than the line stays whole', () => {
    const wide = `(${Array.from({ length: 8 }, (_, i) => `argument_${i} == ${i}`).join(' or ')})`;
    const lines = ruleLines(model(`allow x when a == 1 and ${wide}\n`).rules[0]!, 0).map((line) => line.text);
    expect(lines).toEqual(['allow x', 'when a == 1', `and ${wide}`]);
  });
});

describe('whole policies', () => {
  it('prints the example policy in canonical order, without its comments', () => {
    const example = model(readFileSync('fixtures/policies/trading.policy', 'utf8'));
    expect(printDsl(example)).toBe(
      [
        'version 1',
        'server "futu-stock-mcp-server"',
        'default deny',
        '',
        'hide cancel_all_orders',
        '',
        'allow class read',
        'allow get_order_*, get_deal_list',
        '',
        'allow place_order',
        '  when trd_env == "SIMULATE" and qty <= 100 and code in ["HK.00700", "US.AAPL"]',
        '  limit 10 per 1m',
        '  reason "paper trading only, small size"',
        '',
        'approve modify_order, cancel_order reason "order changes need a person"',
        '',
        'deny unlock_trade',
        '  reason "the trade password must never pass through the model"',
        '',
        'limit all 120 per 1m',
        '',
        'identity "research-bot" {',
        '  hide class financial, class destructive',
        '',
        '  deny get_funds, get_positions reason "no account data for research"',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('an empty block is `{}`; names are always quoted; `by identity` stays when written', () => {
    expect(printDsl(model('identity ops {}\nallow a limit 1 per 1s by identity\nserver futu\n'))).toBe(
      'server "futu"\n\nallow a limit 1 per 1s by identity\n\nidentity "ops" {}\n',
    );
  });

  it('an empty model prints as nothing', () => {
    expect(printDsl(model('# only a comment\n'))).toBe('');
  });

  it.each(['fixtures/policies/trading.policy', 'fixtures/policies/desk.policy', 'fixtures/policies/hide-all.policy', 'fixtures/gateway/everything.policy'])(
    '%s reads back as the same model',
    (path) => {
      const original = model(readFileSync(path, 'utf8'));
      expect(modelShape(model(printDsl(original)))).toEqual(modelShape(original));
    },
  );
});
