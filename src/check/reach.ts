// What the safety rules share: which statement lets a caller reach a tool for some calls (a
// "door": an allow or approve rule, or `default allow`), with an example call the enforcer
// decided, grouped the way the rules report them (one report per selector and caller).

import { callText } from '../analysis/example.js';
import type { DecisionTable, Region } from '../analysis/table.js';
import type { Span } from '../diagnostics/diagnostic.js';
import type { RuleNode, Selector } from '../model/policy.js';
import type { CheckContext } from './context.js';
import { lineOf } from './wording.js';

export type Door = { kind: 'rule'; rule: RuleNode; id: string; selector: Selector | undefined } | { kind: 'default'; span: Span };

export interface DoorUse {
  door: Door;
  /** Where a report goes: the selector that names the tool, or the `default` statement. */
  span: Span;
  /** The first call of the table that this door lets through. */
  region: Region;
}

/**
 * The doors of one caller's table: for each region that `opens`, the rules of the winning effect
 * that match it and belong to this caller (a top-level rule is judged for the top level, where it
 * opens at least as much), or `default allow` at the top level. First region per door.
 */
export function doorsOf(context: CheckContext, table: DecisionTable, identity: string | undefined, opens: (region: Region) => boolean): DoorUse[] {
  const doors = new Map<string, DoorUse>();
  for (const region of table.regions) {
    if (!opens(region)) continue;
    if (region.basis === 'default') {
      const statement = context.model.default;
      if (identity === undefined && statement && !doors.has('default')) doors.set('default', { door: { kind: 'default', span: statement.span }, span: statement.span, region });
      continue;
    }
    if (region.basis !== 'rule') continue;
    table.rules.forEach((prepared, i) => {
      if (!region.matched[i] || prepared.effect !== region.outcome || prepared.identity !== identity || doors.has(prepared.id)) return;
      const rule = context.ruleById(prepared.id);
      if (!rule) return;
      const selector = rule.selectors.find((s) => context.toolsOfSelector(s).includes(table.tool));
      doors.set(prepared.id, { door: { kind: 'rule', rule, id: prepared.id, selector }, span: selector?.span ?? rule.span, region });
    });
  }
  return [...doors.values()];
}

/**
 * `place_order {"qty": 100} is allowed by r3 (line 11)`; without the attribution where the
 * report already points at a statement that decides the call the same way.
 */
export function exampleText(context: CheckContext, tool: string, region: Region, attribute = true): string {
  const verb = region.outcome === 'allow' ? 'allowed' : region.outcome === 'approve' ? 'sent for approval' : 'denied';
  return `\`${callText(tool, region.args)}\` is ${verb}${attribute ? ` ${decidedBy(context, region)}` : ''}`;
}

/** `by r3 (line 11)`, `by \`default allow\``, `because it is hidden`. */
export function decidedBy(context: CheckContext, region: Region): string {
  switch (region.basis) {
    case 'rule': {
      const rule = region.rule === undefined ? undefined : context.ruleById(region.rule);
      return rule ? `by ${region.rule} (${lineOf(rule.span)})` : `by ${region.rule ?? 'a rule'}`;
    }
    case 'default':
      return `by \`default ${region.outcome === 'allow' ? 'allow' : 'deny'}\``;
    case 'hidden':
      return 'because it is hidden';
    case 'unknown-tool':
      return 'as an unknown tool';
  }
}

/** `an agent` or `identity "x"`. */
export function whoText(identity: string | undefined): string {
  return identity === undefined ? 'an agent' : `identity "${identity}"`;
}
