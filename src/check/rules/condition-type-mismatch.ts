import { deepEqual, type ParamTypes } from '../../catalog/schema-types.js';
import type { Normalisation } from '../../catalog/types.js';
import { didYouMean } from '../../diagnostics/did-you-mean.js';
import { jsonTypeOf, type JsonType, type JsonValue } from '../../model/json.js';
import type { LiteralNode, PathNode, RuleNode } from '../../model/policy.js';
import type { CheckContext } from '../context.js';
import type { Rule } from '../rule.js';
import { leavesOf, type LeafExpr } from '../walk.js';
import { listNames, literalText } from '../wording.js';

export const conditionTypeMismatch: Rule = {
  code: 'condition-type-mismatch',
  // Literal-only mistakes (`qty < true`) are found without a catalogue; the rest needs schemas.
  requiresCatalog: false,
  description: 'A condition compares an argument with a value it can never have.',
  check(context) {
    for (const rule of context.rules) {
      if (rule.when === undefined) continue;
      for (const leaf of leavesOf(rule.when)) checkLeaf(context, rule, leaf);
    }
  },
};

/** One selected tool's view of a path: what the schema allows and how the server normalises it. */
interface ToolParam {
  tool: string;
  param: ParamTypes;
  normalise?: Normalisation;
}

function checkLeaf(context: CheckContext, rule: RuleNode, leaf: LeafExpr): void {
  if (leaf.kind === 'exists') return;
  if (leaf.kind === 'compare' && isOrdering(leaf.op)) {
    const type = jsonTypeOf(leaf.value.value);
    if (type !== 'number' && type !== 'string') {
      context.report(
        'condition-type-mismatch',
        leaf.value.span,
        `\`${leaf.op}\` orders only numbers or strings, and ${code(literalText(leaf.value.value))} is ${article(type)}, so this comparison is always an error (false for allow and approve, true for deny); compare with a number or a string.`,
      );
      return;
    }
  }
  const params = toolParams(context, rule, leaf.path);
  if (params.length === 0) return;

  switch (leaf.kind) {
    case 'compare':
      if (isOrdering(leaf.op)) checkOrdering(context, leaf.path, leaf.op, leaf.value, params);
      else checkEquality(context, leaf.path, leaf.op === '==' ? '==' : '!=', leaf.value, params);
      return;
    case 'in':
      for (const value of leaf.values) checkEquality(context, leaf.path, leaf.negated ? 'not in' : 'in', value, params);
      return;
    case 'matches':
      if (!params.some(({ param }) => param.types.has('string'))) {
        context.report(
          'condition-type-mismatch',
          leaf.path.span,
          `\`${pathText(leaf.path)}\` is ${describe(params)}, never a string, and \`matches\` tests only strings, so this is always an error (false for allow and approve, true for deny); use \`==\` or \`in\` instead.`,
        );
      }
      return;
  }
}

function isOrdering(op: string): op is '<' | '<=' | '>' | '>=' {
  return op === '<' || op === '<=' || op === '>' || op === '>=';
}

/** The selected, catalogued tools that have the path (unknown-parameter reports the others). */
function toolParams(context: CheckContext, rule: RuleNode, path: PathNode): ToolParam[] {
  if (context.catalog === undefined) return [];
  const result: ToolParam[] = [];
  for (const tool of context.toolsOf(rule)) {
    const param = context.paramTypes(tool, path.segments);
    if (param === undefined) continue;
    const entry: ToolParam = { tool, param };
    // The catalogue's `normalize` is keyed by top-level parameter name; read as data, so that a
    // path `__proto__` or `constructor` finds nothing rather than Object.prototype.
    const normalize = context.tool(tool)?.normalize;
    const key = path.segments[0] ?? '';
    const normalise = path.segments.length === 1 && normalize !== undefined && Object.hasOwn(normalize, key) ? normalize[key] : undefined;
    if (normalise !== undefined) entry.normalise = normalise;
    result.push(entry);
  }
  return result;
}

