// YAML files that are not policies — decision tests, the policyc configuration — read with the
// same stages as a policy (CST with a depth guard, aliases and duplicate keys checked, alias bombs
// stopped) and validated against their published schema in grammar/, every problem at the YAML
// line and column of the key or value it is about.
//
//   text ─► readYaml ─► buildTree ─► toPlainValue ─► schema (ajv, grammar/*.schema.json) ─► value

import type { ErrorObject } from 'ajv';

import { report, type Code } from '../../diagnostics/codes.js';
import { compareDiagnostics, type Diagnostic, type Span } from '../../diagnostics/diagnostic.js';
import { didYouMean } from '../../diagnostics/did-you-mean.js';
import type { SourceText } from '../../diagnostics/source.js';
import { schemaValidator, type SchemaRef } from '../../json/schema.js';
import { readYaml } from './read.js';
import { buildTree, isEmptyValue, nodeSpan, pairSpan, type PathSegment, type YamlTree } from './tree.js';
import { locate, pointerSegments, toPlainValue } from './value.js';

export type { PathSegment } from './tree.js';

/** How a place in the file is named in messages: "case 3", "`expect` of case 3, step 2". */
export type PlaceNamer = (path: readonly PathSegment[]) => string;

export interface YamlDataFile {
  /** The plain value; present only when the file is well-formed YAML that fits the schema. */
  value?: unknown;
  /** The tree, for pointing at places later (`spanAt`); present whenever the YAML was readable. */
  tree?: YamlTree;
  diagnostics: Diagnostic[];
}

/** The first problems are what a person fixes; hundreds of echoes help nobody. */
const MAX_SCHEMA_ERRORS = 50;

/**
 * Reads `source` and validates it against `schema`. With `emptyIsValid`, a file with no content
 * (or only comments) is the value null without validation: an empty configuration configures nothing.
 */
