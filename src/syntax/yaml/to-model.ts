// Stage 4: the YAML tree → the shared PolicyModel. Selector and `when:` strings are DSL text,
// parsed by the DSL front end as fragments whose offsets map back into the YAML file. The
// schema has already reported every malformed part; here a part that is malformed is left out
// (never guessed at), and the rest of the policy still makes it into the model.

import { isMap, isScalar, isSeq, type ParsedNode, type Scalar, type YAMLMap } from 'yaml';

import type { Diagnostic, Span } from '../../diagnostics/diagnostic.js';
import type {
  DurationNode,
  Effect,
  Expr,
  HideNode,
  IdentityNode,
  LimitNode,
  LimitScope,
  PolicyModel,
  RuleNode,
  Selector,
} from '../../model/policy.js';
import { emptyPolicy } from '../../model/policy.js';
import { parseDuration } from '../../model/text.js';
import { parseConditionFragment, parseSelectorFragment } from '../dsl/index.js';
import type { Fragment } from '../fragment.js';
import { scalarOffsetMap } from './scalar-offsets.js';
import { EFFECT_KEYS } from './source-schema.js';
import { deref, keyText, nodeSpan, pairSpan, seqItemStarts, trimEnd, type YamlPair, type YamlTree } from './tree.js';

const LIMIT_SCOPES: readonly string[] = ['identity', 'session', 'global'] satisfies LimitScope[];

interface Builder {
  tree: YamlTree;
  diagnostics: Diagnostic[];
}

export function buildModel(tree: YamlTree): { model: PolicyModel; diagnostics: Diagnostic[] } {
  const builder: Builder = { tree, diagnostics: [] };
  const model = emptyPolicy(tree.source.file, 'yaml');
  const root = deref(tree, tree.doc.contents);
  if (!isMap(root)) return { model, diagnostics: [] };
  for (const pair of pairs(root)) {
    const value = deref(tree, pair.value);
    const span = pairSpan(tree.source, pair);
    // As in the DSL, `version`, `server` and `default` point at the value, statements at all of it.
    const valueSpan = isScalar(value) ? nodeSpan(tree.source, value) : span;
    switch (keyText(pair)) {
      case 'version':
        if (!model.version && isScalar(value) && (typeof value.value === 'number' || typeof value.value === 'string')) {
          model.version = { value: value.value, span: valueSpan };
        }
        break;
      case 'server':
        if (!model.server && isScalar(value) && typeof value.value === 'string' && value.value !== '') model.server = { name: value.value, span: valueSpan };
        break;
      case 'default':
        if (!model.default && isScalar(value) && (value.value === 'allow' || value.value === 'deny')) model.default = { value: value.value, span: valueSpan };
        break;
      case 'hide':
        model.hide.push(...hideNode(builder, value, span, undefined));
        break;
      case 'rules':
        model.rules.push(...rules(builder, value, undefined));
        break;
      case 'limits':
        if (isSeq(value)) {
          const starts = seqItemStarts(value);
          value.items.forEach((item, index) => {
            const limit = limitNode(builder, deref(tree, item), itemSpan(tree, item, starts[index]));
            if (limit) model.limits.push(limit);
          });
        }
        break;
      case 'identities':
        if (isMap(value)) for (const identity of pairs(value)) model.identities.push(...identityNode(builder, identity));
        break;
    }
  }
  return { model, diagnostics: builder.diagnostics };
}

function pairs(map: YAMLMap.Parsed): YamlPair[] {
  return map.items as YamlPair[];
}

/** A list item's span: from its `-` to the end of its content. */
function itemSpan(tree: YamlTree, item: ParsedNode, start: number | undefined): Span {
  const from = start ?? item.range[0];
  return tree.source.span(from, trimEnd(tree.source.text, from, item.range[1]));
}

function identityNode(builder: Builder, pair: YamlPair): IdentityNode[] {
  const { tree } = builder;
  const name = keyText(pair);
  const body = deref(tree, pair.value);
  if (name === undefined || name === '' || !isMap(body)) return [];
  const identity: IdentityNode = { name, nameSpan: nodeSpan(tree.source, pair.key), hide: [], rules: [], span: pairSpan(tree.source, pair) };
  for (const inner of pairs(body)) {
    const value = deref(tree, inner.value);
    const key = keyText(inner);
    if (key === 'hide') identity.hide.push(...hideNode(builder, value, pairSpan(tree.source, inner), name));
    if (key === 'rules') identity.rules.push(...rules(builder, value, name));
  }
  return [identity];
}

function hideNode(builder: Builder, value: ParsedNode | undefined, span: Span, identity: string | undefined): HideNode[] {
  const selectors = selectorList(builder, value);
  if (selectors === undefined) return [];
  return [identity === undefined ? { selectors, span } : { selectors, identity, span }];
}

