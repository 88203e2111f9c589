// The document as a plain JSON-like value, for schema validation, and the way back: from a
// place in that value (a JSON pointer, as ajv reports it) to the YAML node it came from.
// Aliases are expanded here, so this is where alias bombs and alias cycles are stopped.

import { isAlias, isMap, isScalar, isSeq, type ParsedNode } from 'yaml';

import { report } from '../../diagnostics/codes.js';
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import { MAX_NESTING } from './read.js';
import { deref, keyText, nodeSpan, type PathSegment, type YamlPair, type YamlTree } from './tree.js';

/** Expanding aliases may multiply the document, but not by much: a policy has no use for more. */
const EXPANSION_FACTOR = 4;
const EXPANSION_SLACK = 10_000;

export type PlainResult = { ok: true; value: unknown } | { ok: false; diagnostics: Diagnostic[] };

/** Maps become null-prototype objects, so a key such as `__proto__` is just a key. First key wins. */
export function toPlainValue(tree: YamlTree): PlainResult {
  const { source } = tree;
  let budget = EXPANSION_FACTOR * source.text.length + EXPANSION_SLACK;
  const active = new Set<ParsedNode>();
  let stopped: Diagnostic | undefined;
  const stop = (diagnostic: Diagnostic): null => {
    stopped ??= diagnostic;
    return null;
  };

  const convert = (node: ParsedNode | null, depth: number, via: ParsedNode | undefined): unknown => {
    if (!node || stopped) return null;
    if (--budget < 0) {
      const message = 'the aliases in this file expand to far more values than it contains (an "alias bomb"); write the values out or use fewer aliases';
      return stop(report('syntax-error', nodeSpan(source, via ?? node), message));
    }
    if (isAlias(node)) {
      const target = deref(tree, node);
      if (!target) return null; // reported when the tree was built
      if (active.has(target)) {
        return stop(report('syntax-error', nodeSpan(source, node), `the alias \`*${node.source}\` refers to a node that contains it, which never ends`));
      }
      return convert(target, depth, via ?? node);
    }
    if (isScalar(node)) return scalarValue(node.value);
    if (depth >= MAX_NESTING) {
      const message = `aliases nest the YAML more than ${MAX_NESTING} levels deep; a policy needs about six`;
      return stop(report('nesting-too-deep', nodeSpan(source, via ?? node), message));
    }
    active.add(node);
    let value: unknown = null;
    if (isSeq(node)) value = node.items.map((item) => convert(item, depth + 1, via));
    if (isMap(node)) {
      const object = Object.create(null) as Record<string, unknown>;
      for (const pair of node.items as YamlPair[]) {
        const key = keyText(pair);
        if (key === undefined || Object.hasOwn(object, key)) continue;
        object[key] = convert(pair.value, depth + 1, via);
      }
      value = object;
    }
    active.delete(node);
    return value;
  };

  const value = convert(tree.doc.contents, 0, undefined);
  return stopped ? { ok: false, diagnostics: [stopped] } : { ok: true, value };
}

/** YAML numbers beyond JSON (`.inf`, `.nan`) stay numbers; the schema rejects them where it matters. */
function scalarValue(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return null;
  return value;
}

export interface Located {
  /** The node at the path (aliases followed), when there is one. */
  node?: ParsedNode;
  /** The pair whose value it is, when the last step was a key. */
  pair?: YamlPair;
}

/** The node at a path, following aliases; the same first-key-wins choice as toPlainValue. */
export function locate(tree: YamlTree, path: readonly PathSegment[]): Located {
  let node = deref(tree, tree.doc.contents);
  let pair: YamlPair | undefined;
  for (const segment of path) {
    pair = undefined;
    if (isMap(node)) {
      pair = (node.items as YamlPair[]).find((item) => keyText(item) === String(segment));
      node = deref(tree, pair?.value);
    } else if (isSeq(node) && typeof segment === 'number') {
      node = deref(tree, node.items[segment]);
    } else {
      return {};
    }
    if (!node && !pair) return {};
  }
  return { node, pair };
}

/** `/rules/0/allow` → ['rules', 0, 'allow']; numbers stay numbers only where the value is a list. */
export function pointerSegments(pointer: string, root: unknown): PathSegment[] {
  if (pointer === '') return [];
  const segments: PathSegment[] = [];
  let value = root;
  for (const raw of pointer.slice(1).split('/')) {
    const text = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(value) && /^(0|[1-9][0-9]*)$/.test(text)) {
      const index = Number(text);
      segments.push(index);
      value = value[index];
    } else {
      segments.push(text);
      value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[text] : undefined;
    }
  }
  return segments;
}
