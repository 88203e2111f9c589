// Every construct of the language, one table row each: the text, and the model it must give
// (spans left out; spans have their own rows at the end). Each row also asserts that the text
// parses without a diagnostic.

import { describe, expect, it } from 'vitest';

import type { Span } from '../../../src/diagnostics/diagnostic.js';
import type { Expr, LimitNode, RuleNode } from '../../../src/model/policy.js';
import { at, parse, textAt, withoutSpans } from './helpers.js';

function onlyRule(text: string): RuleNode {
  const { model, diagnostics } = parse(text);
  expect(diagnostics).toEqual([]);
  expect(model.rules).toHaveLength(1);
  return model.rules[0]!;
}

function condition(text: string): unknown {
  return withoutSpans(onlyRule(`allow x when ${text}`).when);
}

const path = (...segments: string[]) => ({ segments });
const value = (v: unknown) => ({ value: v });
const compare = (op: string, segments: string[], v: unknown) => ({ kind: 'compare', op, path: path(...segments), value: value(v) });
const a1 = compare('==', ['a'], 1);
const b2 = compare('==', ['b'], 2);
const c3 = compare('==', ['c'], 3);

describe('conditions', () => {
  it.each<[string, unknown]>([
    ['a == 1', a1],
    ['a != "x"', compare('!=', ['a'], 'x')],
    ['a < 1', compare('<', ['a'], 1)],
    ['a <= 1', compare('<=', ['a'], 1)],
    ['a > 1', compare('>', ['a'], 1)],
    ['a >= 1', compare('>=', ['a'], 1)],
    // A literal on the left is flipped, so the path is always on the left.
    ['100 >= qty', compare('<=', ['qty'], 100)],
    ['1 < a', compare('>', ['a'], 1)],
    ['1 <= a', compare('>=', ['a'], 1)],
    ['1 > a', compare('<', ['a'], 1)],
    ['"x" == a', compare('==', ['a'], 'x')],
    ['null != a', compare('!=', ['a'], null)],
    ['a in [1, "b", true, null]', { kind: 'in', negated: false, path: path('a'), values: [value(1), value('b'), value(true), value(null)] }],
    ['a not in []', { kind: 'in', negated: true, path: path('a'), values: [] }],
    ['a in [[1, 2], [3]]', { kind: 'in', negated: false, path: path('a'), values: [value([1, 2]), value([3])] }],
    ['code matches "HK\\\\..*"', { kind: 'matches', path: path('code'), pattern: value('HK\\..*') }],
    ['trd_env exists', { kind: 'exists', path: path('trd_env') }],
    ['not a exists', { kind: 'not', operand: { kind: 'exists', path: path('a') } }],
    ['not not a == 1', { kind: 'not', operand: { kind: 'not', operand: a1 } }],
    ['not (a == 1 or b == 2)', { kind: 'not', operand: { kind: 'or', operands: [a1, b2] } }],
    // `not` binds tightest, then `and`, then `or`; a chain of one operator is one node.
    ['a == 1 and b == 2 and c == 3', { kind: 'and', operands: [a1, b2, c3] }],
    ['a == 1 or b == 2 or c == 3', { kind: 'or', operands: [a1, b2, c3] }],
    ['a == 1 or b == 2 and c == 3', { kind: 'or', operands: [a1, { kind: 'and', operands: [b2, c3] }] }],
    ['a == 1 and b == 2 or c == 3', { kind: 'or', operands: [{ kind: 'and', operands: [a1, b2] }, c3] }],
    ['not a == 1 and b == 2', { kind: 'and', operands: [{ kind: 'not', operand: a1 }, b2] }],
    ['(a == 1 or b == 2) and c == 3', { kind: 'and', operands: [{ kind: 'or', operands: [a1, b2] }, c3] }],
    // Parentheses keep their grouping in the model; the compiler flattens.
    ['a == 1 and (b == 2 and c == 3)', { kind: 'and', operands: [a1, { kind: 'and', operands: [b2, c3] }] }],
    ['((a == 1))', a1],
  ])('%s', (text, expected) => {
    expect(condition(text)).toEqual(expected);
  });
});

