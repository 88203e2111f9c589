// Stage 2: the composed document as a tree the later stages can read safely. `yaml` composes
// aliases without resolving them, lets duplicate keys through (we turned its check off to report
// both places) and accepts lists as keys; this pass resolves every alias once, in document order,
// and reports those problems with positions.

import { isAlias, isMap, isScalar, isSeq, type Alias, type Document, type Pair, type ParsedNode, type YAMLSeq } from 'yaml';

import { report, type Code } from '../../diagnostics/codes.js';
import type { Diagnostic, Span } from '../../diagnostics/diagnostic.js';
import type { SourceText } from '../../diagnostics/source.js';

export type YamlPair = Pair<ParsedNode, ParsedNode | null>;
export type PathSegment = string | number;

export interface YamlTree {
  source: SourceText;
  doc: Document.Parsed;
  /** What each alias stands for: the last node anchored with its name before it. */
  aliasTargets: Map<Alias, ParsedNode>;
}

const TOP_LEVEL_STATEMENTS = new Set(['version', 'server', 'default']);

export function buildTree(source: SourceText, doc: Document.Parsed): { tree: YamlTree; diagnostics: Diagnostic[] } {
  const tree: YamlTree = { source, doc, aliasTargets: new Map() };
  const diagnostics: Diagnostic[] = [];
  const anchors = new Map<string, ParsedNode>();

  const visit = (node: ParsedNode | null, path: PathSegment[]): void => {
    if (!node) return;
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (target) tree.aliasTargets.set(node, target);
      else {
        const message = `the alias \`*${node.source}\` refers to no anchor \`&${node.source}\` before it; a glob that starts with \`*\` must be quoted: \`"*${node.source}"\``;
        diagnostics.push(report('syntax-error', nodeSpan(source, node), message));
      }
      return;
    }
    if (node.anchor) anchors.set(node.anchor, node);
    if (isSeq(node)) node.items.forEach((item, index) => visit(item, [...path, index]));
    if (!isMap(node)) return;
    const firstKeys = new Map<string, ParsedNode>();
    for (const pair of node.items as YamlPair[]) {
      visit(pair.key, path);
      const key = keyText(pair);
      if (key === undefined) {
        diagnostics.push(report('schema-error', nodeSpan(source, pair.key), 'a key must be a plain name, not a list, a mapping or an alias'));
      } else {
        const first = firstKeys.get(key);
        if (first) diagnostics.push(duplicateKey(source, key, path, first, pair.key));
        else firstKeys.set(key, pair.key);
      }
      visit(pair.value, key === undefined ? path : [...path, key]);
    }
  };
  visit(doc.contents, []);
  return { tree, diagnostics };
}

function duplicateKey(source: SourceText, key: string, path: readonly PathSegment[], first: ParsedNode, second: ParsedNode): Diagnostic {
  const related = [{ message: `\`${key}\` is first given here`, span: nodeSpan(source, first) }];
  let code: Code = 'schema-error';
  let message = `\`${key}\` is given twice in the same mapping; YAML keeps only one of them, so merge the two`;
  if (path.length === 1 && path[0] === 'identities') {
    code = 'duplicate-identity';
    message = `identity \`${key}\` is defined twice; merge the two blocks into one`;
  } else if (path.length === 0 && TOP_LEVEL_STATEMENTS.has(key)) {
    code = 'duplicate-statement';
    message = `\`${key}\` is given twice; keep one of them`;
  }
  return report(code, nodeSpan(source, second), message, { related });
}

/** A pair's key as text, when it is a scalar; `1:` and `true:` are the names `1` and `true`. */
export function keyText(pair: YamlPair): string | undefined {
  const key = pair.key;
  if (!isScalar(key)) return undefined;
  const value: unknown = key.value;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null) return key.source ?? '';
  return undefined;
}

/** The node an alias stands for (one step: an anchor never sits on an alias). */
export function deref(tree: YamlTree, node: ParsedNode | null | undefined): ParsedNode | undefined {
  if (!node) return undefined;
  if (isAlias(node)) return tree.aliasTargets.get(node);
  return node;
}

/** The node's source, without the whitespace and line breaks `yaml` counts into a collection's range. */
export function nodeSpan(source: SourceText, node: ParsedNode): Span {
  const [start, valueEnd] = node.range;
  return source.span(start, trimEnd(source.text, start, valueEnd));
}

/** From the key to the end of the value. */
export function pairSpan(source: SourceText, pair: YamlPair): Span {
  const start = pair.key.range[0];
  const end = pair.value ? pair.value.range[1] : pair.key.range[1];
  return source.span(start, trimEnd(source.text, start, Math.max(end, pair.key.range[1])));
}

/** For a value written `key:` with nothing after it, the key is the place to point at. */
export function isEmptyValue(node: ParsedNode | null): boolean {
  return !node || (isScalar(node) && node.value === null && node.range[0] === node.range[1]);
}

export function trimEnd(text: string, start: number, end: number): number {
  let at = Math.min(end, text.length);
  while (at > start && /\s/.test(text[at - 1]!)) at--;
  return at;
}

/**
 * Where each item of a sequence starts: at its `-` in block style (so that a rule's span covers
 * the whole list item), at the item itself in flow style.
 */
export function seqItemStarts(seq: YAMLSeq.Parsed): number[] {
  const starts = seq.items.map((item) => item.range[0]);
  const token = seq.srcToken;
  if (token?.type !== 'block-seq') return starts;
  const dashes = token.items.flatMap((item) => item.start.filter((part) => part.type === 'seq-item-ind').map((part) => part.offset).slice(0, 1));
  return dashes.length === starts.length ? dashes : starts;
}
