// A tiny DSL reader for the check tests, used until the real front end (src/syntax/dsl) lands.
// It reads the subset of the language the tests write and produces a PolicyModel with real
// spans, so tests can assert lines and columns. It does no error recovery: bad test input throws.

import { SourceText } from '../../src/diagnostics/source.js';
import type { Span } from '../../src/diagnostics/diagnostic.js';
import type { CompareOp } from '../../src/model/condition.js';
import type { JsonValue } from '../../src/model/json.js';
import {
  emptyPolicy,
  type Expr,
  type HideNode,
  type IdentityNode,
  type LimitNode,
  type LiteralNode,
  type PathNode,
  type PolicyModel,
  type RiskOp,
  type RuleNode,
  type Selector,
  type Suppression,
} from '../../src/model/policy.js';
import { parseDuration } from '../../src/model/text.js';

interface Token {
  kind: 'word' | 'string' | 'punct';
  text: string;
  /** For strings: the decoded value. */
  value?: string;
  start: number;
  end: number;
}

interface Comment {
  text: string;
  start: number;
  /** Whether code precedes the comment on its line. */
  trailing: boolean;
}

const PUNCT = ['==', '!=', '<=', '>=', '<', '>', ',', '[', ']', '(', ')', '{', '}'];
const WORD_STOP = /[\s,[\](){}"#<>=!]/u;

function tokenize(text: string): { tokens: Token[]; comments: Comment[] } {
  const tokens: Token[] = [];
  const comments: Comment[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/u.test(ch)) {
      i++;
      continue;
    }
    if (ch === '#') {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? text.length : end;
      const lineStart = text.lastIndexOf('\n', i - 1) + 1;
      comments.push({ text: text.slice(i + 1, stop), start: i, trailing: text.slice(lineStart, i).trim() !== '' });
      i = stop;
      continue;
    }
    if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const raw = text.slice(i, j + 1);
      tokens.push({ kind: 'string', text: raw, value: JSON.parse(raw) as string, start: i, end: j + 1 });
      i = j + 1;
      continue;
    }
    const punct = PUNCT.find((p) => text.startsWith(p, i));
    if (punct) {
      tokens.push({ kind: 'punct', text: punct, start: i, end: i + punct.length });
      i += punct.length;
      continue;
    }
    let j = i;
    while (j < text.length && !WORD_STOP.test(text[j]!)) j++;
    if (j === i) throw new Error(`model-builder: unexpected ${JSON.stringify(ch)} at ${i}`);
    tokens.push({ kind: 'word', text: text.slice(i, j), start: i, end: j });
    i = j;
  }
  return { tokens, comments };
}

