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
  if (selectors.length === 1 && selectors[0]!.kind !== 'name') return [...catalogedToolsOf(selectors[0]!, catalog)];
  const names = new Set<string>();
  for (const selector of selectors) {
    if (selector.kind === 'name') names.add(selector.name);
    else for (const name of catalogedToolsOf(selector, catalog)) names.add(name);
  }
  return [...names].sort(compareStrings);
}

/**
 * The checks, the analysis and the compiler all resolve the same selectors against the same
 * catalogue, and a glob, class or risk selector costs a pass over every tool: over a catalogue
 * of 5,000 tools and a policy of 1,000 rules that was most of a lint. So each catalogue gets an
 * index, built on first use: its tool names sorted, and every selector's answer once computed.
 * (Catalogues are never changed once loaded.)
 */
interface CatalogIndex {
  /** Every tool, in name order (code units). */
  byName: readonly CatalogTool[];
  /** Selector key → the sorted names it selects. */
  answers: Map<string, readonly string[]>;
}

const indexes = new WeakMap<Catalog, CatalogIndex>();

function indexOf(catalog: Catalog): CatalogIndex {
  let index = indexes.get(catalog);
  if (!index) {
    index = { byName: [...catalog.tools].sort((a, b) => compareStrings(a.name, b.name)), answers: new Map() };
    indexes.set(catalog, index);
  }
  return index;
}

function selectorKey(selector: Exclude<Selector, { kind: 'name' }>): string {
  switch (selector.kind) {
    case 'all':
      return '*';
    case 'glob':
      return `glob ${selector.pattern}`;
    case 'class':
      return `class ${selector.class}`;
    case 'risk':
      return `risk ${selector.op} ${selector.risk}`;
  }
}

/** The catalogued tools a glob, class, risk or `*` selector selects, sorted, without duplicates. */
function catalogedToolsOf(selector: Exclude<Selector, { kind: 'name' }>, catalog: Catalog): readonly string[] {
  const index = indexOf(catalog);
  const key = selectorKey(selector);
  let answer = index.answers.get(key);
  if (!answer) {
    const names: string[] = [];
    for (const tool of candidates(selector, index.byName)) {
      if (selectorMatches(selector, tool) && names[names.length - 1] !== tool.name) names.push(tool.name);
    }
    answer = names;
    index.answers.set(key, answer);
  }
  return answer;
}

/** The tools worth testing: for a glob, only those whose names start with its literal prefix. */
function candidates(selector: Selector, byName: readonly CatalogTool[]): readonly CatalogTool[] {
  if (selector.kind !== 'glob') return byName;
  const wildcard = selector.pattern.search(/[*?]/);
  const prefix = wildcard < 0 ? selector.pattern : selector.pattern.slice(0, wildcard);
  if (prefix === '') return byName;
  // The names in code-unit order: those with the prefix form one run, found by bisection.
  let low = 0;
  let high = byName.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (byName[mid]!.name < prefix) low = mid + 1;
    else high = mid;
  }
  let end = low;
  while (end < byName.length && byName[end]!.name.startsWith(prefix)) end++;
  return byName.slice(low, end);
}

/** Code-unit order, the same on every machine and locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
