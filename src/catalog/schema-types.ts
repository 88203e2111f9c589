// What a tool's inputSchema says an argument path can hold: the JSON types and, where the schema
// lists them, the only values. The checks ask this to find conditions that can never hold
// (`qty == "100"`, `trd_env == "SIMULATED"`). Everything here errs towards "unknown": a check that
// cannot be sure says nothing, because a false alarm teaches people to ignore the linter.

import { jsonTypeOf, type JsonType, type JsonValue } from '../model/json.js';

const ALL_TYPES: readonly JsonType[] = ['string', 'number', 'boolean', 'null', 'array', 'object'];

export interface ParamTypes {
  /** The JSON types the value can have (`integer` counts as `number`); all six when the schema does not say. */
  types: ReadonlySet<JsonType>;
  /**
   * For a type whose values the schema lists (`enum`, `const`), those values. A type absent
   * from this map can hold any value of its type.
   */
  enums: ReadonlyMap<JsonType, readonly JsonValue[]>;
  /** What the elements of an array value can hold, where the schema says (`items`). */
  items?: ParamTypes;
}

type Schema = { [key: string]: unknown };

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One alternative of what a value can be: the `anyOf`/`oneOf` branches are kept apart. */
interface Branch {
  types: Set<JsonType>;
  /** Values the branch is limited to (`enum`, `const`), or undefined when any value of `types` is. */
  values?: JsonValue[];
  /** For object values: the schema under `key`, or undefined when the key cannot be present. */
  child(key: string): unknown;
  /** The keys the schema names (for did-you-mean). */
  names: string[];
  /** For array values: the element schema, if the schema gives one. */
  items?: unknown;
}

const ANY_KEY = (): unknown => true;

const ANY: Branch = { types: new Set(ALL_TYPES), child: ANY_KEY, names: [] };

/**
 * The types and values that `path` (keys from the arguments object down, as in `order.qty`)
 * can hold under `inputSchema`, or undefined when no value can be there: the path names a
 * property the schema does not have. Arrays are not indexed: a path never continues into an
 * array's elements.
 */
export function paramTypes(inputSchema: unknown, path: readonly string[]): ParamTypes | undefined {
  const possible = schemasAt(inputSchema, path).flatMap((schema) => branches(schema, 0));
  return possible.length === 0 ? undefined : summarise(possible, 0);
}

/** The property names the schema lists at `path` (for did-you-mean), sorted. */
export function parameterNames(inputSchema: unknown, path: readonly string[] = []): string[] {
  const names = new Set<string>();
  for (const schema of schemasAt(inputSchema, path)) {
    for (const branch of branches(schema, 0)) if (branch.types.has('object')) for (const name of branch.names) names.add(name);
  }
  return [...names].sort();
}

/** Every schema a value at `path` must satisfy one of; empty when the path cannot exist. */
function schemasAt(inputSchema: unknown, path: readonly string[]): unknown[] {
  let schemas: unknown[] = [inputSchema];
  for (const segment of path) {
    const next: unknown[] = [];
    for (const branch of schemas.flatMap((schema) => branches(schema, 0))) {
      if (!branch.types.has('object')) continue;
      const child = branch.child(segment);
      if (child !== undefined) next.push(child);
    }
    if (next.length === 0) return [];
    schemas = next;
  }
  return schemas;
}

// Schemas nest without limit in theory; real tool schemas are shallow. Past this depth we stop
// reasoning and say "anything", which is always safe.
const MAX_DEPTH = 32;

/**
 * The branches of a schema at depth 0, by schema object: a tool's inputSchema is asked about
 * each path a rule reads, and catalogues are never changed once loaded. Callers only read them.
 */
const topBranches = new WeakMap<object, Branch[]>();

function branches(schema: unknown, depth: number): Branch[] {
  if (depth === 0 && isSchema(schema)) {
    let cached = topBranches.get(schema);
    if (cached === undefined) topBranches.set(schema, (cached = computeBranches(schema, 0)));
    return cached;
  }
  return computeBranches(schema, depth);
}

function computeBranches(schema: unknown, depth: number): Branch[] {
  if (schema === false) return [];
  if (!isSchema(schema) || depth > MAX_DEPTH) return [ANY];
  // References, conditionals and negations need a resolver or a solver: treat them as "anything".
  if ('$ref' in schema || '$dynamicRef' in schema || 'if' in schema || 'not' in schema) return [ANY];

  let result: Branch[] = [ownBranch(schema)];
  const parts: unknown[][] = [];
  for (const keyword of ['anyOf', 'oneOf'] as const) {
    const list = schema[keyword];
    if (Array.isArray(list)) parts.push(list);
  }
  if (Array.isArray(schema.allOf)) for (const part of schema.allOf) parts.push([part]);
  for (const alternatives of parts) {
    const expanded = alternatives.flatMap((alternative) => branches(alternative, depth + 1));
    result = result.flatMap((left) => expanded.map((right) => intersect(left, right)));
  }
  return result.filter((branch) => branch.types.size > 0);
}

