// JSON Schema validation of a parsed JSON document, with every error turned into a diagnostic at
// the line and column of the value (or key) at fault. The schemas are the published files in
// grammar/, so that what an editor checks and what policyc checks can never drift apart.

import type { ErrorObject, ValidateFunction } from 'ajv';

import { report } from '../diagnostics/codes.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { didYouMean } from '../diagnostics/did-you-mean.js';
import type { SourceText } from '../diagnostics/source.js';
import { jsonValueOf, readablePointer, resolvePointer, type JsonNode } from './document.js';
import { GRAMMAR_SCHEMA_FILES, readGrammarFile, type GrammarSchemaId } from './schema-files.js';
import { compiledValidator } from './validators.js';

export type SchemaRef =
  | 'urn:policyc:schema:policy'
  | 'urn:policyc:schema:policy#/definitions/sourceMap'
  | 'urn:policyc:schema:catalog'
  | 'urn:policyc:schema:policy-tests'
  | 'urn:policyc:schema:config';

/** More errors than this in one file are noise: the first ones say what is wrong. */
const MAX_SCHEMA_ERRORS = 50;

export function schemaValidator(ref: SchemaRef): ValidateFunction {
  return compiledValidator(ref);
}

/** The published schema itself, for tests and for `policyc` commands that print it. */
export function schemaDocument(ref: GrammarSchemaId): unknown {
  return JSON.parse(readGrammarFile(GRAMMAR_SCHEMA_FILES[ref]));
}

/** Validates `root` against the schema; each problem becomes a `schema-error` at its position. */
export function validateDocument(ref: SchemaRef, root: JsonNode, source: SourceText, what: string): Diagnostic[] {
  const validate = schemaValidator(ref);
  if (validate(jsonValueOf(root))) return [];
  const errors = relevantErrors(validate.errors ?? []);
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    const diagnostic = toDiagnostic(error, root, source, what);
    const key = `${diagnostic.span.start.offset}:${diagnostic.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    diagnostics.push(diagnostic);
    if (diagnostics.length >= MAX_SCHEMA_ERRORS) break;
  }
  return diagnostics;
}

/**
 * Drops the errors that only repeat another one: `if` (its `then`/`else` error says why), the
 * inner error of a `propertyNames` failure, and everything else said about a condition object
 * that has none of the keys that would tell what kind of condition it is.
 */
function relevantErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  const shapeless = new Set(
    errors
      .filter((e) => e.keyword === 'required' && e.params.missingProperty === 'op' && e.schemaPath.includes('leafCondition'))
      .map((e) => e.instancePath),
  );
  return errors.filter((e) => {
    if (e.keyword === 'if') return false;
    if (e.propertyName !== undefined) return false;
    if (shapeless.has(e.instancePath)) return e.keyword === 'required' && e.params.missingProperty === 'op';
    return true;
  });
}

function toDiagnostic(error: ErrorObject, root: JsonNode, source: SourceText, what: string): Diagnostic {
  const target = resolvePointer(root, error.instancePath);
  const node = target?.node ?? root;
  const where = readablePointer(error.instancePath);
  const here = source.span(node.start, node.end);
  const opening = source.span(node.start, node.start + 1);
  const params = error.params as Record<string, unknown>;

  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const member = node.kind === 'object' ? node.members.find((m) => m.key === key) : undefined;
      const allowed = allowedKeys(error.parentSchema);
      const span = member ? source.span(member.keyStart, member.keyEnd) : opening;
      const list = allowed.length > 0 ? `; ${what} allows here: ${allowed.join(', ')}` : '';
      const suggestion = didYouMean(key, allowed);
      const place = error.instancePath === '' ? 'at the top level' : `in ${where}`;
      const unsupported = Object.hasOwn(UNSUPPORTED_KEYS, key) ? ` (${UNSUPPORTED_KEYS[key]})` : '';
      return report('schema-error', span, `unknown key ${JSON.stringify(key)} ${place}${unsupported}${list}`, suggestion ? { suggestion: JSON.stringify(suggestion) } : {});
    }
    case 'required': {
      const key = String(params.missingProperty);
      if (key === 'op' && error.schemaPath.includes('leafCondition')) {
        return report('schema-error', opening, `${where} is not a condition: it needs one of the keys "and", "or", "not" or "op"`);
      }
      return report('schema-error', opening, `${where} is missing the key ${JSON.stringify(key)}`);
    }
    case 'propertyNames': {
      const name = String(params.propertyName);
      const member = node.kind === 'object' ? node.members.find((m) => m.key === name) : undefined;
      const span = member ? source.span(member.keyStart, member.keyEnd) : opening;
      const why = name === '' ? 'a name cannot be empty' : name === '*' ? '"*" is not a tool name (tools must be named one by one)' : 'this name is not allowed';
      return report('schema-error', span, `${JSON.stringify(name)} in ${where}: ${why}`);
    }
    case 'uniqueItems': {
      // ajv walks the array backwards: `j` is the later of the two equal elements, the repeat.
      const repeated = node.kind === 'array' ? node.items[Number(params.j)] : undefined;
      const value = repeated ? JSON.stringify(jsonValueOf(repeated)) : 'a value';
      return report('schema-error', repeated ? source.span(repeated.start, repeated.end) : here, `${where} lists ${value} twice`);
    }
    case 'not':
      if (node.kind === 'string' && node.value === '*') {
        return report('schema-error', here, `"*" is not a tool name; only the top-level "hide" accepts "*" (hide every tool)`);
      }
      return report('schema-error', here, `${where} ${error.message ?? 'is not allowed'}`);
    default:
      return report('schema-error', here, `${where} ${describe(error, node)}`);
  }
}

function describe(error: ErrorObject, node: JsonNode): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'type':
      return `must be ${article(String(params.type))}, not ${article(kindName(node))}`;
    case 'const':
      return `must be ${JSON.stringify(params.allowedValue)}`;
    case 'enum':
      return `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'pattern':
      return PATTERN_MEANINGS[String(params.pattern)] ?? `must match the pattern ${String(params.pattern)}`;
    case 'minimum':
    case 'maximum':
      return `must be ${String(params.comparison)} ${String(params.limit)}`;
    case 'minItems':
      return `must have at least ${String(params.limit)} element${params.limit === 1 ? '' : 's'}`;
    case 'minLength':
      return 'must not be empty';
    default:
      return error.message ?? 'is not valid';
  }
}

