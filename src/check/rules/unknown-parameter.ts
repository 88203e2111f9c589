import { parameterNames } from '../../catalog/schema-types.js';
import type { Span } from '../../diagnostics/diagnostic.js';
import { didYouMean } from '../../diagnostics/did-you-mean.js';
import type { PathNode } from '../../model/policy.js';
import type { CheckContext } from '../context.js';
import type { Rule } from '../rule.js';
import { pathsOf } from '../walk.js';
import { listNames } from '../wording.js';

const CONSEQUENCE = 'a condition on an argument that is never there is an error: false for allow and approve, true for deny';

export const unknownParameter: Rule = {
  code: 'unknown-parameter',
  requiresCatalog: true,
  description: 'A `when` path that is not a parameter of a tool the rule selects.',
  check(context) {
    for (const rule of context.rules) {
      if (rule.when === undefined) continue;
      const tools = context.toolsOf(rule).filter((name) => context.tool(name) !== undefined);
      if (tools.length === 0) continue;
      for (const path of pathsOf(rule.when)) checkPath(context, tools, path);
    }
  },
};

function checkPath(context: CheckContext, tools: readonly string[], path: PathNode): void {
  // For each tool lacking the path: how many leading segments do exist (0 = not even the first).
  const missing = new Map<string, number>();
  for (const tool of tools) {
    if (context.paramTypes(tool, path.segments) !== undefined) continue;
    let depth = 0;
    while (depth < path.segments.length - 1 && context.paramTypes(tool, path.segments.slice(0, depth + 1)) !== undefined) depth++;
    missing.set(tool, depth);
  }
  if (missing.size === 0) return;

  const missingTools = [...missing.keys()];
  if (missing.size < tools.length) {
    context.report(
      'unknown-parameter',
      path.span,
      `\`${path.segments.join('.')}\` is not a parameter of ${listNames(missingTools)} (${missing.size} of ${tools.length} tools this rule selects); ${CONSEQUENCE}. Split the rule so that the condition covers only tools that take it.`,
    );
    return;
  }

  // Missing everywhere: report at the first segment that does not exist, with a did-you-mean
  // over what the tools do take at that level.
  const depth = Math.min(...missing.values());
  const prefix = path.segments.slice(0, depth);
  const segment = path.segments[depth] ?? '';
  const candidates = new Set<string>();
  for (const tool of tools) for (const name of parameterNames(context.tool(tool)?.inputSchema, prefix)) candidates.add(name);
  const suggested = didYouMean(segment, candidates);

  const where = tools.length === 1 ? (tools[0] ?? '') : `any of the ${tools.length} tools this rule selects (${listNames(tools)})`;
  const what = depth === 0 ? `\`${segment}\` is not a parameter of ${where}` : `\`${prefix.join('.')}\` has no property \`${segment}\` in ${where}`;
  const fix = suggested
    ? `did you mean \`${suggested}\`?`
    : `see \`policyc catalog show ${tools[0] ?? ''}\` for the parameters; ${CONSEQUENCE}.`;
  const { span, exact } = segmentSpan(path, depth);
  const extra = suggested === undefined ? {} : { suggestion: exact ? suggested : replaceSegment(path.segments, depth, suggested) };
  context.report('unknown-parameter', span, `${what}; ${fix}`, extra);
}

/**
 * The span of one segment of a dotted path, when the path is written plainly on one line (as
 * `a.b.c`); otherwise (quoted keys, a YAML escape) the whole path's span.
 */
function segmentSpan(path: PathNode, index: number): { span: Span; exact: boolean } {
  const { start, end } = path.span;
  const written = path.segments.join('.');
  if (path.segments.length === 1 || start.line !== end.line || end.offset - start.offset !== written.length) {
    return { span: path.span, exact: path.segments.length === 1 };
  }
  const before = path.segments.slice(0, index).reduce((sum, segment) => sum + segment.length + 1, 0);
  const length = path.segments[index]?.length ?? 0;
  const at = (delta: number) => ({ line: start.line, column: start.column + delta, offset: start.offset + delta });
  return { span: { file: path.span.file, start: at(before), end: at(before + length) }, exact: true };
}

function replaceSegment(segments: readonly string[], index: number, replacement: string): string {
  return segments.map((segment, i) => (i === index ? replacement : segment)).join('.');
}
