// The values of one argument path, split into the classes the conditions can tell apart.
//
// Every condition leaf compares one path with literals (`qty <= 100`, `trd_env in [...]`,
// `code matches "HK\..*"`, `x exists`). Those literals cut the values a path can hold into
// finitely many cells: each literal, the gaps between ordered literals, "another string",
// "another number", null, true, false, arrays and objects (each literal one, and "another"),
// and "missing". Inside a cell every leaf gives the same answer, so one representative per cell
// decides the cell. Representatives are then grouped by what the leaves answer on them (their
// signature), computed with the enforcer's own condition code on the arguments as the enforcer
// normalises them: two values with one signature are interchangeable for every condition.
//
// Normalisation: the enforcer compares normalised arguments (the Futu server upper-cases enum
// strings). The transformations are idempotent, so every value behaves as some fixed point of
// them (its normalised form); representatives are therefore chosen among fixed points, and a cell
// without one (the literal "simulate" under upper-casing) is one no call can reach.
//
// A `matches` pattern cuts a string cell in two (strings it matches, strings it does not) along
// a line no finite set of literals describes. The generator in regex-witness.ts proposes strings;
// when they do not show every combination of the patterns' answers inside a cell, the domain is
// marked inexact and the analysis makes no claim that needs every value.

import { compileCondition, type Tri } from '../enforce/condition.js';
import { applyNormalisation, type NormaliseStep } from '../enforce/normalize.js';
import type { LeafCondition } from '../model/condition.js';
import { jsonTypeOf, type JsonObject, type JsonType, type JsonValue } from '../model/json.js';
import { regexWitnesses } from './regex-witness.js';

/** A path that is absent from the arguments. */
export const MISSING: unique symbol = Symbol('missing');
export type Sample = JsonValue | typeof MISSING;

/** One leaf that reads the path, with the normalisation of the rule (or probe) it belongs to. */
export interface PathLeaf {
  leaf: LeafCondition;
  steps: readonly NormaliseStep[];
}

export interface PathClass {
  sample: Sample;
  /** What each leaf of the path answers for this class, in the order of the leaves given. */
  answers: readonly Tri[];
}

export interface PathDomain {
  path: readonly string[];
  classes: readonly PathClass[];
  /** Why some behaviour of the path may have no class; undefined when the classes are exhaustive. */
  inexact?: string;
}

/** What the catalogue says about the path, used only to prefer realistic representatives. */
export interface PathHints {
  /** Values the schema lists (`enum`), tried first as representatives of a gap. */
  values: readonly JsonValue[];
  /** The JSON types the schema admits; their classes come first. */
  types: ReadonlySet<JsonType>;
}

const NO_HINTS: PathHints = { values: [], types: new Set() };

/** The arguments object with `sample` at `path` (and nothing else). */
export function argsWith(args: JsonObject, path: readonly string[], sample: Sample): JsonObject {
  if (sample === MISSING) return args;
  const [head, ...rest] = path as [string, ...string[]];
  const current = args[head];
  const inner = rest.length === 0 ? sample : argsWith(isObject(current) ? current : {}, rest, sample);
  const copy = { ...args };
  setOwn(copy, head, inner);
  return copy;
}

