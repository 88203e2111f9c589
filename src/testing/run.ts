// Running decision tests: every call of every case through the real enforcer (the same
// `decide` the gateway calls, cross-checked against `explain`, whose trace also gives coverage)
// and the real SlidingWindowLimiter on a simulated clock. Pure: no I/O, no wall clock.
//
//   TestSuite + compiled policy ─► check names (tools, identities, rules) ─► run each case
//                                                                          ─► results + coverage

import { basename, resolve } from 'node:path';

import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { report } from '../diagnostics/codes.js';
import { didYouMean } from '../diagnostics/did-you-mean.js';
import { decide, explain, preparePolicy, SlidingWindowLimiter, type Decision, type PreparedPolicy } from '../enforce/index.js';
import type { CompiledPolicy, PolicySourceMap, SourceLocation } from '../model/compiled.js';
import type { PolicyModel } from '../model/policy.js';
import type { CallSpec, RuleReference, StepSpec, TestCase, TestOutcome, TestSuite } from './cases.js';
import { hidingStatement, policyStatements, sameLocation, statementsAtLine, type PolicyStatement, type PolicyStatements } from './statements.js';

export interface PolicyUnderTest {
  /** The policy file as given on the command line; `file:line` references name it. */
  path: string;
  policy: CompiledPolicy;
  sourceMap?: PolicySourceMap;
  model?: PolicyModel;
}

/** What settled a call, in the terms a test names it by. */
export type Decider =
  | { kind: 'rule'; id: string }
  /** A rule's limit or a `limit all` had no room. */
  | { kind: 'limit'; id: string }
  | { kind: 'hide' }
  | { kind: 'default' }
  | { kind: 'unknown-tool' };

export interface ActualDecision {
  outcome: TestOutcome;
  decider: Decider;
  /** Where the deciding statement is written, when the policy's source map knows. */
  at?: SourceLocation;
  reason?: string;
  /** For `rate_limited`: when the limit has room again, in simulated milliseconds from the call. */
  retryAfterMs?: number;
}

export interface CallResult {
  call: CallSpec;
  actual: ActualDecision;
  passed: boolean;
  /** In a sequence: the step (0-based), which of its repetitions (0-based), the simulated time. */
  step?: number;
  repetition?: number;
  atMs?: number;
}

export interface CaseResult {
  testCase: TestCase;
  passed: boolean;
  calls: CallResult[];
}

export interface CoverageItem {
  statement: PolicyStatement;
  /** Rules: matched some call. Limits: refused some call. Hides: hid some call. */
  covered: boolean;
}

export interface Coverage {
  rules: CoverageItem[];
  limits: CoverageItem[];
  hides: CoverageItem[];
}

export interface SuiteResult {
  cases: CaseResult[];
  coverage: Coverage;
}

/** The caller a limit counts when a case names no identity, as `policyc serve` over stdio does. */
export const ANONYMOUS = 'anonymous';

/**
 * The names the suite uses that do not fit the policy: a tool the catalogue does not have, an
 * identity that looks like a misspelt block name, a rule id or line with no statement. Any of
 * them makes the suite unrunnable: a test that names the wrong thing passes for the wrong reason.
 */
export function checkSuite(suite: TestSuite, target: PolicyUnderTest): Diagnostic[] {
  const statements = policyStatements(target.policy, target.sourceMap, target.model);
  const tools = target.policy.catalog ? new Set(target.policy.catalog.tools) : undefined;
  const identities = Object.keys(target.policy.identities);
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  const once = (diagnostic: Diagnostic): void => {
    const key = `${diagnostic.span.start.offset}:${diagnostic.message}`;
    if (!seen.has(key)) diagnostics.push(diagnostic);
    seen.add(key);
  };

  for (const call of suite.cases.flatMap(callsOf)) {
    if (tools && !tools.has(call.tool)) {
      const suggestion = didYouMean(call.tool, [...tools]);
      const hint = suggestion ? `; did you mean \`${suggestion}\`?` : '';
      const diagnostic = report(
        'invalid-test',
        call.toolSpan,
        `\`${call.tool}\` is not a tool of the catalogue "${target.policy.catalog!.name}": every call of it is denied as unknown, whatever the policy says${hint}`,
      );
      once(suggestion ? { ...diagnostic, suggestion } : diagnostic);
    }
    if (call.identity !== undefined && call.identitySpan && !Object.hasOwn(target.policy.identities, call.identity)) {
      // Any name the policy has no block for is a caller with the top-level rules; only one
      // that looks like a misspelt block is surely a mistake.
      const suggestion = didYouMean(call.identity, identities);
      if (suggestion) {
        const message = `the policy has no identity \`${call.identity}\`, so this caller gets the top-level rules only; did you mean \`${suggestion}\`?`;
        once({ ...report('invalid-test', call.identitySpan, message), suggestion });
      }
    }
    if (call.rule) {
      const problem = referenceProblem(call.rule, target, statements);
      if (problem) once(report('invalid-test', call.rule.span, problem));
    }
  }
  return diagnostics;
}

