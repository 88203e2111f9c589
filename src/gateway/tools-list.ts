// `tools/list` results: reading the tool names out of one page, and filtering a page for a
// caller. A page that is not the shape MCP defines is refused as a whole: passing an unfiltered
// list because it could not be read would show hidden tools (a peer's fail-open bug).

import type { JsonObject } from '../model/json.js';
import { isObject } from './jsonrpc.js';

export type PageReading = { ok: true; names: string[]; nextCursor?: string } | { ok: false; problem: string };

export function readToolsPage(result: JsonObject): PageReading {
  const tools = result.tools;
  if (!Array.isArray(tools)) return { ok: false, problem: 'its "tools" member is not a list' };
  const names: string[] = [];
  for (const [index, tool] of tools.entries()) {
    if (!isObject(tool) || typeof tool.name !== 'string') return { ok: false, problem: `tool ${index} has no string "name"` };
    names.push(tool.name);
  }
  const cursor = result.nextCursor;
  if (cursor !== undefined && cursor !== null && typeof cursor !== 'string') return { ok: false, problem: 'its "nextCursor" is not a string' };
  return typeof cursor === 'string' ? { ok: true, names, nextCursor: cursor } : { ok: true, names };
}

/** The page without the tools `hidden` says no to; every other member (nextCursor, _meta…) kept. */
export function filterToolsPage(result: JsonObject, hidden: (name: string) => boolean): { ok: true; result: JsonObject } | { ok: false; problem: string } {
  const reading = readToolsPage(result);
  if (!reading.ok) return reading;
  const tools = (result.tools as JsonObject[]).filter((tool) => !hidden(tool.name as string));
  return { ok: true, result: { ...result, tools } };
}
