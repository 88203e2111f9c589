// The regions of one tool's argument space: every combination of path classes that some reader
// (a rule's `when`, or a probe such as "this call cancels an order") can tell apart, each with a
// representative call.
//
// A full product over every path would grow with the number of rules; instead the readers are
// grouped into components that share paths. Inside a component the product of its paths' classes
// is enumerated and reduced to the distinct answers of its readers (usually a handful); the
// regions are the product of those distinct answers over the components. Two calls in one region
// get the same answer from every reader, so deciding one representative decides the region.
//
// When a product would still be too large, the enumeration stops at a cap and the space is
// marked inexact: every region it has is a real call, but some behaviour may have none.

import type { NormaliseStep } from '../enforce/normalize.js';
import type { LeafCondition } from '../model/condition.js';
import type { JsonObject } from '../model/json.js';
import { argsWith, pathDomain, setOwn, type PathDomain, type PathHints, type PathLeaf } from './values.js';

/** Combinations of path classes tried inside one component before giving up on exhaustiveness. */
export const MAX_COMPONENT_COMBINATIONS = 20_000;
/** Regions (representative calls) decided per caller and tool before giving up on exhaustiveness. */
export const MAX_REGIONS = 4_096;

/** Something that reads a call's arguments: a rule's condition or a probe of the catalogue. */
export interface Reader {
  /** The leaves whose literals split the paths it reads. */
  leaves: readonly LeafCondition[];
  /** How the reader's owner normalises arguments before reading them. */
  steps: readonly NormaliseStep[];
  /** Its answer on raw arguments, as one character (the region key is made of them). */
  answer(args: JsonObject): string;
}

export interface SpaceRegion {
  args: JsonObject;
  /** Each reader's answer, in the order the readers were given. */
  answers: readonly string[];
}

export interface Space {
  regions: readonly SpaceRegion[];
  /** Why some behaviour may have no region; empty when the regions are exhaustive. */
  gaps: readonly string[];
  /** Whether the leaf can answer TRUE for some value of its path (undefined for a leaf not given). */
  leafCanHold(leaf: LeafCondition): boolean | undefined;
}

interface Component {
  readers: number[];
  paths: PathDomain[];
}

/**
 * Path domains already built, by everything that decides one: the path, its leaves' operators and
 * literals in order, their normalisations and the catalogue's hints. Two rules with the same
 * comparison on the same parameter (`env == "REAL"` on a hundred tools) get one domain.
 */
export type DomainCache = Map<string, PathDomain>;

/** What buildSpace may reuse: domains, and whole spaces of readers that behave alike. */
export interface SpaceReuse {
  domains: DomainCache;
  /** Spaces by their readers' `behaviour` and the hints of every path they read. */
  spaces: Map<string, { space: Space; leaves: readonly LeafCondition[] }>;
  /**
   * What the readers compute, as a key (their conditions, normalisations and probes, written out
   * by the caller, who knows them): readers with one behaviour, over paths with the same hints,
   * have one space. Without it, only domains are reused.
   */
  behaviour?: string;
}

