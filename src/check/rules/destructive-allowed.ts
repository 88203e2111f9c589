import type { DecisionTable, Region } from '../../analysis/table.js';
import type { CatalogTool } from '../../catalog/types.js';
import type { RelatedLocation, Severity } from '../../diagnostics/diagnostic.js';
import type { RuleNode } from '../../model/policy.js';
import { selectorText } from '../../model/text.js';
import type { CheckContext } from '../context.js';
import { doorsOf, exampleText, whoText, type Door, type DoorUse } from '../reach.js';
import type { Rule } from '../rule.js';
import { listNames } from '../wording.js';

/** The tools a person must approve: they move money, destroy something, or are rated critical. */
export function needsApproval(tool: CatalogTool): boolean {
  return tool.class === 'destructive' || tool.class === 'financial' || tool.risk === 'critical';
}

interface Finding {
  use: DoorUse;
  identity: string | undefined;
  severity: Severity;
  /** Not proved: the tool's table is not exhaustive and no call was found, but an allow names it. */
  unproven: boolean;
  tools: Array<{ tool: CatalogTool; region: Region | undefined }>;
  /** Deny and approve rules that decide some calls of these tools: they narrow the door. */
  guards: RuleNode[];
}

export const destructiveAllowed: Rule = {
  code: 'destructive-allowed',
  requiresCatalog: true,
  description: 'A destructive or financial tool, or one of critical risk, that some caller can call without approval for some arguments.',
  check(context) {
    const analysis = context.analysis;
    const catalog = context.catalog;
    if (analysis === undefined || catalog === undefined) return;
    const findings = new Map<string, Finding>();
    for (const identity of analysis.identities) {
      for (const name of analysis.toolsToJudge(identity)) {
        const tool = context.tool(name);
        if (!tool || !needsApproval(tool)) continue;
        collect(context, analysis.table(identity, tool.name), identity, tool, findings);
      }
    }
    for (const finding of findings.values()) reportFinding(context, finding);
  },
};

function collect(context: CheckContext, table: DecisionTable, identity: string | undefined, tool: CatalogTool, findings: Map<string, Finding>): void {
  const allowed = (region: Region) => region.outcome === 'allow';
  let doors = doorsOf(context, table, identity, allowed);
  let unproven = false;
  if (doors.length === 0 && table.gaps.length > 0) {
    doors = unprovenDoors(context, table, identity);
    unproven = doors.length > 0;
  }
  if (doors.length === 0) return;
  // Nothing narrows the door when every call of the tool is allowed.
  const everyCall = !unproven && table.regions.every(allowed);
  const guards = narrowingRules(context, table);
  for (const use of doors) {
    const unconditional = use.door.kind === 'default' || use.door.rule.when === undefined;
    const severity: Severity = unconditional && everyCall ? 'error' : 'warning';
    const key = `${identity ?? ''}\u0000${use.span.start.offset}\u0000${severity}`;
    let finding = findings.get(key);
    if (!finding) findings.set(key, (finding = { use, identity, severity, unproven, tools: [], guards: [] }));
    finding.tools.push({ tool, region: unproven ? undefined : use.region });
    for (const guard of guards) if (!finding.guards.includes(guard)) finding.guards.push(guard);
  }
}

/**
 * Where the analysis could not decide every call and found none allowed: the allow rules of this
 * caller that name the tool, unless an unconditional deny or approve closes it, are reported as
 * possible doors (a warning) rather than stay silent about a dangerous tool.
 */
function unprovenDoors(context: CheckContext, table: DecisionTable, identity: string | undefined): DoorUse[] {
  if (table.regions.some((region) => region.basis === 'hidden')) return [];
  if (table.rules.some((rule) => rule.effect !== 'allow' && rule.test === undefined)) return [];
  const region = table.regions[0]!;
  return table.rules
    .filter((rule) => rule.effect === 'allow' && rule.identity === identity)
    .flatMap((prepared): DoorUse[] => {
      const rule = context.ruleById(prepared.id);
      if (!rule) return [];
      const selector = rule.selectors.find((s) => context.toolsOfSelector(s).includes(table.tool));
      return [{ door: { kind: 'rule', rule, id: prepared.id, selector }, span: selector?.span ?? rule.span, region }];
    });
}

/** Deny and approve rules that decide some call of the table: each one narrows what allow opens. */
function narrowingRules(context: CheckContext, table: DecisionTable): RuleNode[] {
  const ids = new Set<string>();
  for (const region of table.regions) {
    if (region.outcome !== 'allow' && region.basis === 'rule' && region.rule !== undefined) ids.add(region.rule);
  }
  return [...ids].flatMap((id) => {
    const rule = context.ruleById(id);
    return rule ? [rule] : [];
  });
}

function reportFinding(context: CheckContext, finding: Finding): void {
  const { use, tools, identity, severity } = finding;
  const who = whoText(identity);
  const what = listNames(tools.map(({ tool }) => describeTool(tool)));
  const them = tools.length === 1 ? 'it' : 'them';
  const first = tools[0]!;
  const example = first.region ? `, e.g. ${exampleText(context, first.tool.name, first.region, false)}` : '';
  const related: RelatedLocation[] = [];
  const door: Door = use.door;

  let message: string;
  if (finding.unproven) {
    message = `\`${doorText(door)}\` may let ${who} call ${what} without a person's approval: the analysis could not decide every call (see analysis-incomplete); use \`approve\`, or simplify the conditions.`;
  } else if (door.kind === 'default') {
    message = `\`default allow\` lets ${who} call ${what} without a person's approval whenever no rule decides the call${example}; write \`default deny\`, or \`approve\` or \`hide\` ${them}.`;
  } else if (severity === 'warning') {
    message = `\`${doorText(door)}\` lets ${who} call ${what} without a person's approval for some arguments${example}; check that the conditions pin ${them} down (e.g. \`trd_env == "SIMULATE"\`), or use \`approve\`.`;
  } else {
    message = `\`${doorText(door)}\` lets ${who} call ${what} without a person's approval${example}; use \`approve\` instead, narrow it with \`when\` (still a warning), or hide ${them}.`;
  }
  if (door.kind === 'rule') {
    if (door.rule.when) related.push({ message: `this condition decides which calls ${who} may make without approval`, span: door.rule.when.span });
    else related.push({ message: 'write `approve` here to have a person confirm every call', span: door.rule.effectSpan });
  }
  for (const guard of finding.guards.slice(0, 3)) {
    related.push({ message: `this ${guard.effect} decides some of the calls, so it narrows the door but does not close it`, span: guard.when?.span ?? guard.span });
  }
  context.report('destructive-allowed', use.span, message, { related, severity });
}

function doorText(door: Door): string {
  if (door.kind === 'default') return 'default allow';
  return `${door.rule.effect} ${selectorText(door.selector ?? door.rule.selectors[0]!)}`;
}

function describeTool(tool: CatalogTool): string {
  return `${tool.name} (${tool.class}, ${tool.risk} risk)`;
}
