// A reference reading of SPEC §2 (and docs/decisions.md) straight from the policy as written:
// the PolicyModel, the catalogue and the call. No compiled policy, no resolution tables, no
// caches: selectors are matched against the one tool called, conditions are evaluated on the
// model's Expr with the three-valued logic, arguments are normalised as the catalogue says.
// The decision of the real pipeline (compile → policy.json → decide/explain) must agree.

import { RISKS, type Catalog, type CatalogTool, type Normalisation } from '../../src/catalog/types.js';
import type { JsonObject, JsonValue } from '../../src/model/json.js';
import type { Expr, LimitNode, PolicyModel, RuleNode, Selector } from '../../src/model/policy.js';

type V = true | false | 'error';

export interface ReferenceCall {
  tool: string;
  args: JsonObject;
  identity?: string;
}

export interface ReferenceDecision {
  outcome: 'allow' | 'deny' | 'approve';
  basis: 'unknown-tool' | 'hidden' | 'rule' | 'default';
  rule?: string;
  reason?: string;
  limits: { id: string; max: number; per: string; window_ms: number; by: string }[];
}

// --- selectors ---------------------------------------------------------------------------------

/** `*` any run of characters, `?` one (code points); the rest literal. */
function globMatches(pattern: string[], name: string[]): boolean {
  if (pattern.length === 0) return name.length === 0;
  const [head, ...rest] = pattern;
  if (head === '*') return globMatches(rest, name) || (name.length > 0 && globMatches(pattern, name.slice(1)));
  if (name.length === 0) return false;
  return (head === '?' || head === name[0]) && globMatches(rest, name.slice(1));
}

function selects(selector: Selector, tool: CatalogTool): boolean {
  switch (selector.kind) {
    case 'all':
      return true;
    case 'name':
      return selector.name === tool.name;
    case 'glob':
      return globMatches([...selector.pattern], [...tool.name]);
    case 'class':
      return selector.class === tool.class;
    case 'risk': {
      const wanted = (RISKS as readonly string[]).indexOf(selector.risk);
      const actual = (RISKS as readonly string[]).indexOf(tool.risk);
      if (wanted < 0) return false;
      return { '==': actual === wanted, '>=': actual >= wanted, '>': actual > wanted, '<=': actual <= wanted, '<': actual < wanted }[selector.op];
    }
  }
}

// --- conditions --------------------------------------------------------------------------------

const or = (values: V[]): V => (values.includes(true) ? true : values.includes('error') ? 'error' : false);
const and = (values: V[]): V => (values.includes(false) ? false : values.includes('error') ? 'error' : true);
const not = (value: V): V => (value === 'error' ? 'error' : !value);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function lookup(args: unknown, segments: readonly string[]): { found: false } | { found: true; value: unknown } {
  let current = args;
  for (const segment of segments) {
    if (!isObject(current) || !Object.hasOwn(current, segment)) return { found: false };
    current = current[segment];
  }
  return { found: true, value: current };
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && !Number.isFinite(value)) return 'not JSON';
  return typeof value;
}

