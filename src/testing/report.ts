// Decision-test results for people (one line per case, then coverage) and for machines (JSON).

import type { SourceLocation } from '../model/compiled.js';
import type { JsonValue } from '../model/json.js';
import type { RuleReference, TestCase } from './cases.js';
import type { ActualDecision, CallResult, Coverage, CoverageItem, SuiteResult } from './run.js';

/** One reported line: a single call, a sequence, or one cell of a matrix. */
export interface ResultLine {
  name: string;
  kind: TestCase['kind'];
  passed: boolean;
  /** Where the case (or the matrix cell) is written in the tests file. */
  line: number;
  calls: CallResult[];
}

export interface Tally {
  passed: number;
  failed: number;
}

export function resultLines(result: SuiteResult): ResultLine[] {
  return result.cases.flatMap((caseResult): ResultLine[] => {
    const { testCase } = caseResult;
    if (testCase.kind !== 'matrix') {
      return [{ name: testCase.name, kind: testCase.kind, passed: caseResult.passed, line: testCase.span.start.line, calls: caseResult.calls }];
    }
    return caseResult.calls.map((call) => ({
      name: `${testCase.name}: ${call.call.identity ?? ''} × ${call.call.tool}`,
      kind: 'matrix',
      passed: call.passed,
      line: call.call.span.start.line,
      calls: [call],
    }));
  });
}

export function tally(lines: readonly ResultLine[]): Tally {
  const passed = lines.filter((line) => line.passed).length;
  return { passed, failed: lines.length - passed };
}

export function uncoveredCount(coverage: Coverage): number {
  return [...coverage.rules, ...coverage.limits, ...coverage.hides].filter((item) => !item.covered).length;
}

// --- pretty ------------------------------------------------------------------------------------

export interface PrettyOptions {
  color: boolean;
  /** The tests file, for "at FILE:LINE" beside failures. */
  testsFile: string;
}

