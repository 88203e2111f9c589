// A server's `tools/list` → a catalogue (grammar/catalog.schema.json) of first guesses, every
// entry `reviewed: false`. Pure: the listing comes from src/gateway/inventory.ts.
//
// The catalogue is a function of what the server lists and nothing else (no date, no host name),
// so importing the same server twice gives the same bytes, and a re-import shows in a diff
// exactly what the server changed.

import type { JsonObject, JsonValue } from '../model/json.js';
import { guessTool, isSecretName, type ListedTool, type ToolAnnotations } from './guess.js';
import type { Catalog, CatalogTool } from './types.js';

export interface ServerListing {
  serverInfo: { name: string; title?: string; version?: string };
  protocolVersion: string;
  /** The tools exactly as the server listed them, every page in order. */
  tools: JsonValue[];
  /** How the server was reached, for the catalogue's `source`. */
  transport: { kind: 'stdio'; command: string; args: string[] } | { kind: 'http'; url: string };
}

export interface ImportResult {
  catalog?: Catalog;
  /** What in the listing cannot be catalogued: a tool without a name, two tools of one name… */
  problems: string[];
}

const REVIEW_NOTE =
  'Written by `policyc catalog import`: every class, risk, secret and trading environment below is a guess from the tool\'s name, description and annotations (see each `rationale`), and no capabilities are guessed. Review each tool, correct what is wrong, add capabilities, then set "reviewed": true. Until then `policyc lint` says the catalogue is unreviewed.';

export function catalogFromListing(listing: ServerListing, name?: string): ImportResult {
  const problems: string[] = [];
  const tools: CatalogTool[] = [];
  const seen = new Set<string>();
  listing.tools.forEach((raw, index) => {
    const listed = listedTool(raw, index, problems);
    if (!listed) return;
    if (seen.has(listed.name)) {
      problems.push(`the server lists tool ${JSON.stringify(listed.name)} twice; a catalogue names each tool once`);
      return;
    }
    seen.add(listed.name);
    tools.push(catalogTool(listed));
  });
  if (problems.length > 0) return { problems };

  const { serverInfo } = listing;
  const catalog: Catalog = {
    name: name ?? serverInfo.name,
    title: serverInfo.title ?? serverInfo.name,
    source: sourceOf(listing),
    review: REVIEW_NOTE,
    tools,
  };
  return { catalog, problems };
}

function sourceOf(listing: ServerListing): JsonObject {
  const { serverInfo, transport } = listing;
  const how: JsonObject =
    transport.kind === 'stdio'
      ? { transport: 'stdio', command: redactedCommand([transport.command, ...transport.args]) }
      : { transport: 'streamable-http', url: redactedUrl(transport.url) };
  return {
    serverName: serverInfo.name,
    ...(serverInfo.version === undefined ? {} : { serverVersion: serverInfo.version }),
    protocolVersion: listing.protocolVersion,
    ...how,
    importedBy: 'policyc catalog import',
  };
}

/** `--api-key X`, `--password=X`: the value of a flag whose name says secret is not written down. */
function redactedCommand(argv: readonly string[]): string[] {
  const redacted: string[] = [];
  let hideNext = false;
  for (const arg of argv) {
    if (hideNext) {
      redacted.push('<redacted>');
      hideNext = false;
      continue;
    }
    const flag = /^--?([A-Za-z0-9_.-]+)(=.*)?$/.exec(arg);
    if (flag && isSecretName(flag[1]!)) {
      if (flag[2] === undefined) hideNext = true;
      redacted.push(flag[2] === undefined ? arg : `--${flag[1]!}=<redacted>`);
      continue;
    }
    redacted.push(arg);
  }
  return redacted;
}

/** A URL may carry credentials (user:password@, ?token=); the catalogue is committed, so they go. */
function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    parsed.search = '';
    parsed.hash = '';
    return parsed.toString();
  } catch {
    return url;
  }
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The parts of a listed tool a catalogue keeps, or a problem saying why the tool cannot be kept. */
function listedTool(raw: JsonValue, index: number, problems: string[]): ListedTool | undefined {
  if (!isObject(raw)) {
    problems.push(`tool ${index + 1} of the listing is not an object`);
    return undefined;
  }
  const name = raw.name;
  if (typeof name !== 'string' || name === '') {
    problems.push(`tool ${index + 1} of the listing has no name`);
    return undefined;
  }
  const inputSchema = raw.inputSchema;
  if (!isObject(inputSchema) || inputSchema.type !== 'object') {
    problems.push(`tool ${JSON.stringify(name)} has no input schema of type "object", which MCP requires`);
    return undefined;
  }
  const annotations = isObject(raw.annotations) ? annotationsOf(raw.annotations) : undefined;
  return {
    name,
    ...(typeof raw.title === 'string' ? { title: raw.title } : {}),
    description: typeof raw.description === 'string' ? raw.description : '',
    inputSchema,
    ...(annotations ? { annotations } : {}),
  };
}

function annotationsOf(raw: JsonObject): ToolAnnotations {
  const hints: ToolAnnotations = {};
  if (typeof raw.title === 'string') hints.title = raw.title;
  // A hint that is not a boolean says nothing; it is left out rather than guessed at.
  for (const key of ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'] as const) {
    const value = raw[key];
    if (typeof value === 'boolean') hints[key] = value;
  }
  return hints;
}

function catalogTool(tool: ListedTool): CatalogTool {
  const guess = guessTool(tool);
  return {
    name: tool.name,
    description: tool.description ?? '',
    inputSchema: tool.inputSchema,
    class: guess.class,
    risk: guess.risk,
    capabilities: [],
    ...(guess.secrets.length > 0 ? { secrets: guess.secrets } : {}),
    ...(guess.tradingEnvironment ? { tradingEnvironment: guess.tradingEnvironment } : {}),
    rationale: guess.rationale,
    reviewed: false,
  };
}

/** The catalogue as a file: two-space JSON in the order people read it, final newline. */
export function formatCatalog(catalog: Catalog): string {
  return `${JSON.stringify(catalog, null, 2)}\n`;
}
