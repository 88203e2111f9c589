// Selectors → tool names. The one place that decides which catalogued tools a `name`, glob,
// `class`, `risk` or `*` selector stands for; the compiler and the checks both ask here.

import type { Selector } from '../model/policy.js';
import { RISKS, type Catalog, type CatalogTool, type Risk } from './types.js';

const globCache = new Map<string, RegExp>();

/** `*` matches any run of characters, `?` exactly one; everything else is literal. */
export function globToRegExp(pattern: string): RegExp {
  let cached = globCache.get(pattern);
  if (!cached) {
    let source = '';
    for (const ch of pattern) {
      if (ch === '*') source += '[^]*';
      else if (ch === '?') source += '[^]';
      else source += ch.replace(/[\\^$.|+(){}[\]]/g, '\\$&');
    }
    cached = new RegExp(`^${source}$`, 'u');
    globCache.set(pattern, cached);
  }
  return cached;
}

export function isGlob(text: string): boolean {
  return text.includes('*') || text.includes('?');
}

function riskRank(risk: string): number {
  return RISKS.indexOf(risk as Risk);
}

/** Whether `selector` names catalogued `tool`. Unknown classes or risks match nothing. */
export function selectorMatches(selector: Selector, tool: CatalogTool): boolean {
  switch (selector.kind) {
    case 'all':
      return true;
    case 'name':
      return selector.name === tool.name;
    case 'glob':
      return globToRegExp(selector.pattern).test(tool.name);
    case 'class':
      return selector.class === tool.class;
    case 'risk': {
      const wanted = riskRank(selector.risk);
      if (wanted < 0) return false;
      const actual = riskRank(tool.risk);
      switch (selector.op) {
        case '==':
          return actual === wanted;
        case '>=':
          return actual >= wanted;
        case '>':
          return actual > wanted;
        case '<=':
          return actual <= wanted;
        case '<':
          return actual < wanted;
      }
    }
  }
}

/**
 * The tool names a list of selectors stands for, sorted. An exact name stands for itself even
 * when the catalogue does not know it (the `unknown-tool` check reports that), so the compiled
 * policy still says what the author meant.
 */
export function resolveSelectors(selectors: readonly Selector[], catalog: Catalog): string[] {
  const names = new Set<string>();
  for (const selector of selectors) {
    if (selector.kind === 'name') {
      names.add(selector.name);
      continue;
    }
    for (const tool of catalog.tools) if (selectorMatches(selector, tool)) names.add(tool.name);
  }
  return [...names].sort(compareStrings);
}

/** Code-unit order, the same on every machine and locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
