import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { builtinCatalog } from '../../src/catalog/builtin.js';
import type { Catalog } from '../../src/catalog/types.js';
import { formatPolicyJson, formatSourceMap } from '../../src/compile/canonical-json.js';
import { compilePolicy } from '../../src/compile/compile.js';
import type { CompiledPolicy } from '../../src/model/compiled.js';
import type { PolicyModel } from '../../src/model/policy.js';
import { FILE, hide, identity, limit, model, rule, smallCatalog, span, when, type RuleOptions } from './model-builder.js';

const small = smallCatalog();
const futu = builtinCatalog('futu-stock-mcp-server')!;

function compile(m: PolicyModel, catalog: Catalog = small): CompiledPolicy {
  return compilePolicy(m, catalog).policy;
}

describe('compilePolicy: the whole output', () => {
  const example = model({
    server: 'small',
    default: 'deny',
    hide: [hide(['cancel'], 5)],
    rules: [
      rule('allow', ['class read'], { line: 7 }),
      rule('allow', ['place'], {
        line: 8,
        when: when.and(when.cmp('env', '==', 'SIMULATE'), when.cmp('qty', '<=', 100)),
        limit: limit(10, '60s'),
        reason: 'paper',
      }),
      rule('approve', ['cancel', 'quote'], { line: 12, column: 3 }),
    ],
    limits: [limit(120, '1m', undefined, span(14)), limit(1000, '1h', 'global', span(15))],
    identities: [
      identity('bot', {
        line: 17,
        hide: [hide(['class financial', 'cancel'], 18, 3)],
        rules: [rule('deny', ['quote'], { line: 19, column: 3, reason: 'no' })],
      }),
    ],
  });

  it('resolves every selector and numbers rules and limits', () => {
    expect(compile(example)).toEqual({
      version: '1',
      server: 'small',
      default: 'deny',
      hide: ['cancel'],
      tools: {
        quote: { rules: ['r1', 'r3'] },
        list_orders: { rules: ['r1'] },
        place: { rules: ['r2'], normalize: { env: 'upper' } },
        cancel: { rules: ['r3'] },
      },
      all_tools: {
        limits: [
          { id: 'a1', max: 120, per: '1m', window_ms: 60_000, by: 'identity' },
          { id: 'a2', max: 1000, per: '1h', window_ms: 3_600_000, by: 'global' },
        ],
      },
      identities: { bot: { hide: ['cancel', 'place'], tools: { quote: { rules: ['r4'] } } } },
      rules: [
        { id: 'r1', effect: 'allow', selector: 'class read' },
        {
          id: 'r2',
          effect: 'allow',
          selector: 'place',
          when: {
            and: [
              { op: '==', path: ['env'], value: 'SIMULATE' },
              { op: '<=', path: ['qty'], value: 100 },
            ],
          },
          limit: { max: 10, per: '1m', window_ms: 60_000, by: 'identity' },
          reason: 'paper',
        },
        { id: 'r3', effect: 'approve', selector: 'cancel, quote' },
        { id: 'r4', effect: 'deny', selector: 'quote', reason: 'no', identity: 'bot' },
      ],
      catalog: { name: 'small', tools: ['cancel', 'list_orders', 'place', 'quote', 'subscribe'] },
    });
  });

  it('points every id, hidden tool and identity back at its statement', () => {
    const loc = (line: number, column = 1) => ({ file: FILE, line, column });
    expect(compilePolicy(example, small).sourceMap).toEqual({
      version: 1,
      rules: { r1: loc(7), r2: loc(8), r3: loc(12, 3), r4: loc(19, 3), a1: loc(14), a2: loc(15) },
      hide: { cancel: loc(5) },
      identities: { bot: { at: loc(17), hide: { cancel: loc(18, 3), place: loc(18, 3) } } },
    });
  });

  it('writes the empty policy in the canonical layout', () => {
    const text = formatPolicyJson(compile(model(), { name: '', tools: [] }));
    expect(text).toBe(
      [
        '{',
        '  "all_tools": {',
        '    "limits": []',
        '  },',
        '  "catalog": {',
        '    "name": "",',
        '    "tools": []',
        '  },',
        '  "default": "deny",',
        '  "hide": [],',
        '  "identities": {},',
        '  "rules": [],',
        '  "tools": {},',
        '  "version": "1"',
        '}',
        '',
      ].join('\n'),
    );
  });
});

