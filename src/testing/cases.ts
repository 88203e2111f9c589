// A decision-tests file (`policyc test POLICY CASES.yaml`) → the cases it describes, checked
// against grammar/policy-tests.schema.json with positions. Nothing here knows the policy: the
// names a case uses (tools, identities, rules) are checked against it when the suite runs.
//
//   cases:
//     - name: quotes are free            # one call
//       tool: get_stock_quote
//       args: { symbols: [HK.00700] }
//       expect: allow
//       rule: trading.policy:8           # or 8, or r1, or default
//     - name: ten paper orders a minute  # a sequence on a simulated clock
//       steps:
//         - { tool: place_order, args: {…}, expect: allow, repeat: 10 }
//         - { tool: place_order, args: {…}, expect: rate_limited }
//         - { after: 60s, tool: place_order, args: {…}, expect: allow }
//     - name: who may trade              # a matrix: identities × tools
//       identities: [anonymous, research-bot]
//       tools: [get_funds, place_order]
//       expect: { anonymous: { get_funds: allow, place_order: deny }, research-bot: { … } }

import { compareDiagnostics, type Diagnostic, type Span } from '../diagnostics/diagnostic.js';
import type { SourceText } from '../diagnostics/source.js';
import type { JsonObject } from '../model/json.js';
import { parseDuration } from '../model/text.js';
import { readYamlDataFile, reportAt, spanAt, type PathSegment } from '../syntax/yaml/data-file.js';
import type { YamlTree } from '../syntax/yaml/tree.js';

export const OUTCOMES = ['allow', 'deny', 'approval', 'hidden', 'rate_limited'] as const;
/** What a test expects of a call; `hidden` and `rate_limited` are denials with their own cause. */
export type TestOutcome = (typeof OUTCOMES)[number];

/** What decided a call, as a test names it. Resolved against the policy when the suite runs. */
export type RuleReference =
  | { kind: 'id'; id: string; span: Span }
  | { kind: 'line'; file?: string; line: number; span: Span }
  | { kind: 'default'; span: Span };

/** One call and what is expected of it. */
export interface CallSpec {
  tool: string;
  args: JsonObject;
  /** Absent: a caller with no identity block. */
  identity?: string;
  expect: TestOutcome;
  rule?: RuleReference;
  /** Where the call is written: failures point here. */
  span: Span;
  /** Where its tool and identity are written, for "unknown tool" and did-you-mean. */
  toolSpan: Span;
  identitySpan?: Span;
}

export interface StepSpec extends CallSpec {
  /** Milliseconds the simulated clock moves before this step. */
  afterMs: number;
  /** How many times the call is made, at the same instant. */
  repeat: number;
  /** The MCP session, for limits `by session`. */
  session: string;
}

export interface CallCase {
  kind: 'call';
  name: string;
  call: CallSpec;
  span: Span;
}

export interface SequenceCase {
  kind: 'sequence';
  name: string;
  steps: StepSpec[];
  span: Span;
}

export interface MatrixCase {
  kind: 'matrix';
  name: string;
  /** One call per identity × tool, identities outer, both in the order written. */
  cells: CallSpec[];
  span: Span;
}

export type TestCase = CallCase | SequenceCase | MatrixCase;

export interface TestSuite {
  file: string;
  cases: TestCase[];
}

/** Reads and checks a decision-tests file; no suite when it has errors. */
export function readTestSuite(source: SourceText): { suite?: TestSuite; diagnostics: Diagnostic[] } {
  const read = readYamlDataFile(source, 'urn:policyc:schema:policy-tests', placeName);
  if (read.value === undefined || !read.tree) return { diagnostics: read.diagnostics };
  const tree = read.tree;
  const raw = read.value as { cases: Record<string, unknown>[] };
  const diagnostics: Diagnostic[] = [];
  const cases = raw.cases.map((item, index) => toCase(tree, item, ['cases', index], index, diagnostics));
  if (diagnostics.length > 0) return { diagnostics: diagnostics.sort(compareDiagnostics) };
  return { suite: { file: source.file, cases }, diagnostics: [] };
}

function toCase(tree: YamlTree, item: Record<string, unknown>, path: PathSegment[], index: number, diagnostics: Diagnostic[]): TestCase {
  const name = String(item.name);
  const span = spanAt(tree, path);
  if (Array.isArray(item.steps)) {
    const session = typeof item.session === 'string' ? item.session : `sequence ${index + 1}`;
    const identity = typeof item.identity === 'string' ? item.identity : undefined;
    const identityPath = identity === undefined ? undefined : [...path, 'identity'];
    const steps = (item.steps as Record<string, unknown>[]).map((step, i) => {
      const stepPath = [...path, 'steps', i];
      const call = toCall(tree, step, stepPath, identity, identityPath);
      const after = typeof step.after === 'string' ? parseDuration(step.after) : 0;
      // The schema admits only the shape of a duration; one too long to count in milliseconds is refused here.
      if (after === undefined) diagnostics.push(reportAt('invalid-test', tree, [...stepPath, 'after'], `\`after\` is too long to simulate; use at most a few years, such as 366d`));
      return {
        ...call,
        afterMs: after ?? 0,
        repeat: typeof step.repeat === 'number' ? step.repeat : 1,
        session: typeof step.session === 'string' ? step.session : session,
      };
    });
    return { kind: 'sequence', name, steps, span };
  }
  if (Array.isArray(item.identities) || Array.isArray(item.tools)) {
    return { kind: 'matrix', name, cells: matrixCells(tree, item, path, diagnostics), span };
  }
  return { kind: 'call', name, call: toCall(tree, item, path, undefined, undefined), span };
}

