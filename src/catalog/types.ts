// A catalogue describes one MCP server's tools as reviewed by a person: what each tool is
// (class, risk), what it can really do (capabilities), and which arguments need care.

import type { Condition } from '../model/condition.js';
import type { JsonObject } from '../model/json.js';

export const TOOL_CLASSES = ['read', 'write', 'financial', 'destructive'] as const;
export type ToolClass = (typeof TOOL_CLASSES)[number];

/** Ordered from least to most dangerous; `risk >= high` compares by this order. */
export const RISKS = ['low', 'medium', 'high', 'critical'] as const;
export type Risk = (typeof RISKS)[number];

/**
 * Something a tool can do, named so that two tools doing the same thing can be compared:
 * `cancel_order` has `order.cancel`; so does `modify_order`, when `modify_order_op` is CANCEL.
 */
export interface Capability {
  name: string;
  /** Arguments under which the tool has this capability; absent means always. */
  when?: Condition;
  note?: string;
}

/** How the server normalises a string argument before acting on it. */
export type Normalisation = 'upper' | 'lower' | 'trim';

export interface CatalogTool {
  name: string;
  description: string;
  inputSchema: JsonObject;
  class: ToolClass;
  risk: Risk;
  group?: string;
  capabilities: Capability[];
  /** Parameters that carry a secret (a password); allowing such a tool puts the secret through the model. */
  secrets?: string[];
  /** The parameter that selects real or simulated trading, and the values that are safe. */
  tradingEnvironment?: { param: string; safe: string[] };
  /** Arguments the server normalises before use: the enforcer compares what the server will act on. */
  normalize?: Record<string, Normalisation>;
  /** Why the class and risk are what they are, where that is not obvious. */
  rationale?: string;
  notes?: string;
  /** False for entries guessed by `catalog import` and not yet looked at by a person. */
  reviewed: boolean;
}

export interface Catalog {
  /** The name a policy's `server "…"` statement refers to. */
  name: string;
  title?: string;
  /** Where the facts come from: package, version, commit. */
  source?: JsonObject;
  /** How the classes and risks were decided, for a reader of the catalogue. */
  review?: string;
  /** The capability vocabulary: name → what it means. */
  capabilities?: Record<string, string>;
  tools: CatalogTool[];
}
