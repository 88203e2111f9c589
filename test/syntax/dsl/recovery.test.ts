// Recovery: a mistake costs the statement it is in, never the rest of the file, so the checks
// still see every other statement. A statement with a syntax error is left out whole.

import { describe, expect, it } from 'vitest';

import { located, parse, withoutSpans } from './helpers.js';

const names = (rules: ReadonlyArray<{ effect: string; selectors: ReadonlyArray<{ kind: string; name?: string }> }>) =>
  rules.map((rule) => `${rule.effect} ${rule.selectors.map((s) => s.name ?? s.kind).join(',')}`);

describe('recovery', () => {
  it('reports two independent typos as exactly two errors, and keeps every valid statement', () => {
    const text = [
      'version 1', //                                        1
      'default deny', //                                     2
      'alow class read', //                                  3: typo
      'allow get_order_list', //                             4
      'allow place_order', //                                5
      '  when trd_env == "SIMULATE" and qty <= 100', //      6
      '  limit 10 per 1m', //                                7
      'hide cancel_all_orders', //                           8
      'deny unlock_trade reason "no" when qty = 1', //       9: second typo
      'approve modify_order', //                            10
      'limit all 120 per 1m', //                            11
      'identity "bot" { deny get_funds }', //               12
    ].join('\n');
    const { model, diagnostics } = parse(text);
    expect(located(diagnostics)).toEqual(['syntax-error@3:1', 'syntax-error@9:40']);
    expect(names(model.rules)).toEqual(['allow get_order_list', 'allow place_order', 'approve modify_order']);
    expect(model.rules[1]?.when?.kind).toBe('and');
    expect(model.rules[1]?.limit?.max).toBe(10);
    expect(withoutSpans(model.hide)).toEqual([{ selectors: [{ kind: 'name', name: 'cancel_all_orders' }] }]);
    expect(model.version?.value).toBe(1);
    expect(model.default?.value).toBe('deny');
    expect(model.limits.map((limit) => limit.max)).toEqual([120]);
    expect(model.identities.map((identity) => `${identity.name}: ${names(identity.rules).join('; ')}`)).toEqual(['bot: deny get_funds']);
  });

  it.each<[string, string, string[]]>([
    ['a broken condition', 'allow a when (x == 1\nallow b', ['allow b']],
    ['a broken limit', 'allow a limit ten per 1m\nallow b', ['allow b']],
    ['a broken selector list', 'allow a,\nallow b', ['allow b']],
    ['a misspelt clause after it', 'allow a wen x == 1\nallow b', ['allow b']],
    ['a missing comma', 'allow a b\nallow c', ['allow c']],
    ['a stray line after it', 'allow a\n  what is this\nallow b', ['allow b']],
    ['a bad string', 'allow a reason "x\nallow b', ['allow b']],
    ['an error found after parsing', 'allow a when x == y\nallow b', ['allow b']],
    ['a second when', 'allow a when x == 1 when y == 2\nallow b', ['allow b']],
  ])('leaves out a rule with %s, and keeps the next', (_name, text, expected) => {
    const { model, diagnostics } = parse(text);
    expect(diagnostics).toHaveLength(1);
    expect(names(model.rules)).toEqual(expected);
  });

  it('keeps `version`, `server` and `default` when the next line is broken', () => {
    const { model, diagnostics } = parse('version 1\nserver "s"\ndefault deny\nalow x');
    expect(located(diagnostics)).toEqual(['syntax-error@4:1']);
    expect(withoutSpans([model.version, model.server, model.default])).toEqual([{ value: 1 }, { name: 's' }, { value: 'deny' }]);
  });

  it('keeps the statements of an identity block around a broken one', () => {
    const text = 'identity "bot" {\n  deny a\n  allow b when x = 1\n  hide c\n  alow d\n  approve e\n}\nallow f';
    const { model, diagnostics } = parse(text);
    expect(located(diagnostics)).toEqual(['syntax-error@3:18', 'syntax-error@5:3']);
    const [bot] = model.identities;
    // `hide c` is followed by the junk line `alow d`, which may have been meant as part of it.
    expect(names(bot!.rules)).toEqual(['deny a', 'approve e']);
    expect(bot!.hide).toEqual([]);
    expect(names(model.rules)).toEqual(['allow f']);
  });

  it('keeps a rule inside its identity block when a misplaced clause precedes it', () => {
    const { model, diagnostics } = parse('identity "bot" {\n  hide x\n  limit 10 per 1m\n  allow z\n}\nallow y');
    expect(located(diagnostics)).toEqual(['syntax-error@3:3']);
    expect(model.identities.map((identity) => names(identity.rules))).toEqual([['allow z']]);
    expect(names(model.rules)).toEqual(['allow y']);
  });

  it('keeps an identity block whose `}` is missing, with what is inside', () => {
    const { model, diagnostics } = parse('allow a\nidentity "bot" {\n  deny b\n  deny c\n');
    expect(located(diagnostics)).toEqual(['syntax-error@4:9']);
    expect(names(model.rules)).toEqual(['allow a']);
    expect(model.identities.map((identity) => names(identity.rules))).toEqual([['deny b', 'deny c']]);
  });

  it('reads a block whose name is missing as a block, and leaves it out', () => {
    const { model, diagnostics } = parse('identity { allow a }\nallow b');
    expect(located(diagnostics)).toEqual(['syntax-error@1:10']);
    expect(model.identities).toEqual([]);
    expect(names(model.rules)).toEqual(['allow b']);
  });

  it('does not read a misplaced `limit … by identity` as an identity block', () => {
    const { model, diagnostics } = parse('allow a limit 10 pr 1m by identity\nallow b');
    expect(located(diagnostics)).toEqual(['syntax-error@1:18']);
    expect(names(model.rules)).toEqual(['allow b']);
    expect(model.identities).toEqual([]);
  });

  it('reports a misplaced statement inside a block but not as a duplicate, and keeps the top-level one', () => {
    const { model, diagnostics } = parse('default deny\nidentity "a" {\n  default allow\n  deny x\n}');
    expect(located(diagnostics)).toEqual(['misplaced-statement@3:3']);
    expect(model.default?.value).toBe('deny');
    expect(model.identities.map((identity) => names(identity.rules))).toEqual([['deny x']]);
  });

  it('keeps both blocks of a duplicated identity, so the checks see every rule', () => {
    const { model } = parse('identity "a" { deny x }\nidentity "a" { deny y }');
    expect(model.identities.map((identity) => names(identity.rules))).toEqual([['deny x'], ['deny y']]);
  });

  it('keeps the first of a duplicated statement', () => {
    const { model } = parse('default deny\ndefault allow\nversion 1\nversion 2');
    expect(model.default?.value).toBe('deny');
    expect(model.version?.value).toBe(1);
  });

  it('keeps a statement whose version is unsupported, as written', () => {
    const { model, diagnostics } = parse('version 2\nallow x');
    expect(located(diagnostics)).toEqual(['unsupported-version@1:9']);
    expect(model.version?.value).toBe(2);
    expect(names(model.rules)).toEqual(['allow x']);
  });

  it('skips a statement nested too deep, and reads the rest', () => {
    const { model, diagnostics } = parse(`allow a\nallow b when ${'('.repeat(100)}x == 1${')'.repeat(100)}\nallow c`);
    expect(located(diagnostics)).toEqual(['nesting-too-deep@2:78']);
    expect(names(model.rules)).toEqual(['allow a', 'allow c']);
  });

  it('stops after a flood of errors, with an empty model', () => {
    const text = Array.from({ length: 500 }, () => 'allow x when\n').join('');
    const { model, diagnostics } = parse(text);
    expect(diagnostics.length).toBe(101);
    expect(diagnostics.at(-1)?.message).toMatch(/^more than 100 syntax errors; stopped reading here/);
    expect(model.rules).toEqual([]);
    // The shared parser is reset for the next file.
    expect(parse('allow x\ndeny y').diagnostics).toEqual([]);
    expect(parse('allow x\ndeny y').model.rules).toHaveLength(2);
  });
});
