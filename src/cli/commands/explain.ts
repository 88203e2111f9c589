// `policyc explain POLICY --tool T [--args JSON] [--identity I]`: the decision for one call and
// every rule that took part, with source lines. Evaluates any policy that compiles, lint errors
// or not (they are shown on stderr), so a person can ask what a broken policy would do.

import type { Command } from 'commander';

import { hasErrors } from '../../diagnostics/diagnostic.js';
import type { Explanation, RuleTrace } from '../../enforce/types.js';
import { InputError } from '../../errors.js';
import type { CompiledPolicy, PolicySourceMap, SourceLocation } from '../../model/compiled.js';
import type { JsonObject } from '../../model/json.js';
import { ExitCode } from '../exit.js';
import { parseFormat, printDiagnostics } from '../report.js';
import { commandSettings } from '../settings.js';
import { useColor, writeText } from '../terminal.js';
import { packageVersion } from '../version.js';

interface ExplainOptions {
  tool: string;
  args?: string;
  identity?: string;
  format: string;
  catalog?: string;
  config?: string;
}

export function registerExplain(program: Command): void {
  program
    .command('explain')
    .description('show the decision for one tool call and every rule that took part')
    .argument('<policy>', 'the policy (.policy, .yaml or policy.json)')
    .requiredOption('-t, --tool <name>', 'the tool being called')
    .option('-a, --args <json>', 'the call\'s arguments, a JSON object', '{}')
    .option('-i, --identity <name>', 'the caller (an identity block of the policy)')
    .option('-f, --format <format>', 'pretty or json', 'pretty')
    .option('--catalog <file>', 'use this catalogue instead of the one the policy names')
    .option('--config <file>', 'the policyc configuration (default: the nearest policyc.config.yaml)')
    .action(async (policyPath: string, options: ExplainOptions) => {
      process.exitCode = await explainCall(policyPath, options);
    });
}