describe('compilePolicy: top-level statements', () => {
  it('defaults to deny, and keeps an explicit allow', () => {
    expect(compile(model()).default).toBe('deny');
    expect(compile(model({ default: 'allow' })).default).toBe('allow');
  });

  it('writes server only when the policy names one', () => {
    expect(compile(model())).not.toHaveProperty('server');
    expect(compile(model({ server: 'small' })).server).toBe('small');
  });

  it('records the catalogue name and every tool, sorted', () => {
    const catalog: Catalog = { name: 'x', tools: [...small.tools].reverse() };
    expect(compile(model(), catalog).catalog).toEqual({ name: 'x', tools: ['cancel', 'list_orders', 'place', 'quote', 'subscribe'] });
  });

  it('sorts and deduplicates hide across statements', () => {
    const m = model({ hide: [hide(['quote', 'cancel']), hide(['class destructive', 'quote'])] });
    expect(compile(m).hide).toEqual(['cancel', 'quote']);
  });

  it('hides every catalogued tool for `*`, and keeps an unknown exact name as written', () => {
    expect(compile(model({ hide: [hide(['*'])] })).hide).toEqual(['cancel', 'list_orders', 'place', 'quote', 'subscribe']);
    expect(compile(model({ hide: [hide(['nonesuch'])] })).hide).toEqual(['nonesuch']);
  });

  it('numbers several `limit all` in source order', () => {
    const m = model({ limits: [limit(5, '30s', 'session'), limit(100, '1d'), limit(7, '2h', 'global')] });
    expect(compile(m).all_tools.limits).toEqual([
      { id: 'a1', max: 5, per: '30s', window_ms: 30_000, by: 'session' },
      { id: 'a2', max: 100, per: '1d', window_ms: 86_400_000, by: 'identity' },
      { id: 'a3', max: 7, per: '2h', window_ms: 7_200_000, by: 'global' },
    ]);
  });

  it('spells windows canonically', () => {
    const per = (text: string) => compile(model({ rules: [rule('allow', ['quote'], { limit: limit(1, text) })] })).rules[0]!.limit!.per;
    expect(per('60s')).toBe('1m');
    expect(per('90s')).toBe('90s');
    expect(per('24h')).toBe('1d');
    expect(per('120m')).toBe('2h');
    expect(per('1440m')).toBe('1d');
  });
});

