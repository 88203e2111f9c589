// What a lint rule sees: the model, the catalogue, a way to report, and the facts several rules
// need (which tools a rule selects, what is hidden for whom, which rules apply to a call),
// computed once on first use so that no rule recomputes them.

import { analysePolicy, type PolicyAnalysis } from '../analysis/analysis.js';
import { resolveSelectors } from '../catalog/resolve.js';
import { paramTypes, type ParamTypes } from '../catalog/schema-types.js';
import type { Catalog, CatalogTool } from '../catalog/types.js';
import { compilePolicy } from '../compile/compile.js';
import { report, type Code } from '../diagnostics/codes.js';
import type { Diagnostic, RelatedLocation, Severity, Span } from '../diagnostics/diagnostic.js';
import type { CompiledPolicy } from '../model/compiled.js';
import type { HideNode, IdentityNode, LimitNode, PolicyModel, RuleNode, Selector } from '../model/policy.js';

/** Who makes a call: the top level (no identity block) or one identity. */
export interface Caller {
  /** The identity's name; undefined for a caller the policy has no block for. */
  identity: string | undefined;
  /** The identity's block(s) (several only when the name is duplicated, itself an error). */
  blocks: readonly IdentityNode[];
  /** Every rule that applies to this caller: the top-level rules, then the block's. */
  rules: readonly RuleNode[];
  /** Every hide that applies to this caller: the top-level hides, then the block's. */
  hides: readonly HideNode[];
}

/** A selector together with the statement it belongs to. */
export interface SelectorUse {
  selector: Selector;
  owner: { kind: 'rule'; rule: RuleNode } | { kind: 'hide'; hide: HideNode };
}

export interface ReportExtra {
  related?: RelatedLocation[];
  suggestion?: string;
  /** Only for codes whose severity depends on the case (destructive-allowed: error or warning). */
  severity?: Severity;
}

export interface CheckContext {
  readonly model: PolicyModel;
  /** The server's catalogue; undefined when it is unknown (catalogue rules do not run then). */
  readonly catalog: Catalog | undefined;
  report(code: Code, span: Span, message: string, extra?: ReportExtra): void;

  /** Every rule: top level first, then each identity block, in source order. */
  readonly rules: readonly RuleNode[];
  /** Every hide statement: top level first, then each identity block. */
  readonly hides: readonly HideNode[];
  /** Every selector in rules and hides, in source order of their statements. */
  readonly selectors: readonly SelectorUse[];
  /** The top-level caller first, then one per identity name. */
  readonly callers: readonly Caller[];
  /** The caller a rule or hide belongs to: its identity's, or the top level's. */
  callerOf(node: RuleNode | HideNode): Caller;

  /** The catalogued tool of that name. */
  tool(name: string): CatalogTool | undefined;
  /** The tools a rule selects, sorted (exact names stand for themselves even if unknown). */
  toolsOf(rule: RuleNode): readonly string[];
  /** The tools one selector stands for, sorted. */
  toolsOfSelector(selector: Selector): readonly string[];
  /** The first hide statement that hides `tool` for `caller`, if any. */
  hiddenBy(caller: Caller, tool: string): HideNode | undefined;
  /** Every tool hidden for `caller`, with the first hide that does it (resolved as the compiler does). */
  hiddenTools(caller: Caller): ReadonlyMap<string, HideNode>;
  /** The rules that apply to `caller` and select `tool`, top-level first. */
  rulesFor(caller: Caller, tool: string): readonly RuleNode[];
  /** What `path` can hold in `tool`'s arguments; undefined when the tool has no such parameter or is not catalogued. */
  paramTypes(tool: string, path: readonly string[]): ParamTypes | undefined;

  /**
   * The exact analysis of the policy (src/analysis), over the policy as the compiler writes it;
   * undefined without a catalogue. Built on first use: only the rules that need it pay for it.
   */
  readonly analysis: PolicyAnalysis | undefined;
  /** The id the compiler gives a rule (`r1`, `r2`, …), as the analysis and policy.json name it. */
  ruleId(rule: RuleNode): string;
  /** The rule of a compiled id. */
  ruleById(id: string): RuleNode | undefined;
  /** The limit of a compiled id: a rule's (`r3`) or a `limit all` statement's (`a1`). */
  limitById(id: string): LimitNode | undefined;
}

const NO_CATALOG: Catalog = { name: '', tools: [] };

/**
 * Messages quote the policy's own text, which may hold zero-width or bidi-control characters;
 * printed raw they would hide in the terminal or reorder the line. Show them as `\u{…}`.
 */
export function showInvisibles(text: string): string {
  return text.replace(/[\p{Cf}\p{Cc}\p{Zl}\p{Zp}]/gu, (ch) => `\\u{${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase()}}`);
}

function memo<K extends object, V>(compute: (key: K) => V): (key: K) => V {
  const cache = new WeakMap<K, V>();
  return (key) => {
    if (cache.has(key)) return cache.get(key) as V;
    const value = compute(key);
    cache.set(key, value);
    return value;
  };
}

function once<V>(compute: () => V): () => V {
  let done = false;
  let value: V;
  return () => {
    if (!done) {
      value = compute();
      done = true;
    }
    return value;
  };
}