/** Sets an own data property; `__proto__` too, without calling Object.prototype's setter. */
export function setOwn(object: JsonObject, key: string, value: JsonValue): void {
  if (key === '__proto__') Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
  else object[key] = value;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

type Group = JsonType | 'missing';
const GROUPS: readonly Group[] = ['string', 'number', 'boolean', 'null', 'array', 'object', 'missing'];

/** What the leaves of one path compare with, sorted out by type. */
interface Literals {
  strings: string[];
  numbers: number[];
  arrays: JsonValue[];
  objects: JsonValue[];
  /** Some leaf orders strings (`<`, `>=` …): the gaps between string literals differ. */
  orderedStrings: boolean;
  orderedNumbers: boolean;
  /** The valid `matches` patterns, each once. */
  patterns: string[];
}

/** Builds the classes of one path: candidates are offered in order of preference, the first of each signature is kept. */
class DomainBuilder {
  private readonly tests: Array<(args: JsonObject) => Tri>;
  private readonly stepLists: Array<readonly NormaliseStep[]>;
  private readonly key: string | undefined;
  private readonly patternIndexes: number[];
  readonly classes = new Map<number | string, PathClass>();
  inexact: string | undefined;

  constructor(
    readonly path: readonly string[],
    leaves: readonly PathLeaf[],
  ) {
    this.tests = leaves.map(({ leaf, steps }) => {
      const compiled = compileCondition(leaf);
      return (args: JsonObject): Tri => compiled(steps.length === 0 ? args : applyNormalisation(steps, args), undefined);
    });
    this.stepLists = leaves.map((leaf) => leaf.steps).filter((steps) => steps.length > 0);
    this.key = path.length === 1 ? path[0] : undefined;
    this.patternIndexes = leaves.flatMap(({ leaf }, i) => (leaf.op === 'matches' ? [i] : []));
  }

  private argsOf(sample: Sample): JsonObject {
    if (sample === MISSING) return {};
    // A computed key defines an own property, even for `__proto__`.
    return this.key !== undefined ? { [this.key]: sample } : argsWith({}, this.path, sample);
  }

  /** Whether normalisation leaves the sample as it is (only such values can reach the conditions). */
  fixed(sample: Sample): boolean {
    if (sample === MISSING || this.key === undefined || this.stepLists.length === 0) return true;
    const args = { [this.key]: sample } as JsonObject;
    return this.stepLists.every((steps) => applyNormalisation(steps, args) === args);
  }

  /** Keeps the sample if it behaves in a way no earlier sample did; returns its answers. */
  offer(sample: Sample): Tri[] {
    const args = this.argsOf(sample);
    const answers = this.tests.map((test) => test(args));
    let key: number | string = 0;
    if (answers.length <= 30) for (let i = 0; i < answers.length; i++) key = (key as number) * 3 + answers[i]!;
    else key = answers.join('');
    if (!this.classes.has(key)) this.classes.set(key, { sample, answers });
    return answers;
  }

  /** The answers of the `matches` leaves, as a key. */
  patternKey(answers: readonly Tri[]): string {
    return this.patternIndexes.map((i) => answers[i]).join('');
  }

  missed(why: string): void {
    this.inexact ??= why;
  }
}

export function pathDomain(path: readonly string[], leaves: readonly PathLeaf[], hints: PathHints = NO_HINTS): PathDomain {
  const builder = new DomainBuilder(path, leaves);
  const literals = collectLiterals(leaves);
  // The types the schema admits first (their classes make the examples), then "missing", then the rest.
  const order = [...GROUPS.filter((g) => g !== 'missing' && hints.types.has(g)), 'missing' as const, ...GROUPS.filter((g) => g !== 'missing' && !hints.types.has(g))];
  for (const group of order) {
    switch (group) {
      case 'string':
        offerStrings(builder, literals, hints);
        break;
      case 'number':
        offerNumbers(builder, literals);
        break;
      case 'boolean':
        builder.offer(true);
        builder.offer(false);
        break;
      case 'null':
        builder.offer(null);
        break;
      case 'array':
        offerComposite(builder, literals.arrays, ARRAY_CANDIDATES);
        break;
      case 'object':
        offerComposite(builder, literals.objects, OBJECT_CANDIDATES);
        break;
      case 'missing':
        builder.offer(MISSING);
        break;
    }
  }
  const classes = [...builder.classes.values()];
  return builder.inexact === undefined ? { path, classes } : { path, classes, inexact: builder.inexact };
}

function validPattern(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}

function collectLiterals(leaves: readonly PathLeaf[]): Literals {
  const strings = new Set<string>();
  const numbers = new Set<number>();
  const arrays = new Map<string, JsonValue>();
  const objects = new Map<string, JsonValue>();
  const patterns = new Set<string>();
  let orderedStrings = false;
  let orderedNumbers = false;
  const add = (value: unknown): void => {
    switch (jsonTypeOf(value)) {
      case 'string':
        strings.add(value as string);
        break;
      case 'number':
        numbers.add((value as number) === 0 ? 0 : (value as number));
        break;
      case 'array':
        arrays.set(JSON.stringify(value), value as JsonValue);
        break;
      case 'object':
        objects.set(JSON.stringify(value), value as JsonValue);
        break;
      default:
    }
  };
  for (const { leaf } of leaves) {
    switch (leaf.op) {
      case 'exists':
        break;
      case 'matches':
        if (validPattern(leaf.value)) patterns.add(leaf.value);
        break;
      case 'in':
      case 'not_in':
        if (Array.isArray(leaf.value)) leaf.value.forEach(add);
        break;
      case '<':
      case '<=':
      case '>':
      case '>=':
        if (typeof leaf.value === 'string') orderedStrings = true;
        if (typeof leaf.value === 'number') orderedNumbers = true;
        add(leaf.value);
        break;
      default:
        add(leaf.value);
    }
  }
  return {
    strings: [...strings].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    numbers: [...numbers].sort((a, b) => a - b),
    arrays: [...arrays.values()],
    objects: [...objects.values()],
    orderedStrings,
    orderedNumbers,
    patterns: [...patterns],
  };
}

// --- strings --------------------------------------------------------------------------------

const GENERIC_STRINGS = ['OTHER', 'X', 'A', 'Z', 'other', 'x', 'a', 'z', '0', '~', ''];

function offerStrings(builder: DomainBuilder, literals: Literals, hints: PathHints): void {
  for (const literal of literals.strings) if (builder.fixed(literal)) builder.offer(literal);
  const witnesses = literals.patterns.flatMap(regexWitnesses);
  // Normalised forms too: `[a-z]+` proposes "a", which upper-casing turns into "A".
  const normalised = builder.fixed('a') ? [] : witnesses.flatMap((w) => [w.toUpperCase(), w.toLowerCase(), w.trim()]);
  const pool = [...hints.values.filter((value): value is string => typeof value === 'string'), ...witnesses, ...normalised, ...GENERIC_STRINGS];
  if (!literals.orderedStrings) {
    // Equality, `in` and patterns do not tell apart two strings that are not literals: one gap.
    const taken = new Set(literals.strings);
    const last = literals.strings[literals.strings.length - 1];
    const fallback = last === undefined ? [] : [`${last}_`, `${last}0`, `${last}A`, `${last}\u0000`];
    offerGap(builder, literals, [...pool, ...fallback].filter((text) => !taken.has(text)), false);
    return;
  }
  const bounds: Array<string | undefined> = [undefined, ...literals.strings, undefined];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const low = bounds[i];
    const high = bounds[i + 1];
    const derived = low === undefined ? [] : [`${low}_`, `${low}0`, `${low}A`, `${low}a`, `${low}~`, `${low}\u0000`];
    const inside = [...pool, ...derived].filter((text) => (low === undefined || text > low) && (high === undefined || text < high));
    // The gap (low, high) is empty exactly when high is low followed by the smallest code unit.
    const empty = high !== undefined && (low === undefined ? high === '' : high === `${low}\u0000`);
    offerGap(builder, literals, inside, empty);
  }
}

