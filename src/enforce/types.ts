// What the enforcer is asked and what it answers. Pure data: the enforcer reads a compiled
// policy and a call, and returns a decision. No I/O, no clock (limits take `now` as an argument).

import type { CompiledLimit } from '../model/compiled.js';
import type { Effect } from '../model/policy.js';
import type { JsonObject } from '../model/json.js';

export type Outcome = 'allow' | 'deny' | 'approve';

export interface Call {
  tool: string;
  args: JsonObject;
  /** The caller; absent or unknown identities get the top-level rules only. */
  identity?: string;
}

/** Which step of the semantics (SPEC §2) settled the outcome. */
export type Basis = 'unknown-tool' | 'hidden' | 'rule' | 'default';

/** The value of a `when`: it held, it did not, or it could not be evaluated. */
export type ConditionValue = true | false | 'error';

/** A limit a call must find room in before it is admitted. */
export interface LimitClaim extends CompiledLimit {
  /** The rule id, or the `all_tools` limit id: what messages and the audit log name. */
  id: string;
  /**
   * What the counter is kept under (with the scope): a stable fingerprint of what the limit
   * belongs to, so that counters survive a hot reload that renumbers rule ids. For a rule limit,
   * a hash of {effect, selector, identity, when, limit}; for an `all_tools` limit, of the limit
   * and its position among the `limit all` statements.
   */
  key: string;
}

export interface Decision {
  outcome: Outcome;
  basis: Basis;
  /** The rule that settled it (basis `rule`): the first, in id order, of the winning effect. */
  rule?: string;
  /** The `reason` text of that rule, if it has one. */
  reason?: string;
  /**
   * Limits that must all have room, for `allow` and `approve` outcomes: every matching rule's
   * limit, then every `all_tools` limit. Empty for `deny`.
   */
  limits: LimitClaim[];
}

/** One rule's part in a decision, for `explain` and the audit log. */
export interface RuleTrace {
  id: string;
  effect: Effect;
  identity?: string;
  /** `none` when the rule has no `when`. */
  when: ConditionValue | 'none';
  /** Why the condition could not be evaluated, e.g. "qty is missing". */
  error?: string;
  /** Whether the rule applies to this call (its `when` held, or an erroring `when` on a deny). */
  matched: boolean;
  reason?: string;
}

export interface Explanation extends Decision {
  /** Every rule that names the tool for this caller, in id order, with its condition's value. */
  trace: RuleTrace[];
}
