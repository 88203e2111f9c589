import type { LimitNode } from '../../model/policy.js';
import type { CheckContext } from '../context.js';
import type { Rule } from '../rule.js';

export const MAX_LIMIT_COUNT = 1_000_000;
export const MAX_LIMIT_WINDOW_MS = 366 * 86_400_000;

export const invalidLimit: Rule = {
  code: 'invalid-limit',
  requiresCatalog: false,
  description: 'A rate limit whose count or window cannot work.',
  check(context) {
    for (const rule of context.rules) if (rule.limit) checkLimit(context, rule.limit);
    for (const limit of context.model.limits) checkLimit(context, limit);
  },
};

function checkLimit(context: CheckContext, limit: LimitNode): void {
  const { max } = limit;
  if (!Number.isInteger(max) || max < 1 || max > MAX_LIMIT_COUNT) {
    const why = !Number.isFinite(max)
      ? 'is not a number'
      : !Number.isInteger(max)
        ? 'is not a whole number'
        : max < 1
          ? 'would admit no call at all (write `deny` for that)'
          : 'is more than policyc counts';
    context.report(
      'invalid-limit',
      limit.maxSpan,
      `the limit count ${String(max)} ${why}; write a whole number from 1 to ${MAX_LIMIT_COUNT.toLocaleString('en-US')}.`,
    );
  }
  const { ms, text } = limit.per;
  if (!Number.isFinite(ms) || ms <= 0 || !Number.isInteger(ms)) {
    context.report(
      'invalid-limit',
      limit.per.span,
      `\`${text}\` is not a duration policyc reads; write a whole number and a unit, such as 30s, 1m, 1h or 1d.`,
    );
  } else if (ms > MAX_LIMIT_WINDOW_MS) {
    context.report(
      'invalid-limit',
      limit.per.span,
      `the window \`${text}\` is longer than 366 days, more than policyc keeps counts for; use a window of at most 366d.`,
    );
  }
}
