// Reading a policy.json (ours, or PolicyLayer's minimal form) and its policy.json.map.
//
// A policy.json skips the front ends and the checks, so this is where it is made trustworthy:
// strict JSON (a duplicate key is an error: it is a known way to show a reviewer one value and
// the enforcer another), the published schema (grammar/policy.schema.json, no unknown keys:
// a feature policyc does not enforce must not be silently ignored), then the cross references
// the schema cannot see. Any error and no policy is returned: the enforcer only ever sees a
// policy that is whole.

import { report } from '../diagnostics/codes.js';
import { compareDiagnostics, hasErrors, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceText } from '../diagnostics/source.js';
import { parseJsonDocument, jsonValueOf, readablePointer, resolvePointer, type JsonNode } from '../json/document.js';
import { validateDocument } from '../json/schema.js';
import type { Condition } from '../model/condition.js';
import type {
  CompiledLimit,
  CompiledPolicy,
  CompiledRule,
  GlobalLimit,
  IdentityEntry,
  PolicySourceMap,
  ToolEntry,
} from '../model/compiled.js';
import type { DefaultEffect } from '../model/policy.js';
import { parseDuration } from '../model/text.js';

export interface LoadedPolicy {
  policy?: CompiledPolicy;
  /** Never set from policy.json itself: the map lives beside it (see `loadSourceMap`). */
  sourceMap?: PolicySourceMap;
  diagnostics: Diagnostic[];
}

/** A policy.json as the schema admits it: PolicyLayer's minimal form leaves most members out. */
interface PolicyFile {
  version: '1';
  server?: string;
  default?: DefaultEffect;
  hide?: string[];
  tools?: Record<string, ToolEntry>;
  all_tools?: { limits?: GlobalLimit[] };
  identities?: Record<string, Partial<IdentityEntry>>;
  rules?: CompiledRule[];
  catalog?: { name: string; tools: string[] };
}

export function loadCompiledPolicy(source: SourceText): LoadedPolicy {
  const document = parseJsonDocument(source);
  if (!document.root) return { diagnostics: document.diagnostics };
  const root = document.root;
  const schemaDiagnostics = validateDocument('urn:policyc:schema:policy', root, source, 'policy.json');
  if (schemaDiagnostics.length > 0) return { diagnostics: schemaDiagnostics.sort(compareDiagnostics) };

  // The schema has checked the shape; what is left is what it cannot see.
  const file = jsonValueOf(root) as unknown as PolicyFile;
  const diagnostics = crossReferenceProblems(file, root, source).sort(compareDiagnostics);
  if (hasErrors(diagnostics)) return { diagnostics };
  return { policy: withDefaults(file), diagnostics };
}

export function loadSourceMap(source: SourceText): { sourceMap?: PolicySourceMap; diagnostics: Diagnostic[] } {
  const document = parseJsonDocument(source);
  if (!document.root) return { diagnostics: document.diagnostics };
  const diagnostics = validateDocument('urn:policyc:schema:policy#/definitions/sourceMap', document.root, source, 'policy.json.map');
  if (diagnostics.length > 0) return { diagnostics: diagnostics.sort(compareDiagnostics) };
  return { sourceMap: jsonValueOf(document.root) as unknown as PolicySourceMap, diagnostics: [] };
}

/** Members PolicyLayer's minimal form leaves out take the meaning of an empty statement. */
function withDefaults(file: PolicyFile): CompiledPolicy {
  const policy: CompiledPolicy = {
    version: '1',
    default: file.default ?? 'deny',
    hide: file.hide ?? [],
    tools: file.tools ?? {},
    all_tools: { limits: file.all_tools?.limits ?? [] },
    identities: Object.fromEntries(
      Object.entries(file.identities ?? {}).map(([name, entry]): [string, IdentityEntry] => [name, { hide: entry.hide ?? [], tools: entry.tools ?? {} }]),
    ),
    rules: file.rules ?? [],
  };
  if (file.server !== undefined) policy.server = file.server;
  if (file.catalog !== undefined) policy.catalog = file.catalog;
  return policy;
}

/** A problem at a JSON pointer of the file. */
type Problem = (pointer: string, message: string, related?: { pointer: string; message: string }) => void;