function callsOf(testCase: TestCase): CallSpec[] {
  switch (testCase.kind) {
    case 'call':
      return [testCase.call];
    case 'sequence':
      return testCase.steps;
    case 'matrix':
      return testCase.cells;
  }
}

function referenceProblem(reference: RuleReference, target: PolicyUnderTest, statements: PolicyStatements): string | undefined {
  switch (reference.kind) {
    case 'default':
      return undefined;
    case 'id': {
      if (statements.byId.has(reference.id)) return undefined;
      const ids = [...statements.byId.keys()];
      const suggestion = didYouMean(reference.id, ids);
      const known = ids.length === 0 ? 'it has no rules' : `its rules and limits are ${ids.join(', ')}`;
      return `the policy has no rule or limit \`${reference.id}\`; ${suggestion ? `did you mean \`${suggestion}\`?` : known}; name a rule by id (r3), by line (11 or ${basename(target.path)}:11), or write \`default\``;
    }
    case 'line': {
      if (!statements.hasLines) {
        return `${target.path} has no source map beside it (${target.path}.map), so its rules have no lines; name them by id (r3) or test the source policy`;
      }
      if (reference.file !== undefined && !namesFile(reference.file, target.path)) {
        return `the policy under test is ${target.path}, not ${reference.file}`;
      }
      if (statementsAtLine(statements, reference.line).length > 0) return undefined;
      const starts = [...new Set(statements.all.flatMap((statement) => (statement.at ? [statement.at.line] : [])))].sort((a, b) => a - b);
      return `line ${reference.line} of ${target.path} holds no rule, limit or hide statement; they start on lines ${starts.join(', ')}`;
    }
  }
}

/** `trading.policy` names `fixtures/policies/trading.policy`; so do that path and its absolute form. */
function namesFile(written: string, policyPath: string): boolean {
  if (resolve(written) === resolve(policyPath)) return true;
  const normalised = policyPath.replace(/\\/g, '/');
  return normalised.endsWith(`/${written.replace(/\\/g, '/')}`);
}

/** Runs every case. Call `checkSuite` first: references are taken to name existing statements. */
export function runSuite(suite: TestSuite, target: PolicyUnderTest): SuiteResult {
  const prepared = preparePolicy(target.policy);
  const statements = policyStatements(target.policy, target.sourceMap, target.model);
  const coverage = new CoverageTally();
  const cases = suite.cases.map((testCase, index) => runCase(testCase, index, { prepared, target, statements, coverage }));
  return { cases, coverage: coverage.result(statements) };
}

interface RunContext {
  prepared: PreparedPolicy;
  target: PolicyUnderTest;
  statements: PolicyStatements;
  coverage: CoverageTally;
}

function runCase(testCase: TestCase, index: number, context: RunContext): CaseResult {
  const calls: CallResult[] = [];
  switch (testCase.kind) {
    case 'call':
      // Each single call starts with empty limits, so the order of cases never matters.
      calls.push(evaluate(testCase.call, new SlidingWindowLimiter(), 0, `case ${index + 1}`, context));
      break;
    case 'matrix':
      for (const cell of testCase.cells) calls.push(evaluate(cell, new SlidingWindowLimiter(), 0, `case ${index + 1}`, context));
      break;
    case 'sequence':
      calls.push(...runSequence(testCase.steps, context));
      break;
  }
  return { testCase, passed: calls.every((call) => call.passed), calls };
}

/** One limiter and one simulated clock for the whole sequence; `after` is the only thing that moves time. */
function runSequence(steps: readonly StepSpec[], context: RunContext): CallResult[] {
  const limiter = new SlidingWindowLimiter();
  const results: CallResult[] = [];
  let now = 0;
  steps.forEach((step, stepIndex) => {
    now += step.afterMs;
    for (let repetition = 0; repetition < step.repeat; repetition++) {
      const result = evaluate(step, limiter, now, step.session, context);
      results.push({ ...result, step: stepIndex, repetition, atMs: now });
    }
  });
  return results;
}

