// Facts about a model that more than one rule asks, too small to be worth caching.

import type { PolicyModel } from '../model/policy.js';

/** True when the file holds no statement at all (comments and blank lines only). */
export function isEmptyPolicy(model: PolicyModel): boolean {
  return (
    model.version === undefined &&
    model.server === undefined &&
    model.default === undefined &&
    model.hide.length === 0 &&
    model.rules.length === 0 &&
    model.limits.length === 0 &&
    model.identities.length === 0
  );
}
