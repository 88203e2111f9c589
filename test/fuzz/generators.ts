// Arbitrary but valid policies, as PolicyModels, over two catalogues: the Futu one that ships and
// a synthetic one whose tool names need quoting (keywords, spaces, dots, a `*`, `__proto__`).
// Every model is one a front end could produce: printable in the DSL and in YAML, and free of
// front-end errors (lint findings, such as unknown tools, are welcome). Spans are placeholders:
// the properties print a model and read the text back.

import fc from 'fast-check';

import { builtinCatalog } from '../../src/catalog/builtin.js';
import { RISKS, TOOL_CLASSES, type Catalog, type CatalogTool, type Normalisation } from '../../src/catalog/types.js';
import type { Span } from '../../src/diagnostics/diagnostic.js';
import type { CompareOp } from '../../src/model/condition.js';
import type { JsonValue } from '../../src/model/json.js';
import type { Expr, HideNode, IdentityNode, LimitNode, LimitScope, PathNode, PolicyModel, RiskOp, RuleNode, Selector } from '../../src/model/policy.js';
import { parseDuration } from '../../src/model/text.js';

export const SPAN: Span = { file: 'fuzz', start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } };

// --- catalogues --------------------------------------------------------------------------------

export const FUTU = builtinCatalog('futu-stock-mcp-server')!;

function tool(name: string, index: number, normalize?: Record<string, Normalisation>): CatalogTool {
  return {
    name,
    description: name,
    inputSchema: { type: 'object' },
    class: TOOL_CLASSES[index % TOOL_CLASSES.length]!,
    risk: RISKS[(index * 3) % RISKS.length]!,
    capabilities: [],
    reviewed: true,
    ...(normalize ? { normalize } : {}),
  };
}

/** Tool names that a policy must quote or that test the printer's word boundaries. */
export const SYNTHETIC = {
  name: 'synthetic',
  tools: [
    tool('alpha', 0, { mode: 'upper' }),
    tool('beta_1', 1, { name: 'trim', mode: 'lower' }),
    tool('allow', 2),
    tool('class', 3, { k: 'upper' }),
    tool('not', 4),
    tool('my tool', 5, { mode: 'upper' }),
    tool('x.y', 6),
    tool('1st', 7),
    tool('dash-name', 8, { name: 'upper' }),
    tool('get_*star', 9),
    tool('ünïcode', 10),
    tool('true', 11),
    tool('limit', 12),
    tool('__proto__', 13, { mode: 'trim' }),
    tool('constructor', 14),
    tool('a"quote', 15),
  ],
} satisfies Catalog;

export interface Universe {
  catalog: Catalog;
  /** Argument paths conditions read: the catalogue's arguments, nested ones, odd keys. */
  paths: string[][];
  /** Strings worth comparing with: the catalogue's enum values and their lower-case forms. */
  strings: string[];
}

const ODD_PATHS: string[][] = [['limit'], ['a b'], ['1x'], ['__proto__'], ['x', 'limit', 'y'], [''], ['constructor'], ['o', 'p'], ['a.b'], ['true', 'x']];

/** Counterexamples name the catalogue instead of printing all of it. */
function named(universe: Universe): Universe {
  return Object.assign(universe, { [fc.toStringMethod]: () => `<${universe.catalog.name} catalogue>` });
}

export const UNIVERSES: Universe[] = [
  named({
    catalog: FUTU,
    paths: [['trd_env'], ['qty'], ['price'], ['code'], ['trd_side'], ['order_type'], ['modify_order_op'], ['remark'], ['order', 'qty'], ...ODD_PATHS],
    strings: ['SIMULATE', 'simulate', 'REAL', 'real', 'HK.00700', 'US.AAPL', 'BUY', 'sell', 'NORMAL', 'MARKET'],
  }),
  named({
    catalog: SYNTHETIC,
    paths: [['mode'], ['name'], ['k'], ['n'], ['mode', 'deep'], ...ODD_PATHS],
    strings: ['ON', 'on', ' padded ', 'X', 'x', ''],
  }),
];

// --- values ------------------------------------------------------------------------------------

const ODD_STRINGS = ['', ' ', 'é', '"', '\\', '\n', '\t', '\u0000', '\u007f', '\u2028', '\ud800', '😀', '# not a comment', 'a: b', '*', '`'];

export function stringValue(universe: Universe): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...universe.strings) },
    { weight: 2, arbitrary: fc.constantFrom(...ODD_STRINGS) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  );
}

