// The enforcer: pure decisions over a compiled policy. No I/O, no clock, no SDK: `explain`,
// `test` and the gateway call the same functions.

export { decide, explain, isHidden, normalizeArgs } from './decide.js';
export { compileCondition, evaluateCondition } from './condition.js';
export { preparePolicy, type PreparedPolicy } from './prepare.js';
export {
  SlidingWindowLimiter,
  type Admission,
  type AdmissionTicket,
  type LimiterOptions,
  type LimitSubject,
} from './limiter.js';
export type { Basis, Call, ConditionValue, Decision, Explanation, LimitClaim, Outcome, RuleTrace } from './types.js';
