// CST → PolicyModel. Each rule of the parser has one function here that reads its node and
// returns the model piece, with spans, or undefined when the piece cannot be built (the reason
// is already a diagnostic). The checks that need the parse but no catalogue live here too:
// duplicate and misplaced statements, the language version, comparisons with a path on neither
// or both sides, a rule's clauses given twice.
//
// A statement with a syntax error anywhere in it is left out of the model, whole: its meaning is
// unknown, and half a rule (a `deny` without its selectors, an `allow` without its `when`) would
// mislead the checks that run on the rest.

import type { CstNode, IToken } from 'chevrotain';

import { report, type Code } from '../../diagnostics/codes.js';
import type { Diagnostic, Span } from '../../diagnostics/diagnostic.js';
import { didYouMean } from '../../diagnostics/did-you-mean.js';
import type { CompareOp } from '../../model/condition.js';
import type { JsonValue } from '../../model/json.js';
import type {
  DurationNode,
  Effect,
  Expr,
  HideNode,
  IdentityNode,
  LimitNode,
  LimitScope,
  LiteralNode,
  PathNode,
  PolicyModel,
  RiskOp,
  RuleNode,
  Selector,
} from '../../model/policy.js';
import { parseDuration } from '../../model/text.js';
import { childNode, childNodes, childToken, childTokens, isRecovered, isTextToken, nodeRange, onlyChildNode, tokenEnd } from './cst.js';
import { decodeBackquoted, decodeNumber, decodeString } from './literals.js';
import * as t from './tokens.js';

export interface BuildContext {
  /** [start, end) in the parsed text → a span in the file. */
  locate(start: number, end: number): Span;
  /** Offsets of the syntax errors found before building (lexing, literals, parsing), sorted. */
  errorOffsets: readonly number[];
  /** Whether the parser recovered anywhere; when not, no node needs searching for the traces. */
  recovered: boolean;
  diagnostics: Diagnostic[];
}

// --- small helpers -----------------------------------------------------------------------------

function tokenSpan(context: BuildContext, token: IToken): Span {
  return context.locate(token.startOffset, tokenEnd(token));
}

function nodeSpan(context: BuildContext, node: CstNode): Span | undefined {
  const range = nodeRange(node);
  return range === undefined ? undefined : context.locate(range.start, range.end);
}

function fail(context: BuildContext, code: Code, span: Span, message: string, extra: Pick<Diagnostic, 'related' | 'suggestion'> = {}): undefined {
  context.diagnostics.push(report(code, span, message, extra));
  return undefined;
}

/** Whether an already reported syntax error lies in [start, end). */
function hasErrorIn(context: BuildContext, start: number, end: number): boolean {
  const offsets = context.errorOffsets;
  let low = 0;
  let high = offsets.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (offsets[mid]! < start) low = mid + 1;
    else high = mid;
  }
  return low < offsets.length && offsets[low]! < end;
}

function stringValue(token: IToken): string {
  return decodeString(token.image).value;
}

/** A server's or identity's name: the string's value, or the bare name as written. */
function nameValue(token: IToken): string {
  return token.tokenType === t.StringLiteral ? stringValue(token) : token.image;
}

/**
 * Builds one statement, or nothing if it has a syntax error: recovery touched it, an earlier
 * pass reported an error between its start and `until` (the next statement: what recovery
 * skipped after a statement, such as a misspelt `wen qty > 1`, was meant to be part of it), or
 * building it reports one.
 */
function whole<T>(context: BuildContext, node: CstNode, until: number, build: () => T | undefined): T | undefined {
  const range = nodeRange(node);
  if (range === undefined || (context.recovered && isRecovered(node)) || hasErrorIn(context, range.start, Math.max(range.end, until))) return undefined;
  const before = context.diagnostics.length;
  const built = build();
  return context.diagnostics.length === before ? built : undefined;
}

// --- selectors ---------------------------------------------------------------------------------

export function buildSelectorList(context: BuildContext, node: CstNode): Selector[] | undefined {
  const selectors: Selector[] = [];
  for (const child of childNodes(node, 'selector')) {
    const selector = buildSelector(context, child);
    if (selector === undefined) return undefined;
    selectors.push(selector);
  }
  return selectors.length === 0 ? undefined : selectors;
}