describe('compilePolicy: rules and tools', () => {
  it('numbers top-level rules first, then identity blocks in source order', () => {
    const m = model({
      rules: [rule('allow', ['quote']), rule('deny', ['place'])],
      identities: [
        identity('b', { rules: [rule('deny', ['quote']), rule('allow', ['subscribe'])] }),
        identity('a', { rules: [rule('approve', ['cancel'])] }),
      ],
    });
    const policy = compile(m);
    expect(policy.rules.map((r) => [r.id, r.identity])).toEqual([
      ['r1', undefined],
      ['r2', undefined],
      ['r3', 'b'],
      ['r4', 'b'],
      ['r5', 'a'],
    ]);
    expect(policy.tools).toEqual({ quote: { rules: ['r1'] }, place: { rules: ['r2'] } });
    expect(policy.identities).toEqual({
      b: { hide: [], tools: { quote: { rules: ['r3'] }, subscribe: { rules: ['r4'] } } },
      a: { hide: [], tools: { cancel: { rules: ['r5'] } } },
    });
  });

  it('lists rule ids in id order, also past r9', () => {
    const rules = Array.from({ length: 11 }, () => rule('allow', ['quote']));
    expect(compile(model({ rules })).tools.quote!.rules).toEqual(['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10', 'r11']);
  });

  it('resolves globs, classes, risks and `*` against the catalogue', () => {
    const toolsOf = (...selectors: string[]) => Object.keys(compile(model({ rules: [rule('allow', selectors)] })).tools).sort();
    expect(toolsOf('*')).toEqual(['cancel', 'list_orders', 'place', 'quote', 'subscribe']);
    expect(toolsOf('*e')).toEqual(['place', 'quote', 'subscribe']);
    expect(toolsOf('qu?te')).toEqual(['quote']);
    expect(toolsOf('class write')).toEqual(['subscribe']);
    expect(toolsOf('risk >= high')).toEqual(['cancel', 'place']);
    expect(toolsOf('risk low')).toEqual(['quote', 'subscribe']);
    expect(toolsOf('risk < medium')).toEqual(['quote', 'subscribe']);
    expect(toolsOf('risk > high')).toEqual(['place']);
    expect(toolsOf('risk <= medium')).toEqual(['list_orders', 'quote', 'subscribe']);
  });

  it('keeps an exact name the catalogue does not know, and resolves unknown classes to nothing', () => {
    const policy = compile(model({ rules: [rule('deny', ['transfer_funds']), rule('allow', ['class bogus', 'risk extreme', 'zz*'])] }));
    expect(policy.tools).toEqual({ transfer_funds: { rules: ['r1'] } });
    expect(policy.rules[1]).toEqual({ id: 'r2', effect: 'allow', selector: 'class bogus, risk extreme, zz*' });
  });

  it('writes the selector text canonically', () => {
    const r = rule('allow', ['get_*', 'class read', 'risk >= high', 'risk low', '*', 'quote']);
    expect(compile(model({ rules: [r] })).rules[0]!.selector).toBe('get_*, class read, risk >= high, risk low, *, quote');
  });

  it('writes reason when present, even an empty one', () => {
    const policy = compile(model({ rules: [rule('deny', ['quote'], { reason: '' }), rule('deny', ['place'])] }));
    expect(policy.rules[0]).toHaveProperty('reason', '');
    expect(policy.rules[1]).not.toHaveProperty('reason');
  });

  it('takes the identity of a rule from its block', () => {
    const stray = rule('deny', ['quote'], { identity: 'someone-else' });
    const m = model({ rules: [rule('deny', ['quote'], { identity: 'wrong' })], identities: [{ ...identity('bot', {}), rules: [stray] }] });
    const policy = compile(m);
    expect(policy.rules[0]).not.toHaveProperty('identity');
    expect(policy.rules[1]!.identity).toBe('bot');
  });

  it('merges two blocks of one identity (a lint error) instead of failing', () => {
    const m = model({
      identities: [
        identity('bot', { line: 3, hide: [hide(['quote'], 4)], rules: [rule('deny', ['place'])] }),
        identity('other', { line: 6, rules: [rule('deny', ['cancel'])] }),
        identity('bot', { line: 8, hide: [hide(['subscribe', 'quote'], 9)], rules: [rule('allow', ['place'])] }),
      ],
    });
    const { policy, sourceMap } = compilePolicy(m, small);
    expect(policy.identities.bot).toEqual({ hide: ['quote', 'subscribe'], tools: { place: { rules: ['r1', 'r3'] } } });
    expect(policy.identities.other).toEqual({ hide: [], tools: { cancel: { rules: ['r2'] } } });
    expect(sourceMap.identities.bot).toEqual({
      at: { file: FILE, line: 3, column: 1 },
      hide: { quote: { file: FILE, line: 4, column: 1 }, subscribe: { file: FILE, line: 9, column: 1 } },
    });
  });
});