function rules(builder: Builder, value: ParsedNode | undefined, identity: string | undefined): RuleNode[] {
  if (!isSeq(value)) return [];
  const starts = seqItemStarts(value);
  return value.items.flatMap((item, index) => {
    const rule = ruleNode(builder, deref(builder.tree, item), itemSpan(builder.tree, item, starts[index]), identity);
    return rule ? [rule] : [];
  });
}

function ruleNode(builder: Builder, node: ParsedNode | undefined, span: Span, identity: string | undefined): RuleNode | undefined {
  const { tree } = builder;
  if (!isMap(node)) return undefined;
  const effects = pairs(node).filter((pair) => (EFFECT_KEYS as readonly (string | undefined)[]).includes(keyText(pair)));
  const effectPair = effects[0];
  // A rule with no effect, or two, is reported by the schema; guessing which was meant could open a door.
  if (!effectPair || effects.length > 1) return undefined;
  const selectors = selectorList(builder, deref(tree, effectPair.value));
  if (selectors === undefined) return undefined;
  const rule: RuleNode = { effect: keyText(effectPair) as Effect, effectSpan: nodeSpan(tree.source, effectPair.key), selectors, span };
  for (const pair of pairs(node)) {
    const value = deref(tree, pair.value);
    switch (keyText(pair)) {
      case 'when': {
        const when = condition(builder, value);
        if (when) rule.when = when;
        break;
      }
      case 'limit': {
        const limit = limitNode(builder, value, pairSpan(tree.source, pair));
        if (limit) rule.limit = limit;
        break;
      }
      case 'reason':
        if (isScalar(value) && typeof value.value === 'string') rule.reason = { text: value.value, span: nodeSpan(tree.source, value) };
        break;
    }
  }
  if (identity !== undefined) rule.identity = identity;
  return rule;
}

/** The selectors of a string or a list of strings; undefined when the value is neither. */
function selectorList(builder: Builder, value: ParsedNode | undefined): Selector[] | undefined {
  const strings = isSeq(value) ? value.items.map((item) => deref(builder.tree, item)) : [value];
  if (strings.length === 0 || !strings.every(isTextScalar)) return undefined;
  const selectors: Selector[] = [];
  for (const scalar of strings) {
    if (scalar.value === '') continue;
    const parsed = parseSelectorFragment(fragment(builder.tree, scalar));
    selectors.push(...parsed.selectors);
    builder.diagnostics.push(...parsed.diagnostics);
  }
  return selectors;
}

function condition(builder: Builder, value: ParsedNode | undefined): Expr | undefined {
  if (!isTextScalar(value) || value.value.trim() === '') return undefined;
  const parsed = parseConditionFragment(fragment(builder.tree, value));
  builder.diagnostics.push(...parsed.diagnostics);
  return parsed.expr;
}

function isTextScalar(node: ParsedNode | undefined): node is Scalar.Parsed & { value: string } {
  return isScalar(node) && typeof node.value === 'string';
}

function fragment(tree: YamlTree, scalar: Scalar.Parsed & { value: string }): Fragment {
  return { source: tree.source, text: scalar.value, toFileOffset: scalarOffsetMap(tree.source.text, scalar) };
}

/** `{max, per, by}`; left out when `max` is not a whole number, `per` not text or `by` not a scope. */
function limitNode(builder: Builder, node: ParsedNode | undefined, span: Span): LimitNode | undefined {
  const { tree } = builder;
  if (!isMap(node)) return undefined;
  let max: { value: number; span: Span } | undefined;
  let per: DurationNode | undefined;
  let by: { value: LimitScope; span: Span } | undefined;
  for (const pair of pairs(node)) {
    const key = keyText(pair);
    if (key !== 'max' && key !== 'per' && key !== 'by') continue;
    const value = deref(tree, pair.value);
    if (!isScalar(value)) return undefined;
    const written = value.value;
    const valueSpan = nodeSpan(tree.source, value);
    if (key === 'max') {
      if (typeof written !== 'number' || !Number.isInteger(written)) return undefined;
      max ??= { value: written, span: valueSpan };
    } else if (key === 'per') {
      if (typeof written !== 'string') return undefined;
      per ??= { text: written, ms: parseDuration(written) ?? Number.NaN, span: valueSpan };
    } else {
      if (typeof written !== 'string' || !LIMIT_SCOPES.includes(written)) return undefined;
      by ??= { value: written as LimitScope, span: pairSpan(tree.source, pair) };
    }
  }
  if (!max || !per) return undefined;
  const limit: LimitNode = { max: max.value, maxSpan: max.span, per, by: by?.value ?? 'identity', span };
  if (by) limit.bySpan = by.span;
  return limit;
}
