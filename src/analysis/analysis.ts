// Exact analysis of a compiled policy over the finite domain the policy itself defines: callers
// (the top level and each identity) × tools × the classes of argument values its conditions, and
// the catalogue's probes, can tell apart. Decision tables are built on first use and cached; an
// identity whose block neither names nor hides a tool decides it as the top level does, so it
// shares the top level's table.
//
//   CompiledPolicy ─► preparePolicy ─► per (caller, tool): space (values.ts, space.ts)
//                                                        ─► decisions (table.ts, the enforcer)
//                                                        ─► queries (queries.ts)

import type { Catalog, CatalogTool } from '../catalog/types.js';
import { compareStrings } from '../catalog/resolve.js';
import { preparePolicy, scopeFor, type PreparedPolicy } from '../enforce/prepare.js';
import type { CompiledPolicy } from '../model/compiled.js';
import type { JsonType, JsonValue } from '../model/json.js';
import { buildTable, newSpaceCache, verdictOf, type DecisionTable, type Region, type Verdict } from './table.js';
import type { PathHints } from './values.js';

export interface PolicyAnalysis {
  readonly policy: CompiledPolicy;
  readonly prepared: PreparedPolicy;
  readonly catalog: Catalog | undefined;
  /** `undefined` (the top level, and any caller without a block) then every identity, in policy order. */
  readonly identities: readonly (string | undefined)[];
  /** The catalogued tool of that name. */
  catalogTool(name: string): CatalogTool | undefined;
  /** The decision table of a caller and a tool. */
  table(identity: string | undefined, tool: string): DecisionTable;
  /**
   * The tools whose calls by this caller some statement of its own can let through: for the top
   * level, every tool a rule names (and every catalogued one under `default allow`); for an
   * identity, the tools its block names or hides (it decides the rest as the top level).
   */
  toolsToJudge(identity: string | undefined): readonly string[];
  /** Whether some rule that applies to the caller names the tool (otherwise `default` or a hide decides every call). */
  named(identity: string | undefined, tool: string): boolean;
  /** Whether the identity's own block names or hides the tool (otherwise it decides as the top level). */
  touches(identity: string, tool: string): boolean;
  /** The tools the identity's own block names or hides. */
  touchedBy(identity: string): readonly string[];
  /** The tools a rule names, for the caller it belongs to. */
  toolsOfRule(id: string): readonly string[];
  /** The decision of a region's call with the rules in `removed` (and `also`) taken out. */
  verdictWithout(table: DecisionTable, region: Region, removed: ReadonlySet<string>, also?: string): Verdict;
  /** A fact about the policy, computed once: queries keep their answers here, by kind and key (a rule id, say). */
  memo<T>(kind: string, key: string, compute: () => T): T;
}

