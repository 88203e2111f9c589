// Hand-written compiled policies for the enforcer's tests: rules listed once, with the tool
// names they resolve to; the builder numbers them (r1, r2, …) and writes the `tools` and
// `identities` indexes the way the compiler does.

import type { Normalisation } from '../../src/catalog/types.js';
import type { CompiledLimit, CompiledPolicy, CompiledRule, GlobalLimit, IdentityEntry, ToolEntry } from '../../src/model/compiled.js';
import type { Condition } from '../../src/model/condition.js';
import type { JsonValue } from '../../src/model/json.js';
import type { DefaultEffect, Effect, LimitScope } from '../../src/model/policy.js';

export interface RuleSpec {
  effect: Effect;
  tools: string[];
  when?: Condition;
  limit?: CompiledLimit;
  reason?: string;
  identity?: string;
  /** The selector text; defaults to the tool names joined. */
  selector?: string;
}

export interface PolicySpec {
  default?: DefaultEffect;
  hide?: string[];
  rules?: RuleSpec[];
  limits?: CompiledLimit[];
  identities?: Record<string, { hide?: string[] }>;
  /** Per tool (top level), or per identity and tool, as `identity/tool`. */
  normalize?: Record<string, Record<string, Normalisation>>;
  catalog?: string[];
}

export function limit(max: number, windowMs: number, by: LimitScope = 'identity'): CompiledLimit {
  return { max, per: `${windowMs / 1000}s`, window_ms: windowMs, by };
}

function entryIn(tools: Record<string, ToolEntry>, tool: string): ToolEntry {
  const existing = Object.hasOwn(tools, tool) ? tools[tool] : undefined;
  if (existing) return existing;
  const entry: ToolEntry = { rules: [] };
  Object.defineProperty(tools, tool, { value: entry, enumerable: true, writable: true, configurable: true });
  return entry;
}

export function buildPolicy(spec: PolicySpec): CompiledPolicy {
  const tools: Record<string, ToolEntry> = {};
  const identities: Record<string, IdentityEntry> = {};
  const identityEntry = (name: string): IdentityEntry => {
    if (!Object.hasOwn(identities, name)) {
      Object.defineProperty(identities, name, {
        value: { hide: [], tools: {} },
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return identities[name] as IdentityEntry;
  };
  for (const [name, block] of Object.entries(spec.identities ?? {})) identityEntry(name).hide.push(...(block.hide ?? []));

  const rules: CompiledRule[] = (spec.rules ?? []).map((rule, position) => {
    const id = `r${position + 1}`;
    for (const tool of rule.tools) {
      const index = rule.identity === undefined ? tools : identityEntry(rule.identity).tools;
      entryIn(index, tool).rules.push(id);
    }
    return {
      id,
      effect: rule.effect,
      selector: rule.selector ?? rule.tools.join(', '),
      ...(rule.when === undefined ? {} : { when: rule.when }),
      ...(rule.limit === undefined ? {} : { limit: rule.limit }),
      ...(rule.reason === undefined ? {} : { reason: rule.reason }),
      ...(rule.identity === undefined ? {} : { identity: rule.identity }),
    };
  });
  for (const [where, map] of Object.entries(spec.normalize ?? {})) {
    const [first, second] = where.split('/');
    const entry = second === undefined ? entryIn(tools, first as string) : entryIn(identityEntry(first as string).tools, second);
    entry.normalize = map;
  }
  const globalLimits: GlobalLimit[] = (spec.limits ?? []).map((l, i) => ({ id: `a${i + 1}`, ...l }));
  return {
    version: '1',
    default: spec.default ?? 'deny',
    hide: spec.hide ?? [],
    tools,
    all_tools: { limits: globalLimits },
    identities,
    rules,
    ...(spec.catalog === undefined ? {} : { catalog: { name: 'test', tools: spec.catalog } }),
  };
}

// Conditions, spelt briefly.
export const eq = (path: string, value: JsonValue): Condition => ({ op: '==', path: path.split('.'), value });
export const exists = (path: string): Condition => ({ op: 'exists', path: path.split('.') });
export const and = (...operands: Condition[]): Condition => ({ and: operands });
export const or = (...operands: Condition[]): Condition => ({ or: operands });
export const not = (operand: Condition): Condition => ({ not: operand });