describe('compilePolicy: conditions', () => {
  const condition = (expr: RuleOptions['when']) => compile(model({ rules: [rule('allow', ['place'], { when: expr })] })).rules[0]!.when;
  const a = when.cmp('a', '==', 1);
  const b = when.cmp('b', '!=', 'x');
  const c = when.cmp('c', '>', 2.5);
  const d = when.cmp('d', '<', -1);

  it('flattens and/or chains, also across parentheses', () => {
    const flat = { and: [{ op: '==', path: ['a'], value: 1 }, { op: '!=', path: ['b'], value: 'x' }, { op: '>', path: ['c'], value: 2.5 }] };
    expect(condition(when.and(a, when.and(b, c)))).toEqual(flat);
    expect(condition(when.and(when.and(a, b), c))).toEqual(flat);
    expect(condition(when.or(when.or(a, b), when.or(c, d)))).toEqual({
      or: [
        { op: '==', path: ['a'], value: 1 },
        { op: '!=', path: ['b'], value: 'x' },
        { op: '>', path: ['c'], value: 2.5 },
        { op: '<', path: ['d'], value: -1 },
      ],
    });
  });

  it('does not merge an or into an and', () => {
    expect(condition(when.and(a, when.or(b, c)))).toEqual({
      and: [{ op: '==', path: ['a'], value: 1 }, { or: [{ op: '!=', path: ['b'], value: 'x' }, { op: '>', path: ['c'], value: 2.5 }] }],
    });
  });

  it('keeps not, and does not flatten through it', () => {
    expect(condition(when.not(when.and(a, when.and(b))))).toEqual({ not: { and: [{ op: '==', path: ['a'], value: 1 }, { op: '!=', path: ['b'], value: 'x' }] } });
    expect(condition(when.not(when.not(a)))).toEqual({ not: { not: { op: '==', path: ['a'], value: 1 } } });
  });

  it('collapses a chain of one operand', () => {
    expect(condition(when.and(when.or(a)))).toEqual({ op: '==', path: ['a'], value: 1 });
  });

  it('writes in, not in, matches and exists', () => {
    expect(condition(when.in('code', ['HK.00700', 'US.AAPL']))).toEqual({ op: 'in', path: ['code'], value: ['HK.00700', 'US.AAPL'] });
    expect(condition(when.notIn('order.side', ['SELL', null, 3]))).toEqual({ op: 'not_in', path: ['order', 'side'], value: ['SELL', null, 3] });
    expect(condition(when.matches('code', 'HK\\..*'))).toEqual({ op: 'matches', path: ['code'], value: 'HK\\..*' });
    expect(condition(when.exists('remark'))).toEqual({ op: 'exists', path: ['remark'] });
  });

  it('keeps literal values as JSON', () => {
    expect(condition(when.cmp('x', '==', true))).toEqual({ op: '==', path: ['x'], value: true });
    expect(condition(when.cmp('x', '==', null))).toEqual({ op: '==', path: ['x'], value: null });
    expect(condition(when.cmp('x', '==', [1, ['a']]))).toEqual({ op: '==', path: ['x'], value: [1, ['a']] });
    expect(Object.is((condition(when.cmp('x', '>=', -0)) as { value: number }).value, 0)).toBe(true);
  });

  it('writes an overflowing number as null, which never opens a door', () => {
    expect(condition(when.cmp('qty', '<=', Infinity))).toEqual({ op: '<=', path: ['qty'], value: null });
  });

  it('writes a non-string pattern (a lint error) as its JSON text', () => {
    expect(condition(when.matches('code', 5))).toEqual({ op: 'matches', path: ['code'], value: '5' });
  });
});

describe('compilePolicy: normalised arguments', () => {
  it('copies the normalisations of the arguments the conditions read, and only those', () => {
    const m = model({
      rules: [
        rule('allow', ['place'], { when: when.and(when.cmp('env', '==', 'SIMULATE'), when.exists('note.text')) }),
        rule('deny', ['place'], { when: when.cmp('qty', '>', 100) }),
        rule('allow', ['cancel', 'list_orders']),
      ],
    });
    const policy = compile(m);
    expect(policy.tools.place).toEqual({ rules: ['r1', 'r2'], normalize: { env: 'upper', note: 'trim' } });
    expect(policy.tools.cancel).toEqual({ rules: ['r3'] });
    expect(policy.tools.list_orders).toEqual({ rules: ['r3'] });
  });

  it('does so per identity, from the identity rules only', () => {
    const m = model({
      rules: [rule('allow', ['place'], { when: when.cmp('env', '==', 'SIMULATE') })],
      identities: [identity('bot', { rules: [rule('deny', ['place', 'cancel'], { when: when.in('side', ['SELL']) })] })],
    });
    const policy = compile(m);
    expect(policy.tools.place).toEqual({ rules: ['r1'], normalize: { env: 'upper' } });
    expect(policy.identities.bot!.tools).toEqual({ place: { rules: ['r2'], normalize: { side: 'upper' } }, cancel: { rules: ['r2'] } });
  });

  it('takes Futu normalisations from the shipped catalogue', () => {
    const m = model({ rules: [rule('allow', ['place_order'], { when: when.cmp('trd_env', '==', 'SIMULATE') })] });
    expect(compile(m, futu).tools.place_order).toEqual({ rules: ['r1'], normalize: { trd_env: 'upper' } });
  });
});