describe('argument paths', () => {
  it.each<[string, string[]]>([
    ['qty', ['qty']],
    ['order.qty', ['order', 'qty']],
    ['a.b.c', ['a', 'b', 'c']],
    ['a.limit', ['a', 'limit']], // a keyword after a dot is a key
    ['`limit`', ['limit']], // a backquoted key spells any key
    ['`x`.limit', ['x', 'limit']],
    ['order.`limit`.x', ['order', 'limit', 'x']],
    ['`a b`.`c.d`', ['a b', 'c.d']],
    ['items.0', ['items', '0']],
    ['order-id', ['order-id']],
    ['session', ['session']], // scope words are not reserved
    ['global.x', ['global', 'x']],
    ['a . b', ['a', 'b']],
  ])('%s', (text, segments) => {
    expect(condition(`${text} == 1`)).toEqual(compare('==', segments, 1));
  });
});

describe('literals', () => {
  it.each<[string, unknown]>([
    ['0', 0],
    ['-1.5e3', -1500],
    ['12.25', 12.25],
    ['1E2', 100],
    ['true', true],
    ['false', false],
    ['null', null],
    ['"plain"', 'plain'],
    ['""', ''],
    ['"\\u00e9\\n\\"q\\" \\\\ \\/ \\t"', 'é\n"q" \\ / \t'],
    ['"# not a comment"', '# not a comment'],
    ['[]', []],
    ['[1, [2, ["x"]]]', [1, [2, ['x']]]],
  ])('%s', (text, expected) => {
    expect(condition(`a == ${text}`)).toEqual(compare('==', ['a'], expected));
  });
});

describe('selectors', () => {
  it.each<[string, unknown[]]>([
    ['get_stock_quote', [{ kind: 'name', name: 'get_stock_quote' }]],
    ['files.read', [{ kind: 'name', name: 'files.read' }]],
    ['my-tool_2', [{ kind: 'name', name: 'my-tool_2' }]],
    ['all', [{ kind: 'name', name: 'all' }]],
    ['"weird name!"', [{ kind: 'name', name: 'weird name!' }]],
    ['"3com"', [{ kind: 'name', name: '3com' }]],
    ['"limit"', [{ kind: 'name', name: 'limit' }]],
    ['get_order_*', [{ kind: 'glob', pattern: 'get_order_*' }]],
    ['*_order', [{ kind: 'glob', pattern: '*_order' }]],
    ['get_?rder', [{ kind: 'glob', pattern: 'get_?rder' }]],
    ['*', [{ kind: 'all' }]],
    ['class read', [{ kind: 'class', class: 'read' }]],
    ['class Reed', [{ kind: 'class', class: 'Reed' }]], // kept as written; the checks say it is unknown
    ['risk high', [{ kind: 'risk', op: '==', risk: 'high' }]],
    ['risk == high', [{ kind: 'risk', op: '==', risk: 'high' }]],
    ['risk >= high', [{ kind: 'risk', op: '>=', risk: 'high' }]],
    ['risk > low', [{ kind: 'risk', op: '>', risk: 'low' }]],
    ['risk <= medium', [{ kind: 'risk', op: '<=', risk: 'medium' }]],
    ['risk < critical', [{ kind: 'risk', op: '<', risk: 'critical' }]],
    [
      'a, get_*, class write, risk >= high, *',
      [
        { kind: 'name', name: 'a' },
        { kind: 'glob', pattern: 'get_*' },
        { kind: 'class', class: 'write' },
        { kind: 'risk', op: '>=', risk: 'high' },
        { kind: 'all' },
      ],
    ],
    ['a # comment\n  , b', [{ kind: 'name', name: 'a' }, { kind: 'name', name: 'b' }]],
  ])('%s', (text, expected) => {
    expect(withoutSpans(onlyRule(`deny ${text}`).selectors)).toEqual(expected);
  });
});