function evaluate(call: CallSpec, limiter: SlidingWindowLimiter, nowMs: number, session: string, context: RunContext): CallResult {
  const request = { tool: call.tool, args: call.args, ...(call.identity === undefined ? {} : { identity: call.identity }) };
  const decision = decide(context.prepared, request);
  const explanation = explain(context.prepared, request);
  // Two independent readings of SPEC §2; a test must never report what the gateway would not do.
  if (explanation.outcome !== decision.outcome || explanation.basis !== decision.basis || explanation.rule !== decision.rule) {
    throw new Error(`internal: decide and explain disagree on ${call.tool}: ${decision.outcome}/${decision.basis} vs ${explanation.outcome}/${explanation.basis}`);
  }
  if (decision.basis !== 'hidden' && decision.basis !== 'unknown-tool') {
    for (const trace of explanation.trace) if (trace.matched) context.coverage.ruleMatched(trace.id);
  }

  const actual = actualDecision(decision, call, limiter, nowMs, session, context);
  if (actual.decider.kind === 'limit') context.coverage.limitReached(actual.decider.id);
  if (actual.decider.kind === 'hide' && actual.at) context.coverage.hideUsed(actual.at);
  const passed = actual.outcome === call.expect && (call.rule === undefined || referenceMatches(call.rule, actual, context.statements));
  return { call, actual, passed };
}

function actualDecision(decision: Decision, call: CallSpec, limiter: SlidingWindowLimiter, nowMs: number, session: string, context: RunContext): ActualDecision {
  const { sourceMap } = context.target;
  const reason = decision.reason === undefined ? {} : { reason: decision.reason };
  const ruleAt = (id: string | undefined): { at?: SourceLocation } => {
    const at = id === undefined ? undefined : sourceMap?.rules[id];
    return at ? { at } : {};
  };
  const decider: Decider = decision.basis === 'rule' && decision.rule !== undefined ? { kind: 'rule', id: decision.rule } : { kind: 'default' };

  if (decision.outcome === 'deny') {
    switch (decision.basis) {
      case 'hidden': {
        const at = hidingStatement(sourceMap, call.tool, call.identity);
        return { outcome: 'hidden', decider: { kind: 'hide' }, ...(at ? { at } : {}) };
      }
      case 'unknown-tool':
        return { outcome: 'deny', decider: { kind: 'unknown-tool' } };
      default:
        return { outcome: 'deny', decider, ...ruleAt(decision.rule), ...reason };
    }
  }

  const admission = limiter.tryAdmit(decision.limits, { identity: call.identity ?? ANONYMOUS, session }, nowMs);
  if (!admission.admitted) {
    return {
      outcome: 'rate_limited',
      decider: { kind: 'limit', id: admission.claim.id },
      ...ruleAt(admission.claim.id),
      retryAfterMs: admission.retryAfterMs,
    };
  }
  // An approval counts against the limits as if the person said yes: SPEC §2.5 claims them for
  // approved calls too, and a test of a limit on an approve rule needs the calls to count.
  return { outcome: decision.outcome === 'approve' ? 'approval' : 'allow', decider, ...ruleAt(decision.rule), ...reason };
}

function referenceMatches(reference: RuleReference, actual: ActualDecision, statements: PolicyStatements): boolean {
  const { decider } = actual;
  switch (reference.kind) {
    case 'default':
      return decider.kind === 'default';
    case 'id':
      return (decider.kind === 'rule' || decider.kind === 'limit') && decider.id === reference.id;
    case 'line':
      return statementsAtLine(statements, reference.line).some((statement) => {
        if (decider.kind === 'rule' || decider.kind === 'limit') return statement.id === decider.id;
        return decider.kind === 'hide' && statement.kind === 'hide' && sameLocation(statement.at, actual.at);
      });
  }
}

class CoverageTally {
  readonly #rules = new Set<string>();
  readonly #limits = new Set<string>();
  readonly #hides: SourceLocation[] = [];

  ruleMatched(id: string): void {
    this.#rules.add(id);
  }

  limitReached(id: string): void {
    this.#limits.add(id);
  }

  hideUsed(at: SourceLocation): void {
    if (!this.#hides.some((known) => sameLocation(known, at))) this.#hides.push(at);
  }

  result(statements: PolicyStatements): Coverage {
    const rules: CoverageItem[] = [];
    const limits: CoverageItem[] = [];
    const hides: CoverageItem[] = [];
    for (const statement of statements.all) {
      if (statement.kind === 'rule') rules.push({ statement, covered: this.#rules.has(statement.id!) });
      if (statement.kind === 'hide') hides.push({ statement, covered: this.#hides.some((at) => sameLocation(at, statement.at)) });
    }
    // Every limit calls count against, in id order: rules' own limits, then `limit all`.
    for (const statement of statements.all) {
      if ((statement.kind === 'rule' && statement.limit !== undefined) || statement.kind === 'limit') {
        limits.push({ statement, covered: this.#limits.has(statement.id!) });
      }
    }
    return { rules, limits, hides };
  }
}