function checkOrdering(context: CheckContext, path: PathNode, op: string, literal: LiteralNode, params: ToolParam[]): void {
  const type = jsonTypeOf(literal.value);
  if (!params.some(({ param }) => param.types.has('number') || param.types.has('string'))) {
    context.report(
      'condition-type-mismatch',
      path.span,
      `\`${pathText(path)}\` is ${describe(params)}, and \`${op}\` orders only numbers or strings, so this comparison is always an error (false for allow and approve, true for deny); use \`==\` or \`in\` instead.`,
    );
    return;
  }
  if (type !== undefined && !params.some(({ param }) => param.types.has(type))) {
    reportTypeMismatch(context, path, op, literal, params);
  }
}

/** `==`, `!=` and each element of `in` / `not in`. */
function checkEquality(context: CheckContext, path: PathNode, op: EqualityOp, literal: LiteralNode, params: ToolParam[]): void {
  const type = jsonTypeOf(literal.value);
  if (type === undefined) return;
  if (!params.some(({ param }) => param.types.has(type))) {
    reportTypeMismatch(context, path, op, literal, params);
    return;
  }
  // The type is possible; is the value? Normalisation (of strings and lists of strings) and
  // listed values (`enum`) can rule it out. One tool where it could match is enough to say nothing.
  const verdicts: ValueVerdict[] = [];
  for (const entry of params) {
    if (!entry.param.types.has(type)) continue;
    const verdict = judgeValue(entry, literal.value, type);
    if (verdict === undefined) return;
    verdicts.push(verdict);
  }
  const verdict = verdicts[0];
  if (verdict === undefined) return;
  const name = pathText(path);
  const value = code(literalText(literal.value));
  const fix = verdict.suggestion === undefined ? {} : { suggestion: literalText(verdict.suggestion) };
  const consequence = CONSEQUENCE[op](name, literalText(literal.value));
  if (verdict.kind === 'normalised') {
    const write = verdict.suggestion === undefined ? '' : `; write ${code(literalText(verdict.suggestion))}`;
    context.report(
      'condition-type-mismatch',
      literal.span,
      `the server ${NORMALISE_VERB[verdict.normalise]} \`${name}\` before acting on it and policyc compares the ${NORMALISE_ADJECTIVE[verdict.normalise]} argument, so ${value} never matches (${consequence})${write}.`,
      fix,
    );
    return;
  }
  const allowed = listNames(verdict.allowed.map((v) => (typeof v === 'string' ? v : literalText(v))), 12);
  const hint = verdict.suggestion === undefined ? '; use one of these values.' : `; did you mean ${code(literalText(verdict.suggestion))}?`;
  context.report(
    'condition-type-mismatch',
    literal.span,
    `\`${name}\` is one of ${allowed}; ${value} never matches (${consequence})${hint}`,
    fix,
  );
}

type EqualityOp = '==' | '!=' | 'in' | 'not in';

/** What a value that can never match does to the condition, by operator. */
const CONSEQUENCE: Record<EqualityOp, (name: string, value: string) => string> = {
  '==': (name, value) => `\`${name} == ${value}\` never holds`,
  '!=': (name, value) => `\`${name} != ${value}\` always holds`,
  in: (_name, value) => `${value} in this list is dead weight`,
  'not in': (_name, value) => `${value} in this list excludes nothing`,
};

function code(text: string): string {
  return `\`${text}\``;
}

type ValueVerdict =
  | { kind: 'normalised'; normalise: Normalisation; suggestion?: JsonValue }
  | { kind: 'not-listed'; allowed: readonly JsonValue[]; suggestion?: JsonValue };

const NORMALISE: Record<Normalisation, (text: string) => string> = {
  upper: (text) => text.toUpperCase(),
  lower: (text) => text.toLowerCase(),
  trim: (text) => text.trim(),
};
const NORMALISE_VERB: Record<Normalisation, string> = { upper: 'upper-cases', lower: 'lower-cases', trim: 'trims' };
const NORMALISE_ADJECTIVE: Record<Normalisation, string> = { upper: 'upper-cased', lower: 'lower-cased', trim: 'trimmed' };