describe('statements', () => {
  it('reads version, server and default', () => {
    const { model, diagnostics } = parse('version 1\nserver "futu-stock-mcp-server"\ndefault allow');
    expect(diagnostics).toEqual([]);
    expect(withoutSpans([model.version, model.server, model.default])).toEqual([{ value: 1 }, { name: 'futu-stock-mcp-server' }, { value: 'allow' }]);
  });

  it.each<[string, unknown]>([
    ['version "1"', { value: '1' }],
    ['version 1.0', { value: 1 }],
  ])('accepts %s as version 1', (text, expected) => {
    const { model, diagnostics } = parse(text);
    expect(diagnostics).toEqual([]);
    expect(withoutSpans(model.version)).toEqual(expected);
  });

  it('accepts a bare server name', () => {
    const { model, diagnostics } = parse('server futu-stock-mcp-server');
    expect(diagnostics).toEqual([]);
    expect(model.server?.name).toBe('futu-stock-mcp-server');
  });

  it('reads hide statements, top level and in a block', () => {
    const { model, diagnostics } = parse('hide *\nidentity "bot" { hide class read, x }');
    expect(diagnostics).toEqual([]);
    expect(withoutSpans(model.hide)).toEqual([{ selectors: [{ kind: 'all' }] }]);
    expect(withoutSpans(model.identities[0]?.hide)).toEqual([
      { identity: 'bot', selectors: [{ kind: 'class', class: 'read' }, { kind: 'name', name: 'x' }] },
    ]);
  });

  it.each<[string, string]>([
    ['allow x', 'allow'],
    ['deny x', 'deny'],
    ['approve x', 'approve'],
  ])('reads the effect of %s', (text, effect) => {
    expect(onlyRule(text).effect).toBe(effect);
  });

  it('takes a rule\'s clauses in any order', () => {
    const canonical = withoutSpans(onlyRule('deny x when a == 1 limit 1 per 30s reason "r"'));
    expect(withoutSpans(onlyRule('deny x reason "r" when a == 1 limit 1 per 30s'))).toEqual(canonical);
    expect(withoutSpans(onlyRule('deny x limit 1 per 30s reason "r" when a == 1'))).toEqual(canonical);
  });

  it('reads clauses over several lines, and a rule\'s limit on its own line', () => {
    const rule = onlyRule('allow x\n  when a == 1\n  limit 5 per 1h\n  reason "r"');
    expect(withoutSpans(rule)).toEqual({
      effect: 'allow',
      selectors: [{ kind: 'name', name: 'x' }],
      when: a1,
      limit: { max: 5, per: { text: '1h', ms: 3_600_000 }, by: 'identity' },
      reason: { text: 'r' },
    });
  });

  it('reads identity blocks with a quoted or a bare name', () => {
    const { model, diagnostics } = parse('identity "research-bot" { allow x }\nidentity ops { deny y reason "no" }');
    expect(diagnostics).toEqual([]);
    expect(withoutSpans(model.identities)).toEqual([
      { name: 'research-bot', hide: [], rules: [{ effect: 'allow', identity: 'research-bot', selectors: [{ kind: 'name', name: 'x' }] }] },
      { name: 'ops', hide: [], rules: [{ effect: 'deny', identity: 'ops', selectors: [{ kind: 'name', name: 'y' }], reason: { text: 'no' } }] },
    ]);
    expect(model.rules).toEqual([]);
  });

  it('reads an empty file, and a file of comments, as an empty policy', () => {
    for (const text of ['', '   \n\n', '# nothing here\n# at all']) {
      const { model, diagnostics } = parse(text);
      expect(diagnostics).toEqual([]);
      expect(withoutSpans(model)).toEqual({ file: 'test.policy', syntax: 'dsl', hide: [], rules: [], limits: [], identities: [], suppressions: [] });
    }
  });
});

