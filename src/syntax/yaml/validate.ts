// Stage 3: the plain value against the policy schema (source-schema.ts), with ajv, and every ajv
// error turned into a diagnostic at the YAML key or value it is about, in words a person can act
// on. ajv reports a failed `oneOf` as one error per branch plus one for the `oneOf`; those are
// collapsed here into the one message that fits what was written.

import { isDeepStrictEqual } from 'node:util';
import type { ErrorObject } from 'ajv';

import { report, type Code } from '../../diagnostics/codes.js';
import { compareDiagnostics, type Diagnostic, type Span } from '../../diagnostics/diagnostic.js';
import { didYouMean } from '../../diagnostics/did-you-mean.js';
import { POLICY_SOURCE_ID } from '../../json/schema-files.js';
import { compiledValidator } from '../../json/validators.js';
import { EFFECT_KEYS, RULE_ONE_OF, SELECTORS_ONE_OF } from './source-schema.js';
import { isEmptyValue, nodeSpan, pairSpan, type PathSegment, type YamlTree } from './tree.js';
import { locate, pointerSegments } from './value.js';

interface SchemaError {
  path: PathSegment[];
  keyword: string;
  params: Record<string, unknown>;
  schema: unknown;
  parentSchema: Record<string, unknown>;
  data: unknown;
  /** Set on the errors of a `propertyNames` schema, which are about a key, not a value. */
  propertyName?: string;
}

/** A person fixes the first few; thousands of echoes of one generated mistake help nobody. */
const MAX_SCHEMA_ERRORS = 100;

/** Keys that only mean something at the top level of a policy. */
const TOP_LEVEL_ONLY = new Set(['version', 'server', 'default', 'limits', 'identities']);

