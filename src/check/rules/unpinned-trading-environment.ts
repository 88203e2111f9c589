import type { Region } from '../../analysis/table.js';
import { selectorText } from '../../model/text.js';
import { doorsOf, exampleText, whoText, type DoorUse } from '../reach.js';
import type { Rule } from '../rule.js';
import { listNames } from '../wording.js';

interface Finding {
  use: DoorUse;
  identity: string | undefined;
  tools: Array<{ name: string; param: string; safe: readonly string[]; region: Region }>;
}

export const unpinnedTradingEnvironment: Rule = {
  code: 'unpinned-trading-environment',
  requiresCatalog: true,
  description: 'A trading tool allowed without approval for calls whose trading environment is not a safe one (or not given).',
  check(context) {
    const analysis = context.analysis;
    if (analysis === undefined || context.catalog === undefined) return;
    const findings = new Map<string, Finding>();
    for (const identity of analysis.identities) {
      for (const name of analysis.toolsToJudge(identity)) {
        const tool = context.tool(name);
        const environment = tool?.tradingEnvironment;
        if (!tool || !environment) continue;
        const table = analysis.table(identity, tool.name);
        const pinned = table.probes.findIndex((probe) => probe.kind === 'trading-environment');
        const unpinned = (region: Region) => region.outcome === 'allow' && region.probes[pinned] === false;
        for (const use of doorsOf(context, table, identity, unpinned)) {
          const key = `${identity ?? ''}\u0000${use.span.start.offset}`;
          let finding = findings.get(key);
          if (!finding) findings.set(key, (finding = { use, identity, tools: [] }));
          finding.tools.push({ name: tool.name, param: environment.param, safe: environment.safe, region: use.region });
        }
      }
    }
    for (const finding of findings.values()) {
      const first = finding.tools[0]!;
      const door = finding.use.door;
      const statement = door.kind === 'default' ? 'default allow' : `${door.rule.effect} ${selectorText(door.selector ?? door.rule.selectors[0]!)}`;
      const safe = first.safe.map((value) => JSON.stringify(value)).join(' or ');
      const missing = Object.hasOwn(first.region.args, first.param) ? '' : ` (without ${first.param}, the server trades in whatever environment it is configured for)`;
      const message =
        `\`${statement}\` lets ${whoText(finding.identity)} call ${listNames(finding.tools.map((tool) => tool.name))} without approval ` +
        `and without pinning ${first.param} to ${safe}, e.g. ${exampleText(context, first.name, first.region, false)}${missing}; ` +
        `add \`when ${first.param} == ${JSON.stringify(first.safe[0] ?? 'SIMULATE')}\` or use \`approve\`.`;
      const related =
        door.kind === 'rule' && door.rule.when
          ? [{ message: `this condition lets calls through whose ${first.param} is not ${safe}`, span: door.rule.when.span }]
          : [];
      context.report('unpinned-trading-environment', finding.use.span, message, { related });
    }
  },
};