function toCall(
  tree: YamlTree,
  item: Record<string, unknown>,
  path: PathSegment[],
  inheritedIdentity: string | undefined,
  inheritedIdentityPath: PathSegment[] | undefined,
): CallSpec {
  const ownIdentity = typeof item.identity === 'string' ? item.identity : undefined;
  const identity = ownIdentity ?? inheritedIdentity;
  const identityPath = ownIdentity === undefined ? inheritedIdentityPath : [...path, 'identity'];
  const rule = item.rule === undefined ? undefined : ruleReference(item.rule as string | number, spanAt(tree, [...path, 'rule']));
  return {
    tool: String(item.tool),
    args: (item.args ?? {}) as JsonObject,
    ...(identity === undefined ? {} : { identity }),
    expect: item.expect as TestOutcome,
    ...(rule ? { rule } : {}),
    span: spanAt(tree, path),
    toolSpan: spanAt(tree, [...path, 'tool']),
    ...(identityPath ? { identitySpan: spanAt(tree, identityPath) } : {}),
  };
}

/** `r3`, `a1`, `default`, `11`, `trading.policy:11`. */
export function ruleReference(value: string | number, span: Span): RuleReference {
  if (typeof value === 'number') return { kind: 'line', line: value, span };
  const text = value.trim();
  if (text === 'default') return { kind: 'default', span };
  if (/^[1-9][0-9]*$/.test(text)) return { kind: 'line', line: Number(text), span };
  const located = /^(.*):([1-9][0-9]*)$/.exec(text);
  if (located) return { kind: 'line', file: located[1]!, line: Number(located[2]), span };
  return { kind: 'id', id: text, span };
}

/**
 * The matrix's calls. Every identity × tool must have an expected outcome, and the outcomes name
 * only the listed identities and tools: a hole or a stray entry is a mistake in the test.
 */
function matrixCells(tree: YamlTree, item: Record<string, unknown>, path: PathSegment[], diagnostics: Diagnostic[]): CallSpec[] {
  const identities = item.identities as string[];
  const tools = item.tools as string[];
  const expect = item.expect as Record<string, Record<string, TestOutcome>>;
  const args = (item.args ?? {}) as Record<string, JsonObject>;
  const cells: CallSpec[] = [];

  for (const tool of Object.keys(args)) {
    if (!tools.includes(tool)) {
      diagnostics.push(reportAt('invalid-test', tree, [...path, 'args', tool], `\`args\` gives arguments for ${tool}, which is not in the matrix's \`tools\`; \`args\` maps each tool to its arguments`, 'key'));
    }
  }
  for (const identity of Object.keys(expect)) {
    if (!identities.includes(identity)) {
      diagnostics.push(reportAt('invalid-test', tree, [...path, 'expect', identity], `\`expect\` has a row for ${identity}, which is not in the matrix's \`identities\``, 'key'));
    }
  }
  identities.forEach((identity, i) => {
    const row = Object.hasOwn(expect, identity) ? expect[identity] : undefined;
    if (row === undefined) {
      diagnostics.push(reportAt('invalid-test', tree, [...path, 'expect'], `\`expect\` has no row for identity ${identity}; give the outcome of each tool for it`, 'key'));
      return;
    }
    for (const tool of Object.keys(row)) {
      if (!tools.includes(tool)) {
        diagnostics.push(reportAt('invalid-test', tree, [...path, 'expect', identity, tool], `${tool} is not in the matrix's \`tools\``, 'key'));
      }
    }
    tools.forEach((tool, t) => {
      const outcome = Object.hasOwn(row, tool) ? row[tool] : undefined;
      if (outcome === undefined) {
        diagnostics.push(reportAt('invalid-test', tree, [...path, 'expect', identity], `the row for ${identity} has no outcome for ${tool}`, 'key'));
        return;
      }
      cells.push({
        tool,
        args: Object.hasOwn(args, tool) ? (args[tool] as JsonObject) : {},
        identity,
        expect: outcome,
        span: spanAt(tree, [...path, 'expect', identity, tool]),
        toolSpan: spanAt(tree, [...path, 'tools', t]),
        identitySpan: spanAt(tree, [...path, 'identities', i]),
      });
    });
  });
  return cells;
}

/** "case 3", "step 2 of case 3", "`expect` of case 3". */
function placeName(path: readonly PathSegment[]): string {
  if (path.length === 0) return 'the file';
  if (path[0] !== 'cases') return `\`${String(path[0])}\``;
  if (path.length === 1) return '`cases`';
  const caseName = `case ${Number(path[1]) + 1}`;
  const rest = path.slice(2);
  if (rest.length === 0) return caseName;
  if (rest[0] === 'steps' && typeof rest[1] === 'number') {
    const step = `step ${rest[1] + 1} of ${caseName}`;
    return rest.length === 2 ? step : `\`${rest.slice(2).map(String).join('.')}\` of ${step}`;
  }
  return `\`${rest.map((segment) => (typeof segment === 'number' ? String(segment + 1) : segment)).join('.')}\` of ${caseName}`;
}