export function buildSpace(readers: readonly Reader[], hints: (path: readonly string[]) => PathHints | undefined, reuse?: SpaceReuse): Space {
  const gaps: string[] = [];
  const pathLeaves = new Map<string, { path: readonly string[]; leaves: PathLeaf[]; hints: PathHints | undefined }>();
  const readerPaths = readers.map((reader) => {
    const keys = new Set<string>();
    for (const leaf of reader.leaves) {
      const key = JSON.stringify(leaf.path);
      keys.add(key);
      let entry = pathLeaves.get(key);
      if (!entry) pathLeaves.set(key, (entry = { path: leaf.path, leaves: [], hints: hints(leaf.path) }));
      entry.leaves.push({ leaf, steps: reader.steps });
    }
    return [...keys];
  });

  let spaceKey: string | undefined;
  if (reuse?.behaviour !== undefined) {
    spaceKey = reuse.behaviour;
    for (const [key, entry] of pathLeaves) spaceKey += `\u0000${key}\u0001${hintsKey(entry.hints)}`;
    const built = reuse.spaces.get(spaceKey);
    if (built !== undefined) return sameSpace(built, readers);
  }

  const domains = new Map<string, PathDomain>();
  const leafAt = new Map<LeafCondition, { domain: PathDomain; index: number }>();
  for (const [key, { path, leaves, hints: pathHints }] of pathLeaves) {
    let domain: PathDomain | undefined;
    if (reuse === undefined) domain = pathDomain(path, leaves, pathHints);
    else {
      const content = domainKey(key, leaves, pathHints);
      domain = reuse.domains.get(content);
      if (domain === undefined) reuse.domains.set(content, (domain = pathDomain(path, leaves, pathHints)));
    }
    domains.set(key, domain);
    if (domain.inexact) gaps.push(domain.inexact);
    leaves.forEach(({ leaf }, index) => leafAt.set(leaf, { domain, index }));
  }
  const prefixed = prefixConflict([...pathLeaves.values()].map((entry) => entry.path));
  if (prefixed) gaps.push(`conditions read both ${prefixed[0]} and ${prefixed[1]}, whose values depend on each other`);

  const components = groupComponents(readerPaths, domains);
  const distinct = components.map((component) => componentAnswers(component, readers, gaps));
  const regions = combine(components, distinct, readers.length, gaps);
  const space: Space = {
    regions,
    gaps,
    leafCanHold(leaf) {
      const at = leafAt.get(leaf);
      return at === undefined ? undefined : at.domain.classes.some((cls) => cls.answers[at.index] === 1);
    },
  };
  if (spaceKey !== undefined) reuse!.spaces.set(spaceKey, { space, leaves: readers.flatMap((reader) => reader.leaves) });
  return space;
}

/**
 * A space built for other readers of the same behaviour, for these: the same regions and gaps,
 * and each of these readers' leaves answered as the leaf in its place there.
 */
function sameSpace(built: { space: Space; leaves: readonly LeafCondition[] }, readers: readonly Reader[]): Space {
  let counterparts: Map<LeafCondition, LeafCondition> | undefined;
  return {
    regions: built.space.regions,
    gaps: built.space.gaps,
    leafCanHold(leaf) {
      if (counterparts === undefined) {
        counterparts = new Map();
        const mine = readers.flatMap((reader) => reader.leaves);
        mine.forEach((own, i) => counterparts!.set(own, built.leaves[i]!));
      }
      const counterpart = counterparts.get(leaf);
      return counterpart === undefined ? undefined : built.space.leafCanHold(counterpart);
    },
  };
}

/** What decides a path's domain: `pathKey` (the path as JSON) and each leaf's test, in order. */
function domainKey(pathKey: string, leaves: readonly PathLeaf[], hints: PathHints | undefined): string {
  let key = pathKey;
  for (const { leaf, steps } of leaves) {
    key += `\u0000${leaf.op}\u0001${'value' in leaf ? JSON.stringify(leaf.value) : ''}\u0001${stepsKey(steps)}`;
  }
  return `${key}\u0000${hintsKey(hints)}`;
}

function hintsKey(hints: PathHints | undefined): string {
  return hints === undefined ? '' : `${[...hints.types].sort().join(',')}\u0001${JSON.stringify(hints.values)}`;
}

const transformIds = new WeakMap<object, number>();
let nextTransformId = 1;

/** Normalisation steps as a key: each argument and the identity of its transformation. */
export function stepsKey(steps: readonly NormaliseStep[]): string {
  if (steps.length === 0) return '';
  return steps
    .map((step) => {
      let id = transformIds.get(step.transform);
      if (id === undefined) transformIds.set(step.transform, (id = nextTransformId++));
      return `${step.key}=${id}`;
    })
    .join(',');
}

function prefixConflict(paths: readonly (readonly string[])[]): [string, string] | undefined {
  const keys = new Set(paths.map((path) => path.join('\u0000')));
  for (const path of paths) {
    for (let length = 1; length < path.length; length++) {
      if (keys.has(path.slice(0, length).join('\u0000'))) return [path.slice(0, length).join('.'), path.join('.')];
    }
  }
  return undefined;
}

