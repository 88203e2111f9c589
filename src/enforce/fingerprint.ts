// Stable fingerprints for rate-limit counters. Rule ids are positions (`r1`, `r2`, …) and shift
// when a rule is inserted above; a counter kept per id would be handed to a different rule after
// a hot reload. A fingerprint of what the limit belongs to stays put.

import { createHash } from 'node:crypto';

import type { CompiledLimit, CompiledRule } from '../model/compiled.js';
import { canonicalJson } from '../model/json.js';

/** 64 bits of SHA-256, as hex: short enough for logs and stores, far from colliding. */
function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

// `per` is left out: it is the display spelling of `window_ms`.
function limitFacts(limit: CompiledLimit): { max: number; window_ms: number; by: string } {
  return { max: limit.max, window_ms: limit.window_ms, by: limit.by };
}

/** The counter key of a rule's limit: what the rule says, not where it stands. */
export function ruleLimitKey(rule: CompiledRule, limit: CompiledLimit): string {
  return shortHash(
    canonicalJson({
      kind: 'rule',
      effect: rule.effect,
      selector: rule.selector,
      identity: rule.identity ?? null,
      when: rule.when ?? null,
      limit: limitFacts(limit),
    }),
  );
}

/** The counter key of a `limit all`: the limit and its position among the `limit all` statements. */
export function globalLimitKey(limit: CompiledLimit, position: number): string {
  return shortHash(canonicalJson({ kind: 'all', position, limit: limitFacts(limit) }));
}
