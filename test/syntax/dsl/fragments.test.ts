// Fragments: DSL text embedded in a YAML policy (`when:` strings, selector strings). Positions
// must land on the YAML file's own lines and columns, through the fragment's offset mapping,
// however the YAML scalar was quoted or folded.

import { describe, expect, it } from 'vitest';

import { SourceText } from '../../../src/diagnostics/source.js';
import type { Expr } from '../../../src/model/policy.js';
import { parseConditionFragment, parseSelectorFragment } from '../../../src/syntax/dsl/index.js';
import type { Fragment } from '../../../src/syntax/fragment.js';
import { at, located, withoutSpans } from './helpers.js';

/** A fragment whose text is `file.text` from `start` on, unchanged (a plain YAML scalar). */
function plain(file: SourceText, start: number, length: number): Fragment {
  return { source: file, text: file.text.slice(start, start + length), toFileOffset: (offset) => start + offset };
}

/** A fragment with an explicit map: `map[i]` is where text character i sits in the file. */
function mapped(file: SourceText, text: string, map: number[]): Fragment {
  expect(map).toHaveLength(text.length + 1); // the end of the text maps too
  return { source: file, text, toFileOffset: (offset) => map[Math.max(0, Math.min(offset, text.length))]! };
}

/** Unescapes a YAML double-quoted scalar's `\"` and records where each character came from. */
function doubleQuoted(file: SourceText, quoteAt: number): Fragment {
  let text = '';
  const map: number[] = [];
  let i = quoteAt + 1;
  for (; file.text[i] !== '"'; i++) {
    map.push(i);
    if (file.text[i] === '\\') i++;
    text += file.text[i];
  }
  map.push(i);
  return mapped(file, text, map);
}

function condition(fragment: Fragment): Expr {
  const result = parseConditionFragment(fragment);
  expect(result.diagnostics).toEqual([]);
  expect(result.expr).toBeDefined();
  return result.expr!;
}

describe('condition fragments', () => {
  const yaml = 'rules:\n  - allow: place_order\n    when: qty <= 100 and code == "HK.00700"\n';
  const file = new SourceText('policy.yaml', yaml);
  const start = yaml.indexOf('qty');

  it('parse into the same tree as in a .policy file', () => {
    const expr = condition(plain(file, start, 'qty <= 100 and code == "HK.00700"'.length));
    expect(withoutSpans(expr)).toEqual({
      kind: 'and',
      operands: [
        { kind: 'compare', op: '<=', path: { segments: ['qty'] }, value: { value: 100 } },
        { kind: 'compare', op: '==', path: { segments: ['code'] }, value: { value: 'HK.00700' } },
      ],
    });
  });

  it('carry spans in the YAML file', () => {
    const expr = condition(plain(file, start, 'qty <= 100 and code == "HK.00700"'.length));
    expect(expr.span.file).toBe('policy.yaml');
    expect(at(expr.span)).toBe('3:11-3:44');
    expect(expr.kind === 'and' ? expr.operands.map((operand) => at(operand.span)) : []).toEqual(['3:11-3:21', '3:26-3:44']);
  });

  it('map through escapes in a double-quoted scalar', () => {
    const quoted = new SourceText('policy.yaml', 'rules:\n  - allow: x\n    when: "code == \\"A\\" and qty > 1"\n');
    const expr = condition(doubleQuoted(quoted, quoted.text.indexOf('"code')));
    const [code, qty] = expr.kind === 'and' ? expr.operands : [];
    expect(at(code?.span)).toBe('3:12-3:25'); // code == \"A\"
    expect(code?.kind === 'compare' ? at(code.value.span) : '').toBe('3:20-3:25');
    expect(at(qty?.span)).toBe('3:30-3:37');
  });

  it('map across the lines of a folded scalar', () => {
    const folded = new SourceText('policy.yaml', 'rules:\n  - allow: x\n    when: >-\n      qty <= 100\n      and code == "A"\n');
    const first = folded.text.indexOf('qty');
    const second = folded.text.indexOf('and code');
    const text = 'qty <= 100 and code == "A"';
    const map = [...Array.from({ length: 10 }, (_, i) => first + i), first + 10, ...Array.from({ length: 16 }, (_, i) => second + i)];
    const expr = condition(mapped(folded, text, map));
    const [qty, code] = expr.kind === 'and' ? expr.operands : [];
    expect(at(qty?.span)).toBe('4:7-4:17');
    expect(at(code?.span)).toBe('5:11-5:22');
    expect(at(expr.span)).toBe('4:7-5:22');
  });

  it('report errors at the YAML position, with no condition', () => {
    const broken = new SourceText('policy.yaml', 'rules:\n  - allow: x\n    when: qty = 5\n');
    const result = parseConditionFragment(plain(broken, broken.text.indexOf('qty'), 'qty = 5'.length));
    expect(located(result.diagnostics)).toEqual(['syntax-error@3:15']);
    expect(result.diagnostics[0]?.span.file).toBe('policy.yaml');
    expect(result.expr).toBeUndefined();
  });

  it.each<[string, string, string]>([
    ['trailing words', 'qty > 1 foo', 'syntax-error@1:9'],
    ['nothing at all', '', 'syntax-error@1:1'],
    ['a statement', 'allow x', 'syntax-error@1:1'],
    ['two paths', 'a == b', 'syntax-error@1:1'],
    ['a bad string', 'a == "x', 'syntax-error@1:6'],
    ['too deep', `${'('.repeat(65)}a == 1${')'.repeat(65)}`, 'nesting-too-deep@1:65'],
  ])('report %s', (_name, text, expected) => {
    const source = new SourceText('f.yaml', text);
    const result = parseConditionFragment(plain(source, 0, text.length));
    expect(located(result.diagnostics)).toEqual([expected]);
    expect(result.expr).toBeUndefined();
  });

  it('ignore a comment inside the string', () => {
    const source = new SourceText('f.yaml', 'qty > 1 # why');
    expect(withoutSpans(condition(plain(source, 0, source.text.length)))).toEqual({
      kind: 'compare',
      op: '>',
      path: { segments: ['qty'] },
      value: { value: 1 },
    });
  });
});