const RISK_OPS: ReadonlyArray<[string, RiskOp]> = [
  [t.Equal.name, '=='],
  [t.GreaterEqual.name, '>='],
  [t.Greater.name, '>'],
  [t.LessEqual.name, '<='],
  [t.Less.name, '<'],
];

function buildSelector(context: BuildContext, node: CstNode): Selector | undefined {
  const span = nodeSpan(context, node);
  const name = childToken(node, t.Name.name);
  if (span === undefined) return undefined;
  if (childToken(node, t.Class.name) !== undefined) {
    return name === undefined ? undefined : { kind: 'class', class: name.image, span };
  }
  if (childToken(node, t.Risk.name) !== undefined) {
    if (name === undefined) return undefined;
    const operator = childNode(node, 'riskOperator');
    const op = operator === undefined ? '==' : RISK_OPS.find(([key]) => childToken(operator, key) !== undefined)?.[1];
    return op === undefined ? undefined : { kind: 'risk', op, risk: name.image, span };
  }
  if (name !== undefined) return { kind: 'name', name: name.image, span };
  const glob = childToken(node, t.Glob.name);
  if (glob !== undefined) return glob.image === '*' ? { kind: 'all', span } : { kind: 'glob', pattern: glob.image, span };
  const quoted = childToken(node, t.StringLiteral.name);
  if (quoted === undefined) return undefined;
  const value = stringValue(quoted);
  if (value === '') return fail(context, 'syntax-error', span, 'a tool name cannot be empty');
  return { kind: 'name', name: value, span };
}

// --- conditions --------------------------------------------------------------------------------

export function buildCondition(context: BuildContext, node: CstNode): Expr | undefined {
  return buildChain(context, node, 'or', 'conjunction', (child) => buildChain(context, child, 'and', 'negation', (inner) => buildNegation(context, inner)));
}

/** `a or b or c` → one n-ary node; a single operand is itself. */
function buildChain(context: BuildContext, node: CstNode, kind: 'and' | 'or', childKey: string, buildChild: (child: CstNode) => Expr | undefined): Expr | undefined {
  const operands: Expr[] = [];
  for (const child of childNodes(node, childKey)) {
    const operand = buildChild(child);
    if (operand === undefined) return undefined;
    operands.push(operand);
  }
  if (operands.length === 0) return undefined;
  if (operands.length === 1) return operands[0];
  const span = nodeSpan(context, node);
  return span === undefined ? undefined : { kind, operands, span };
}

function buildNegation(context: BuildContext, node: CstNode): Expr | undefined {
  const primary = childNode(node, 'primary');
  const range = nodeRange(node);
  let expr = primary === undefined ? undefined : buildPrimary(context, primary);
  if (expr === undefined || range === undefined) return undefined;
  const nots = childTokens(node, t.Not.name);
  // Innermost first: the `not` nearest the operand applies first.
  for (let i = nots.length - 1; i >= 0; i--) {
    expr = { kind: 'not', operand: expr, span: context.locate(nots[i]!.startOffset, range.end) };
  }
  return expr;
}

function buildPrimary(context: BuildContext, node: CstNode): Expr | undefined {
  const inner = childNode(node, 'condition');
  if (inner !== undefined) return buildCondition(context, inner);
  const comparison = childNode(node, 'comparison');
  return comparison === undefined ? undefined : buildComparison(context, comparison);
}

type Operand = { path: PathNode } | { literal: LiteralNode };

const COMPARE_OPS: ReadonlyArray<[string, CompareOp]> = [
  [t.Equal.name, '=='],
  [t.NotEqual.name, '!='],
  [t.LessEqual.name, '<='],
  [t.Less.name, '<'],
  [t.GreaterEqual.name, '>='],
  [t.Greater.name, '>'],
];

