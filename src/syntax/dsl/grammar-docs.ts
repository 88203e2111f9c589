// The grammar written down for people (SPEC §1.1): `grammar/policy.ebnf` and
// `grammar/diagrams.html`. The EBNF's rules are written here by hand, as data, with the parser's
// rule names (a test checks that every parser rule, and every token each rule uses, appears in
// it); its token definitions are read from the live token patterns, so they cannot drift. The
// diagrams are chevrotain's, generated from the parser itself, with chevrotain's scripts and
// stylesheet inlined so that the page works offline.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

import { createSyntaxDiagramsCode, type TokenType } from 'chevrotain';

import { MAX_NESTING } from './nesting.js';
import { dslParser } from './parser.js';
import * as t from './tokens.js';

// --- EBNF --------------------------------------------------------------------------------------

/** The syntactic rules, one entry per parser rule, in reading order. */
export const EBNF_RULES: ReadonlyArray<{ section?: string; name: string; body: string; note?: string }> = [
  { section: 'statements', name: 'policy', body: '{ statement }' },
  {
    name: 'statement',
    body: 'versionStatement | serverStatement | defaultStatement | hideStatement\n| ruleStatement | limitAllStatement | identityBlock',
  },
  { name: 'versionStatement', body: '"version" ( NUMBER | STRING )', note: 'policyc reads version 1' },
  { name: 'serverStatement', body: '"server" ( STRING | NAME )', note: 'the catalogue the policy is checked against' },
  { name: 'defaultStatement', body: '"default" ( "allow" | "deny" )', note: 'without it: default deny' },
  { name: 'hideStatement', body: '"hide" selectorList' },
  {
    name: 'ruleStatement',
    body: '( "allow" | "deny" | "approve" ) selectorList\n{ whenClause | limitClause | reasonClause }',
    note: 'each clause at most once, in any order',
  },
  { name: 'whenClause', body: '"when" condition' },
  { name: 'limitClause', body: '"limit" rate' },
  { name: 'reasonClause', body: '"reason" STRING' },
  {
    name: 'limitAllStatement',
    body: '"limit all" rate',
    note: 'one limit across every tool together; "limit all" is one token (whitespace between the words)',
  },
  { name: 'rate', body: 'NUMBER "per" DURATION [ "by" scope ]', note: 'at most NUMBER calls in any window of DURATION' },
  { name: 'scope', body: '"identity" | NAME', note: 'the NAME is "session" or "global"; without "by": identity' },
  {
    name: 'identityBlock',
    body: '"identity" ( STRING | NAME ) "{" { statement } "}"',
    note: 'rules for one caller; inside, only hide and rule statements',
  },

  { section: 'selectors: which tools a statement is about', name: 'selectorList', body: 'selector { "," selector }' },
  {
    name: 'selector',
    body: '"class" NAME\n| "risk" [ riskOperator ] NAME\n| NAME\n| GLOB\n| STRING',
    note: 'class: read, write, financial, destructive; risk: low, medium, high, critical;\n'
      + 'NAME and STRING: an exact tool name; GLOB: "*" and "?" wildcards, "*" alone for every tool',
  },
  { name: 'riskOperator', body: '"==" | ">=" | ">" | "<=" | "<"' },

  {
    section: 'conditions over the call\'s arguments: "not" binds tightest, then "and", then "or"',
    name: 'condition',
    body: 'conjunction { "or" conjunction }',
  },
  { name: 'conjunction', body: 'negation { "and" negation }' },
  { name: 'negation', body: '{ "not" } primary' },
  { name: 'primary', body: '"(" condition ")" | comparison' },
  {
    name: 'comparison',
    body: 'operand ( compareOperator operand\n          | [ "not" ] "in" list\n          | "matches" STRING\n          | "exists" )',
    note: 'a path is compared with a literal: "100 >= qty" reads "qty <= 100";\n'
      + '"in", "matches" and "exists" take the path on their left;\n'
      + '"matches" tests the whole string against a JavaScript regular expression',
  },
  { name: 'compareOperator', body: '"==" | "!=" | "<=" | "<" | ">=" | ">"' },
  { name: 'operand', body: 'path | literal' },
  {
    name: 'path',
    body: '( NAME | BACKQUOTED ) { "." ( WORD | BACKQUOTED ) }',
    note: 'keys from the arguments object down: order.qty; a NAME\'s own dots separate keys too',
  },

  { section: 'values (JSON)', name: 'literal', body: 'STRING | NUMBER | "true" | "false" | "null" | list' },
  { name: 'list', body: '"[" [ literal { "," literal } ] "]"' },
];

