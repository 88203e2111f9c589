// The gate every tools/call passes: the pure decision of the enforcer, then the rate limits, then
// the audit record — written, and the write finished, before the call may go on. Whatever fails
// on the way denies the call: a tool list that could not be learned, a limit without room, a rule
// that asks for a person's approval, a rate-limit store that does not answer, an audit log that
// cannot be written.

import { decide, explain, isHidden, normalizeArgs, SlidingWindowLimiter, type Admission, type AdmissionTicket, type Call, type Decision } from '../enforce/index.js';
import type { PreparedPolicy } from '../enforce/index.js';
import type { PolicySourceMap, SourceLocation } from '../model/compiled.js';
import type { AuditBasis, AuditEntry, AuditLog } from './audit.js';
import type { CallGate, GateCall, GateVerdict } from './gate-types.js';
import { quoted, type Logger } from './log.js';
import { MemoryLimitStore, type LimitStore } from './state/index.js';

/** The policy in force. Replaced as a whole on reload, so a decision never sees half of one. */
export interface ActivePolicy {
  prepared: PreparedPolicy;
  sourceMap?: PolicySourceMap;
}

export interface PolicyStore {
  active: ActivePolicy;
}

export interface GateOptions {
  policies: PolicyStore;
  /** Where rate-limit counters live (src/gateway/state); a bare limiter counts in this process. */
  limiter: LimitStore | SlidingWindowLimiter;
  audit: AuditLog;
  log: Logger;
  /** The time for rate limits (tests); by default each store's own clock (Redis: the server's). */
  now?: () => number;
}

/** A denial as the model reads it (tool result text) and as the audit log keeps it. */
interface Denial {
  basis: AuditBasis;
  rule: string | null;
  source: string | null;
  reason: string;
  text: string;
}