describe('compilePolicy: models that lint rejects', () => {
  it('compiles an unparsable window or count to a limit that admits nothing', () => {
    const m = model({
      rules: [rule('allow', ['quote'], { limit: limit(10, '5x') }), rule('allow', ['quote'], { limit: limit(2.5, '1m', 'session') })],
      limits: [limit(0, '1m'), limit(10, '400d'), limit(2_000_000, '1s')],
    });
    const policy = compile(m);
    expect(policy.rules.map((r) => r.limit)).toEqual([
      { max: 0, per: '1s', window_ms: 1000, by: 'identity' },
      { max: 0, per: '1m', window_ms: 60_000, by: 'session' },
    ]);
    expect(policy.all_tools.limits.map((l) => l.max)).toEqual([0, 0, 0]);
    expect(() => formatPolicyJson(policy)).not.toThrow();
  });

  it('reads an unknown scope as global, the tightest', () => {
    const broken = limit(1, '1m');
    (broken as { by: string }).by = 'planet';
    expect(compile(model({ limits: [broken] })).all_tools.limits[0]!.by).toBe('global');
  });

  it('reads anything but an explicit default allow as deny', () => {
    const m = model();
    m.default = { value: 'permit' as 'allow', span: span() };
    expect(compile(m).default).toBe('deny');
  });

  it('survives positions left by error recovery', () => {
    const r = rule('allow', ['quote']);
    r.span = { file: FILE, start: { line: NaN, column: -1, offset: NaN }, end: { line: NaN, column: NaN, offset: NaN } };
    const { sourceMap } = compilePolicy(model({ rules: [r] }), small);
    expect(sourceMap.rules.r1).toEqual({ file: FILE, line: 1, column: 1 });
    expect(() => formatSourceMap(sourceMap)).not.toThrow();
  });

  it('handles tool and identity names that are also JavaScript property names', () => {
    const m = model({ rules: [rule('deny', ['__proto__', 'constructor'])], identities: [identity('__proto__', { hide: [hide(['quote'])] })] });
    const policy = compile(m);
    expect(Object.keys(policy.tools).sort()).toEqual(['__proto__', 'constructor']);
    expect(Object.hasOwn(policy.identities, '__proto__')).toBe(true);
    expect(JSON.parse(formatPolicyJson(policy)).identities).toEqual(JSON.parse('{"__proto__": {"hide": ["quote"], "tools": {}}}'));
  });
});

describe('compilePolicy: determinism', () => {
  const base = model({
    server: 'small',
    hide: [hide(['class destructive'])],
    rules: [
      rule('allow', ['class read', 'place'], { when: when.or(when.in('env', ['SIMULATE']), when.not(when.exists('env'))), reason: 'r' }),
      rule('approve', ['risk >= high'], { limit: limit(3, '1h', 'session') }),
    ],
    limits: [limit(100, '1m')],
    identities: [identity('bot', { hide: [hide(['quote'])], rules: [rule('deny', ['subscribe'])] })],
  });

  it('gives the same bytes every time', () => {
    const first = formatPolicyJson(compile(base));
    for (let i = 0; i < 5; i++) expect(formatPolicyJson(compile(base))).toBe(first);
  });

  it('puts nothing spelling-dependent into policy.json: files, lines, columns and syntax only reach the map', () => {
    const expected = formatPolicyJson(compile(base));
    const position = fc.record({ line: fc.nat(5000), column: fc.nat(200), offset: fc.nat(100_000) });
    fc.assert(
      fc.property(fc.string(), fc.constantFrom('dsl', 'yaml'), position, (file, syntax, at) => {
        const moved = JSON.parse(JSON.stringify(base), (key, value: unknown) => {
          if (key === 'file') return file;
          if (key === 'syntax') return syntax;
          if (key === 'start' || key === 'end') return at;
          return value;
        }) as PolicyModel;
        expect(formatPolicyJson(compile(moved))).toBe(expected);
      }),
    );
  });

  it('does not depend on the catalogue order', () => {
    const reversed: Catalog = { ...small, tools: [...small.tools].reverse() };
    expect(formatPolicyJson(compile(base, reversed))).toBe(formatPolicyJson(compile(base)));
  });
});