/** The token definitions: name in the EBNF, what it is, and the pattern it is read with. */
function tokenDefinitions(): ReadonlyArray<{ name: string; pattern: string; note: string }> {
  const source = (token: TokenType) => (token.PATTERN instanceof RegExp ? `/${token.PATTERN.source}/` : String(token.PATTERN));
  return [
    { name: 'NAME', pattern: source(t.Name), note: 'tool names, classes, risks, argument keys; never a keyword' },
    { name: 'WORD', pattern: 'NAME | KEYWORD', note: 'after "." in a path, a keyword is a key like any other' },
    { name: 'GLOB', pattern: source(t.Glob), note: 'a tool-name pattern with at least one "*" or "?"' },
    {
      name: 'STRING',
      pattern: '/"(?:[^"\\\\\\u0000-\\u001f]|\\\\(?:["\\\\/bfnrt]|u[0-9a-fA-F]{4}))*"/',
      note: 'a JSON string on one line',
    },
    { name: 'BACKQUOTED', pattern: '/`[^`\\r\\n]*`/', note: 'any key, spelt literally: `limit`' },
    { name: 'NUMBER', pattern: source(t.NumberLiteral), note: 'a JSON number' },
    { name: 'DURATION', pattern: source(t.Duration), note: 'seconds, minutes, hours or days: 30s, 1m, 1h, 1d' },
    { name: 'COMMENT', pattern: source(t.Comment), note: 'ignored; "# policyc-ignore RULE[, RULE…]: reason" silences RULE' },
    { name: 'WHITESPACE', pattern: source(t.WhiteSpace), note: 'ignored; line breaks have no meaning' },
  ];
}

function keywords(): string[] {
  return t.allTokens
    .filter((token) => token.CATEGORIES?.includes(t.AnyWord) && token !== t.Name)
    .map((token) => `"${token.LABEL?.replace(/^'|'$/g, '') ?? token.name}"`);
}

const HEADER = `(* The policyc policy language, version 1: the grammar of .policy files.

   Generated by src/syntax/dsl/grammar-docs.ts from the parser's rules and tokens; do not edit.
   Regenerate with: UPDATE_GRAMMAR=1 npx vitest run test/syntax/dsl/grammar.test.ts

   Notation (ISO 14977 EBNF): "=" defines a rule, ";" ends it, "|" separates alternatives,
   [ x ] is optional, { x } repeats zero or more times, "x" is a keyword or symbol, ? x ? is a
   token's regular expression. Rule names are the parser's (src/syntax/dsl/parser.ts); names in
   CAPITALS are tokens, defined at the end. Whitespace and comments may come between any two
   tokens, and nothing else separates statements. Parentheses, lists and "not"s nest at most
   ${MAX_NESTING} deep. *)
`;

/** Continuation lines: alternatives (`| …`) under the `=`, anything else under the first term. */
function indentBody(body: string, width: number): string {
  return body
    .split('\n')
    .map((line, index) => (index === 0 ? line : `${' '.repeat(line.startsWith('|') ? width : width + 2)}${line}`))
    .join('\n');
}

function comment(note: string, width: number): string {
  const lines = note.split('\n');
  return lines.map((line, index) => `${' '.repeat(width)}${index === 0 ? '(* ' : '   '}${line}${index === lines.length - 1 ? ' *)' : ''}`).join('\n');
}

