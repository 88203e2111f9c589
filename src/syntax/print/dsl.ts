// PolicyModel → DSL text, in the canonical spelling: one space around operators, `, ` between
// selectors and list items, parentheses only where the tree needs them, strings JSON-escaped,
// numbers as JSON, server and identity names quoted. Reading the printed text back gives the
// same model (spans aside), so `policyc fmt` can print from the model and never change meaning.
//
// `printDsl` prints a whole model without comments, statements in a fixed order. `policyc fmt`
// keeps the input's statement order and comments, and uses the statement printers below.

import type { Expr, HideNode, IdentityNode, LimitNode, PolicyModel, RuleNode, Selector } from '../../model/policy.js';
import { globText, literalText, numberText, pathText, quotedNameText, stringText, toolNameText, UnprintableModel, wordText } from './lexical.js';
import { INDENT, LINE_WIDTH, lineWidth, ONE_LINE_RULE_WIDTH, renderLine, width, type PrintedLine } from './layout.js';

// --- selectors ---------------------------------------------------------------------------------

export function selectorText(selector: Selector): string {
  switch (selector.kind) {
    case 'all':
      return '*';
    case 'name':
      return toolNameText(selector.name);
    case 'glob':
      return globText(selector.pattern);
    case 'class':
      return `class ${wordText(selector.class)}`;
    case 'risk':
      return selector.op === '==' ? `risk ${wordText(selector.risk)}` : `risk ${selector.op} ${wordText(selector.risk)}`;
  }
}

export function selectorListText(selectors: readonly Selector[]): string {
  if (selectors.length === 0) throw new UnprintableModel('a statement without selectors has no DSL spelling');
  return selectors.map(selectorText).join(', ');
}

// --- conditions --------------------------------------------------------------------------------

/** The condition with the fewest parentheses that read back as the same tree. */
export function conditionText(expr: Expr): string {
  switch (expr.kind) {
    case 'or':
      // A nested `or` is only in the tree when it was written in parentheses; keep them.
      return expr.operands.map((operand) => (operand.kind === 'or' ? `(${conditionText(operand)})` : conditionText(operand))).join(' or ');
    case 'and':
      return expr.operands.map(andOperandText).join(' and ');
    case 'not':
      return `not ${expr.operand.kind === 'and' || expr.operand.kind === 'or' ? `(${conditionText(expr.operand)})` : conditionText(expr.operand)}`;
    case 'compare':
      return `${pathText(expr.path.segments)} ${expr.op} ${literalText(expr.value.value)}`;
    case 'in':
      return `${pathText(expr.path.segments)} ${expr.negated ? 'not in' : 'in'} [${expr.values.map((item) => literalText(item.value)).join(', ')}]`;
    case 'matches': {
      const pattern = expr.pattern.value;
      if (typeof pattern !== 'string') throw new UnprintableModel('`matches` takes a string');
      return `${pathText(expr.path.segments)} matches ${stringText(pattern)}`;
    }
    case 'exists':
      return `${pathText(expr.path.segments)} exists`;
  }
}

function andOperandText(operand: Expr): string {
  return operand.kind === 'and' || operand.kind === 'or' ? `(${conditionText(operand)})` : conditionText(operand);
}

/**
 * The condition as the pieces a `when` may break between: its top-level operands, each after the
 * first with the `and` / `or` that joins it. A condition that is not a chain is one piece.
 */
export function conditionPieces(expr: Expr): string[] {
  if (expr.kind !== 'and' && expr.kind !== 'or') return [conditionText(expr)];
  const operandText = expr.kind === 'and' ? andOperandText : (operand: Expr) => (operand.kind === 'or' ? `(${conditionText(operand)})` : conditionText(operand));
  return expr.operands.map((operand, index) => (index === 0 ? operandText(operand) : `${expr.kind} ${operandText(operand)}`));
}

// --- statements --------------------------------------------------------------------------------

export function limitText(limit: LimitNode): string {
  const by = limit.bySpan !== undefined || limit.by !== 'identity' ? ` by ${limit.by}` : '';
  if (!/^[0-9]+[smhd]$/.test(limit.per.text)) throw new UnprintableModel(`the window ${JSON.stringify(limit.per.text)} has no DSL spelling`);
  return `${numberText(limit.max)} per ${limit.per.text}${by}`;
}

export function versionLine(value: PolicyModel['version'] & object): string {
  const written = value.value;
  if (typeof written !== 'number' && typeof written !== 'string') throw new UnprintableModel('a version is a number or a string');
  return `version ${typeof written === 'number' ? numberText(written) : stringText(written)}`;
}

export function serverLine(server: PolicyModel['server'] & object): string {
  return `server ${quotedNameText(server.name)}`;
}

export function defaultLine(value: PolicyModel['default'] & object): string {
  return `default ${value.value}`;
}

export function hideLine(hide: HideNode): string {
  return `hide ${selectorListText(hide.selectors)}`;
}

export function limitAllLine(limit: LimitNode): string {
  return `limit all ${limitText(limit)}`;
}