export function validatePolicyValue(tree: YamlTree, value: unknown): Diagnostic[] {
  const validate = compiledValidator(POLICY_SOURCE_ID);
  if (validate(value)) return [];
  const errors = (validate.errors ?? []).map((error) => toSchemaError(error, value));
  const diagnostics = collapse(errors).flatMap((error) => describe(tree, error));
  const seen = new Set<string>();
  const distinct = diagnostics.filter((diagnostic) => {
    const key = `${diagnostic.code}:${diagnostic.span.start.offset}:${diagnostic.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (distinct.length <= MAX_SCHEMA_ERRORS) return distinct;
  const shown = distinct.sort(compareDiagnostics).slice(0, MAX_SCHEMA_ERRORS);
  const last = shown[shown.length - 1]!;
  const more = `${distinct.length - MAX_SCHEMA_ERRORS} more schema errors are not shown; fix these first`;
  return [...shown, report('schema-error', { ...last.span, start: last.span.end }, more)];
}

function toSchemaError(error: ErrorObject, root: unknown): SchemaError {
  return {
    path: pointerSegments(error.instancePath, root),
    keyword: error.keyword,
    params: error.params as Record<string, unknown>,
    schema: error.schema,
    parentSchema: (error.parentSchema ?? {}) as Record<string, unknown>,
    data: error.data,
    ...(error.propertyName === undefined ? {} : { propertyName: error.propertyName }),
  };
}

const pathKey = (path: readonly PathSegment[]) => JSON.stringify(path);
// A oneOf is recognised by its schema (the validator is built with `verbose`), compared by value:
// the precompiled validators of the bundled CLI carry copies of the schema objects.
const isSelectorsOneOf = (error: SchemaError) => error.keyword === 'oneOf' && isDeepStrictEqual(error.schema, SELECTORS_ONE_OF);
const isRuleOneOf = (error: SchemaError) => error.keyword === 'oneOf' && isDeepStrictEqual(error.schema, RULE_ONE_OF);

/**
 * Removes the echoes: a value of the wrong type also fails every other keyword that looks at it,
 * and a failed oneOf fails in every branch. What remains is one error per mistake. (Indexed by
 * path, so that a list of 100,000 wrong items costs 100,000 steps, not their square.)
 */
function collapse(errors: SchemaError[]): SchemaError[] {
  const selectorsAt = new Map(errors.filter(isSelectorsOneOf).map((error) => [pathKey(error.path), error]));
  const kept = errors.filter((error) => {
    const oneOf = selectorsAt.get(pathKey(error.path));
    if (!oneOf) return true;
    // A string or a list fits one branch, whose own errors say what is wrong; the other branch
    // only adds a type error. Anything else fits neither, and the oneOf says so once.
    if (error === oneOf) return !(typeof oneOf.data === 'string' || Array.isArray(oneOf.data));
    return error.keyword !== 'type';
  });
  const wrongShapeAt = new Set(kept.filter((error) => error.keyword === 'type' || isSelectorsOneOf(error)).map((error) => pathKey(error.path)));
  return kept.filter((error) => {
    for (let length = 0; length <= error.path.length; length++) {
      const isOwnPlace = length === error.path.length && (error.keyword === 'type' || isSelectorsOneOf(error));
      if (!isOwnPlace && wrongShapeAt.has(pathKey(error.path.slice(0, length)))) return false;
    }
    return true;
  });
}

function describe(tree: YamlTree, error: SchemaError): Diagnostic[] {
  const { path, keyword } = error;
  if (path[0] === 'version') return [versionError(tree, error)];
  // Only identity names have a key schema; the `propertyNames` error itself says it all.
  if (error.propertyName !== undefined) return [];
  switch (keyword) {
    case 'additionalProperties':
      return [unknownKey(tree, error)];
    case 'oneOf':
      return isRuleOneOf(error) ? effectCount(tree, error) : [notSelectors(tree, error)];
    case 'required': {
      const missing = String(error.params.missingProperty);
      return EFFECT_KEYS.some((effect) => effect === missing) || misspeltAs(error, [missing]) ? [] : [missingKey(tree, error)];
    }
    case 'type':
      return [wrongType(tree, error)];
    case 'enum':
      return [notOneOf(tree, error)];
    case 'minItems':
      return [at(tree, path, 'value', `${label(path)} is an empty list; name at least one selector`)];
    case 'minLength':
      return [at(tree, path, 'value', `${label(path)} is empty`)];
    case 'propertyNames':
      return [at(tree, [...path, String(error.params.propertyName)], 'key', 'an identity needs a name')];
    // The invalid-limit check judges a limit's numbers and window, as it does in the DSL.
    case 'minimum':
    case 'maximum':
    case 'pattern':
      return [];
    default:
      return [at(tree, path, 'value', `${label(path)} does not fit the policy schema (${keyword})`)];
  }
}

/** The span of the value at `path`, or of its key when the value is missing or `where` asks for the key. */
function spanAt(tree: YamlTree, path: readonly PathSegment[], where: 'key' | 'value'): Span {
  const { node, pair } = locate(tree, path);
  if (pair && (where === 'key' || isEmptyValue(pair.value))) return nodeSpan(tree.source, pair.key);
  if (node) return nodeSpan(tree.source, node);
  if (pair) return pairSpan(tree.source, pair);
  return tree.source.span(0, 0);
}

function at(tree: YamlTree, path: readonly PathSegment[], where: 'key' | 'value', message: string, code: Code = 'schema-error'): Diagnostic {
  return report(code, spanAt(tree, path, where), message);
}

/** How a place in the policy is named in a message: "`max`", "rule 2", "item 3 of `allow`", "identity `bot`". */
export function label(path: readonly PathSegment[]): string {
  const last = path[path.length - 1];
  const parent = path[path.length - 2];
  if (last === undefined) return 'the policy';
  if (typeof last === 'string') return parent === 'identities' && path.length === 2 ? `identity \`${last}\`` : `\`${last}\``;
  if (parent === 'rules') return `rule ${last + 1}`;
  if (parent === 'limits') return `limit ${last + 1}`;
  return `item ${last + 1} of \`${String(parent)}\``;
}

function unknownKey(tree: YamlTree, error: SchemaError): Diagnostic {
  const key = String(error.params.additionalProperty);
  const keyPath = [...error.path, key];
  const allowed = Object.keys((error.parentSchema.properties ?? {}) as Record<string, unknown>);
  const inIdentity = error.path.length === 2 && error.path[0] === 'identities';
  if (inIdentity && TOP_LEVEL_ONLY.has(key)) {
    const message = `\`${key}\` applies to the whole policy and has no meaning inside an identity; move it to the top level`;
    return at(tree, keyPath, 'key', message, 'misplaced-statement');
  }
  if (key === '<<') return at(tree, keyPath, 'key', 'merge keys (`<<`) are not part of a policy; write the keys out');
  const suggestion = didYouMean(key, allowed);
  const where = error.path.length === 0 ? '' : ` in ${label(error.path)}`;
  const message = suggestion
    ? `unknown key \`${key}\`${where}; did you mean \`${suggestion}\`?`
    : `unknown key \`${key}\`${where}; the keys here are ${allowed.map((name) => `\`${name}\``).join(', ')}`;
  const diagnostic = at(tree, keyPath, 'key', message);
  return suggestion ? { ...diagnostic, suggestion } : diagnostic;
}

/** Whether the mapping has an unknown key that looks like one of `wanted`: the missing key is that typo. */
function misspeltAs(error: SchemaError, wanted: readonly string[]): boolean {
  const data = error.data;
  if (typeof data !== 'object' || data === null) return false;
  const known = Object.keys((error.parentSchema.properties ?? {}) as Record<string, unknown>);
  return Object.keys(data).some((key) => {
    if (known.includes(key)) return false;
    const suggestion = didYouMean(key, known);
    return suggestion !== undefined && wanted.includes(suggestion);
  });
}

function effectCount(tree: YamlTree, error: SchemaError): Diagnostic[] {
  const data = (error.data ?? {}) as Record<string, unknown>;
  const present = EFFECT_KEYS.filter((effect) => Object.hasOwn(data, effect));
  const second = present[1];
  // `alow:` is already reported as an unknown key, with its did-you-mean.
  if (present.length === 0 && misspeltAs(error, EFFECT_KEYS)) return [];
  if (second === undefined) {
    return [at(tree, error.path, 'value', `${label(error.path)} needs exactly one of \`allow\`, \`deny\` or \`approve\`, and has none`)];
  }
  const both = present.map((effect) => `\`${effect}\``).join(' and ');
  const message = `${label(error.path)} has ${both}, but a rule has exactly one of \`allow\`, \`deny\` or \`approve\`; write one rule for each`;
  return [at(tree, [...error.path, second], 'key', message)];
}

