import type { CatalogTool } from '../../catalog/types.js';
import type { RelatedLocation, Span } from '../../diagnostics/diagnostic.js';
import type { RuleNode, Selector } from '../../model/policy.js';
import { selectorText } from '../../model/text.js';
import type { Caller, CheckContext } from '../context.js';
import type { Rule } from '../rule.js';
import { listNames } from '../wording.js';

/** The tools a person must approve: they move money, destroy something, or are rated critical. */
export function needsApproval(tool: CatalogTool): boolean {
  return tool.class === 'destructive' || tool.class === 'financial' || tool.risk === 'critical';
}

/** What lets a caller reach a tool without approval: an allow rule, or `default allow`. */
type Door = { kind: 'rule'; rule: RuleNode } | { kind: 'default'; span: Span };

interface Finding {
  door: Door;
  /** Where to report: the selector of the rule that selects the tools, or the default statement. */
  span: Span;
  selector?: Selector;
  caller: Caller;
  tools: CatalogTool[];
  /** Deny and approve rules with a condition: they narrow the door but do not close it. */
  guards: RuleNode[];
}

export const destructiveAllowed: Rule = {
  code: 'destructive-allowed',
  requiresCatalog: true,
  description: 'A destructive or financial tool, or one of critical risk, that some caller can use without approval.',
  check(context) {
    const catalog = context.catalog;
    if (catalog === undefined) return;
    const findings = new Map<string, Finding>();
    for (const caller of context.callers) {
      for (const tool of catalog.tools) {
        if (needsApproval(tool)) collect(context, caller, tool, findings);
      }
    }
    for (const finding of findings.values()) reportFinding(context, finding);
  },
};

function collect(context: CheckContext, caller: Caller, tool: CatalogTool, findings: Map<string, Finding>): void {
  if (context.hiddenBy(caller, tool.name)) return;
  const rules = context.rulesFor(caller, tool.name);
  if (rules.some((rule) => rule.effect !== 'allow' && rule.when === undefined)) return;
  const guards = rules.filter((rule) => rule.effect !== 'allow');
  // A top-level rule reaches an identity only where it reaches the top level too (a block can
  // only add restrictions), so each door is judged once: for the caller it is written for.
  const allows = rules.filter((rule) => rule.effect === 'allow' && rule.identity === caller.identity);
  const doors: Door[] = allows.map((rule) => ({ kind: 'rule', rule }));
  const fallback = context.model.default;
  // Where no allow opens it for every call, a call that no allow's `when` admits falls to the default.
  const alwaysAllowed = rules.some((rule) => rule.effect === 'allow' && rule.when === undefined);
  if (!alwaysAllowed && fallback?.value === 'allow' && caller.identity === undefined) {
    doors.push({ kind: 'default', span: fallback.span });
  }
  for (const door of doors) {
    const selector = door.kind === 'rule' ? door.rule.selectors.find((s) => context.toolsOfSelector(s).includes(tool.name)) : undefined;
    const span = selector?.span ?? (door.kind === 'default' ? door.span : door.rule.span);
    const key = `${caller.identity ?? ''}\u0000${span.start.offset}`;
    let finding = findings.get(key);
    if (!finding) {
      finding = { door, span, caller, tools: [], guards: [] };
      if (selector) finding.selector = selector;
      findings.set(key, finding);
    }
    finding.tools.push(tool);
    for (const guard of guards) if (!finding.guards.includes(guard)) finding.guards.push(guard);
  }
}

function reportFinding(context: CheckContext, finding: Finding): void {
  const { door, caller, tools } = finding;
  const conditional = door.kind === 'rule' && door.rule.when !== undefined;
  const who = caller.identity === undefined ? 'an agent' : `identity "${caller.identity}"`;
  const what = listNames(tools.map(describeTool));
  const them = tools.length === 1 ? 'it' : 'them';
  const related: RelatedLocation[] = [];

  let message: string;
  if (door.kind === 'default') {
    message = `\`default allow\` lets ${who} call ${what} without a person's approval whenever no rule decides the call; write \`default deny\`, or \`approve\` or \`hide\` ${them}.`;
  } else if (conditional) {
    message = `\`${door.rule.effect} ${selectorText(finding.selector ?? door.rule.selectors[0]!)}\` lets ${who} call ${what} without a person's approval whenever its \`when\` holds; check that the condition pins ${them} down (e.g. \`trd_env == "SIMULATE"\`), or use \`approve\`.`;
    if (door.rule.when) related.push({ message: `only this condition stands between ${who} and ${them}`, span: door.rule.when.span });
  } else {
    message = `\`${door.rule.effect} ${selectorText(finding.selector ?? door.rule.selectors[0]!)}\` lets ${who} call ${what} without a person's approval; use \`approve\` instead, narrow it with \`when\` (still a warning), or hide ${them}.`;
    related.push({ message: 'write `approve` here to have a person confirm every call', span: door.rule.effectSpan });
  }
  for (const guard of finding.guards.slice(0, 3)) {
    related.push({ message: `this ${guard.effect} applies only when its condition holds, so it does not close the door`, span: guard.when?.span ?? guard.span });
  }
  context.report('destructive-allowed', finding.span, message, { related, severity: conditional ? 'warning' : 'error' });
}

function describeTool(tool: CatalogTool): string {
  return `${tool.name} (${tool.class}, ${tool.risk} risk)`;
}