describe('selector fragments', () => {
  it.each<[string, unknown[]]>([
    ['class read', [{ kind: 'class', class: 'read' }]],
    ['get_order_*', [{ kind: 'glob', pattern: 'get_order_*' }]],
    ['risk >= high', [{ kind: 'risk', op: '>=', risk: 'high' }]],
    ['risk critical', [{ kind: 'risk', op: '==', risk: 'critical' }]],
    ['*', [{ kind: 'all' }]],
    ['a, b', [{ kind: 'name', name: 'a' }, { kind: 'name', name: 'b' }]],
    ['"odd name"', [{ kind: 'name', name: 'odd name' }]],
  ])('%s', (text, expected) => {
    const source = new SourceText('f.yaml', text);
    const result = parseSelectorFragment(plain(source, 0, text.length));
    expect(result.diagnostics).toEqual([]);
    expect(withoutSpans(result.selectors)).toEqual(expected);
  });

  it('carry spans in the YAML file', () => {
    const yaml = 'hide: [class financial, class destructive]\n';
    const file = new SourceText('policy.yaml', yaml);
    const start = yaml.indexOf('class destructive');
    const result = parseSelectorFragment(plain(file, start, 'class destructive'.length));
    expect(result.selectors.map((selector) => at(selector.span))).toEqual(['1:25-1:42']);
  });

  it.each<[string, string]>([
    ['class', 'syntax-error@1:6'],
    ['a b', 'syntax-error@1:3'],
    ['', 'syntax-error@1:1'],
    ['3com', 'syntax-error@1:1'],
    ['allow x', 'syntax-error@1:1'],
    ['a,', 'syntax-error@1:3'],
  ])('report %s, with no selectors', (text, expected) => {
    const source = new SourceText('f.yaml', text);
    const result = parseSelectorFragment(plain(source, 0, text.length));
    expect(located(result.diagnostics)).toEqual([expected]);
    expect(result.selectors).toEqual([]);
  });
});