export function numberValue(): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: -5, max: 1000 }) },
    { weight: 1, arbitrary: fc.constantFrom(0, -0, 0.5, -0.5, 100, 1e21, 5e-324, Number.MAX_SAFE_INTEGER) },
    { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  );
}

function scalarLiteral(universe: Universe): fc.Arbitrary<JsonValue> {
  return fc.oneof({ weight: 4, arbitrary: stringValue(universe) }, { weight: 3, arbitrary: numberValue() }, fc.boolean(), fc.constant(null));
}

function literal(universe: Universe): fc.Arbitrary<JsonValue> {
  return fc.oneof({ weight: 6, arbitrary: scalarLiteral(universe) }, { weight: 1, arbitrary: fc.array(scalarLiteral(universe), { maxLength: 3 }) });
}

// --- conditions --------------------------------------------------------------------------------

const PATTERNS = ['SIMULATE', '(HK|US)\\..+', '[A-Z]+', '.*', 'a|b', '\\d{3,5}', 'é+', ''];

function pathNode(universe: Universe): fc.Arbitrary<PathNode> {
  return fc.constantFrom(...universe.paths).map((segments) => ({ segments: [...segments], span: SPAN }));
}

function leaf(universe: Universe): fc.Arbitrary<Expr> {
  const value = (arbitrary: fc.Arbitrary<JsonValue>) => arbitrary.map((v) => ({ value: v, span: SPAN }));
  return fc.oneof(
    { weight: 4, arbitrary: fc.record({ op: fc.constantFrom<CompareOp>('==', '!=', '<', '<=', '>', '>='), path: pathNode(universe), value: value(literal(universe)) }).map((e): Expr => ({ kind: 'compare', ...e, span: SPAN })) },
    { weight: 2, arbitrary: fc.record({ negated: fc.boolean(), path: pathNode(universe), values: fc.array(value(scalarLiteral(universe)), { maxLength: 4 }) }).map((e): Expr => ({ kind: 'in', ...e, span: SPAN })) },
    { weight: 1, arbitrary: fc.record({ path: pathNode(universe), pattern: value(fc.constantFrom(...PATTERNS)) }).map((e): Expr => ({ kind: 'matches', ...e, span: SPAN })) },
    { weight: 1, arbitrary: pathNode(universe).map((path): Expr => ({ kind: 'exists', path, span: SPAN })) },
  );
}

export function expr(universe: Universe, depth = 3): fc.Arbitrary<Expr> {
  if (depth === 0) return leaf(universe);
  const inner = expr(universe, depth - 1);
  return fc.oneof(
    { weight: 3, arbitrary: leaf(universe) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom<'and' | 'or'>('and', 'or'), operands: fc.array(inner, { minLength: 2, maxLength: 4 }) }).map((e): Expr => ({ ...e, span: SPAN })) },
    { weight: 1, arbitrary: inner.map((operand): Expr => ({ kind: 'not', operand, span: SPAN })) },
  );
}

// --- selectors ---------------------------------------------------------------------------------

const UNKNOWN_NAMES = ['get_stok_quote', 'nope', 'two words', 'deny', 'get_order_list2'];
const GLOB_PARTS = ['get', '_', 'order', 'list', '*', '?', 'a', 'l', '.', '-', '1', 'e'];

const glob = fc
  .array(fc.constantFrom(...GLOB_PARTS), { minLength: 1, maxLength: 6 })
  .map((parts) => parts.join(''))
  .filter((pattern) => /[*?]/.test(pattern) && pattern !== '*');

export function selector(universe: Universe): fc.Arbitrary<Selector> {
  const names = universe.catalog.tools.map((t) => t.name);
  return fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...names).map((name): Selector => ({ kind: 'name', name, span: SPAN })) },
    { weight: 1, arbitrary: fc.constantFrom(...UNKNOWN_NAMES).map((name): Selector => ({ kind: 'name', name, span: SPAN })) },
    { weight: 2, arbitrary: glob.map((pattern): Selector => ({ kind: 'glob', pattern, span: SPAN })) },
    { weight: 2, arbitrary: fc.constantFrom(...TOOL_CLASSES, 'unknown_class').map((name): Selector => ({ kind: 'class', class: name, span: SPAN })) },
    {
      weight: 2,
      arbitrary: fc
        .record({ op: fc.constantFrom<RiskOp>('==', '>=', '>', '<=', '<'), risk: fc.constantFrom(...RISKS, 'extreme') })
        .map((e): Selector => ({ kind: 'risk', ...e, span: SPAN })),
    },
    { weight: 1, arbitrary: fc.constant<Selector>({ kind: 'all', span: SPAN }) },
  );
}

