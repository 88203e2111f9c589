// PolicyModel → YAML text (SPEC §1.2), in the layout of fixtures/policies/trading.policy.yaml:
// block mappings and sequences, selector lists and limits in flow style, scalars plain where YAML
// reads them back as the same string and double-quoted otherwise. Selectors and `when:` are DSL
// text inside YAML strings, printed by the DSL printer.
//
// YAML has one `hide:` per level, so several `hide` statements become one list: the same tools
// are hidden, and the compiled policy is the same (only source-map positions differ).

import { parse } from 'yaml';

import type { LimitNode, PolicyModel, RuleNode, Selector } from '../../model/policy.js';
import { conditionText, selectorText } from './dsl.js';
import { UnprintableModel } from './lexical.js';

const YAML_OPTIONS = { version: '1.2' } as const;

function readsBackAs(text: string, expected: unknown): boolean {
  try {
    return JSON.stringify(parse(text, YAML_OPTIONS)) === JSON.stringify(expected);
  } catch {
    return false;
  }
}

/** Characters a double-quoted YAML scalar may hold as they are (YAML 1.2 `c-printable`, minus line separators). */
function isPrintable(code: number): boolean {
  return (
    (code >= 0x20 && code <= 0x7e) ||
    (code >= 0xa0 && code <= 0xd7ff && code !== 0x2028 && code !== 0x2029) ||
    (code >= 0xe000 && code <= 0xfffd && code !== 0xfeff) ||
    code >= 0x10000
  );
}

const SHORT_ESCAPES: Readonly<Record<string, string>> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\t': '\\t', '\r': '\\r' };

/** A double-quoted YAML scalar; everything outside printable Unicode is escaped (lone surrogates too). */
export function yamlQuoted(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    const short = SHORT_ESCAPES[ch];
    if (short !== undefined) out += short;
    else if (isPrintable(code)) out += ch;
    else out += `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return `${out}"`;
}

/** Text that may be written plain if YAML reads it back unchanged: printable, no blanks at the ends. */
function mayBePlain(value: string): boolean {
  return value !== '' && value === value.trim() && [...value].every((ch) => isPrintable(ch.codePointAt(0)!));
}

/** Quotes only when YAML would read the plain text as something else (a number, an alias, a comment…). */
function scalar(value: string, inFlow: boolean): string {
  const plain = mayBePlain(value);
  if (plain && readsBackAs(inFlow ? `k: [${value}]` : `k: ${value}`, { k: inFlow ? [value] : value })) return value;
  return yamlQuoted(value);
}

function key(name: string): string {
  if (name === '') throw new UnprintableModel('YAML has no spelling for an identity with an empty name');
  // A plain key must also read as a string on its own: `true:` is a boolean key.
  return mayBePlain(name) && readsBackAs(`[${name}]`, [name]) && readsBackAs(`${name}: 1`, { [name]: 1 }) ? name : yamlQuoted(name);
}

function selectors(list: readonly Selector[]): string {
  if (list.length === 0) throw new UnprintableModel('a statement without selectors has no YAML spelling');
  const texts = list.map(selectorText);
  return texts.length === 1 ? scalar(texts[0]!, false) : `[${texts.map((text) => scalar(text, true)).join(', ')}]`;
}

function limit(node: LimitNode): string {
  const by = node.bySpan !== undefined || node.by !== 'identity' ? `, by: ${node.by}` : '';
  return `{ max: ${JSON.stringify(node.max)}, per: ${scalar(node.per.text, true)}${by} }`;
}

function ruleLines(rule: RuleNode, indent: string): string[] {
  const lines = [`${indent}- ${rule.effect}: ${selectors(rule.selectors)}`];
  const inner = `${indent}  `;
  if (rule.when) lines.push(`${inner}when: ${scalar(conditionText(rule.when), false)}`);
  if (rule.limit) lines.push(`${inner}limit: ${limit(rule.limit)}`);
  if (rule.reason) lines.push(`${inner}reason: ${scalar(rule.reason.text, false)}`);
  return lines;
}

function hideLine(hides: PolicyModel['hide'], indent: string): string[] {
  return hides.length === 0 ? [] : [`${indent}hide: ${selectors(hides.flatMap((hide) => hide.selectors))}`];
}

function version(value: PolicyModel['version'] & object): string {
  const written = value.value;
  if (typeof written === 'number') return JSON.stringify(written);
  if (typeof written === 'string') return scalar(written, false);
  throw new UnprintableModel('a version is a number or a string');
}

/** The whole model as a YAML policy. Two identity blocks with one name cannot be written: YAML keys are unique. */
export function printYaml(model: PolicyModel): string {
  const sections: string[][] = [];
  const header: string[] = [];
  if (model.version) header.push(`version: ${version(model.version)}`);
  if (model.server) header.push(`server: ${scalar(model.server.name, false)}`);
  if (model.default) header.push(`default: ${model.default.value}`);
  sections.push(header, hideLine(model.hide, ''));
  if (model.rules.length > 0) sections.push(['rules:', ...model.rules.flatMap((rule) => ruleLines(rule, '  '))]);
  if (model.limits.length > 0) sections.push(['limits:', ...model.limits.map((node) => `  - ${limit(node)}`)]);
  if (model.identities.length > 0) {
    const names = new Set<string>();
    const lines = ['identities:'];
    for (const identity of model.identities) {
      if (names.has(identity.name)) throw new UnprintableModel(`YAML cannot hold two blocks for the identity ${JSON.stringify(identity.name)}`);
      names.add(identity.name);
      const body = [...hideLine(identity.hide, '    '), ...(identity.rules.length > 0 ? ['    rules:', ...identity.rules.flatMap((rule) => ruleLines(rule, '      '))] : [])];
      lines.push(body.length === 0 ? `  ${key(identity.name)}: {}` : `  ${key(identity.name)}:`, ...body);
    }
    sections.push(lines);
  }
  const text = sections
    .filter((section) => section.length > 0)
    .map((section) => section.join('\n'))
    .join('\n\n');
  return text === '' ? '' : `${text}\n`;
}
