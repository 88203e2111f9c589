// Questions the catalogue asks about a call, beside the policy's own conditions: does this call
// exercise a capability (modify_order with modify_order_op CANCEL cancels an order), does it pin
// the trading environment to a safe value, does it pass a secret. Each probe is a reader of the
// argument space, so the regions separate the calls it tells apart.

import type { CatalogTool } from '../catalog/types.js';
import { leavesOf } from '../compile/condition.js';
import { compileCondition, TRUE } from '../enforce/condition.js';
import { applyNormalisation, normaliseSteps, type NormaliseStep } from '../enforce/normalize.js';
import type { Condition, LeafCondition } from '../model/condition.js';
import type { JsonObject } from '../model/json.js';
import type { Reader } from './space.js';

export type Probe =
  /** The call exercises a capability the tool has only under a condition. */
  | { kind: 'capability'; capability: string; condition: Condition }
  /** The call's trading environment is one of the safe values (SIMULATE). */
  | { kind: 'trading-environment'; param: string; safe: readonly string[] }
  /** The call passes a value (not null) in one of the tool's secret parameters. */
  | { kind: 'secret'; params: readonly string[] };

/** Every probe the catalogue defines for a tool (none for a tool it does not know). */
export function catalogProbes(tool: CatalogTool | undefined): Probe[] {
  if (!tool) return [];
  const probes: Probe[] = [];
  for (const capability of tool.capabilities) {
    if (capability.when) probes.push({ kind: 'capability', capability: capability.name, condition: capability.when });
  }
  if (tool.tradingEnvironment) probes.push({ kind: 'trading-environment', param: tool.tradingEnvironment.param, safe: tool.tradingEnvironment.safe });
  if (tool.secrets && tool.secrets.length > 0) probes.push({ kind: 'secret', params: tool.secrets });
  return probes;
}

/** How the server normalises the tool's arguments: what the probes must read, as the server acts on it. */
export function catalogSteps(tool: CatalogTool | undefined): readonly NormaliseStep[] {
  return tool?.normalize ? normaliseSteps([tool.normalize]) : [];
}

const hasOwn = Object.prototype.hasOwnProperty;

/** A probe as a reader: answers "1" when the probe holds for the call, "0" otherwise. */
export function probeReader(probe: Probe, steps: readonly NormaliseStep[]): Reader {
  switch (probe.kind) {
    case 'capability':
      return conditionProbe(probe.condition, steps);
    case 'trading-environment':
      // A missing environment means "whatever the server is configured with": not pinned.
      return conditionProbe({ op: 'in', path: [probe.param], value: [...probe.safe] }, steps);
    case 'secret': {
      // `exists` and `== null` split each parameter into missing, null and a value.
      const leaves: LeafCondition[] = probe.params.flatMap((param): LeafCondition[] => [
        { op: 'exists', path: [param] },
        { op: '==', path: [param], value: null },
      ]);
      return {
        leaves,
        steps,
        answer: (args) => (probe.params.some((param) => hasOwn.call(args, param) && args[param] !== null && args[param] !== undefined) ? '1' : '0'),
      };
    }
  }
}

/** Only a condition that holds counts: a call whose arguments it cannot read does not have the capability (the server rejects it). */
function conditionProbe(condition: Condition, steps: readonly NormaliseStep[]): Reader {
  const test = compileCondition(condition);
  return {
    leaves: leavesOf(condition),
    steps,
    answer: (args: JsonObject) => (test(steps.length === 0 ? args : applyNormalisation(steps, args), undefined) === TRUE ? '1' : '0'),
  };
}
