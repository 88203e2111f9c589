// The grammar documents in grammar/: up to date with the parser (UPDATE_GRAMMAR=1 rewrites
// them), covering every parser rule and every token each rule uses, and the diagrams page
// drawing every rule with no network.

import { readFileSync, writeFileSync } from 'node:fs';
import vm from 'node:vm';

import type { ISerializedGast } from 'chevrotain';
import { describe, expect, it } from 'vitest';

import { EBNF_RULES, policyEbnf, railroadDiagramsHtml } from '../../../src/syntax/dsl/grammar-docs.js';
import { dslParser } from '../../../src/syntax/dsl/parser.js';

const update = process.env['UPDATE_GRAMMAR'] === '1';
const HOW = 'out of date: run UPDATE_GRAMMAR=1 npx vitest run test/syntax/dsl/grammar.test.ts';

function committed(path: string, expected: string): string {
  const url = new URL(`../../../${path}`, import.meta.url);
  if (update) writeFileSync(url, expected);
  return readFileSync(url, 'utf8');
}

const ebnf = policyEbnf();
const html = railroadDiagramsHtml();
const rules = dslParser.getSerializedGastProductions() as Array<ISerializedGast & { name: string }>;

describe('grammar/policy.ebnf', () => {
  it('is up to date', () => {
    expect(committed('grammar/policy.ebnf', ebnf), HOW).toBe(ebnf);
  });

  it('defines every parser rule, and nothing else', () => {
    const defined = [...ebnf.matchAll(/^([a-z][A-Za-z]*) *= /gm)].map((match) => match[1]);
    expect(defined.sort()).toEqual(rules.map((rule) => rule.name).sort());
  });

  /** The EBNF spellings of what a rule refers to: `"allow"` for 'allow', NAME for NAME, rule names as they are. */
  function references(node: ISerializedGast, into: Set<string>): Set<string> {
    const fields = node as ISerializedGast & { name?: string; label?: string };
    if (node.type === 'Terminal') {
      const label = fields.label ?? fields.name ?? '';
      for (const part of label.split(' or ')) into.add(part.startsWith("'") ? `"${part.slice(1, -1)}"` : part);
    } else if (node.type === 'NonTerminal') {
      into.add(fields.name ?? '');
    }
    for (const child of node.definition ?? []) references(child, into);
    return into;
  }

  it.each(rules.map((rule) => [rule.name, rule] as const))('states everything rule %s uses', (name, rule) => {
    const body = EBNF_RULES.find((entry) => entry.name === name)?.body ?? '';
    const missing = [...references(rule, new Set())].filter((reference) => !new RegExp(`(^|[^A-Za-z"])${reference.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^A-Za-z"])`).test(body));
    expect(missing).toEqual([]);
  });

  it('defines every token it uses', () => {
    const used = new Set(EBNF_RULES.flatMap((rule) => rule.body.match(/\b[A-Z]{3,}\b/g) ?? []));
    const defined = new Set([...ebnf.matchAll(/^([A-Z]+) *= /gm)].map((match) => match[1]));
    expect([...used].filter((token) => !defined.has(token))).toEqual([]);
  });
});

describe('grammar/diagrams.html', () => {
  it('is up to date', () => {
    expect(committed('grammar/diagrams.html', html), HOW).toBe(html);
  });

  it('loads nothing from anywhere', () => {
    expect(html).not.toMatch(/<[a-z]+\s[^>]*\b(src|href)\s*=/i); // no tag takes a resource
    expect(html).not.toMatch(/<link\b|@import|url\(|unpkg/i);
  });

  it('keeps the licence notices of what it inlines', () => {
    expect(html).toContain('Apache License');
    expect(html).toContain('Version 2.0, January 2004');
    expect(html).toContain('Railroad Diagrams');
    expect(html).toContain('creativecommons.org/publicdomain/zero/1.0');
  });

  it('draws a diagram of every rule, offline', () => {
    const target = { innerHTML: '' };
    const context = vm.createContext({
      document: {
        getElementById: (id: string) => (id === 'diagrams' ? target : null),
        getElementsByClassName: () => [],
        getElementsByTagName: () => [],
      },
      setTimeout: () => 0,
    });
    context['window'] = context;
    for (const [, script] of html.matchAll(/<script>([\s\S]*?)<\/script>/g)) vm.runInContext(script!, context);
    expect(target.innerHTML.match(/<svg/g)?.length).toBe(rules.length);
    for (const rule of rules) expect(target.innerHTML).toContain(`>${rule.name}<`);
  });
});