export function renderPretty(result: SuiteResult, options: PrettyOptions): string {
  const paint = (code: number, text: string): string => (options.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const lines = resultLines(result);
  const width = Math.min(48, Math.max(...lines.map((line) => line.name.length), 10));
  const out: string[] = [];
  for (const line of lines) {
    const mark = line.passed ? paint(32, '✓') : paint(31, '✗');
    out.push(`${mark} ${line.name.padEnd(width)}  ${summaryOf(line)}`.trimEnd());
    if (!line.passed) out.push(...failureDetails(line, options.testsFile));
  }
  const { passed, failed } = tally(lines);
  out.push('', `${lines.length} ${lines.length === 1 ? 'test' : 'tests'}: ${paint(32, `${passed} passed`)}${failed > 0 ? `, ${paint(31, `${failed} failed`)}` : ''}`);
  out.push('', ...coverageLines(result.coverage));
  return out.join('\n');
}

function summaryOf(line: ResultLine): string {
  if (line.kind === 'sequence') {
    const failing = line.calls.filter((call) => !call.passed).length;
    const steps = new Set(line.calls.map((call) => call.step)).size;
    const calls = `${line.calls.length} ${line.calls.length === 1 ? 'call' : 'calls'} in ${steps} ${steps === 1 ? 'step' : 'steps'}`;
    return failing === 0 ? calls : `${failing} of ${calls} not as expected`;
  }
  const call = line.calls[0]!;
  return call.passed ? decisionText(call.actual) : mismatchText(call);
}

/** For a failed sequence, each step that went wrong: its first wrong call, and how many more. */
function failureDetails(line: ResultLine, testsFile: string): string[] {
  if (line.kind !== 'sequence') return [`    at ${testsFile}:${line.calls[0]!.call.span.start.line}`];
  const byStep = new Map<number, CallResult[]>();
  for (const call of line.calls) {
    if (call.passed) continue;
    byStep.set(call.step ?? 0, [...(byStep.get(call.step ?? 0) ?? []), call]);
  }
  const out: string[] = [];
  for (const [step, failures] of byStep) {
    const first = failures[0]!;
    const repeat = 'repeat' in first.call ? (first.call.repeat as number) : 1;
    const total = repeat > 1 ? `, call ${(first.repetition ?? 0) + 1} of ${repeat}` : '';
    const more = failures.length > 1 ? ` (and ${failures.length - 1} more calls of this step)` : '';
    out.push(`    step ${step + 1}${total} at ${clockText(first.atMs ?? 0)}: ${first.call.tool}: ${mismatchText(first)}${more}`);
    out.push(`      at ${testsFile}:${first.call.span.start.line}`);
  }
  return out;
}

function mismatchText(call: CallResult): string {
  const expected = `${call.call.expect}${call.call.rule ? ` by ${referenceText(call.call.rule)}` : ''}`;
  return `expected ${expected}, got ${decisionText(call.actual)}`;
}

export function decisionText(actual: ActualDecision): string {
  const where = actual.at ? ` at ${locationText(actual.at)}` : '';
  switch (actual.decider.kind) {
    case 'rule':
      return `${actual.outcome} by ${actual.decider.id}${where}`;
    case 'limit': {
      const retry = actual.retryAfterMs !== undefined && Number.isFinite(actual.retryAfterMs) ? `; room again in ${clockText(actual.retryAfterMs)}` : '';
      return `${actual.outcome} by the limit of ${actual.decider.id}${where}${retry}`;
    }
    case 'hide':
      return `${actual.outcome} by the hide${where}`;
    case 'default':
      return `${actual.outcome} by the default`;
    case 'unknown-tool':
      return `${actual.outcome}: not a tool of the catalogue`;
  }
}

export function referenceText(reference: RuleReference): string {
  switch (reference.kind) {
    case 'default':
      return 'the default';
    case 'id':
      return reference.id;
    case 'line':
      return reference.file === undefined ? `line ${reference.line}` : `${reference.file}:${reference.line}`;
  }
}

function locationText(at: SourceLocation): string {
  return `${at.file}:${at.line}`;
}

/** Simulated time as a person reads it: 0s, 61s, 2m, 1h30m. */
export function clockText(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const seconds = Math.round(ms / 1000);
  const parts: string[] = [];
  const units: [number, string][] = [
    [86_400, 'd'],
    [3_600, 'h'],
    [60, 'm'],
    [1, 's'],
  ];
  let rest = seconds;
  for (const [size, unit] of units) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join('');
}

function coverageLines(coverage: Coverage): string[] {
  const count = (items: CoverageItem[]): string => `${items.filter((item) => item.covered).length}/${items.length}`;
  const out = [`coverage: ${count(coverage.rules)} rules matched a call, ${count(coverage.limits)} limits reached, ${count(coverage.hides)} hide statements hid a call`];
  const missing = (items: CoverageItem[], what: string, label: (item: CoverageItem) => string): void => {
    for (const item of items) {
      if (item.covered) continue;
      const at = item.statement.at ? `  ${locationText(item.statement.at)}` : '';
      out.push(`  ${what.padEnd(13)} ${label(item)}${at}`);
    }
  };
  missing(coverage.rules, 'not matched', (item) => `${item.statement.id} ${item.statement.text}`);
  missing(coverage.limits, 'not reached', (item) =>
    item.statement.kind === 'limit' ? `${item.statement.id} ${item.statement.text}` : `${item.statement.id} ${item.statement.limit ?? ''} (${item.statement.text})`,
  );
  missing(coverage.hides, 'never hid', (item) => item.statement.text);
  return out;
}

// --- JSON --------------------------------------------------------------------------------------

export function renderJson(result: SuiteResult, files: { policy: string; tests: string }): string {
  const lines = resultLines(result);
  const { passed, failed } = tally(lines);
  const document: JsonValue = {
    policy: files.policy,
    tests: files.tests,
    passed,
    failed,
    results: lines.map((line) => ({
      name: line.name,
      kind: line.kind,
      line: line.line,
      passed: line.passed,
      calls: line.calls.length,
      // Every call of a one-call line; only the calls that went wrong of a sequence (it may make thousands).
      decisions: line.calls.filter((call) => line.kind !== 'sequence' || !call.passed).map(callJson),
    })),
    coverage: {
      rules: coverage(result.coverage.rules),
      limits: coverage(result.coverage.limits),
      hides: coverage(result.coverage.hides),
    },
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

function callJson(call: CallResult): JsonValue {
  const { actual } = call;
  return {
    tool: call.call.tool,
    identity: call.call.identity ?? null,
    args: call.call.args,
    line: call.call.span.start.line,
    step: call.step === undefined ? null : call.step + 1,
    repetition: call.repetition === undefined ? null : call.repetition + 1,
    at_ms: call.atMs ?? null,
    expected: { outcome: call.call.expect, rule: call.call.rule ? referenceText(call.call.rule) : null },
    actual: {
      outcome: actual.outcome,
      decided_by: actual.decider.kind,
      rule: actual.decider.kind === 'rule' || actual.decider.kind === 'limit' ? actual.decider.id : null,
      source: actual.at ? { file: actual.at.file, line: actual.at.line, column: actual.at.column } : null,
      reason: actual.reason ?? null,
      retry_after_ms: actual.retryAfterMs !== undefined && Number.isFinite(actual.retryAfterMs) ? actual.retryAfterMs : null,
    },
    passed: call.passed,
  };
}

function coverage(items: readonly CoverageItem[]): JsonValue {
  return items.map((item) => ({
    id: item.statement.id ?? null,
    text: item.statement.limit === undefined || item.statement.kind !== 'rule' ? item.statement.text : `${item.statement.text} ${item.statement.limit}`,
    source: item.statement.at ? { file: item.statement.at.file, line: item.statement.at.line, column: item.statement.at.column } : null,
    covered: item.covered,
  }));
}