export function identityOpenText(identity: IdentityNode): string {
  return `identity ${quotedNameText(identity.name)} {`;
}

/** One-line statements as printed lines of one piece. */
export function singleLine(text: string, indent: number): PrintedLine[] {
  return [{ indent, text, pieces: ['line'] }];
}

// --- rules -------------------------------------------------------------------------------------

/**
 * A rule with each clause on a line of its own, indented one level: `when` (its condition filled
 * up to LINE_WIDTH, continued two levels in, each continuation starting with its `and` / `or`),
 * then `limit`, then `reason`.
 */
export function expandedRuleLines(rule: RuleNode, indent: number): PrintedLine[] {
  const lines: PrintedLine[] = [{ indent, text: `${rule.effect} ${selectorListText(rule.selectors)}`, pieces: ['head'] }];
  if (rule.when) lines.push(...whenLines(rule.when, indent + INDENT));
  if (rule.limit) lines.push({ indent: indent + INDENT, text: `limit ${limitText(rule.limit)}`, pieces: ['limit'] });
  if (rule.reason) lines.push({ indent: indent + INDENT, text: `reason ${stringText(rule.reason.text)}`, pieces: ['reason'] });
  return lines;
}

function whenLines(expr: Expr, indent: number): PrintedLine[] {
  const pieces = conditionPieces(expr);
  const lines: PrintedLine[] = [{ indent, text: `when ${pieces[0]!}`, pieces: ['when:0'] }];
  for (let i = 1; i < pieces.length; i++) {
    const line = lines[lines.length - 1]!;
    const piece = pieces[i]!;
    if (lineWidth(line) + 1 + width(piece) <= LINE_WIDTH) {
      line.text += ` ${piece}`;
      line.pieces.push(`when:${i}`);
    } else {
      lines.push({ indent: indent + INDENT, text: piece, pieces: [`when:${i}`] });
    }
  }
  return lines;
}

/** The rule on one line, or undefined when that line would be wider than ONE_LINE_RULE_WIDTH. */
export function compactRuleLine(rule: RuleNode, indent: number): PrintedLine | undefined {
  const expanded = expandedRuleLines(rule, indent);
  const line: PrintedLine = { indent, text: expanded.map((part) => part.text).join(' '), pieces: expanded.flatMap((part) => part.pieces) };
  return lineWidth(line) <= ONE_LINE_RULE_WIDTH ? line : undefined;
}

/** The canonical layout of a rule: on one line if it fits, else expanded. */
export function ruleLines(rule: RuleNode, indent: number): PrintedLine[] {
  const compact = compactRuleLine(rule, indent);
  return compact ? [compact] : expandedRuleLines(rule, indent);
}

// --- whole policies ----------------------------------------------------------------------------

/** A run of statements printed together; a blank line separates groups and multi-line statements. */
type Item = { group: string; lines: PrintedLine[] };

function joinItems(items: readonly Item[]): PrintedLine[] {
  const out: PrintedLine[] = [];
  items.forEach((item, index) => {
    const previous = items[index - 1];
    if (previous && (previous.group !== item.group || previous.lines.length > 1 || item.lines.length > 1)) out.push({ indent: 0, text: '', pieces: [] });
    out.push(...item.lines);
  });
  return out;
}

function identityLines(identity: IdentityNode): PrintedLine[] {
  const inner = joinItems([
    ...identity.hide.map((hide) => ({ group: 'hide', lines: singleLine(hideLine(hide), INDENT) })),
    ...identity.rules.map((rule) => ({ group: 'rules', lines: ruleLines(rule, INDENT) })),
  ]);
  if (inner.length === 0) return [{ indent: 0, text: `${identityOpenText(identity)}}`, pieces: ['open', 'close'] }];
  return [{ indent: 0, text: identityOpenText(identity), pieces: ['open'] }, ...inner, { indent: 0, text: '}', pieces: ['close'] }];
}

/**
 * The whole model as DSL text, without comments: `version`, `server`, `default`, then `hide`
 * statements, rules, `limit all` statements and identity blocks, each in model order (which is
 * what rule ids follow, so the compiled policy is the same).
 */
export function printDsl(model: PolicyModel): string {
  const header: string[] = [];
  if (model.version) header.push(versionLine(model.version));
  if (model.server) header.push(serverLine(model.server));
  if (model.default) header.push(defaultLine(model.default));
  const items: Item[] = [
    ...header.map((text) => ({ group: 'header', lines: singleLine(text, 0) })),
    ...model.hide.map((hide) => ({ group: 'hide', lines: singleLine(hideLine(hide), 0) })),
    ...model.rules.map((rule) => ({ group: 'rules', lines: ruleLines(rule, 0) })),
    ...model.limits.map((limit) => ({ group: 'limits', lines: singleLine(limitAllLine(limit), 0) })),
    ...model.identities.map((identity, index) => ({ group: `identity ${index}`, lines: identityLines(identity) })),
  ];
  const lines = joinItems(items);
  return lines.length === 0 ? '' : `${lines.map(renderLine).join('\n')}\n`;
}
