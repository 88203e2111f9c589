// Model + catalogue → the canonical policy.json (SPEC §4, docs/decisions.md) and its source map.
//
// Everything spelling-dependent (file names, lines, the front end that produced the model) goes
// into the source map only, so the DSL and YAML spellings of one policy give the same bytes.
// The compiler trusts that the checks ran, but never throws on a model they would reject: it
// writes the closest thing that fails closed, and lint refuses to build it anyway.

import { compareStrings, resolveSelectors } from '../catalog/resolve.js';
import type { Catalog, CatalogTool } from '../catalog/types.js';
import type { Span } from '../diagnostics/diagnostic.js';
import type {
  CompiledLimit,
  CompiledPolicy,
  CompiledRule,
  GlobalLimit,
  IdentityEntry,
  PolicySourceMap,
  SourceLocation,
  ToolEntry,
} from '../model/compiled.js';
import type { HideNode, IdentityNode, LimitNode, LimitScope, PolicyModel, RuleNode } from '../model/policy.js';
import { durationText, selectorsText } from '../model/text.js';
import { argumentsRead, conditionOf } from './condition.js';

export interface CompileOutput {
  policy: CompiledPolicy;
  sourceMap: PolicySourceMap;
}

/** A rule with the id it gets and the block it sits in. */
interface NumberedRule {
  id: string;
  node: RuleNode;
  compiled: CompiledRule;
}

/** Identity blocks of one name, merged (two blocks of one name are a lint error, not a crash). */
interface IdentityGroup {
  name: string;
  blocks: IdentityNode[];
}

export function compilePolicy(model: PolicyModel, catalog: Catalog): CompileOutput {
  const groups = identityGroups(model.identities);
  const topRules = numberRules(model.rules, undefined, 1);
  let next = topRules.length + 1;
  const identityRules = new Map<string, NumberedRule[]>();
  for (const block of model.identities) {
    const numbered = numberRules(block.rules, block.name, next);
    next += numbered.length;
    identityRules.set(block.name, [...(identityRules.get(block.name) ?? []), ...numbered]);
  }
  const allRules = [...topRules, ...[...identityRules.values()].flat()].sort((a, b) => ruleNumber(a.id) - ruleNumber(b.id));
  const limits = model.limits.map((limit, index) => globalLimit(limit, `a${index + 1}`));
  const catalogTools = toolIndex(catalog);

  const policy: CompiledPolicy = {
    version: '1',
    ...(model.server ? { server: model.server.name } : {}),
    // Anything but an explicit `default allow` is deny: a broken default never opens the door.
    default: model.default?.value === 'allow' ? 'allow' : 'deny',
    hide: hiddenTools(model.hide, catalog),
    tools: toolEntries(topRules, catalog, catalogTools),
    all_tools: { limits },
    identities: Object.fromEntries(
      groups.map((group): [string, IdentityEntry] => [
        group.name,
        {
          hide: hiddenTools(
            group.blocks.flatMap((block) => block.hide),
            catalog,
          ),
          tools: toolEntries(identityRules.get(group.name) ?? [], catalog, catalogTools),
        },
      ]),
    ),
    rules: allRules.map((rule) => rule.compiled),
    catalog: { name: catalog.name, tools: [...new Set(catalog.tools.map((tool) => tool.name))].sort(compareStrings) },
  };

  const sourceMap: PolicySourceMap = {
    version: 1,
    rules: Object.fromEntries([
      ...allRules.map((rule): [string, SourceLocation] => [rule.id, locationOf(rule.node.span, model.file)]),
      ...model.limits.map((limit, index): [string, SourceLocation] => [`a${index + 1}`, locationOf(limit.span, model.file)]),
    ]),
    hide: hideLocations(model.hide, catalog, model.file),
    identities: Object.fromEntries(
      groups.map((group) => [
        group.name,
        {
          at: locationOf(group.blocks[0]!.span, model.file),
          hide: hideLocations(
            group.blocks.flatMap((block) => block.hide),
            catalog,
            model.file,
          ),
        },
      ]),
    ),
  };

  return { policy, sourceMap };
}

function identityGroups(blocks: readonly IdentityNode[]): IdentityGroup[] {
  const groups = new Map<string, IdentityGroup>();
  for (const block of blocks) {
    const group = groups.get(block.name);
    if (group) group.blocks.push(block);
    else groups.set(block.name, { name: block.name, blocks: [block] });
  }
  return [...groups.values()];
}

function numberRules(nodes: readonly RuleNode[], identity: string | undefined, first: number): NumberedRule[] {
  return nodes.map((node, index) => {
    const id = `r${first + index}`;
    return { id, node, compiled: compileRule(node, id, identity) };
  });
}

