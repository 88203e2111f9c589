// How hard the fuzz properties work. Each has a default sized for CI (a few seconds); FUZZ_RUNS
// sets the number of runs of every property for a deeper search, and FUZZ_SEED replays one.
//
//   FUZZ_RUNS=20000 npx vitest run test/fuzz
//   FUZZ_SEED=-1234 npx vitest run test/fuzz/fmt.test.ts     (the seed a failure printed)

import type fc from 'fast-check';

const requested = Number(process.env.FUZZ_RUNS);
const seed = Number(process.env.FUZZ_SEED);

/** The number of runs for a property whose CI default is `ciDefault`. */
export function runs(ciDefault: number): number {
  return Number.isSafeInteger(requested) && requested > 0 ? requested : ciDefault;
}

/** fast-check parameters for a property; a replayed seed applies to each. */
export function fuzz<T>(ciDefault: number): fc.Parameters<T> {
  return Number.isSafeInteger(seed) ? { numRuns: runs(ciDefault), seed } : { numRuns: runs(ciDefault) };
}

/** A test's time limit: the CI default's, or as long as a deep run takes. */
export function timeout(ms = 30_000): number {
  return Number.isSafeInteger(requested) && requested > 0 ? 24 * 3_600_000 : ms;
}