// --- statements --------------------------------------------------------------------------------

export const limitNode: fc.Arbitrary<LimitNode> = fc
  .record({
    max: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 1_000_000 })),
    unit: fc.constantFrom('s', 'm', 'h', 'd'),
    amount: fc.integer({ min: 1, max: 90 }),
    by: fc.constantFrom<LimitScope>('identity', 'session', 'global'),
    byWritten: fc.boolean(),
  })
  .map(({ max, unit, amount, by, byWritten }) => {
    const text = `${amount}${unit}`;
    const limit: LimitNode = { max, maxSpan: SPAN, per: { text, ms: parseDuration(text)!, span: SPAN }, by, span: SPAN };
    if (byWritten || by !== 'identity') limit.bySpan = SPAN;
    return limit;
  });

const reasonText = fc.oneof(
  fc.constantFrom('paper trading only, small size', 'a "quoted" reason', 'line\nbreak', 'tab\there', '# hash', 'é 😀', 'a: b', ' spaced '),
  fc.string({ unit: 'binary', maxLength: 20 }),
);

function rule(universe: Universe, identity: string | undefined): fc.Arbitrary<RuleNode> {
  return fc
    .record(
      {
        effect: fc.constantFrom<RuleNode['effect']>('allow', 'deny', 'approve'),
        selectors: fc.array(selector(universe), { minLength: 1, maxLength: 3 }),
        when: expr(universe),
        limit: limitNode,
        reason: reasonText,
      },
      { requiredKeys: ['effect', 'selectors'] },
    )
    .map(({ effect, selectors, when, limit, reason }) => {
      const node: RuleNode = { effect, effectSpan: SPAN, selectors, span: SPAN };
      if (when !== undefined) node.when = when;
      if (limit !== undefined) node.limit = limit;
      if (reason !== undefined) node.reason = { text: reason, span: SPAN };
      if (identity !== undefined) node.identity = identity;
      return node;
    });
}

function hide(universe: Universe, identity: string | undefined): fc.Arbitrary<HideNode> {
  return fc.array(selector(universe), { minLength: 1, maxLength: 3 }).map((selectors) => (identity === undefined ? { selectors, span: SPAN } : { selectors, identity, span: SPAN }));
}

const IDENTITY_NAMES = ['research-bot', 'ops', 'guest', 'a b', 'allow', '__proto__', 'constructor', 'ünï', '"q"', 'x: y', '1', 'true', 'null', '*'];

function identity(universe: Universe, name: string): fc.Arbitrary<IdentityNode> {
  return fc
    .record({ hide: fc.array(hide(universe, name), { maxLength: 2 }), rules: fc.array(rule(universe, name), { maxLength: 3 }) })
    .map(({ hide: hides, rules }) => ({ name, nameSpan: SPAN, hide: hides, rules, span: SPAN }));
}

export function policyModel(universe: Universe): fc.Arbitrary<PolicyModel> {
  return fc
    .record({
      version: fc.option(fc.constantFrom<JsonValue>(1, '1'), { nil: undefined }),
      server: fc.boolean(),
      default: fc.option(fc.constantFrom<'allow' | 'deny'>('allow', 'deny'), { nil: undefined }),
      hide: fc.array(hide(universe, undefined), { maxLength: 2 }),
      rules: fc.array(rule(universe, undefined), { maxLength: 6 }),
      limits: fc.array(limitNode, { maxLength: 2 }),
      identities: fc.uniqueArray(fc.constantFrom(...IDENTITY_NAMES), { maxLength: 3 }).chain((names) => fc.tuple(...names.map((name) => identity(universe, name)))),
    })
    .map((parts) => {
      const model: PolicyModel = { file: 'fuzz', syntax: 'dsl', hide: parts.hide, rules: parts.rules, limits: parts.limits, identities: parts.identities, suppressions: [] };
      if (parts.version !== undefined) model.version = { value: parts.version, span: SPAN };
      if (parts.server) model.server = { name: universe.catalog.name, span: SPAN };
      if (parts.default !== undefined) model.default = { value: parts.default, span: SPAN };
      return model;
    });
}

/** A universe and a policy over it. */
export const anyPolicy: fc.Arbitrary<{ universe: Universe; model: PolicyModel }> = fc
  .constantFrom(...UNIVERSES)
  .chain((universe) => policyModel(universe).map((model) => ({ universe, model })));