function parseArgs(text: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(`--args is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InputError('--args must be a JSON object, e.g. \'{"qty": 100}\'');
  }
  return value as JsonObject;
}

async function explainCall(policyPath: string, options: ExplainOptions): Promise<ExitCode> {
  const format = parseFormat(options.format, ['pretty', 'json']);
  const args = parseArgs(options.args ?? '{}');
  const settings = await commandSettings(options);
  const { compileFile } = await import('../../pipeline.js');
  const { preparePolicy, explain } = await import('../../enforce/index.js');

  const result = await compileFile(policyPath, settings.compile);
  if (result.diagnostics.length > 0) {
    await printDiagnostics('pretty', result.diagnostics, result.sources, process.stderr, packageVersion());
  }
  if (!result.policy) {
    process.stderr.write(`policyc: ${policyPath} does not compile; nothing to explain\n`);
    return ExitCode.policyFailure;
  }
  if (hasErrors(result.diagnostics)) {
    process.stderr.write(`policyc: ${policyPath} has lint errors; explaining what it would decide anyway\n`);
  }

  const call = { tool: options.tool, args, ...(options.identity === undefined ? {} : { identity: options.identity }) };
  const explanation = explain(preparePolicy(result.policy), call);
  const view = describe(explanation, call, result.policy, result.sourceMap);
  if (format === 'json') {
    writeText(process.stdout, JSON.stringify({ tool: call.tool, identity: call.identity ?? null, args, ...view }, null, 2));
  } else {
    writeText(process.stdout, renderExplanation(call.tool, call.identity, args, view, useColor(process.stdout)));
  }
  return ExitCode.ok;
}

interface RuleView extends RuleTrace {
  selector?: string;
  source?: SourceLocation;
}

interface ExplanationView {
  decision: Explanation['outcome'];
  basis: Explanation['basis'];
  rule?: string;
  reason?: string;
  source?: SourceLocation;
  matched: RuleView[];
  rules: RuleView[];
  limits: { id: string; max: number; per: string; by: string; source?: SourceLocation }[];
}

function describe(
  explanation: Explanation,
  call: { tool: string; identity?: string },
  policy: CompiledPolicy,
  sourceMap: PolicySourceMap | undefined,
): ExplanationView {
  const selectors = new Map(policy.rules.map((rule) => [rule.id, rule.selector]));
  const at = (id: string): SourceLocation | undefined => sourceMap?.rules[id];
  const rules = explanation.trace.map((trace): RuleView => {
    const selector = selectors.get(trace.id);
    const source = at(trace.id);
    return { ...trace, ...(selector === undefined ? {} : { selector }), ...(source ? { source } : {}) };
  });
  const source =
    explanation.basis === 'hidden'
      ? hiddenAt(sourceMap, call.tool, call.identity)
      : explanation.rule === undefined
        ? undefined
        : at(explanation.rule);
  return {
    decision: explanation.outcome,
    basis: explanation.basis,
    ...(explanation.rule === undefined ? {} : { rule: explanation.rule }),
    ...(explanation.reason === undefined ? {} : { reason: explanation.reason }),
    ...(source ? { source } : {}),
    matched: rules.filter((rule) => rule.matched),
    rules,
    limits: explanation.limits.map((limit) => {
      const limitSource = at(limit.id);
      return { id: limit.id, max: limit.max, per: limit.per, by: limit.by, ...(limitSource ? { source: limitSource } : {}) };
    }),
  };
}

/** The hide statement that hid the tool: the caller's own block first, then the top level. */
function hiddenAt(sourceMap: PolicySourceMap | undefined, tool: string, identity: string | undefined): SourceLocation | undefined {
  const own = identity === undefined ? undefined : sourceMap?.identities[identity]?.hide[tool];
  return own ?? sourceMap?.hide[tool];
}

const BASIS_TEXT: Record<Explanation['basis'], string> = {
  'unknown-tool': 'the tool is not in the catalogue',
  hidden: 'the tool is hidden for this caller',
  rule: 'a rule decided',
  default: 'no rule matched this call, so the default decided',
};

function location(source: SourceLocation | undefined): string {
  return source ? `${source.file}:${source.line}` : '';
}

function renderExplanation(
  tool: string,
  identity: string | undefined,
  args: JsonObject,
  view: ExplanationView,
  color: boolean,
): string {
  const paint = (code: number, text: string): string => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const outcomeColor = view.decision === 'allow' ? 32 : view.decision === 'deny' ? 31 : 33;
  const lines: string[] = [];
  lines.push(`call      ${tool} ${JSON.stringify(args)}${identity === undefined ? '' : ` as ${identity}`}`);
  let verdict = `decision  ${paint(outcomeColor, view.decision.toUpperCase())}: ${BASIS_TEXT[view.basis]}`;
  if (view.rule !== undefined) verdict += ` (${view.rule}${view.source ? ` at ${location(view.source)}` : ''})`;
  else if (view.source) verdict += ` (${location(view.source)})`;
  lines.push(verdict);
  if (view.reason !== undefined) lines.push(`reason    ${view.reason}`);
  if (view.rules.length > 0) {
    lines.push('', 'rules that name this tool:');
    for (const rule of view.rules) {
      const mark = rule.matched ? paint(outcomeColor, '✔') : '·';
      const when = rule.when === 'none' ? 'no condition' : `when → ${rule.when}${rule.error ? ` (${rule.error})` : ''}`;
      const owner = rule.identity === undefined ? '' : ` [identity ${rule.identity}]`;
      lines.push(`  ${mark} ${rule.id.padEnd(4)} ${rule.effect.padEnd(7)} ${(rule.selector ?? '').padEnd(28)} ${when}${owner}  ${location(rule.source)}`.trimEnd());
    }
  }
  if (view.limits.length > 0) {
    lines.push('', 'limits it must find room in:');
    for (const limit of view.limits) {
      lines.push(`  ${limit.id.padEnd(4)} ${limit.max} per ${limit.per} by ${limit.by}  ${location(limit.source)}`.trimEnd());
    }
  }
  return lines.join('\n');
}