function ruleNumber(id: string): number {
  return Number(id.slice(1));
}

function compileRule(node: RuleNode, id: string, identity: string | undefined): CompiledRule {
  const rule: CompiledRule = { id, effect: node.effect, selector: selectorsText(node.selectors) };
  if (node.when) rule.when = conditionOf(node.when);
  if (node.limit) rule.limit = compileLimit(node.limit);
  if (node.reason) rule.reason = node.reason.text;
  // The block the rule sits in decides, not the node's own field: the two cannot disagree in output.
  if (identity !== undefined) rule.identity = identity;
  return rule;
}

const SCOPES: readonly LimitScope[] = ['identity', 'session', 'global'];
/** The largest count and window lint accepts (`invalid-limit`). */
const MAX_COUNT = 1_000_000;
const MAX_WINDOW_MS = 366 * 86_400_000;

/**
 * A limit that lint would reject (a count or window that is not a whole positive number in range)
 * compiles to one that admits nothing: the closest reading that never lets more calls through.
 */
function compileLimit(limit: LimitNode): CompiledLimit {
  const by = SCOPES.includes(limit.by) ? limit.by : 'global';
  const ms = limit.per.ms;
  const windowOk = Number.isSafeInteger(ms) && ms >= 1000 && ms % 1000 === 0 && ms <= MAX_WINDOW_MS;
  const maxOk = Number.isSafeInteger(limit.max) && limit.max >= 1 && limit.max <= MAX_COUNT;
  if (!windowOk || !maxOk) {
    const window = windowOk ? ms : 1000;
    return { max: 0, per: durationText(window), window_ms: window, by };
  }
  return { max: limit.max, per: durationText(ms), window_ms: ms, by };
}

function globalLimit(limit: LimitNode, id: string): GlobalLimit {
  return { id, ...compileLimit(limit) };
}

function hiddenTools(hides: readonly HideNode[], catalog: Catalog): string[] {
  return resolveSelectors(
    hides.flatMap((hide) => hide.selectors),
    catalog,
  );
}

function toolIndex(catalog: Catalog): Map<string, CatalogTool> {
  const index = new Map<string, CatalogTool>();
  for (const tool of catalog.tools) if (!index.has(tool.name)) index.set(tool.name, tool);
  return index;
}

/**
 * Tool name → the rules naming it (in id order) and the normalisations its conditions need:
 * the catalogue's `normalize` entries for the arguments some `when` of those rules reads.
 */
function toolEntries(rules: readonly NumberedRule[], catalog: Catalog, tools: Map<string, CatalogTool>): Record<string, ToolEntry> {
  const entries = new Map<string, { rules: string[]; reads: Set<string> }>();
  for (const rule of rules) {
    const reads = rule.compiled.when ? argumentsRead(rule.compiled.when) : [];
    for (const name of resolveSelectors(rule.node.selectors, catalog)) {
      let entry = entries.get(name);
      if (!entry) entries.set(name, (entry = { rules: [], reads: new Set() }));
      entry.rules.push(rule.id);
      for (const argument of reads) entry.reads.add(argument);
    }
  }
  return Object.fromEntries(
    [...entries].map(([name, entry]): [string, ToolEntry] => {
      const normalize = normalisations(tools.get(name), entry.reads);
      return [name, normalize ? { rules: entry.rules, normalize } : { rules: entry.rules }];
    }),
  );
}

function normalisations(tool: CatalogTool | undefined, reads: ReadonlySet<string>): ToolEntry['normalize'] {
  if (!tool?.normalize) return undefined;
  const used = Object.entries(tool.normalize).filter(([argument]) => reads.has(argument));
  return used.length > 0 ? Object.fromEntries(used) : undefined;
}

/** Each hidden tool → the first hide statement (in source order) that hides it. */
function hideLocations(hides: readonly HideNode[], catalog: Catalog, file: string): Record<string, SourceLocation> {
  const locations = new Map<string, SourceLocation>();
  for (const hide of hides) {
    for (const name of resolveSelectors(hide.selectors, catalog)) {
      if (!locations.has(name)) locations.set(name, locationOf(hide.span, file));
    }
  }
  return Object.fromEntries(locations);
}

/** A span's start as a 1-based location; positions left by error recovery (NaN, -1) become 1. */
function locationOf(span: Span, file: string): SourceLocation {
  return {
    file: span.file || file,
    line: wholeAtLeastOne(span.start.line),
    column: wholeAtLeastOne(span.start.column),
  };
}

function wholeAtLeastOne(value: number): number {
  return Number.isSafeInteger(value) && value >= 1 ? value : 1;
}