function notSelectors(tree: YamlTree, error: SchemaError): Diagnostic {
  const place = label(error.path);
  const expected = 'a selector such as `class read`, or a list of selectors';
  return at(tree, error.path, 'value', error.data === null ? `${place} has no value; it must be ${expected}` : `${place} must be ${expected}`);
}

const KEY_HELP: Record<string, string> = {
  max: '`max` (how many calls, e.g. `max: 10`)',
  per: '`per` (the window, e.g. `per: 1m`)',
};

function missingKey(tree: YamlTree, error: SchemaError): Diagnostic {
  const key = String(error.params.missingProperty);
  return at(tree, error.path, 'value', `${label(error.path)} needs ${KEY_HELP[key] ?? `\`${key}\``}`);
}

/** What belongs at a place, for "must be …" messages. */
function expectation(path: readonly PathSegment[], type: string): string {
  const last = path[path.length - 1];
  const parent = path[path.length - 2];
  if (typeof last === 'number') {
    if (parent === 'rules') return 'a mapping such as `allow: class read`, with its `when`, `limit` or `reason` below it';
    if (parent === 'limits') return 'a mapping such as `{ max: 120, per: 1m }`';
    return 'a selector string such as `class read`';
  }
  if (parent === 'identities' && path.length === 2) return 'a mapping with `hide` and/or `rules`';
  switch (last) {
    case 'max':
      return 'a whole number';
    case 'per':
      return 'a window such as `30s`, `1m`, `1h` or `1d`';
    case 'when':
      return 'a condition written as text, such as `qty <= 100`';
    case 'reason':
    case 'server':
      return 'text';
    case 'rules':
      return 'a list of rules, each written `- allow: …`, `- deny: …` or `- approve: …`';
    case 'limits':
      return 'a list of limits, each written `- { max: 120, per: 1m }`';
    case 'limit':
      return 'a mapping such as `{ max: 10, per: 1m }`';
    case 'identities':
      return 'a mapping from identity names to their `hide` and `rules`';
    case undefined:
      return 'a mapping of keys such as `version`, `default` and `rules`';
  }
  return TYPE_WORDS[type] ?? `of type ${type}`;
}

const TYPE_WORDS: Record<string, string> = {
  integer: 'a whole number',
  number: 'a number',
  string: 'text',
  array: 'a list',
  object: 'a mapping',
  boolean: '`true` or `false`',
};

function wrongType(tree: YamlTree, error: SchemaError): Diagnostic {
  const expected = String(error.params.type);
  const place = label(error.path);
  if (error.data === null) return at(tree, error.path, 'value', `${place} has no value; it must be ${expectation(error.path, expected)}`);
  let message = `${place} must be ${expectation(error.path, expected)}`;
  const scalar = typeof error.data === 'number' || typeof error.data === 'boolean';
  if (expected === 'string' && scalar) message += `; write \`"${String(error.data)}"\` in quotes if you mean the text`;
  if (expected === 'integer' && typeof error.data === 'number') message += `, not ${String(error.data)}`;
  return at(tree, error.path, 'value', message);
}

function notOneOf(tree: YamlTree, error: SchemaError): Diagnostic {
  const allowed = ((error.params.allowedValues ?? []) as unknown[]).map(String);
  const written = typeof error.data === 'string' ? error.data : undefined;
  const suggestion = written === undefined ? undefined : didYouMean(written, allowed);
  const choices = orList(allowed);
  const message = `${label(error.path)} must be ${choices}${suggestion ? `; did you mean \`${suggestion}\`?` : ''}`;
  const diagnostic = at(tree, error.path, 'value', message);
  return suggestion ? { ...diagnostic, suggestion } : diagnostic;
}

/** `a`, `b` or `c` */
function orList(values: readonly string[]): string {
  const quoted = values.map((value) => `\`${value}\``);
  const last = quoted.pop();
  return quoted.length === 0 ? (last ?? '') : `${quoted.join(', ')} or ${last}`;
}

/** Anything but 1 is an unsupported version, as in the DSL; a list or a mapping is not a version at all. */
function versionError(tree: YamlTree, error: SchemaError): Diagnostic {
  const { data } = error;
  if (typeof data === 'number' || typeof data === 'string') {
    return at(tree, ['version'], 'value', `policy language version ${JSON.stringify(data)} is not one policyc knows; write \`version: 1\``, 'unsupported-version');
  }
  return at(tree, ['version'], 'value', '`version` must be 1');
}
