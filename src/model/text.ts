// Canonical text for model pieces: how a selector or a duration is written back, the same way
// whatever spelling it came from. Used by the compiler (`selector` in policy.json) and fmt.

import type { Selector } from './policy.js';

export function selectorText(selector: Selector): string {
  switch (selector.kind) {
    case 'all':
      return '*';
    case 'name':
      return selector.name;
    case 'glob':
      return selector.pattern;
    case 'class':
      return `class ${selector.class}`;
    case 'risk':
      return selector.op === '==' ? `risk ${selector.risk}` : `risk ${selector.op} ${selector.risk}`;
  }
}

export function selectorsText(selectors: readonly Selector[]): string {
  return selectors.map(selectorText).join(', ');
}

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
export type DurationUnit = keyof typeof UNIT_MS;

/** `30s` → 30000; undefined for anything that is not a positive whole number and a unit. */
export function parseDuration(text: string): number | undefined {
  const match = /^([0-9]+)([smhd])$/.exec(text);
  if (!match) return undefined;
  const amount = Number(match[1]);
  if (!Number.isSafeInteger(amount) || amount <= 0) return undefined;
  const ms = amount * UNIT_MS[match[2] as DurationUnit];
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/** The shortest exact spelling of a window: 60000 → `1m`, 90000 → `90s`. */
export function durationText(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    if (ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  }
  return `${ms / 1000}s`;
}
