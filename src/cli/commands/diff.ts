// `policyc diff OLD NEW`: which calls the new policy lets through that the old did not (deny →
// approve, deny → allow, approve → allow), and the reverse, per caller and tool, each with an
// example call. `--fail-on-new-access` makes it a CI gate: "no new access". OLD and NEW may be any
// spelling (.policy, .yaml, policy.json). Like `explain`, it compares any policies that compile,
// lint errors or not.

import type { Command } from 'commander';

import type { AccessChange, PolicyDiff, SideDecision } from '../../analysis/diff.js';
import { callText } from '../../analysis/example.js';
import { hasErrors } from '../../diagnostics/diagnostic.js';
import type { PolicySourceMap, SourceLocation } from '../../model/compiled.js';
import { ExitCode } from '../exit.js';
import { parseFormat, printDiagnostics } from '../report.js';
import { commandSettings } from '../settings.js';
import { writeText } from '../terminal.js';
import { packageVersion } from '../version.js';

interface DiffOptions {
  format: string;
  failOnNewAccess?: boolean;
  catalog?: string;
  config?: string;
}

export function registerDiff(program: Command): void {
  program
    .command('diff')
    .description('show which calls a new policy decides differently from an old one, with an example call each')
    .argument('<old>', 'the old policy (.policy, .yaml or policy.json)')
    .argument('<new>', 'the new policy (.policy, .yaml or policy.json)')
    .option('-f, --format <format>', 'pretty or json', 'pretty')
    .option('--fail-on-new-access', 'exit 1 when the new policy lets any call through more easily than the old one')
    .option('--catalog <file>', 'use this catalogue instead of the ones the policies name')
    .option('--config <file>', 'the policyc configuration (default: the nearest policyc.config.yaml)')
    .action(async (oldPath: string, newPath: string, options: DiffOptions) => {
      process.exitCode = await diff(oldPath, newPath, options);
    });
}

interface Side {
  path: string;
  sourceMap: PolicySourceMap | undefined;
}

async function diff(oldPath: string, newPath: string, options: DiffOptions): Promise<ExitCode> {
  const format = parseFormat(options.format, ['pretty', 'json']);
  const settings = await commandSettings(options);
  const { compileFile } = await import('../../pipeline.js');
  const { diffPolicies } = await import('../../analysis/diff.js');

  const results = [];
  for (const path of [oldPath, newPath]) {
    const result = await compileFile(path, settings.compile);
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    // Only errors: warnings are lint's business, and CI logs of a diff should show the diff.
    if (errors.length > 0) await printDiagnostics('pretty', errors, result.sources, process.stderr, packageVersion());
    if (!result.policy) {
      process.stderr.write(`policyc: ${path} does not compile; nothing was compared\n`);
      return ExitCode.policyFailure;
    }
    if (hasErrors(result.diagnostics)) process.stderr.write(`policyc: ${path} has lint errors; comparing what it would decide anyway\n`);
    results.push(result);
  }
  const [before, after] = results as [(typeof results)[0], (typeof results)[0]];
  const changes = diffPolicies(before.policy!, after.policy!);
  const sides = { old: { path: oldPath, sourceMap: before.sourceMap }, new: { path: newPath, sourceMap: after.sourceMap } };
  writeText(process.stdout, format === 'json' ? renderJson(changes, sides) : renderPretty(changes, sides));

  if (options.failOnNewAccess) {
    if (changes.gained.length > 0) {
      process.stderr.write(`policyc: ${newPath} grants access ${oldPath} did not (--fail-on-new-access)\n`);
      return ExitCode.policyFailure;
    }
    if (changes.incomplete.length > 0) {
      // "No new access" is a claim about every call: without an exhaustive comparison it is not made.
      process.stderr.write(`policyc: the comparison is not exhaustive, so "no new access" cannot be proved (--fail-on-new-access)\n`);
      return ExitCode.policyFailure;
    }
  }
  return ExitCode.ok;
}

function location(side: Side, decision: SideDecision): SourceLocation | undefined {
  return decision.rule === undefined ? undefined : side.sourceMap?.rules[decision.rule];
}

function decisionText(side: Side, decision: SideDecision): string {
  const verb = decision.outcome === 'allow' ? 'allowed' : decision.outcome === 'approve' ? 'sent for approval' : 'denied';
  switch (decision.basis) {
    case 'rule': {
      const at = location(side, decision);
      return `${verb} by ${decision.rule}${at ? ` (${at.file}:${at.line})` : ''}`;
    }
    case 'default':
      return `${verb} by default (no rule decides it)`;
    case 'hidden':
      return 'denied: the tool is hidden';
    case 'unknown-tool':
      return 'denied: the tool is not in its catalogue';
  }
}

function who(identity: string | undefined): string {
  return identity === undefined ? '' : ` for identity "${identity}"`;
}

function changeLines(change: AccessChange, sides: { old: Side; new: Side }, mark: string): string[] {
  return [
    `${mark} ${change.tool}${who(change.identity)}: ${change.from} → ${change.to}, e.g. ${callText(change.tool, change.args)}`,
    `    old: ${decisionText(sides.old, change.old)}`,
    `    new: ${decisionText(sides.new, change.new)}`,
  ];
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

export function renderPretty(changes: PolicyDiff, sides: { old: Side; new: Side }): string {
  const lines: string[] = [];
  if (changes.gained.length > 0) {
    lines.push(`new access in ${sides.new.path}:`);
    for (const change of changes.gained) lines.push(...changeLines(change, sides, '+'));
  }
  if (changes.lost.length > 0) {
    if (lines.length > 0) lines.push('');
    lines.push(`access taken away:`);
    for (const change of changes.lost) lines.push(...changeLines(change, sides, '-'));
  }
  if (changes.incomplete.length > 0) {
    if (lines.length > 0) lines.push('');
    lines.push('not compared exhaustively:');
    for (const entry of changes.incomplete) lines.push(`  ${entry.tool}${who(entry.identity)}: ${entry.gaps.join('; ')}`);
  }
  if (lines.length > 0) lines.push('');
  const summary =
    changes.gained.length === 0 && changes.lost.length === 0
      ? `no change in access: every call is decided as before (${plural(changes.compared, 'caller and tool pair')} compared)`
      : `${plural(changes.gained.length, 'kind')} of call gained access, ${changes.lost.length} lost it (${plural(changes.compared, 'caller and tool pair')} compared)`;
  lines.push(summary);
  return lines.join('\n');
}

function jsonChange(change: AccessChange, sides: { old: Side; new: Side }) {
  const sideJson = (side: Side, decision: SideDecision) => ({
    outcome: decision.outcome,
    basis: decision.basis,
    rule: decision.rule ?? null,
    source: location(side, decision) ?? null,
  });
  return {
    identity: change.identity ?? null,
    tool: change.tool,
    from: change.from,
    to: change.to,
    args: change.args,
    old: sideJson(sides.old, change.old),
    new: sideJson(sides.new, change.new),
  };
}

export function renderJson(changes: PolicyDiff, sides: { old: Side; new: Side }): string {
  return JSON.stringify(
    {
      old: sides.old.path,
      new: sides.new.path,
      gained: changes.gained.map((change) => jsonChange(change, sides)),
      lost: changes.lost.map((change) => jsonChange(change, sides)),
      exhaustive: changes.incomplete.length === 0,
      incomplete: changes.incomplete.map((entry) => ({ identity: entry.identity ?? null, tool: entry.tool, reasons: entry.gaps })),
      compared: changes.compared,
    },
    null,
    2,
  );
}