/** Builds the context for one policy; `sink` receives every reported diagnostic. */
export function createCheckContext(
  model: PolicyModel,
  catalog: Catalog | undefined,
  sink: (diagnostic: Diagnostic) => void,
  compiled?: CompiledPolicy,
): CheckContext {
  const universe = catalog ?? NO_CATALOG;
  const toolsByName = once(() => new Map(universe.tools.map((tool) => [tool.name, tool])));

  const rules = once(() => [...model.rules, ...model.identities.flatMap((block) => block.rules)]);
  const hides = once(() => [...model.hide, ...model.identities.flatMap((block) => block.hide)]);

  const callers = once((): Caller[] => {
    const top: Caller = { identity: undefined, blocks: [], rules: model.rules, hides: model.hide };
    const byName = new Map<string, IdentityNode[]>();
    for (const block of model.identities) byName.set(block.name, [...(byName.get(block.name) ?? []), block]);
    const identities = [...byName].map(([name, blocks]): Caller => ({
      identity: name,
      blocks,
      rules: [...model.rules, ...blocks.flatMap((block) => block.rules)],
      hides: [...model.hide, ...blocks.flatMap((block) => block.hide)],
    }));
    return [top, ...identities];
  });

  const callerByIdentity = once(() => new Map(callers().map((caller) => [caller.identity, caller])));

  const toolsOfSelector = memo((selector: Selector) => resolveSelectors([selector], universe));
  const toolsOf = memo((rule: RuleNode) => resolveSelectors(rule.selectors, universe));
  const toolSets = memo((rule: RuleNode) => new Set(toolsOf(rule)));

  // The same resolution as the compiler's `hide` list: `*`, globs, classes and risks stand for
  // catalogued tools only, an exact name for itself.
  const hiddenTools = memo((caller: Caller) => {
    const hidden = new Map<string, HideNode>();
    for (const hide of caller.hides) {
      for (const selector of hide.selectors) {
        for (const name of toolsOfSelector(selector)) if (!hidden.has(name)) hidden.set(name, hide);
      }
    }
    return hidden;
  });

  const selectors = once((): SelectorUse[] => {
    const uses: SelectorUse[] = [];
    const statements: Array<SelectorUse['owner']> = [
      ...model.hide.map((hide) => ({ kind: 'hide' as const, hide })),
      ...model.rules.map((rule) => ({ kind: 'rule' as const, rule })),
      ...model.identities.flatMap((block) => [
        ...block.hide.map((hide) => ({ kind: 'hide' as const, hide })),
        ...block.rules.map((rule) => ({ kind: 'rule' as const, rule })),
      ]),
    ];
    for (const owner of statements) {
      const list = owner.kind === 'rule' ? owner.rule.selectors : owner.hide.selectors;
      for (const selector of list) uses.push({ selector, owner });
    }
    return uses.sort((a, b) => a.selector.span.start.offset - b.selector.span.start.offset);
  });

  const paramCache = new Map<string, ParamTypes | undefined>();

  // The compiler numbers top-level rules first, then each identity block's, as `rules()` lists them.
  const ruleIds = once(() => new Map(rules().map((rule, index) => [rule, `r${index + 1}`])));
  const rulesById = once(() => new Map(rules().map((rule, index) => [`r${index + 1}`, rule])));
  const analysis = once(() => (catalog === undefined ? undefined : analysePolicy(compiled ?? compilePolicy(model, catalog).policy, catalog)));

  return {
    model,
    catalog,
    report(code, span, message, extra = {}) {
      const { severity, ...rest } = extra;
      const diagnostic = report(code, span, showInvisibles(message), rest);
      if (severity !== undefined) diagnostic.severity = severity;
      sink(diagnostic);
    },
    get rules() {
      return rules();
    },
    get hides() {
      return hides();
    },
    get selectors() {
      return selectors();
    },
    get callers() {
      return callers();
    },
    callerOf(node) {
      const caller = callerByIdentity().get(node.identity);
      if (!caller) throw new Error(`internal: no caller for identity ${String(node.identity)}`);
      return caller;
    },
    tool: (name) => toolsByName().get(name),
    toolsOf,
    toolsOfSelector,
    hiddenBy: (caller, tool) => hiddenTools(caller).get(tool),
    hiddenTools,
    rulesFor(caller, tool) {
      return caller.rules.filter((rule) => toolSets(rule).has(tool));
    },
    paramTypes(toolName, path) {
      const key = `${toolName}\u0000${path.join('\u0000')}`;
      if (paramCache.has(key)) return paramCache.get(key);
      const tool = toolsByName().get(toolName);
      const types = tool ? paramTypes(tool.inputSchema, path) : undefined;
      paramCache.set(key, types);
      return types;
    },
    get analysis() {
      return analysis();
    },
    ruleId(rule) {
      const id = ruleIds().get(rule);
      if (id === undefined) throw new Error('internal: a rule outside the model');
      return id;
    },
    ruleById: (id) => rulesById().get(id),
    limitById(id) {
      if (id.startsWith('a')) return model.limits[Number(id.slice(1)) - 1];
      return rulesById().get(id)?.limit;
    },
  };
}
