// The canonical policy.json: the compiler's output and the enforcer's only input.
//
// Fully resolved against the catalogue (no globs, classes or risks remain: every tool a rule
// touches is named), deterministic (sorted keys, two-space indentation, final newline), and the
// same bytes whichever spelling (DSL or YAML) the policy was written in. Because of that last
// promise the pointers back to source lines live beside it, in `policy.json.map`
// (see `PolicySourceMap`), keyed by the same rule ids.
//
// The top level is compatible with PolicyLayer's gateway: `version`, `default`, `hide`,
// `tools`, `all_tools`; policyc adds `identities`, `rules`, `server` and `catalog`.

import type { Condition } from './condition.js';
import type { DefaultEffect, Effect, LimitScope } from './policy.js';
import type { Normalisation } from '../catalog/types.js';

export interface CompiledLimit {
  max: number;
  /** The window as written canonically (`30s`, `1m`, `1h`, `1d`). */
  per: string;
  window_ms: number;
  by: LimitScope;
}

export interface CompiledRule {
  /** `r1`, `r2`, …: top-level rules in source order, then each identity's rules. */
  id: string;
  effect: Effect;
  /** The selectors as written, in canonical text: `class read`, `get_order_*`, `risk >= high`. */
  selector: string;
  when?: Condition;
  limit?: CompiledLimit;
  reason?: string;
  /** The identity block the rule belongs to; absent for top-level rules. */
  identity?: string;
}

export interface ToolEntry {
  /** Ids of the rules whose selector names this tool, in id order. */
  rules: string[];
  /**
   * Arguments the server normalises before acting on them (the Futu server upper-cases enum
   * strings), limited to those the tool's conditions read: conditions compare the normalised value.
   */
  normalize?: Record<string, Normalisation>;
}

export interface IdentityEntry {
  /** Tools hidden for this identity on top of the top-level `hide`. */
  hide: string[];
  tools: Record<string, ToolEntry>;
}

export interface GlobalLimit extends CompiledLimit {
  /** `a1`, `a2`, …: `limit all` statements in source order. */
  id: string;
}

export interface CompiledPolicy {
  version: '1';
  /** The catalogue the policy was resolved against (its `server` statement). */
  server?: string;
  default: DefaultEffect;
  /** Tools hidden from everyone. PolicyLayer's `"*"` (hide all) is accepted on input only. */
  hide: string[];
  tools: Record<string, ToolEntry>;
  all_tools: { limits: GlobalLimit[] };
  identities: Record<string, IdentityEntry>;
  /** Every rule, in id order; `tools` entries refer to them by id. */
  rules: CompiledRule[];
  /** The tools the catalogue knew when the policy was compiled: the reviewed universe. */
  catalog?: { name: string; tools: string[] };
}

/** Where a compiled entry came from. Lines and columns are 1-based. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** `policy.json.map`: compiled ids back to source positions. */
export interface PolicySourceMap {
  version: 1;
  /** Rule ids and `all_tools` limit ids → the statement that made them. */
  rules: Record<string, SourceLocation>;
  /** Hidden tool → the first `hide` statement that hides it. */
  hide: Record<string, SourceLocation>;
  identities: Record<string, { at: SourceLocation; hide: Record<string, SourceLocation> }>;
}