/**
 * PolicyLayer policy.json members that policyc reads no meaning into. They are refused, not
 * skipped: a `deny_if` that is silently ignored would let through what its author meant to stop.
 */
const UNSUPPORTED_KEYS: Record<string, string> = {
  on_deny: "PolicyLayer's on_deny is not supported: a denial's text comes from the rule's reason",
  deny_if: "PolicyLayer's deny_if is not supported: write a deny rule with a when condition in the DSL or YAML and compile it",
  require: "PolicyLayer's require is not supported: write a deny rule with a when condition in the DSL or YAML and compile it",
  limits: 'rate limits live on a rule ("limit") or under "all_tools.limits"',
};

const PATTERN_MEANINGS: Record<string, string> = {
  '^r[1-9][0-9]*$': 'must be a rule id: r1, r2, …',
  '^a[1-9][0-9]*$': 'must be a limit id: a1, a2, …',
  '^[1-9][0-9]*[smhd]$': 'must be a duration such as 30s, 1m, 1h or 1d',
};

function allowedKeys(parentSchema: unknown): string[] {
  if (typeof parentSchema !== 'object' || parentSchema === null) return [];
  const properties = (parentSchema as { properties?: unknown }).properties;
  if (typeof properties !== 'object' || properties === null) return [];
  return Object.keys(properties).sort();
}

function kindName(node: JsonNode): string {
  if (node.kind === 'number') return Number.isInteger(node.value) ? 'integer' : 'number';
  return node.kind;
}

function article(type: string): string {
  if (type === 'null') return 'null';
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