function crossReferenceProblems(file: PolicyFile, root: JsonNode, source: SourceText): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const spanAt = (pointer: string) => {
    const node = resolvePointer(root, pointer)?.node ?? root;
    return source.span(node.start, node.end);
  };
  const problem: Problem = (pointer, message, related) => {
    diagnostics.push(
      report('schema-error', spanAt(pointer), message, related ? { related: [{ message: related.message, span: spanAt(related.pointer) }] } : {}),
    );
  };

  const rules = file.rules ?? [];
  const ruleIndex = checkRuleIds(rules, problem);
  checkLimitIds(file.all_tools?.limits ?? [], problem);
  rules.forEach((rule, i) => {
    if (rule.limit) checkWindow(rule.limit, `/rules/${i}/limit`, problem);
    if (rule.when) {
      checkPatterns(rule.when, `/rules/${i}/when`, (pointer, message) => diagnostics.push(report('invalid-regex', spanAt(pointer), message)));
    }
    if (rule.identity !== undefined && !Object.hasOwn(file.identities ?? {}, rule.identity)) {
      problem(`/rules/${i}/identity`, `rule ${rule.id} belongs to identity ${JSON.stringify(rule.identity)}, which "identities" does not have`);
    }
  });
  (file.all_tools?.limits ?? []).forEach((limit, i) => checkWindow(limit, `/all_tools/limits/${i}`, problem));

  checkToolReferences(file.tools ?? {}, '/tools', undefined, ruleIndex, rules, problem);
  for (const [name, entry] of Object.entries(file.identities ?? {})) {
    checkToolReferences(entry.tools ?? {}, `/identities/${escapePointer(name)}/tools`, name, ruleIndex, rules, problem);
  }
  return diagnostics;
}

function checkRuleIds(rules: readonly CompiledRule[], problem: Problem): Map<string, number> {
  const index = new Map<string, number>();
  rules.forEach((rule, i) => {
    const first = index.get(rule.id);
    if (first === undefined) index.set(rule.id, i);
    else problem(`/rules/${i}/id`, `rule id ${rule.id} is used twice`, { pointer: `/rules/${first}/id`, message: 'first used here' });
  });
  return index;
}

function checkLimitIds(limits: readonly GlobalLimit[], problem: Problem): void {
  const seen = new Map<string, number>();
  limits.forEach((limit, i) => {
    const first = seen.get(limit.id);
    if (first === undefined) seen.set(limit.id, i);
    else problem(`/all_tools/limits/${i}/id`, `limit id ${limit.id} is used twice`, { pointer: `/all_tools/limits/${first}/id`, message: 'first used here' });
  });
}

/** `per` is for people, `window_ms` for the enforcer: they must say the same thing. */
function checkWindow(limit: CompiledLimit, pointer: string, problem: Problem): void {
  const ms = parseDuration(limit.per);
  if (ms !== limit.window_ms) {
    problem(`${pointer}/window_ms`, `window_ms is ${limit.window_ms} but per is "${limit.per}" (${ms ?? 'not a duration'} ms); they must agree`);
  }
}

/** A pattern the enforcer could not compile would make the rule's condition an error at every call. */
function checkPatterns(condition: Condition, pointer: string, problem: (pointer: string, message: string) => void): void {
  if ('and' in condition) condition.and.forEach((c, i) => checkPatterns(c, `${pointer}/and/${i}`, problem));
  else if ('or' in condition) condition.or.forEach((c, i) => checkPatterns(c, `${pointer}/or/${i}`, problem));
  else if ('not' in condition) checkPatterns(condition.not, `${pointer}/not`, problem);
  else if (condition.op === 'matches') {
    try {
      new RegExp(`^(?:${condition.value})$`, 'u');
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      problem(`${pointer}/value`, `${readablePointer(`${pointer}/value`)} is not a valid regular expression: ${why}`);
    }
  }
}

/**
 * Every id a tool entry lists must be a rule of the same scope: top-level entries name top-level
 * rules, an identity's entries that identity's rules. A dangling id would silently drop a rule.
 */
function checkToolReferences(
  tools: Record<string, ToolEntry>,
  pointer: string,
  identity: string | undefined,
  ruleIndex: ReadonlyMap<string, number>,
  rules: readonly CompiledRule[],
  problem: Problem,
): void {
  for (const [tool, entry] of Object.entries(tools)) {
    entry.rules.forEach((id, k) => {
      const at = `${pointer}/${escapePointer(tool)}/rules/${k}`;
      const index = ruleIndex.get(id);
      if (index === undefined) {
        problem(at, `tool ${tool} lists rule ${id}, which "rules" does not have`);
        return;
      }
      const owner = rules[index]!.identity;
      if (owner === identity) return;
      const scope = identity === undefined ? 'the top level' : `identity ${JSON.stringify(identity)}`;
      const ownerText = owner === undefined ? 'a top-level rule' : `a rule of identity ${JSON.stringify(owner)}`;
      problem(at, `tool ${tool} under ${scope} lists rule ${id}, which is ${ownerText}`, { pointer: `/rules/${index}`, message: `rule ${id}` });
    });
  }
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}