/** The strings of one gap: one representative, or, where patterns split the gap, one per combination of their answers. */
function offerGap(builder: DomainBuilder, literals: Literals, candidates: readonly string[], provablyEmpty: boolean): void {
  const where = builder.path.join('.');
  if (literals.patterns.length === 0) {
    const sample = candidates.find((text) => builder.fixed(text));
    if (sample !== undefined) builder.offer(sample);
    else if (!provablyEmpty) builder.missed(`no representative was found for some strings of ${where}`);
    return;
  }
  const seen = new Set<string>();
  for (const text of new Set(candidates)) if (builder.fixed(text)) seen.add(builder.patternKey(builder.offer(text)));
  if (seen.size === 0 && provablyEmpty) return;
  if (seen.size < 2 ** literals.patterns.length) {
    const patterns = literals.patterns.map((p) => JSON.stringify(p)).join(', ');
    builder.missed(`the strings of ${where} that ${literals.patterns.length === 1 ? `the pattern ${patterns} matches` : `the patterns ${patterns} match`} could not all be represented`);
  }
}

// --- numbers --------------------------------------------------------------------------------

const float = new Float64Array(1);
const bits = new BigInt64Array(float.buffer);

/** The next double above `x` (finite x). */
function nextUp(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  float[0] = x;
  bits[0] = bits[0]! + (x > 0 ? 1n : -1n);
  return float[0];
}

function nextDown(x: number): number {
  return -nextUp(-x);
}

const GENERIC_NUMBERS = [0, 1, -1, 2, 10, 100, 0.5, 1000];

function offerNumbers(builder: DomainBuilder, literals: Literals): void {
  for (const value of literals.numbers) builder.offer(value);
  if (!literals.orderedNumbers) {
    // Without ordering, every number that is not a literal behaves alike.
    const taken = new Set(literals.numbers);
    const max = literals.numbers[literals.numbers.length - 1] ?? 0;
    const other = [...GENERIC_NUMBERS, max + 1, nextUp(max)].find((n) => Number.isFinite(n) && !taken.has(n));
    if (other !== undefined) builder.offer(other);
    return;
  }
  const bounds = [-Infinity, ...literals.numbers, Infinity];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const low = bounds[i]!;
    const high = bounds[i + 1]!;
    // nextUp / nextDown come last: when even they fall outside, no double lies in the gap.
    const sample = gapNumbers(low, high).find((n) => Number.isFinite(n) && n > low && n < high);
    if (sample !== undefined) builder.offer(sample);
  }
}

function gapNumbers(low: number, high: number): number[] {
  if (low === -Infinity && high === Infinity) return [0];
  if (low === -Infinity) return [high - 1, 0, high - Math.abs(high) - 1, -Number.MAX_VALUE, nextDown(high)];
  if (high === Infinity) return [low + 1, 0, low + Math.abs(low) + 1, Number.MAX_VALUE, nextUp(low)];
  return [Math.floor(low) + 1, low + (high - low) / 2, low / 2 + high / 2, nextUp(low)];
}

// --- arrays and objects ---------------------------------------------------------------------

const ARRAY_CANDIDATES: JsonValue[] = [[], [0], [1], [0, 0], [[]]];
const OBJECT_CANDIDATES: JsonValue[] = [{}, { _: 0 }, { _: 1 }, { __: 0 }];

/** Each literal (that normalisation leaves alone), and one value equal to none of them. */
function offerComposite(builder: DomainBuilder, literals: readonly JsonValue[], candidates: readonly JsonValue[]): void {
  for (const literal of literals) if (builder.fixed(literal)) builder.offer(literal);
  const taken = new Set(literals.map((value) => JSON.stringify(value)));
  const other = candidates.find((value) => !taken.has(JSON.stringify(value)));
  if (other !== undefined) builder.offer(other);
}
