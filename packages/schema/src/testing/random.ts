// The seeded generator of tests, benches and evals: generated data is the same on every run.

/**
 * A small deterministic generator (mulberry32): the same seed gives the same data on every run,
 * in tests, benches (`@monsteros/bench-kit` re-exports it) and evals.
 * @example
 * const next = seededRandom(42); next() // 0.60… (always)
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