/** Reads DSL text into a PolicyModel with spans (file name `test.policy` unless given). */
export function buildModel(text: string, file = 'test.policy'): PolicyModel {
  const source = new SourceText(file, text);
  const { tokens, comments } = tokenize(text);
  const model = emptyPolicy(file, 'dsl');
  let pos = 0;
  const span = (start: number, end: number): Span => source.span(start, end);
  const peek = (offset = 0): Token | undefined => tokens[pos + offset];
  const next = (): Token => {
    const token = tokens[pos++];
    if (!token) throw new Error('model-builder: unexpected end of input');
    return token;
  };
  const expect = (text: string): Token => {
    const token = next();
    if (token.text !== text) throw new Error(`model-builder: expected ${text}, got ${token.text} at ${token.start}`);
    return token;
  };
  const last = (): Token => tokens[pos - 1]!;

  function literal(): LiteralNode {
    const token = next();
    if (token.kind === 'string') return { value: token.value!, span: span(token.start, token.end) };
    if (token.text === '[') {
      const values: JsonValue[] = [];
      while (peek()?.text !== ']') {
        values.push(literal().value);
        if (peek()?.text === ',') next();
      }
      const close = expect(']');
      return { value: values, span: span(token.start, close.end) };
    }
    const words: Record<string, JsonValue> = { true: true, false: false, null: null };
    if (Object.hasOwn(words, token.text)) return { value: words[token.text]!, span: span(token.start, token.end) };
    const number = Number(token.text);
    if (!Number.isFinite(number)) throw new Error(`model-builder: not a literal: ${token.text}`);
    return { value: number, span: span(token.start, token.end) };
  }

  function list(): LiteralNode[] {
    expect('[');
    const values: LiteralNode[] = [];
    while (peek()?.text !== ']') {
      values.push(literal());
      if (peek()?.text === ',') next();
    }
    next();
    return values;
  }

  function path(): PathNode {
    const token = next();
    return { segments: token.text.split('.'), span: span(token.start, token.end) };
  }

  function primary(): Expr {
    if (peek()?.text === '(') {
      const open = next();
      const inner = orExpr();
      const close = expect(')');
      return { ...inner, span: span(open.start, close.end) };
    }
    const p = path();
    const op = next();
    const start = p.span.start.offset;
    if (['==', '!=', '<', '<=', '>', '>='].includes(op.text)) {
      const value = literal();
      return { kind: 'compare', op: op.text as CompareOp, path: p, value, span: span(start, value.span.end.offset) };
    }
    if (op.text === 'in' || (op.text === 'not' && peek()?.text === 'in')) {
      const negated = op.text === 'not';
      if (negated) next();
      const values = list();
      return { kind: 'in', negated, path: p, values, span: span(start, last().end) };
    }
    if (op.text === 'matches') {
      const pattern = literal();
      return { kind: 'matches', path: p, pattern, span: span(start, pattern.span.end.offset) };
    }
    if (op.text === 'exists') return { kind: 'exists', path: p, span: span(start, op.end) };
    throw new Error(`model-builder: unknown operator ${op.text}`);
  }

  function notExpr(): Expr {
    if (peek()?.text === 'not') {
      const token = next();
      const operand = notExpr();
      return { kind: 'not', operand, span: span(token.start, operand.span.end.offset) };
    }
    return primary();
  }

  function chain(kind: 'and' | 'or', operand: () => Expr): Expr {
    const first = operand();
    const operands = [first];
    while (peek()?.text === kind) {
      next();
      operands.push(operand());
    }
    if (operands.length === 1) return first;
    return { kind, operands, span: span(first.span.start.offset, operands[operands.length - 1]!.span.end.offset) };
  }
  const andExpr = (): Expr => chain('and', notExpr);
  const orExpr = (): Expr => chain('or', andExpr);

  function selector(): Selector {
    const token = next();
    if (token.text === 'class') {
      const name = next();
      return { kind: 'class', class: name.text, span: span(token.start, name.end) };
    }
    if (token.text === 'risk') {
      let op: RiskOp = '==';
      if (['>=', '>', '<=', '<', '=='].includes(peek()?.text ?? '')) op = next().text as RiskOp;
      const name = next();
      return { kind: 'risk', op, risk: name.text, span: span(token.start, name.end) };
    }
    const where = span(token.start, token.end);
    const name = token.kind === 'string' ? token.value! : token.text;
    if (name === '*') return { kind: 'all', span: where };
    if (name.includes('*') || name.includes('?')) return { kind: 'glob', pattern: name, span: where };
    return { kind: 'name', name, span: where };
  }

  function selectors(): Selector[] {
    const list = [selector()];
    while (peek()?.text === ',') {
      next();
      list.push(selector());
    }
    return list;
  }

  function limitTail(start: number): LimitNode {
    const maxToken = next();
    expect('per');
    const per = next();
    const limit: LimitNode = {
      max: Number(maxToken.text),
      maxSpan: span(maxToken.start, maxToken.end),
      per: { text: per.text, ms: parseDuration(per.text) ?? Number.NaN, span: span(per.start, per.end) },
      by: 'identity',
      span: span(start, per.end),
    };
    if (peek()?.text === 'by') {
      const by = next();
      const scope = next();
      limit.by = scope.text as LimitNode['by'];
      limit.bySpan = span(by.start, scope.end);
      limit.span = span(start, scope.end);
    }
    return limit;
  }

  function rule(identity: string | undefined): RuleNode {
    const effect = next();
    const node: RuleNode = {
      effect: effect.text as RuleNode['effect'],
      effectSpan: span(effect.start, effect.end),
      selectors: selectors(),
      span: span(effect.start, effect.end),
    };
    if (identity !== undefined) node.identity = identity;
    for (;;) {
      const word = peek()?.text;
      if (word === 'when') {
        next();
        node.when = orExpr();
      } else if (word === 'limit' && peek(1)?.text !== 'all') {
        node.limit = limitTail(next().start);
      } else if (word === 'reason') {
        next();
        const text = next();
        node.reason = { text: text.value ?? text.text, span: span(text.start, text.end) };
      } else break;
    }
    node.span = span(effect.start, last().end);
    return node;
  }

  function hide(identity: string | undefined): HideNode {
    const token = next();
    const node: HideNode = { selectors: selectors(), span: span(token.start, token.start) };
    if (identity !== undefined) node.identity = identity;
    node.span = span(token.start, last().end);
    return node;
  }

  const statementLines: Array<{ start: number; startLine: number; endLine: number }> = [];

  function statement(into: { hide: HideNode[]; rules: RuleNode[] }, identity: string | undefined): void {
    const token = peek()!;
    const startIndex = pos;
    switch (token.text) {
      case 'version': {
        next();
        const value = literal();
        model.version = { value: value.value, span: span(token.start, value.span.end.offset) };
        break;
      }
      case 'server': {
        next();
        const name = next();
        model.server = { name: name.value ?? name.text, span: span(token.start, name.end) };
        break;
      }
      case 'default': {
        next();
        const value = next();
        model.default = { value: value.text as 'allow' | 'deny', span: span(token.start, value.end) };
        break;
      }
      case 'hide':
        into.hide.push(hide(identity));
        break;
      case 'allow':
      case 'deny':
      case 'approve':
        into.rules.push(rule(identity));
        break;
      case 'limit': {
        next();
        expect('all');
        model.limits.push(limitTail(token.start));
        break;
      }
      case 'identity': {
        next();
        const name = next();
        expect('{');
        const block: IdentityNode = { name: name.value ?? name.text, nameSpan: span(name.start, name.end), hide: [], rules: [], span: span(token.start, token.start) };
        while (peek()?.text !== '}') statement(block, block.name);
        const close = next();
        block.span = span(token.start, close.end);
        model.identities.push(block);
        break;
      }
      default:
        throw new Error(`model-builder: unexpected ${token.text} at ${source.positionAt(token.start).line}:${source.positionAt(token.start).column}`);
    }
    const first = tokens[startIndex]!;
    statementLines.push({ start: first.start, startLine: source.positionAt(first.start).line, endLine: source.positionAt(last().end).line });
  }

  while (pos < tokens.length) statement(model, undefined);

  for (const comment of comments) {
    const match = /^\s*policyc-ignore\b\s*([^:]*?)\s*(?::\s*(.*?))?\s*$/u.exec(comment.text);
    if (!match) continue;
    const line = source.positionAt(comment.start).line;
    const following = statementLines.filter((s) => s.start > comment.start).sort((a, b) => a.start - b.start)[0];
    const appliesTo = comment.trailing || !following ? { startLine: line, endLine: line } : { startLine: following.startLine, endLine: following.endLine };
    const suppression: Suppression = {
      codes: (match[1] ?? '').split(/[\s,]+/u).filter((code) => code !== ''),
      appliesTo,
      span: span(comment.start, comment.start + 1 + comment.text.length),
    };
    if (match[2] !== undefined && match[2] !== '') suppression.reason = match[2];
    model.suppressions.push(suppression);
  }
  return model;
}