export function createCallGate(options: GateOptions): CallGate {
  const { policies, audit, log, now } = options;
  const limits = options.limiter instanceof SlidingWindowLimiter ? new MemoryLimitStore(options.limiter) : options.limiter;

  return {
    hides(tool, identity) {
      return isHidden(policies.active.prepared, tool, identity);
    },

    admit(call) {
      const active = policies.active;
      if (call.inventory.kind === 'unavailable') {
        return deny(call, call.args, {
          basis: 'inventory',
          rule: null,
          source: null,
          reason: `the upstream's tool list is not available: ${call.inventory.reason}`,
          text: `Denied by policyc: the gateway could not learn which tools the upstream server offers (${call.inventory.reason}), so it cannot check this call. Try again later.`,
        });
      }
      const args = normalizeArgs(active.prepared, call.tool, call.args, call.identity);
      const decision = decide(active.prepared, { tool: call.tool, args, identity: call.identity }, call.inventory.tools);
      if (decision.outcome !== 'allow') {
        const decided: Call = { tool: call.tool, args, identity: call.identity };
        if (decision.basis === 'default') return deny(call, args, withNearMiss(denialFor(decision, call, active.sourceMap), active, decided, call.inventory.tools));
        return deny(call, args, denialFor(decision, call, active.sourceMap, unevaluableDeny(decision, active, decided, call.inventory.tools)));
      }
      // Counted and recorded in the same synchronous step as the decision when the store and the
      // log need no I/O to answer (the in-process limiter, an audit log without fsync): an allowed
      // call then reaches the upstream without waiting for a turn of the event loop.
      const { tryAdmitNow } = limits;
      const { appendNow } = audit;
      if (tryAdmitNow !== undefined && appendNow !== undefined) {
        let admission: Admission;
        try {
          admission = tryAdmitNow.call(limits, decision.limits, { identity: call.identity, session: call.session }, now?.());
        } catch (error) {
          return deny(call, args, storeUnavailable(call, error));
        }
        if (!admission.admitted) return deny(call, args, limitReached(admission, active));
        try {
          appendNow(allowedEntry(call, args, decision, active));
        } catch (error) {
          return unrecorded(call, admission.ticket, error);
        }
        return forwarded(args, admission.ticket);
      }
      return admitLater(call, args, decision, active);
    },
  };

  async function admitLater(call: GateCall, args: GateCall['args'], decision: Decision, active: ActivePolicy): Promise<GateVerdict> {
    let admission: Admission;
    try {
      admission = await limits.tryAdmit(decision.limits, { identity: call.identity, session: call.session }, now?.());
    } catch (error) {
      return deny(call, args, storeUnavailable(call, error));
    }
    if (!admission.admitted) return deny(call, args, limitReached(admission, active));
    try {
      await audit.append(allowedEntry(call, args, decision, active));
    } catch (error) {
      return unrecorded(call, admission.ticket, error);
    }
    return forwarded(args, admission.ticket);
  }

  function storeUnavailable(call: GateCall, error: unknown): Denial {
    const why = error instanceof Error ? error.message : String(error);
    log.error(`denied ${quoted(call.tool)}: rate-limit store unavailable: ${why}`);
    return {
      basis: 'limit',
      rule: null,
      source: null,
      reason: `rate-limit store unavailable: ${why}`,
      text: `Denied by policyc: the gateway cannot count this call against its rate limits (rate-limit store unavailable: ${why}), and it forwards no limited call uncounted. Try again later.`,
    };
  }

  function limitReached(admission: Extract<Admission, { admitted: false }>, active: ActivePolicy): Denial {
    const { claim, retryAfterMs } = admission;
    const source = at(active.sourceMap?.rules[claim.id]);
    const scope = claim.by === 'identity' ? 'for this caller' : claim.by === 'session' ? 'for this session' : 'for all callers together';
    const retry = Number.isFinite(retryAfterMs) ? `retry after ${Math.max(1, Math.ceil(retryAfterMs / 1000))} s` : 'this limit admits no calls';
    return {
      basis: 'limit',
      rule: claim.id,
      source,
      reason: `limit ${claim.max} per ${claim.per} reached ${scope}; ${retry}`,
      text: `Denied by policyc: the limit of ${claim.max} calls per ${claim.per} (${ruleName(claim.id, source)}) is reached ${scope}; ${retry}.`,
    };
  }

  function allowedEntry(call: GateCall, args: GateCall['args'], decision: Decision, active: ActivePolicy): AuditEntry {
    return {
      identity: call.identity,
      session: call.session,
      tool: call.tool,
      decision: 'allow',
      basis: decision.basis === 'rule' ? 'rule' : 'default',
      rule: decision.rule ?? null,
      source: decision.rule === undefined ? null : at(active.sourceMap?.rules[decision.rule]),
      reason: decision.reason ?? null,
      args,
    };
  }

  /** The record could not be written: the quota goes back and the call does not go on. */
  function unrecorded(call: GateCall, ticket: AdmissionTicket, error: unknown): GateVerdict {
    releaseQuietly(limits, ticket, log);
    const why = error instanceof Error ? error.message : String(error);
    log.error(`denied ${quoted(call.tool)}: ${why}`);
    return { forward: false, text: `Denied by policyc: the gateway could not write its audit record (${why}), and it forwards no call without one.` };
  }

  function forwarded(args: GateCall['args'], ticket: AdmissionTicket): GateVerdict {
    return { forward: true, args, reservation: { release: () => releaseQuietly(limits, ticket, log) } };
  }

  async function deny(call: GateCall, args: GateCall['args'], denial: Denial): Promise<GateVerdict> {
    try {
      await audit.append({
        identity: call.identity,
        session: call.session,
        tool: call.tool,
        decision: 'deny',
        basis: denial.basis,
        rule: denial.rule,
        source: denial.source,
        reason: denial.reason,
        args,
      });
    } catch (error) {
      // The call is denied either way; the operator must hear that its record is missing.
      log.error(`could not write the audit record of a denied ${quoted(call.tool)} call: ${error instanceof Error ? error.message : String(error)}`);
    }
    log.debug(`denied ${quoted(call.tool)} for ${quoted(call.identity)}: ${denial.reason}`);
    return { forward: false, text: denial.text };
  }
}

/**
 * A call denied by default although a rule names the tool: say which rule would have allowed it
 * and that its condition did not hold, so the model can correct the call (`trd_env` SIMULATE)
 * instead of guessing. Worked out only for denials; the hot path stays `decide`.
 */
