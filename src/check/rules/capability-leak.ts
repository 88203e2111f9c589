import { conditionText } from '../../analysis/example.js';
import { mostPermissive, outcomeRank, type Example } from '../../analysis/queries.js';
import type { Region } from '../../analysis/table.js';
import type { Capability, CatalogTool } from '../../catalog/types.js';
import type { RelatedLocation, Span } from '../../diagnostics/diagnostic.js';
import type { CheckContext } from '../context.js';
import { exampleText, whoText } from '../reach.js';
import type { Rule } from '../rule.js';
import { lineOf, listNames } from '../wording.js';

/**
 * A capability C of the catalogue (`order.cancel`) leaks when some caller can get a more
 * permissive decision (deny < approve < allow) for a call that exercises C through a tool that
 * has C only under a condition (modify_order with modify_order_op CANCEL: a side door) than for
 * any call of the tools that have C unconditionally (cancel_order: its homes). See
 * docs/analysis.md.
 */
export const capabilityLeak: Rule = {
  code: 'capability-leak',
  requiresCatalog: true,
  description: 'A capability denied or gated through the tools made for it is reachable more easily through another tool that also has it.',
  check(context) {
    const analysis = context.analysis;
    const catalog = context.catalog;
    if (analysis === undefined || catalog === undefined) return;
    const reported = new Set<string>();
    for (const [capability, { homes, sides }] of capabilityMap(catalog.tools)) {
      if (homes.length === 0 || sides.length === 0) continue;
      for (const identity of analysis.identities) {
        // An identity that touches none of these tools decides them as the top level.
        if (identity !== undefined && ![...homes, ...sides.map((side) => side.tool)].some((tool) => analysis.touches(identity, tool.name))) continue;
        const homeTables = homes.map((tool) => analysis.table(identity, tool.name));
        // "Through its homes it is at most X" is a claim about every call: only with exhaustive tables.
        if (homeTables.some((table) => table.gaps.length > 0)) continue;
        let home: Example | undefined;
        for (const table of homeTables) {
          const best = mostPermissive(table);
          if (best && (home === undefined || outcomeRank(best.region.outcome) > outcomeRank(home.region.outcome))) home = best;
        }
        if (!home) continue;
        for (const side of sides) {
          const table = analysis.table(identity, side.tool.name);
          const probe = table.probes.findIndex((p) => p.kind === 'capability' && p.capability === capability);
          const leak = mostPermissive(table, (region) => region.probes[probe] === true);
          if (!leak || outcomeRank(leak.region.outcome) <= outcomeRank(home.region.outcome)) continue;
          const span = decidingSpan(context, side.tool.name, leak.region);
          if (!span) continue;
          const key = `${span.start.offset}\u0000${side.tool.name}\u0000${capability}\u0000${home.region.outcome}\u0000${leak.region.outcome}`;
          if (reported.has(key)) continue;
          reported.add(key);
          report(context, { capability, identity, homes, side, home, leak, span, description: catalog.capabilities?.[capability] });
        }
      }
    }
  },
};

interface SideDoor {
  tool: CatalogTool;
  capability: Capability;
}

function capabilityMap(tools: readonly CatalogTool[]): Map<string, { homes: CatalogTool[]; sides: SideDoor[] }> {
  const map = new Map<string, { homes: CatalogTool[]; sides: SideDoor[] }>();
  for (const tool of tools) {
    for (const capability of tool.capabilities) {
      let entry = map.get(capability.name);
      if (!entry) map.set(capability.name, (entry = { homes: [], sides: [] }));
      if (capability.when) entry.sides.push({ tool, capability });
      // A tool that lists the capability twice is one home; its entries are the latest pushed.
      else if (entry.homes[entry.homes.length - 1] !== tool) entry.homes.push(tool);
    }
  }
  return map;
}

/** The statement that decides a region's call: the winning rule's selector naming the tool, or `default`. */
function decidingSpan(context: CheckContext, tool: string, region: Region): Span | undefined {
  if (region.basis === 'default') return context.model.default?.span;
  if (region.basis !== 'rule' || region.rule === undefined) return undefined;
  const rule = context.ruleById(region.rule);
  if (!rule) return undefined;
  return rule.selectors.find((selector) => context.toolsOfSelector(selector).includes(tool))?.span ?? rule.span;
}

/** Where a home's most permissive decision comes from, as a note. */
function homeNote(context: CheckContext, identity: string | undefined, home: Example): RelatedLocation | undefined {
  const { region, table } = home;
  const phrase = region.outcome === 'deny' ? 'is denied' : 'needs approval';
  if (region.basis === 'hidden') {
    const caller = context.callers.find((c) => c.identity === identity);
    const hide = caller ? context.hiddenBy(caller, table.tool) : undefined;
    return hide && { message: `${table.tool} is hidden here`, span: hide.span };
  }
  if (region.basis === 'default') {
    const statement = context.model.default;
    return statement && { message: `${table.tool} ${phrase}: no rule allows it, so the default decides`, span: statement.span };
  }
  const rule = region.rule === undefined ? undefined : context.ruleById(region.rule);
  return rule && { message: `${table.tool} ${phrase} here`, span: rule.span };
}

function report(
  context: CheckContext,
  finding: {
    capability: string;
    identity: string | undefined;
    homes: CatalogTool[];
    side: SideDoor;
    home: Example;
    leak: Example;
    span: Span;
    description: string | undefined;
  },
): void {
  const { capability, identity, homes, side, home, leak } = finding;
  const what = finding.description ? `${capability} (${finding.description.replace(/\.$/, '').toLowerCase()})` : capability;
  const through = listNames(homes.map((tool) => tool.name));
  const homeText = home.region.outcome === 'deny' ? `denied to ${whoText(identity)} through ${through}` : `needs a person's approval through ${through}`;
  const leakText = leak.region.outcome === 'allow' ? 'without approval' : "with a person's approval";
  const effect = home.region.outcome === 'deny' ? 'deny' : 'approve';
  const fix = side.capability.when ? `\`${effect} ${side.tool.name} when ${conditionText(side.capability.when)}\`` : `\`${effect} ${side.tool.name}\``;
  const rule = leak.region.rule === undefined ? undefined : context.ruleById(leak.region.rule);
  const by = rule ? ` by ${leak.region.rule} (${lineOf(rule.span)})` : '';
  const message =
    `${what} is ${homeText}, but ${side.tool.name} can do it too and ${whoText(identity)} can call it for that ${leakText}: ` +
    `e.g. ${exampleText(context, side.tool.name, leak.region, false)}${by}; give ${side.tool.name} the same rule for these calls, e.g. ${fix}.`;
  const note = homeNote(context, identity, home);
  context.report('capability-leak', finding.span, message, { related: note ? [note] : [] });
}
