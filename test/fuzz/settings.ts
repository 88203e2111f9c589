// How hard the fuzz properties work. Each has a default sized for CI (a few seconds); FUZZ_RUNS
// sets the number of runs of every property for a deeper search, and FUZZ_SEED replays one.
//
//   FUZZ_RUNS=20000 npx vitest run test/fuzz
//   FUZZ_SEED=-1234 npx vitest run test/fuzz/fmt.test.ts     (the seed a failure printed)

import type fc from 'fast-check';

const requested = Number(process.env.FUZZ_RUNS);
const seed = Number(process.env.FUZZ_SEED);
const deep = Number.isSafeInteger(requested) && requested > 0;

/** In CI, a property stops after this long: shrinking a counterexample of a slow stage can take minutes. */
const CI_TIME_LIMIT_MS = 60_000;

/** The number of runs for a property whose CI default is `ciDefault`. */
export function runs(ciDefault: number): number {
  return deep ? requested : ciDefault;
}

/**
 * fast-check parameters for a property; a replayed seed applies to each. In CI a property that
 * runs out of time reports what it found so far: a failure, partly shrunk, or success.
 */
export function fuzz<T>(ciDefault: number): fc.Parameters<T> {
  return {
    numRuns: runs(ciDefault),
    ...(Number.isSafeInteger(seed) ? { seed } : {}),
    ...(deep ? {} : { interruptAfterTimeLimit: CI_TIME_LIMIT_MS }),
  };
}

/** A test's time limit: room for the property's own limit in CI, or as long as a deep run takes. */
export function timeout(): number {
  return deep ? 24 * 3_600_000 : CI_TIME_LIMIT_MS + 30_000;
}