function withNearMiss(denial: Denial, active: ActivePolicy, call: Call, known: ReadonlySet<string>): Denial {
  const missed = explain(active.prepared, call, known).trace.find((rule) => rule.effect !== 'deny' && !rule.matched);
  if (!missed) return denial;
  const source = at(active.sourceMap?.rules[missed.id]);
  const why = missed.reason ? ` (${missed.reason})` : '';
  const detail = missed.error ? `; ${missed.error}` : '';
  return {
    ...denial,
    reason: `${denial.reason}; the condition of ${missed.id} does not hold${detail}`,
    text: `Denied by policyc: ${ruleName(missed.id, source)} allows ${JSON.stringify(call.tool)} only when its condition holds${why}, and for these arguments it does not${detail}; the policy's default is deny.`,
  };
}

/**
 * A deny rule applies when its condition holds or cannot be evaluated (SPEC §2.4). When it was the
 * second — `qty` sent as the string "1000" — the reason alone ("no orders above 100") would
 * mislead: say what could not be evaluated, so the model can send the value the rule can read.
 */
function unevaluableDeny(decision: Decision, active: ActivePolicy, call: Call, known: ReadonlySet<string>): string | undefined {
  if (decision.outcome !== 'deny' || decision.basis !== 'rule' || decision.rule === undefined) return undefined;
  const rule = explain(active.prepared, call, known).trace.find((traced) => traced.id === decision.rule);
  return rule?.when === 'error' ? (rule.error ?? 'the condition could not be evaluated') : undefined;
}

/** A quota that cannot be given back (the store is away) stays counted: that errs towards denying. */
function releaseQuietly(limits: LimitStore, ticket: AdmissionTicket, log: Logger): void {
  limits.release(ticket).catch((error: unknown) => log.warn(`could not give back rate-limit quota: ${error instanceof Error ? error.message : String(error)}`));
}

/** Why a decision that is not `allow` denies, in the words the model and the log will see. */
export function denialFor(decision: Decision, call: Pick<GateCall, 'tool' | 'identity'>, sourceMap: PolicySourceMap | undefined, unevaluable?: string): Denial {
  const tool = JSON.stringify(call.tool);
  switch (decision.basis) {
    case 'unknown-tool':
      return {
        basis: 'unknown-tool',
        rule: null,
        source: null,
        reason: 'not a tool the upstream server lists',
        text: `Denied by policyc: ${tool} is not a tool that the upstream server offers.`,
      };
    case 'hidden': {
      const source = at(sourceMap?.identities[call.identity]?.hide[call.tool] ?? sourceMap?.hide[call.tool]);
      return {
        basis: 'hidden',
        rule: null,
        source,
        reason: 'hidden for this caller',
        text: `Denied by policyc: ${tool} is not available to this caller${source ? ` (hidden by ${source})` : ''}.`,
      };
    }
    case 'default':
      return {
        basis: 'default',
        rule: null,
        source: null,
        reason: 'no rule allows it; the default is deny',
        text: `Denied by policyc: no rule of the policy allows ${tool}, and the policy's default is deny.`,
      };
    case 'rule': {
      const rule = decision.rule ?? null;
      const source = rule === null ? null : at(sourceMap?.rules[rule]);
      const name = rule === null ? 'a rule' : ruleName(rule, source);
      if (decision.outcome === 'approve') {
        const why = decision.reason ? ` (${decision.reason})` : '';
        return {
          basis: 'approval',
          rule,
          source,
          reason: `needs a person's approval${why}; approvals are not available in this gateway yet`,
          text: `Denied by policyc: ${name} requires a person to approve each ${tool} call${why}, and this gateway cannot ask for approval yet, so the call is denied.`,
        };
      }
      const why = decision.reason ? `: ${decision.reason}` : '';
      const detail = unevaluable === undefined ? '' : ` (its condition could not be evaluated: ${unevaluable}; a deny rule whose condition cannot be evaluated applies)`;
      return {
        basis: 'rule',
        rule,
        source,
        reason: `${decision.reason ?? 'denied by a rule'}${unevaluable === undefined ? '' : `; its condition could not be evaluated: ${unevaluable}`}`,
        text: `Denied by policyc: ${name} denies ${tool}${why}${detail}${why || detail ? '' : '.'}`,
      };
    }
  }
}

function ruleName(id: string, source: string | null): string {
  return source ? `rule ${id} at ${source}` : `rule ${id}`;
}

function at(location: SourceLocation | undefined): string | null {
  return location ? `${location.file}:${location.line}` : null;
}
