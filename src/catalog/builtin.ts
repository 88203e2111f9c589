// The catalogues that ship with policyc, by the name a policy's `server "…"` uses.

import futu from './builtin/futu-stock-mcp-server.json' with { type: 'json' };
import type { Catalog } from './types.js';

const BUILTIN: Record<string, Catalog> = {
  [futu.name]: futu as unknown as Catalog,
};

export function builtinCatalog(name: string): Catalog | undefined {
  return Object.hasOwn(BUILTIN, name) ? BUILTIN[name] : undefined;
}

export function builtinCatalogNames(): string[] {
  return Object.keys(BUILTIN).sort();
}