describe('limits', () => {
  function limitAll(text: string): LimitNode {
    const { model, diagnostics } = parse(text);
    expect(diagnostics).toEqual([]);
    expect(model.limits).toHaveLength(1);
    return model.limits[0]!;
  }

  it.each<[string, number, number, string]>([
    ['limit all 120 per 1m', 120, 60_000, 'identity'],
    ['limit all 5 per 30s by global', 5, 30_000, 'global'],
    ['limit all 5 per 1h by session', 5, 3_600_000, 'session'],
    ['limit all 5 per 2d by identity', 5, 172_800_000, 'identity'],
    ['limit\n  all 5 per 1m', 5, 60_000, 'identity'],
  ])('%s', (text, max, ms, by) => {
    expect(withoutSpans(limitAll(text))).toMatchObject({ max, per: { ms }, by });
  });

  // Bad numbers are for the `invalid-limit` check, which reads them from the model.
  it.each<[string, number, number]>([
    ['limit all 0 per 1m', 0, 60_000],
    ['limit all 1.5 per 1m', 1.5, 60_000],
    ['limit all -3 per 1m', -3, 60_000],
    ['limit all 5 per 0s', 5, NaN],
    ['limit all 5 per 99999999999999999999d', 5, NaN],
  ])('keeps %s as written, for the invalid-limit check', (text, max, ms) => {
    const limit = limitAll(text);
    expect(limit.max).toBe(max);
    expect(limit.per.ms).toBe(ms);
  });

  it('reads a rule\'s limit with its scope and where `by` was written', () => {
    const text = 'allow x limit 3 per 1d by session';
    const rule = onlyRule(text);
    expect(withoutSpans(rule.limit)).toEqual({ max: 3, per: { text: '1d', ms: 86_400_000 }, by: 'session' });
    expect(textAt(text, rule.limit!.bySpan!)).toBe('by session');
    expect(textAt(text, rule.limit!.span)).toBe('limit 3 per 1d by session');
    expect(onlyRule('allow x limit 3 per 1d').limit?.bySpan).toBeUndefined();
    expect(textAt('allow x limit 3 per 1d by identity', onlyRule('allow x limit 3 per 1d by identity').limit!.bySpan!)).toBe('by identity');
  });
});

describe('spans', () => {
  const text = 'allow x when not (a.b == "q" or 100 >= c) and d in [1, 2]';
  const when = onlyRule(text).when!;

  /** The operand at `index` of an and/or, or the operand of a not. */
  function inner(expr: Expr | undefined, index = 0): Expr | undefined {
    if (expr?.kind === 'and' || expr?.kind === 'or') return expr.operands[index];
    if (expr?.kind === 'not') return expr.operand;
    return undefined;
  }
  const comparison = (expr: Expr | undefined) => (expr?.kind === 'compare' ? expr : undefined);
  const membership = (expr: Expr | undefined) => (expr?.kind === 'in' ? expr : undefined);

  it.each<[string, () => Span | undefined]>([
    ['not (a.b == "q" or 100 >= c) and d in [1, 2]', () => when.span],
    ['not (a.b == "q" or 100 >= c)', () => inner(when)?.span],
    ['a.b == "q" or 100 >= c', () => inner(inner(when))?.span],
    ['100 >= c', () => inner(inner(inner(when)), 1)?.span],
    ['c', () => comparison(inner(inner(inner(when)), 1))?.path.span],
    ['a.b', () => comparison(inner(inner(inner(when))))?.path.span],
    ['"q"', () => comparison(inner(inner(inner(when))))?.value.span],
    ['d in [1, 2]', () => inner(when, 1)?.span],
    ['2', () => membership(inner(when, 1))?.values[1]?.span],
  ])('%s', (expected, span) => {
    const found = span();
    expect(found).toBeDefined();
    expect(textAt(text, found!)).toBe(expected);
  });

  it('counts lines and columns across \\r\\n and \\r line breaks', () => {
    const { model, diagnostics } = parse('version 1\r\ndefault deny\r\rallow x\r\n  when a == 1');
    expect(diagnostics).toEqual([]);
    expect(at(model.rules[0]?.span)).toBe('4:1-5:14');
    expect(at(model.rules[0]?.when?.span)).toBe('5:8-5:14');
  });
});