/** Readers that share an argument belong together; the rest combine freely. */
function groupComponents(readerPaths: readonly string[][], domains: ReadonlyMap<string, PathDomain>): Component[] {
  const parent = readerPaths.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  // Readers meet at an argument's top-level key, not only at a whole path: `mode` and `mode.deep`
  // live in one value, so they must be enumerated together (and `order.qty` with `order.price`).
  const owner = new Map<string, number>();
  readerPaths.forEach((keys, i) => {
    for (const key of keys) {
      const top = domains.get(key)!.path[0] ?? '';
      const first = owner.get(top);
      if (first === undefined) owner.set(top, i);
      else parent[find(i)] = find(first);
    }
  });
  const groups = new Map<number, Component>();
  readerPaths.forEach((keys, i) => {
    const root = find(i);
    let group = groups.get(root);
    if (!group) groups.set(root, (group = { readers: [], paths: [] }));
    group.readers.push(i);
    for (const key of keys) {
      const domain = domains.get(key)!;
      if (!group.paths.includes(domain)) group.paths.push(domain);
    }
  });
  return [...groups.values()];
}

/** One distinct behaviour of a component: the first arguments that show it and its readers' answers. */
interface Behaviour {
  args: JsonObject;
  /** Answers of the component's readers, in the order of `Component.readers`. */
  answers: string[];
}

/** The distinct answers of a component's readers, each with the first arguments that give them. */
function componentAnswers(component: Component, readers: readonly Reader[], gaps: string[]): Behaviour[] {
  const found = new Map<string, Behaviour>();
  const { paths } = component;
  const sizes = paths.map((domain) => domain.classes.length);
  const total = sizes.reduce((product, size) => product * size, 1);
  const counter = sizes.map(() => 0);
  const limit = Math.min(total, MAX_COMPONENT_COMBINATIONS);
  if (total > MAX_COMPONENT_COMBINATIONS) {
    gaps.push(`the conditions over ${paths.map((d) => d.path.join('.')).join(', ')} give ${total} combinations; the first ${MAX_COMPONENT_COMBINATIONS} were decided`);
  }
  const members = component.readers.map((r) => readers[r]!);
  for (let n = 0; n < limit; n++) {
    let args: JsonObject = {};
    for (let i = 0; i < paths.length; i++) args = argsWith(args, paths[i]!.path, paths[i]!.classes[counter[i]!]!.sample);
    const answers: string[] = [];
    let key = '';
    for (const reader of members) {
      const answer = reader.answer(args);
      answers.push(answer);
      key += answer;
    }
    if (!found.has(key)) found.set(key, { args, answers });
    // Mixed-radix increment, last path fastest: the first combinations use every path's preferred class.
    for (let i = counter.length - 1; i >= 0; i--) {
      counter[i]!++;
      if (counter[i]! < sizes[i]!) break;
      counter[i] = 0;
    }
  }
  return [...found.values()];
}

function combine(components: readonly Component[], distinct: ReadonlyArray<Behaviour[]>, readerCount: number, gaps: string[]): SpaceRegion[] {
  const total = distinct.reduce((product, list) => product * list.length, 1);
  if (total > MAX_REGIONS) gaps.push(`the rules distinguish ${total} kinds of call; the first ${MAX_REGIONS} were decided`);
  const limit = Math.min(total, MAX_REGIONS);
  const counter = distinct.map(() => 0);
  const regions: SpaceRegion[] = [];
  for (let n = 0; n < limit; n++) {
    let args: JsonObject = {};
    const answers = new Array<string>(readerCount);
    for (let c = 0; c < distinct.length; c++) {
      const part = distinct[c]![counter[c]!]!;
      args = c === 0 ? part.args : mergeArgs(args, part.args);
      const owners = components[c]!.readers;
      for (let k = 0; k < owners.length; k++) answers[owners[k]!] = part.answers[k]!;
    }
    regions.push({ args, answers });
    for (let i = counter.length - 1; i >= 0; i--) {
      counter[i]!++;
      if (counter[i]! < distinct[i]!.length) break;
      counter[i] = 0;
    }
  }
  return regions;
}

/**
 * Both argument objects in one. Components never share a path, but they can share a prefix
 * (`order.qty` and `order.price`), so objects merge key by key.
 */
function mergeArgs(left: JsonObject, right: JsonObject): JsonObject {
  const merged: JsonObject = { ...left };
  for (const [key, value] of Object.entries(right)) {
    const mine = Object.hasOwn(merged, key) ? merged[key] : undefined;
    const next = isObject(mine) && isObject(value) ? mergeArgs(mine, value) : value;
    setOwn(merged, key, next);
  }
  return merged;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