export function analysePolicy(policy: CompiledPolicy, catalog: Catalog | undefined, prepared: PreparedPolicy = preparePolicy(policy)): PolicyAnalysis {
  const catalogTools = new Map<string, CatalogTool>();
  for (const tool of catalog?.tools ?? []) if (!catalogTools.has(tool.name)) catalogTools.set(tool.name, tool);
  const catalogOrder = new Map([...catalogTools.keys()].map((name, i) => [name, i]));
  const identityNames = Object.keys(policy.identities ?? {});
  const tables = new Map<string | undefined, Map<string, DecisionTable>>();
  const memos = new Map<string, Map<string, unknown>>();
  const spaces = newSpaceCache();
  const hintCache = new Map<string, PathHints | undefined>();

  const toolsByRule = new Map<string, string[]>();
  const touched = new Map<string, string[]>();
  const index = (entries: Record<string, { rules: string[] }> | undefined): string[] => {
    const names: string[] = [];
    for (const [tool, entry] of Object.entries(entries ?? {})) {
      names.push(tool);
      for (const id of entry.rules) {
        let list = toolsByRule.get(id);
        if (!list) toolsByRule.set(id, (list = []));
        list.push(tool);
      }
    }
    return names;
  };
  index(policy.tools);
  for (const name of identityNames) {
    const entry = policy.identities[name]!;
    touched.set(name, [...new Set([...index(entry.tools), ...(entry.hide ?? [])])].sort(compareStrings));
  }
  for (const list of toolsByRule.values()) list.sort(compareStrings);

  const touches = (identity: string, tool: string): boolean => {
    const entry = policy.identities[identity];
    if (!entry) return false;
    return Object.hasOwn(entry.tools ?? {}, tool) || (entry.hide ?? []).includes(tool) || (entry.hide ?? []).includes('*');
  };

  const hintsFor = (tool: string) => (path: readonly string[]): PathHints | undefined => {
    const key = `${tool}\u0000${path.join('\u0000')}`;
    if (hintCache.has(key)) return hintCache.get(key);
    const hints = schemaHints(catalogTools.get(tool)?.inputSchema, path);
    hintCache.set(key, hints);
    return hints;
  };

  const analysis: PolicyAnalysis = {
    policy,
    prepared,
    catalog,
    identities: [undefined, ...identityNames],
    catalogTool: (name) => catalogTools.get(name),
    table(identity, tool) {
      const owner = identity !== undefined && touches(identity, tool) ? identity : undefined;
      let forOwner = tables.get(owner);
      if (!forOwner) tables.set(owner, (forOwner = new Map()));
      let table = forOwner.get(tool);
      if (!table) {
        table = buildTable(prepared, owner, tool, catalogTools.get(tool), hintsFor(tool), spaces);
        forOwner.set(tool, table);
      }
      return table;
    },
    toolsToJudge(identity) {
      return analysis.memo('tools-to-judge', identity ?? '', () => {
        const tools = identity !== undefined ? [...(touched.get(identity) ?? [])] : [...prepared.base.tools.keys()];
        if (identity === undefined && policy.default === 'allow') tools.push(...catalogTools.keys());
        // Catalogue order, as the catalogue lists them; names it does not know last.
        return [...new Set(tools)].sort((a, b) => (catalogOrder.get(a) ?? Infinity) - (catalogOrder.get(b) ?? Infinity) || compareStrings(a, b));
      });
    },
    named: (identity, tool) => scopeFor(prepared, identity).tools.has(tool),
    touches,
    touchedBy: (identity) => touched.get(identity) ?? [],
    toolsOfRule: (id) => toolsByRule.get(id) ?? [],
    verdictWithout: (table, region, removed, also) => verdictOf(prepared, table.rules, region, removed, also),
    memo<T>(kind: string, key: string, compute: () => T): T {
      let facts = memos.get(kind);
      if (!facts) memos.set(kind, (facts = new Map()));
      if (facts.has(key)) return facts.get(key) as T;
      const value = compute();
      facts.set(key, value);
      return value;
    },
  };
  return analysis;
}

type Schema = { [key: string]: unknown };

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * What a top-level parameter's schema says about its values, read directly (its `type` and
 * `enum`, and those of its `anyOf`/`oneOf` branches). Only used to choose realistic
 * representatives, so a schema it does not understand just gives none.
 */
function schemaHints(inputSchema: unknown, path: readonly string[]): PathHints | undefined {
  if (path.length !== 1 || !isSchema(inputSchema) || !isSchema(inputSchema.properties)) return undefined;
  const property = Object.hasOwn(inputSchema.properties, path[0]!) ? inputSchema.properties[path[0]!] : undefined;
  if (!isSchema(property)) return undefined;
  const types = new Set<JsonType>();
  const values: JsonValue[] = [];
  const branches = [property, ...[property.anyOf, property.oneOf].flatMap((list) => (Array.isArray(list) ? list.filter(isSchema) : []))];
  for (const branch of branches) {
    const declared = branch.type;
    for (const name of typeof declared === 'string' ? [declared] : Array.isArray(declared) ? declared : []) {
      if (name === 'integer') types.add('number');
      else if (typeof name === 'string' && JSON_TYPES.includes(name as JsonType)) types.add(name as JsonType);
    }
    if (Array.isArray(branch.enum)) values.push(...(branch.enum as JsonValue[]));
  }
  return { types, values };
}

const JSON_TYPES: readonly JsonType[] = ['string', 'number', 'boolean', 'null', 'array', 'object'];
