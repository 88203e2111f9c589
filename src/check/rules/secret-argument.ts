import type { Region } from '../../analysis/table.js';
import type { Span } from '../../diagnostics/diagnostic.js';
import { selectorText } from '../../model/text.js';
import { doorsOf, exampleText, whoText, type DoorUse } from '../reach.js';
import type { Rule } from '../rule.js';
import { listNames } from '../wording.js';

interface Finding {
  use: DoorUse;
  identity: string | undefined;
  /** allow or approve: what the door does with the call. */
  outcome: Region['outcome'];
  tools: Array<{ name: string; secrets: readonly string[]; region: Region }>;
}

export const secretArgument: Rule = {
  code: 'secret-argument',
  requiresCatalog: true,
  description: 'A tool that takes a secret (a password) can be called with it, allowed or approved: the secret passes through the model.',
  check(context) {
    const analysis = context.analysis;
    if (analysis === undefined || context.catalog === undefined) return;
    const findings = new Map<string, Finding>();
    for (const identity of analysis.identities) {
      for (const name of analysis.toolsToJudge(identity)) {
        const tool = context.tool(name);
        if (!tool?.secrets || tool.secrets.length === 0) continue;
        const table = analysis.table(identity, tool.name);
        const secret = table.probes.findIndex((probe) => probe.kind === 'secret');
        // Approval comes after the model has written the secret into the arguments: it opens too.
        const passes = (region: Region) => region.outcome !== 'deny' && region.probes[secret] === true;
        for (const use of doorsOf(context, table, identity, passes)) {
          const key = `${identity ?? ''}\u0000${use.span.start.offset}`;
          let finding = findings.get(key);
          if (!finding) findings.set(key, (finding = { use, identity, outcome: use.region.outcome, tools: [] }));
          finding.tools.push({ name: tool.name, secrets: tool.secrets, region: use.region });
        }
      }
    }
    for (const finding of findings.values()) {
      const first = finding.tools[0]!;
      const door = finding.use.door;
      const statement = door.kind === 'default' ? 'default allow' : `${door.rule.effect} ${selectorText(door.selector ?? door.rule.selectors[0]!)}`;
      const what = listNames(finding.tools.map((tool) => `${tool.name} (${tool.secrets.join(', ')})`));
      const example = exampleText(context, first.name, first.region, false);
      const approval =
        finding.outcome === 'approve'
          ? ' Approval does not help: the model has already written the secret into the call\'s arguments, in its context, before a person sees the request.'
          : '';
      const message = `\`${statement}\` lets ${whoText(finding.identity)} pass a secret to ${what} through the model, e.g. ${example}.${approval} Deny or hide the tool and unlock out of band; a model must never handle the password.`;
      const related = door.kind === 'rule' ? [{ message: `write \`deny\` here to keep the secret out of the model's context`, span: door.rule.effectSpan as Span }] : [];
      context.report('secret-argument', finding.use.span, message, { related });
    }
  },
};