/** Why `value` (of a type the parameter admits) can never equal the argument; undefined if it can. */
function judgeValue(entry: ToolParam, value: JsonValue, type: JsonType): ValueVerdict | undefined {
  const allowed = entry.param.enums.get(type);
  if (entry.normalise !== undefined) {
    const normalised = normaliseLike(value, NORMALISE[entry.normalise]);
    // The enforcer compares the normalised argument: a literal that normalisation would change
    // is a value the argument never has.
    if (!deepEqual(normalised, value)) {
      const verdict: ValueVerdict = { kind: 'normalised', normalise: entry.normalise };
      const fix = typeof normalised !== 'string' || allowed === undefined || allowed.includes(normalised) ? normalised : closest(normalised, allowed);
      if (fix !== undefined) verdict.suggestion = fix;
      return verdict;
    }
  }
  if (allowed === undefined || allowed.some((candidate) => deepEqual(candidate, value))) return undefined;
  const verdict: ValueVerdict = { kind: 'not-listed', allowed };
  const suggestion = typeof value === 'string' ? closest(value, allowed) : undefined;
  if (suggestion !== undefined) verdict.suggestion = suggestion;
  return verdict;
}

/** As the server (and the enforcer) normalise an argument: a string, or the strings of a list. */
function normaliseLike(value: JsonValue, transform: (text: string) => string): JsonValue {
  if (typeof value === 'string') return transform(value);
  if (Array.isArray(value)) return value.map((item) => (typeof item === 'string' ? transform(item) : item));
  return value;
}

function closest(value: string, allowed: readonly JsonValue[]): string | undefined {
  return didYouMean(value, allowed.filter((v): v is string => typeof v === 'string'));
}

function reportTypeMismatch(context: CheckContext, path: PathNode, op: string, literal: LiteralNode, params: ToolParam[]): void {
  const converted = convert(literal.value, params);
  const write = converted === undefined ? '' : `; write ${code(literalText(converted))}`;
  const name = pathText(path);
  const value = literalText(literal.value);
  const shown = op === 'in' || op === 'not in' ? `${name} ${op} […]` : `${name} ${op} ${value}`;
  context.report(
    'condition-type-mismatch',
    literal.span,
    `\`${name}\` is ${describe(params)}, and ${code(value)} is ${article(jsonTypeOf(literal.value))}: \`${shown}\` compares different JSON types, which is an error (false for allow and approve, true for deny)${write}.`,
    converted === undefined ? {} : { suggestion: literalText(converted) },
  );
}

/** `"100"` for a number parameter → 100; 5 for a string parameter → "5". */
function convert(value: JsonValue, params: readonly ToolParam[]): JsonValue | undefined {
  const admits = (type: JsonType) => params.some(({ param }) => param.types.has(type));
  if (typeof value === 'string' && admits('number') && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  if (typeof value === 'number' && admits('string')) return String(value);
  if (typeof value === 'string' && admits('boolean') && (value === 'true' || value === 'false')) return value === 'true';
  return undefined;
}

function pathText(path: PathNode): string {
  return path.segments.join('.');
}

const TYPE_WORDS: Record<JsonType, string> = {
  string: 'a string',
  number: 'a number',
  boolean: 'a boolean',
  null: 'null',
  array: 'a list',
  object: 'an object',
};

function article(type: JsonType | undefined): string {
  return type === undefined ? 'not a JSON value' : TYPE_WORDS[type];
}

/** `a number`, `a string or null`, `a list of strings`; with the tools named when they differ. */
function describe(params: readonly ToolParam[]): string {
  const texts = params.map(({ param }) => describeParam(param));
  const distinct = [...new Set(texts)];
  if (distinct.length === 1) return distinct[0] ?? '';
  return distinct.map((text) => `${text} in ${listNames(params.filter((_, i) => texts[i] === text).map((p) => p.tool), 3)}`).join(', ');
}

function describeParam(param: ParamTypes): string {
  const order: JsonType[] = ['string', 'number', 'boolean', 'object', 'array', 'null'];
  const words = order
    .filter((type) => param.types.has(type))
    .map((type) => {
      if (type !== 'array' || param.items === undefined) return TYPE_WORDS[type];
      const inner = describeParam(param.items).replace(/^an? /, '');
      return `a list of ${inner}${inner.endsWith('null') ? '' : 's'}`.replace(/ or (\w+)s$/, ' or $1');
    });
  if (words.length <= 1) return words[0] ?? 'never present';
  return `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}