/** The branch a schema describes by itself, without its anyOf/oneOf/allOf. */
function ownBranch(schema: Schema): Branch {
  let types = declaredTypes(schema);
  let values = listedValues(schema);
  if (values !== undefined) {
    // An `enum` without `type` still says which types the value can have.
    if (!('type' in schema)) types = new Set(values.map(jsonTypeOf).filter((t) => t !== undefined));
    values = values.filter((v) => types.has(jsonTypeOf(v) ?? 'object'));
  }
  // OpenAPI's `nullable: true`, which some servers emit instead of a null branch.
  if (schema.nullable === true) {
    types.add('null');
    if (values !== undefined && !values.includes(null)) values.push(null);
  }
  const properties = isSchema(schema.properties) ? schema.properties : undefined;
  const extra = extraKeys(schema, properties !== undefined);
  const branch: Branch = {
    types,
    child: (key) => (properties !== undefined && Object.hasOwn(properties, key) ? properties[key] : extra),
    names: properties ? Object.keys(properties) : [],
  };
  if (values !== undefined) branch.values = values;
  if (schema.items !== undefined && !Array.isArray(schema.items)) branch.items = schema.items;
  return branch;
}

/**
 * The schema of a key the object schema does not name, or undefined when no such key can be
 * there. A tool schema that lists its properties describes the arguments the tool reads, even
 * without `additionalProperties: false`; one that lists none (or allows patterns) says nothing.
 */
function extraKeys(schema: Schema, hasProperties: boolean): unknown {
  if ('patternProperties' in schema) return true;
  const additional = schema.additionalProperties;
  if (additional === undefined) return hasProperties ? undefined : true;
  return additional === false ? undefined : additional;
}

function declaredTypes(schema: Schema): Set<JsonType> {
  const declared = schema.type;
  const names: unknown[] | undefined = typeof declared === 'string' ? [declared] : Array.isArray(declared) ? declared : undefined;
  if (names === undefined) return new Set(ALL_TYPES);
  const types = new Set<JsonType>();
  for (const name of names) {
    if (name === 'integer') types.add('number');
    else if (typeof name === 'string' && (ALL_TYPES as readonly string[]).includes(name)) types.add(name as JsonType);
    else return new Set(ALL_TYPES);
  }
  return types;
}

function listedValues(schema: Schema): JsonValue[] | undefined {
  if ('const' in schema) return [schema.const as JsonValue];
  if (Array.isArray(schema.enum)) return [...(schema.enum as JsonValue[])];
  return undefined;
}

/** A value that must satisfy both branches (allOf, or a schema's own keywords beside its anyOf). */
function intersect(left: Branch, right: Branch): Branch {
  const types = new Set([...left.types].filter((t) => right.types.has(t)));
  const branch: Branch = {
    types,
    child: (key) => {
      const a = left.child(key);
      const b = right.child(key);
      if (a === undefined || b === undefined) return undefined;
      return a === true ? b : b === true ? a : { allOf: [a, b] };
    },
    names: [...new Set([...left.names, ...right.names])],
  };
  let values: JsonValue[] | undefined;
  if (left.values !== undefined && right.values !== undefined) {
    const other = right.values;
    values = left.values.filter((v) => other.some((w) => deepEqual(v, w)));
  } else {
    values = left.values ?? right.values;
  }
  if (values !== undefined) branch.values = values.filter((v) => types.has(jsonTypeOf(v) ?? 'object'));
  if (left.items !== undefined && right.items !== undefined) branch.items = { allOf: [left.items, right.items] };
  else if (left.items !== undefined || right.items !== undefined) branch.items = left.items ?? right.items;
  return branch;
}

function summarise(list: readonly Branch[], depth: number): ParamTypes {
  const types = new Set<JsonType>();
  const enums = new Map<JsonType, JsonValue[]>();
  // A type is enumerated only when every branch that admits it lists its values.
  const open = new Set<JsonType>();
  const itemSchemas: unknown[] = [];
  let itemsOpen = false;
  for (const branch of list) {
    for (const type of branch.types) {
      types.add(type);
      if (branch.values === undefined) {
        open.add(type);
        continue;
      }
      const listed = enums.get(type) ?? [];
      for (const value of branch.values) {
        if (jsonTypeOf(value) === type && !listed.some((w) => deepEqual(w, value))) listed.push(value);
      }
      enums.set(type, listed);
    }
    if (branch.types.has('array')) {
      if (branch.items === undefined) itemsOpen = true;
      else itemSchemas.push(branch.items);
    }
  }
  for (const type of open) enums.delete(type);
  const result: ParamTypes = { types, enums };
  if (types.has('array') && !itemsOpen && itemSchemas.length > 0 && depth < MAX_DEPTH) {
    result.items = summarise(itemSchemas.flatMap((schema) => branches(schema, 0)), depth + 1);
  }
  return result;
}

/** JSON equality: same type, same value, arrays in order, objects by key. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (isSchema(a) && isSchema(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}