function jsonEqual(a: unknown, b: unknown): boolean {
  if (typeOf(a) !== typeOf(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((item, i) => jsonEqual(item, (b as unknown[])[i]));
  if (isObject(a)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b as object).length && keys.every((key) => Object.hasOwn(b as object, key) && jsonEqual(a[key], (b as Record<string, unknown>)[key]));
  }
  return a === b;
}

function equals(segments: readonly string[], literal: JsonValue, args: unknown): V {
  const read = lookup(args, segments);
  if (!read.found || typeOf(read.value) === 'not JSON') return 'error';
  // Comparing values of different JSON types is an error, not false.
  return typeOf(read.value) !== typeOf(literal) ? 'error' : jsonEqual(read.value, literal);
}

export function evaluate(expr: Expr, args: unknown): V {
  switch (expr.kind) {
    case 'and':
      return and(expr.operands.map((operand) => evaluate(operand, args)));
    case 'or':
      return or(expr.operands.map((operand) => evaluate(operand, args)));
    case 'not':
      return not(evaluate(expr.operand, args));
    case 'exists':
      return lookup(args, expr.path.segments).found;
    case 'in': {
      const member = or(expr.values.map((item) => equals(expr.path.segments, item.value, args)));
      return expr.negated ? not(member) : member;
    }
    case 'matches': {
      const read = lookup(args, expr.path.segments);
      const pattern = expr.pattern.value;
      if (!read.found || typeof read.value !== 'string' || typeof pattern !== 'string') return 'error';
      try {
        return new RegExp(`^(?:${pattern})$`, 'u').test(read.value);
      } catch {
        return 'error';
      }
    }
    case 'compare': {
      if (expr.op === '==') return equals(expr.path.segments, expr.value.value, args);
      if (expr.op === '!=') return not(equals(expr.path.segments, expr.value.value, args));
      const read = lookup(args, expr.path.segments);
      const bound = expr.value.value;
      if (!read.found) return 'error';
      const value = read.value;
      const comparable = (typeof value === 'number' && Number.isFinite(value) && typeof bound === 'number') || (typeof value === 'string' && typeof bound === 'string');
      if (!comparable) return 'error';
      const [a, b] = [value as number | string, bound as number | string];
      return { '<': a < b, '<=': a <= b, '>': a > b, '>=': a >= b }[expr.op];
    }
  }
}

// --- normalisation -----------------------------------------------------------------------------

const TRANSFORMS: Record<Normalisation, (text: string) => string> = { upper: (s) => s.toUpperCase(), lower: (s) => s.toLowerCase(), trim: (s) => s.trim() };

/** The arguments as the server will act on them: every string the catalogue lists, normalised. */
function normalised(args: JsonObject, tool: CatalogTool): JsonObject {
  const copy: JsonObject = {};
  for (const key of Object.keys(args)) {
    const how = tool.normalize && Object.hasOwn(tool.normalize, key) ? tool.normalize[key] : undefined;
    let value = args[key]!;
    if (how !== undefined && typeof value === 'string') value = TRANSFORMS[how](value);
    else if (how !== undefined && Array.isArray(value)) value = value.map((item) => (typeof item === 'string' ? TRANSFORMS[how](item) : item));
    Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return copy;
}

// --- the decision ------------------------------------------------------------------------------

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function limitOf(id: string, limit: LimitNode): ReferenceDecision['limits'][number] {
  const ms = Number(limit.per.text.slice(0, -1)) * UNITS[limit.per.text.slice(-1)]!;
  // The canonical window: the largest unit that divides it.
  const unit = (['d', 'h', 'm', 's'] as const).find((u) => ms % UNITS[u]! === 0)!;
  return { id, max: limit.max, per: `${ms / UNITS[unit]!}${unit}`, window_ms: ms, by: limit.by };
}

export function referenceDecision(model: PolicyModel, catalog: Catalog, call: ReferenceCall): ReferenceDecision {
  const tool = catalog.tools.find((candidate) => candidate.name === call.tool);
  if (!tool) return { outcome: 'deny', basis: 'unknown-tool', limits: [] };

  // Rule ids: top-level rules in order, then each identity block's, blocks in order.
  const numbered: { id: string; rule: RuleNode }[] = model.rules.map((rule, i) => ({ id: `r${i + 1}`, rule }));
  for (const block of model.identities) for (const rule of block.rules) numbered.push({ id: `r${numbered.length + 1}`, rule });

  const block = call.identity === undefined ? undefined : model.identities.find((candidate) => candidate.name === call.identity);
  const hides = [...model.hide, ...(block?.hide ?? [])];
  if (hides.some((hide) => hide.selectors.some((selector) => selects(selector, tool)))) return { outcome: 'deny', basis: 'hidden', limits: [] };

  const args = normalised(call.args, tool);
  const applies = numbered.filter(({ rule }) => rule.identity === undefined || (block !== undefined && rule.identity === block.name));
  const matched = applies.filter(({ rule }) => {
    if (!rule.selectors.some((selector) => selects(selector, tool))) return false;
    const value: V = rule.when === undefined ? true : evaluate(rule.when, args);
    // An error never opens a door: it counts for deny, against allow and approve.
    return rule.effect === 'deny' ? value !== false : value === true;
  });
  const globalLimits = model.limits.map((limit, i) => limitOf(`a${i + 1}`, limit));
  const winner = (['deny', 'approve', 'allow'] as const).map((effect) => matched.find(({ rule }) => rule.effect === effect)).find((entry) => entry !== undefined);
  if (!winner) {
    return model.default?.value === 'allow' ? { outcome: 'allow', basis: 'default', limits: globalLimits } : { outcome: 'deny', basis: 'default', limits: [] };
  }
  const decision: ReferenceDecision = { outcome: winner.rule.effect, basis: 'rule', rule: winner.id, limits: [] };
  if (winner.rule.reason) decision.reason = winner.rule.reason.text;
  if (winner.rule.effect !== 'deny') {
    const ruleLimits = matched.filter(({ rule }) => rule.effect !== 'deny' && rule.limit !== undefined).map(({ id, rule }) => limitOf(id, rule.limit!));
    decision.limits = [...ruleLimits, ...globalLimits];
  }
  return decision;
}