/** The text of grammar/policy.ebnf. */
export function policyEbnf(): string {
  const width = Math.max(...EBNF_RULES.map((rule) => rule.name.length)) + 1;
  const out: string[] = [HEADER];
  for (const rule of EBNF_RULES) {
    if (rule.section !== undefined) out.push(`\n(* ---- ${rule.section} ---- *)\n`);
    out.push(`${rule.name.padEnd(width)}= ${indentBody(rule.body, width)} ;`);
    if (rule.note !== undefined) out.push(comment(rule.note, width + 2));
  }
  out.push('\n(* ---- tokens ---- *)\n');
  const tokens = tokenDefinitions();
  const tokenWidth = Math.max(...tokens.map((token) => token.name.length), 'KEYWORD'.length) + 1;
  for (const token of tokens) {
    const body = token.pattern.startsWith('/') ? `? ${token.pattern} ?` : token.pattern;
    out.push(`${token.name.padEnd(tokenWidth)}= ${body} ;`);
    out.push(comment(token.note, tokenWidth + 2));
  }
  const words = keywords();
  const lines: string[] = [];
  for (let i = 0; i < words.length; i += 6) lines.push(words.slice(i, i + 6).join(' | '));
  out.push(`${'KEYWORD'.padEnd(tokenWidth)}= ${indentBody(lines.join('\n| '), tokenWidth)} ;`);
  out.push(comment('reserved: a tool named like a keyword is written as a STRING, a key as BACKQUOTED', tokenWidth + 2));
  return `${out.join('\n')}\n`;
}

// --- railroad diagrams -------------------------------------------------------------------------

const RESOURCE_BASE = 'policyc-inline:';
const CSS = 'policyc-inline:diagrams.css';

/** chevrotain's package folder, found through Node's resolution of its main module. */
function chevrotainFolder(): string {
  const main = createRequire(import.meta.url).resolve('chevrotain'); // …/chevrotain/lib/src/api.js
  return join(dirname(main), '..', '..');
}

function replaceOnce(text: string, search: string, replacement: string): string {
  const at = text.indexOf(search);
  // A real internal error: chevrotain's page template changed, and the page would not be offline.
  if (at < 0 || text.indexOf(search, at + 1) >= 0) throw new Error(`grammar-docs: expected exactly one ${search} in chevrotain's diagrams page`);
  return text.slice(0, at) + replacement + text.slice(at + search.length);
}

/** Text safe inside a <script> or <style> element. */
function inlineSafe(code: string): string {
  return code.replace(/<\/(script|style)/gi, '<\\/$1');
}

/** The text of grammar/diagrams.html: self-contained, no network. */
export function railroadDiagramsHtml(): string {
  const folder = chevrotainFolder();
  const read = (path: string) => readFileSync(join(folder, path), 'utf8');
  const licence = read('LICENSE.txt');
  let html = createSyntaxDiagramsCode(dslParser.getSerializedGastProductions(), { resourceBase: RESOURCE_BASE, css: CSS });

  html = replaceOnce(html, `<link rel='stylesheet' href='${CSS}'>`, `<style>\n${inlineSafe(read('diagrams/diagrams.css'))}\n</style>`);
  for (const script of ['vendor/railroad-diagrams.js', 'src/diagrams_builder.js', 'src/diagrams_behavior.js', 'src/main.js']) {
    html = replaceOnce(html, `<script src='${RESOURCE_BASE}${script}'></script>`, `<script>\n${inlineSafe(read(`diagrams/${script}`))}\n</script>`);
  }
  html = replaceOnce(html, '<meta charset="utf-8">', '<meta charset="utf-8">\n<title>policyc policy language: railroad diagrams</title>');

  const notice = [
    '<!--',
    'Railroad diagrams of the policyc policy language (grammar/policy.ebnf in words), generated from',
    "the parser by src/syntax/dsl/grammar-docs.ts with chevrotain's createSyntaxDiagramsCode.",
    '',
    "The scripts and stylesheet below are chevrotain's diagrams (node_modules/chevrotain/diagrams),",
    'inlined so the page works offline:',
    '  - vendor/railroad-diagrams.js: Railroad Diagrams by Tab Atkins Jr., CC0 (its notice is kept',
    '    at the top of its script);',
    "  - src/*.js and diagrams.css: chevrotain, Copyright Shahar Soel and the chevrotain contributors,",
    '    under the Apache License 2.0, whose text follows.',
    '',
    licence.replace(/--/g, '- -').trimEnd(),
    '-->',
  ].join('\n');
  return `${notice}\n${html.trimStart()}`.replace(/[ \t]+$/gm, '').trimEnd() + '\n';
}