/** `100 >= qty` says `qty <= 100`. */
const FLIPPED: Readonly<Record<CompareOp, CompareOp>> = { '==': '==', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

function buildComparison(context: BuildContext, node: CstNode): Expr | undefined {
  const span = nodeSpan(context, node);
  const [leftNode, rightNode] = childNodes(node, 'operand');
  const left = leftNode === undefined ? undefined : buildOperand(context, leftNode);
  if (span === undefined || left === undefined) return undefined;

  const operator = childNode(node, 'compareOperator');
  if (operator !== undefined) {
    const op = COMPARE_OPS.find(([key]) => childToken(operator, key) !== undefined)?.[1];
    const right = rightNode === undefined ? undefined : buildOperand(context, rightNode);
    if (op === undefined || right === undefined) return undefined;
    if ('path' in left && 'literal' in right) return { kind: 'compare', op, path: left.path, value: right.literal, span };
    if ('literal' in left && 'path' in right) return { kind: 'compare', op: FLIPPED[op], path: right.path, value: left.literal, span };
    if ('path' in left) {
      return fail(context, 'syntax-error', span, 'a condition compares an argument with a fixed value, not two arguments: one side must be a string, number, `true`, `false`, `null` or a list');
    }
    return fail(context, 'syntax-error', span, 'this compares two fixed values: one side must be an argument path such as `qty`');
  }

  const keyword = childToken(node, t.In.name) ?? childToken(node, t.Matches.name) ?? childToken(node, t.Exists.name);
  if (keyword === undefined) return undefined;
  if (!('path' in left)) {
    const example = keyword.tokenType === t.In ? '`code in ["HK.00700"]`' : keyword.tokenType === t.Matches ? '`code matches "HK\\\\..*"`' : '`trd_env exists`';
    return fail(context, 'syntax-error', span, `\`${keyword.image}\` needs an argument path on its left, as in ${example}`);
  }
  const path = left.path;
  if (keyword.tokenType === t.Exists) return { kind: 'exists', path, span };
  if (keyword.tokenType === t.Matches) {
    const pattern = childToken(node, t.StringLiteral.name);
    if (pattern === undefined) return undefined;
    return { kind: 'matches', path, pattern: { value: stringValue(pattern), span: tokenSpan(context, pattern) }, span };
  }
  const list = childNode(node, 'list');
  const values = list === undefined ? undefined : buildListItems(context, list);
  if (values === undefined) return undefined;
  return { kind: 'in', negated: childToken(node, t.Not.name) !== undefined, path, values, span };
}

function buildOperand(context: BuildContext, node: CstNode): Operand | undefined {
  const pathNode = childNode(node, 'path');
  if (pathNode !== undefined) {
    const path = buildPath(context, pathNode);
    return path === undefined ? undefined : { path };
  }
  const literalNode = childNode(node, 'literal');
  const literal = literalNode === undefined ? undefined : buildLiteral(context, literalNode);
  return literal === undefined ? undefined : { literal };
}

/** Names split at their dots (`order.qty` is one token); a backquoted key is one segment, as written. */
function buildPath(context: BuildContext, node: CstNode): PathNode | undefined {
  const span = nodeSpan(context, node);
  if (span === undefined) return undefined;
  const segments: string[] = [];
  for (const token of childTokens(node, 'segment')) {
    if (token.tokenType === t.BackquotedKey) segments.push(decodeBackquoted(token.image).value);
    else segments.push(...token.image.split('.'));
  }
  return segments.length === 0 ? undefined : { segments, span };
}

// --- values ------------------------------------------------------------------------------------

function buildLiteral(context: BuildContext, node: CstNode): LiteralNode | undefined {
  const span = nodeSpan(context, node);
  if (span === undefined) return undefined;
  const list = childNode(node, 'list');
  if (list !== undefined) {
    const items = buildListItems(context, list);
    return items === undefined ? undefined : { value: items.map((item) => item.value), span };
  }
  const value = scalarValue(node);
  return value === undefined ? undefined : { value, span };
}

function scalarValue(node: CstNode): JsonValue | undefined {
  const string = childToken(node, t.StringLiteral.name);
  if (string !== undefined) return stringValue(string);
  const number = childToken(node, t.NumberLiteral.name);
  if (number !== undefined) return decodeNumber(number.image).value;
  if (childToken(node, t.True.name) !== undefined) return true;
  if (childToken(node, t.False.name) !== undefined) return false;
  if (childToken(node, t.Null.name) !== undefined) return null;
  return undefined;
}

function buildListItems(context: BuildContext, node: CstNode): LiteralNode[] | undefined {
  const items: LiteralNode[] = [];
  for (const child of childNodes(node, 'literal')) {
    const item = buildLiteral(context, child);
    if (item === undefined) return undefined;
    items.push(item);
  }
  return items;
}

// --- limits ------------------------------------------------------------------------------------

const SCOPES: readonly LimitScope[] = ['identity', 'session', 'global'];

/** `N per DURATION [by SCOPE]` as the LimitNode spanning `whole` (the clause or statement). */
function buildRate(context: BuildContext, node: CstNode, whole: Span): LimitNode | undefined {
  const max = childToken(node, t.NumberLiteral.name);
  const duration = childToken(node, t.Duration.name);
  if (max === undefined || duration === undefined) return undefined;
  const per: DurationNode = { text: duration.image, ms: parseDuration(duration.image) ?? NaN, span: tokenSpan(context, duration) };
  const limit: LimitNode = { max: decodeNumber(max.image).value, maxSpan: tokenSpan(context, max), per, by: 'identity', span: whole };

  const by = childToken(node, t.By.name);
  const scopeNode = childNode(node, 'scope');
  if (by === undefined || scopeNode === undefined) return limit;
  const word = childToken(scopeNode, t.Identity.name) ?? childToken(scopeNode, t.Name.name);
  if (word === undefined) return undefined;
  const scope = SCOPES.find((candidate) => candidate === word.image);
  if (scope === undefined) {
    const suggestion = didYouMean(word.image, SCOPES);
    const hint = suggestion === undefined ? '' : `; did you mean \`${suggestion}\`?`;
    return fail(context, 'syntax-error', tokenSpan(context, word), `a limit counts \`by identity\`, \`by session\` or \`by global\`, not \`by ${word.image}\`${hint}`, suggestion === undefined ? {} : { suggestion });
  }
  return { ...limit, by: scope, bySpan: context.locate(by.startOffset, tokenEnd(word)) };
}

// --- statements --------------------------------------------------------------------------------

const EFFECTS: ReadonlyArray<[string, Effect]> = [
  [t.Allow.name, 'allow'],
  [t.Deny.name, 'deny'],
  [t.Approve.name, 'approve'],
];

function buildRule(context: BuildContext, node: CstNode, identity: string | undefined): RuleNode | undefined {
  const span = nodeSpan(context, node);
  let effectToken: IToken | undefined;
  let effect: Effect | undefined;
  for (const [key, candidate] of EFFECTS) {
    effectToken = childToken(node, key);
    if (effectToken !== undefined) {
      effect = candidate;
      break;
    }
  }
  const list = childNode(node, 'selectorList');
  if (span === undefined || effectToken === undefined || effect === undefined || list === undefined) return undefined;
  const selectors = buildSelectorList(context, list);
  if (selectors === undefined) return undefined;
  const rule: RuleNode = { effect, effectSpan: tokenSpan(context, effectToken), selectors, span };
  if (identity !== undefined) rule.identity = identity;

  const once = onceChecker(context);
  for (const clause of childNodes(node, 'whenClause')) {
    const condition = childNode(clause, 'condition');
    const expr = condition === undefined ? undefined : buildCondition(context, condition);
    if (once(clause, 'when', 'a rule has one `when`; join the conditions with `and`') && expr !== undefined) rule.when = expr;
  }
  for (const clause of childNodes(node, 'limitClause')) {
    const clauseSpan = nodeSpan(context, clause);
    const rate = childNode(clause, 'rate');
    const limit = rate === undefined || clauseSpan === undefined ? undefined : buildRate(context, rate, clauseSpan);
    if (once(clause, 'limit', 'a rule has one `limit`; for a second window, write a second rule or a `limit all`') && limit !== undefined) rule.limit = limit;
  }
  for (const clause of childNodes(node, 'reasonClause')) {
    const text = childToken(clause, t.StringLiteral.name);
    if (once(clause, 'reason', 'a rule has one `reason`') && text !== undefined) rule.reason = { text: stringValue(text), span: tokenSpan(context, text) };
  }
  return rule;
}

/** Reports the second and later clause of a kind; true for the first. */
function onceChecker(context: BuildContext): (clause: CstNode, kind: string, message: string) => boolean {
  const seen = new Set<string>();
  return (clause, kind, message) => {
    if (!seen.has(kind)) {
      seen.add(kind);
      return true;
    }
    const span = nodeSpan(context, clause);
    if (span !== undefined) fail(context, 'syntax-error', span, message);
    return false;
  };
}

function buildHide(context: BuildContext, node: CstNode, identity: string | undefined): HideNode | undefined {
  const span = nodeSpan(context, node);
  const list = childNode(node, 'selectorList');
  const selectors = list === undefined ? undefined : buildSelectorList(context, list);
  if (span === undefined || selectors === undefined) return undefined;
  return identity === undefined ? { selectors, span } : { selectors, identity, span };
}

function buildLimitAll(context: BuildContext, node: CstNode): LimitNode | undefined {
  const span = nodeSpan(context, node);
  const rate = childNode(node, 'rate');
  return span === undefined || rate === undefined ? undefined : buildRate(context, rate, span);
}

/** Which statement a `statement` node holds: its rule name and node. */
function statementKind(node: CstNode): { kind: string; node: CstNode } | undefined {
  const inner = onlyChildNode(node);
  return inner === undefined ? undefined : { kind: inner.name, node: inner };
}

const STATEMENT_NAMES: Readonly<Record<string, string>> = {
  versionStatement: '`version`',
  serverStatement: '`server`',
  defaultStatement: '`default`',
  limitAllStatement: '`limit all`',
  identityBlock: 'an identity block',
};

interface TopLevelState {
  /** Where each once-only statement was first given, for "given twice" messages. */
  first: Map<string, Span>;
  identities: Map<string, IdentityNode>;
}

/** Fills `model` from the CST of a whole policy. */
export function buildPolicy(context: BuildContext, root: CstNode, model: PolicyModel): void {
  const state: TopLevelState = { first: new Map(), identities: new Map() };
  forEachStatement(root, Infinity, (kind, node, until) => buildTopLevel(context, kind, node, until, model, state));
}

/** Calls `visit` for each statement of `container` with where the next one starts (or `end`). */
function forEachStatement(container: CstNode, end: number, visit: (kind: string, node: CstNode, until: number) => void): void {
  const statements = childNodes(container, 'statement');
  statements.forEach((statement, index) => {
    const found = statementKind(statement);
    const next = statements[index + 1];
    const until = (next === undefined ? undefined : nodeRange(next)?.start) ?? end;
    if (found !== undefined) visit(found.kind, found.node, until);
  });
}

function buildTopLevel(context: BuildContext, kind: string, node: CstNode, until: number, model: PolicyModel, state: TopLevelState): void {
  switch (kind) {
    case 'versionStatement':
    case 'serverStatement':
    case 'defaultStatement':
      // These take nothing after their value, so what follows them is no part of them.
      whole(context, node, 0, () => buildSingleton(context, kind, node, model, state));
      return;
    case 'hideStatement': {
      const hide = whole(context, node, until, () => buildHide(context, node, undefined));
      if (hide !== undefined) model.hide.push(hide);
      return;
    }
    case 'ruleStatement': {
      const rule = whole(context, node, until, () => buildRule(context, node, undefined));
      if (rule !== undefined) model.rules.push(rule);
      return;
    }
    case 'limitAllStatement': {
      const limit = whole(context, node, 0, () => buildLimitAll(context, node));
      if (limit !== undefined) model.limits.push(limit);
      return;
    }
    case 'identityBlock': {
      const identity = buildIdentity(context, node, state);
      if (identity !== undefined) model.identities.push(identity);
      return;
    }
  }
}

/** `version`, `server`, `default`: at most one each. Returns true when built. */
function buildSingleton(context: BuildContext, kind: string, node: CstNode, model: PolicyModel, state: TopLevelState): true | undefined {
  const span = nodeSpan(context, node);
  if (span === undefined) return undefined;
  const first = state.first.get(kind);
  if (first !== undefined) {
    const name = STATEMENT_NAMES[kind] ?? kind;
    return fail(context, 'duplicate-statement', span, `${name} is given twice; keep one`, { related: [{ message: `${name} is first given here`, span: first }] });
  }
  state.first.set(kind, span);

  if (kind === 'defaultStatement') {
    const word = childToken(node, t.Allow.name) ?? childToken(node, t.Deny.name);
    if (word === undefined) return undefined;
    model.default = { value: word.tokenType === t.Allow ? 'allow' : 'deny', span: tokenSpan(context, word) };
    return true;
  }
  if (kind === 'serverStatement') {
    const token = childToken(node, t.NameOrString.name);
    if (token === undefined) return undefined;
    model.server = { name: nameValue(token), span: tokenSpan(context, token) };
    return true;
  }
  const number = childToken(node, t.NumberLiteral.name);
  const quoted = childToken(node, t.StringLiteral.name);
  const token = number ?? quoted;
  if (token === undefined) return undefined;
  const value: JsonValue = number !== undefined ? decodeNumber(number.image).value : stringValue(token);
  const valueSpan = tokenSpan(context, token);
  model.version = { value, span: valueSpan };
  if (value !== 1 && value !== '1') {
    // Reported, but the statement stays in the model: the version is what the file says.
    context.diagnostics.push(report('unsupported-version', valueSpan, `policyc reads policy language version 1; this file says \`version ${token.image}\``));
  }
  return true;
}

function buildIdentity(context: BuildContext, node: CstNode, state: TopLevelState): IdentityNode | undefined {
  const range = nodeRange(node);
  const nameToken = childToken(node, t.NameOrString.name);
  const open = childToken(node, t.LBrace.name);
  if (range === undefined || !isTextToken(nameToken) || !isTextToken(open)) return undefined;
  // The block stands if its header does; a missing `}` is reported, and what is inside still counts.
  if (hasErrorIn(context, range.start, tokenEnd(open))) return undefined;
  const span = context.locate(range.start, range.end);

  const name = nameValue(nameToken);
  const identity: IdentityNode = { name, nameSpan: tokenSpan(context, nameToken), hide: [], rules: [], span };
  const earlier = state.identities.get(name);
  if (earlier !== undefined) {
    context.diagnostics.push(
      report('duplicate-identity', identity.nameSpan, `the identity "${name}" has two blocks; merge them into one`, {
        related: [{ message: `the first block for "${name}"`, span: earlier.span }],
      }),
    );
  } else {
    state.identities.set(name, identity);
  }

  forEachStatement(node, range.end, (kind, inner, until) => buildInIdentity(context, kind, inner, until, identity));
  return identity;
}

function buildInIdentity(context: BuildContext, kind: string, node: CstNode, until: number, identity: IdentityNode): void {
  if (kind === 'hideStatement') {
    const hide = whole(context, node, until, () => buildHide(context, node, identity.name));
    if (hide !== undefined) identity.hide.push(hide);
    return;
  }
  if (kind === 'ruleStatement') {
    const rule = whole(context, node, until, () => buildRule(context, node, identity.name));
    if (rule !== undefined) identity.rules.push(rule);
    return;
  }
  // Parsed for recovery only: report it, unless it is broken (its syntax error says enough).
  const range = nodeRange(node);
  if (range === undefined || (context.recovered && isRecovered(node)) || hasErrorIn(context, range.start, Math.max(range.end, until))) return;
  const name = STATEMENT_NAMES[kind] ?? kind;
  const message =
    kind === 'identityBlock'
      ? 'identity blocks cannot be nested; move this block to the top level of the policy'
      : kind === 'limitAllStatement'
        ? '`limit all` belongs at the top level of the policy; inside an identity block, give a rule its own `limit`'
        : `${name} belongs at the top level of the policy, not inside an identity block`;
  context.diagnostics.push(report('misplaced-statement', context.locate(range.start, range.end), message));
}
