// What the relay asks of the policy side, kept apart from how it is answered (gate.ts: the
// enforcer, the limiter and the audit log), so the relay can be read and tested on its own.

import type { JsonObject } from '../model/json.js';

/** Which tools the upstream lists, as far as the gateway could learn. */
export type ToolInventory = { kind: 'known'; tools: ReadonlySet<string> } | { kind: 'unavailable'; reason: string };

export interface GateCall {
  tool: string;
  args: JsonObject;
  identity: string;
  session: string;
  inventory: ToolInventory;
}

/** Quota held for a call that was let through; given back when the call never took place. */
export interface Reservation {
  release(): void;
}

export type GateVerdict =
  | { forward: true; args: JsonObject; reservation?: Reservation }
  | { forward: false; text: string };

export interface CallGate {
  /** Whether the tool is left out of this caller's tools/list. */
  hides(tool: string, identity: string): boolean;
  /**
   * Decides one tools/call, writes its audit record (and waits for the write), and reserves
   * quota. `forward: true` carries the arguments exactly as checked: those are what is sent on.
   * Answers at once when nothing it needs must wait for I/O (an allowed call with the in-process
   * limiter and an audit log without fsync), with a promise otherwise. Never rejects or throws:
   * any failure is a denial.
   */
  admit(call: GateCall): GateVerdict | Promise<GateVerdict>;
}
