// SlotMap keeps its first entry beside a Map (so that a session's one call at a time does not
// reallocate a table per call); whatever is done to it, it must hold what a Map would.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { SlotMap } from '../../src/gateway/slot-map.js';

type Operation = { op: 'set'; key: number | string; value: number } | { op: 'delete' | 'get' | 'has'; key: number | string } | { op: 'clear' };

const key = fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constantFrom('0', '1', 'a'), fc.constant(Number.NaN), fc.constant(-0));
const operation: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('set' as const), key, value: fc.integer() }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('delete' as const), key }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constantFrom('get' as const, 'has' as const), key }) },
  { weight: 1, arbitrary: fc.constant({ op: 'clear' as const }) },
);

const sorted = (entries: Iterable<[number | string, number]>) => [...entries].map(([k, v]) => `${String(k)}=${v}`).sort();

describe('SlotMap', () => {
  it('answers every operation as a Map does, and holds the same entries after each', () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 60 }), (operations) => {
        const map = new Map<number | string, number>();
        const slots = new SlotMap<number | string, number>();
        for (const o of operations) {
          if (o.op === 'set') {
            expect(slots.set(o.key, o.value)).toBe(slots);
            map.set(o.key, o.value);
          } else if (o.op === 'clear') {
            slots.clear();
            map.clear();
          } else {
            expect(slots[o.op](o.key)).toEqual(map[o.op](o.key));
          }
          expect(slots.size).toBe(map.size);
          expect(sorted(slots)).toEqual(sorted(map));
          expect(sorted(slots.entries())).toEqual(sorted(map.entries()));
          expect([...slots.keys()].map(String).sort()).toEqual([...map.keys()].map(String).sort());
          expect([...slots.values()].sort()).toEqual([...map.values()].sort());
        }
      }),
    );
  });

  it('lets a loop delete what it visits', () => {
    const slots = new SlotMap<number, string>();
    for (let i = 0; i < 5; i++) slots.set(i, `v${i}`);
    const seen: number[] = [];
    for (const [k] of slots) {
      seen.push(k);
      slots.delete(k);
    }
    expect(seen.sort()).toEqual([0, 1, 2, 3, 4]);
    expect(slots.size).toBe(0);
  });
});