export function readYamlDataFile(source: SourceText, schema: SchemaRef, place: PlaceNamer = dottedPath, emptyIsValid = false): YamlDataFile {
  const read = readYaml(source);
  if (!read.doc) return { diagnostics: read.diagnostics };
  const { tree, diagnostics } = buildTree(source, read.doc);
  if (diagnostics.some((diagnostic) => diagnostic.severity === 'error')) return { tree, diagnostics: diagnostics.sort(compareDiagnostics) };
  const plain = toPlainValue(tree);
  if (!plain.ok) return { tree, diagnostics: plain.diagnostics };

  if (plain.value === null && emptyIsValid) return { value: null, tree, diagnostics: [] };
  const validate = schemaValidator(schema);
  // Otherwise an empty file is the value null, and the schema says what the file needs.
  if (validate(plain.value)) return { value: plain.value, tree, diagnostics: [] };
  const problems = relevant(validate.errors ?? [])
    .filter((error) => !misspeltRequired(error))
    .map((error) => describe(tree, plain.value, error, place));
  const seen = new Set<string>();
  const distinct = problems.filter((diagnostic) => {
    const key = `${diagnostic.span.start.offset}:${diagnostic.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { tree, diagnostics: distinct.sort(compareDiagnostics).slice(0, MAX_SCHEMA_ERRORS) };
}

/**
 * Drops the errors that only repeat another: the `if` keyword (its `then`/`else` says why), and
 * the rest of what is said about a value whose type is already wrong.
 */
function relevant(errors: readonly ErrorObject[]): ErrorObject[] {
  const wrongType = new Set(errors.filter((error) => error.keyword === 'type').map((error) => error.instancePath));
  return errors.filter((error) => {
    if (error.keyword === 'if') return false;
    if (error.keyword !== 'type' && wrongType.has(error.instancePath)) return false;
    return true;
  });
}

/** A missing key that the mapping has under a misspelt name: the unknown key's report says it all. */
function misspeltRequired(error: ErrorObject): boolean {
  if (error.keyword !== 'required' || typeof error.data !== 'object' || error.data === null) return false;
  const missing = String((error.params as { missingProperty?: unknown }).missingProperty);
  const known = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
  return Object.keys(error.data).some((key) => !known.includes(key) && didYouMean(key, known) === missing);
}

function describe(tree: YamlTree, root: unknown, error: ErrorObject, place: PlaceNamer): Diagnostic {
  const path = pointerSegments(error.instancePath, root);
  const params = error.params as Record<string, unknown>;
  const here = place(path);
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {}).filter((name) => name !== '$schema');
      const suggestion = didYouMean(key, allowed);
      const where = path.length === 0 ? '' : ` in ${here}`;
      const message = suggestion
        ? `unknown key \`${key}\`${where}; did you mean \`${suggestion}\`?`
        : `unknown key \`${key}\`${where}; the keys here are ${allowed.map((name) => `\`${name}\``).join(', ')}`;
      return withSuggestion(report('schema-error', spanAt(tree, [...path, key], 'key'), message), suggestion);
    }
    case 'required':
      return report('schema-error', spanAt(tree, path, 'value'), `${capitalise(here)} needs \`${String(params.missingProperty)}\``);
    case 'type': {
      const data = error.data;
      const expected = typeWords(String(params.type));
      const message = data === null ? `${capitalise(here)} has no value; it must be ${expected}` : `${capitalise(here)} must be ${expected}`;
      return report('schema-error', spanAt(tree, path, 'value'), message);
    }
    case 'enum': {
      const allowed = ((params.allowedValues ?? []) as unknown[]).map(String);
      const suggestion = typeof error.data === 'string' ? didYouMean(error.data, allowed) : undefined;
      const message = `${capitalise(here)} must be ${orList(allowed)}${suggestion ? `; did you mean \`${suggestion}\`?` : ''}`;
      return withSuggestion(report('schema-error', spanAt(tree, path, 'value'), message), suggestion);
    }
    case 'pattern':
      return report('schema-error', spanAt(tree, path, 'value'), `${capitalise(here)} ${PATTERN_MEANINGS[String(params.pattern)] ?? `must match ${String(params.pattern)}`}`);
    case 'minItems':
      return report('schema-error', spanAt(tree, path, 'value'), `${capitalise(here)} must have at least ${String(params.limit)} item${params.limit === 1 ? '' : 's'}`);
    case 'minLength':
      return report('schema-error', spanAt(tree, path, 'value'), `${capitalise(here)} must not be empty`);
    case 'minimum':
    case 'maximum':
      return report('schema-error', spanAt(tree, path, 'value'), `${capitalise(here)} must be ${String(params.comparison)} ${String(params.limit)}`);
    case 'uniqueItems':
      return report('schema-error', spanAt(tree, [...path, Number(params.j)], 'value'), `${capitalise(here)} lists the same value twice`);
    default:
      return report('schema-error', spanAt(tree, path, 'value'), `${capitalise(here)} ${error.message ?? 'is not valid'}`);
  }
}

const PATTERN_MEANINGS: Record<string, string> = {
  '^[1-9][0-9]*[smhd]$': 'must be a duration such as 30s, 1m, 1h or 1d',
};

/**
 * The span of the value at `path` (or of its key, when `where` asks for the key or the value is
 * empty). Falls back to the nearest enclosing place that exists, then to the file's start.
 */
export function spanAt(tree: YamlTree, path: readonly PathSegment[], where: 'key' | 'value' = 'value'): Span {
  for (let length = path.length; length >= 0; length--) {
    const { node, pair } = locate(tree, path.slice(0, length));
    if (pair && (where === 'key' || isEmptyValue(pair.value))) return nodeSpan(tree.source, pair.key);
    if (node) return nodeSpan(tree.source, node);
    if (pair) return pairSpan(tree.source, pair);
  }
  return tree.source.span(0, 0);
}

/** A diagnostic of `code` at `path`, for checks of a data file beyond its schema. */
export function reportAt(code: Code, tree: YamlTree, path: readonly PathSegment[], message: string, where: 'key' | 'value' = 'value'): Diagnostic {
  return report(code, spanAt(tree, path, where), message);
}

function withSuggestion(diagnostic: Diagnostic, suggestion: string | undefined): Diagnostic {
  return suggestion === undefined ? diagnostic : { ...diagnostic, suggestion };
}

/** `cases[2].expect` — the default way of naming a place: keys with dots, list items 1-based. */
export function dottedPath(path: readonly PathSegment[]): string {
  if (path.length === 0) return 'the file';
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment + 1}]`;
    else text += text === '' ? `\`${segment}\`` : `.\`${segment}\``;
  }
  return text;
}

const TYPE_WORDS: Record<string, string> = {
  integer: 'a whole number',
  number: 'a number',
  string: 'text',
  array: 'a list',
  object: 'a mapping',
  boolean: '`true` or `false`',
  'string,integer': 'text or a whole number',
};

function typeWords(type: string): string {
  return TYPE_WORDS[type] ?? `of type ${type}`;
}

function orList(values: readonly string[]): string {
  const quoted = values.map((value) => `\`${value}\``);
  const last = quoted.pop();
  return quoted.length === 0 ? (last ?? '') : `${quoted.join(', ')} or ${last}`;
}

function capitalise(text: string): string {
  return text.length > 0 && /[a-z]/.test(text[0]!) ? text[0]!.toUpperCase() + text.slice(1) : text;
}
