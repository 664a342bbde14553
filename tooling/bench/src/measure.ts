// Measuring one path: `measure` drives it (latency percentiles, throughput), `summarize` turns
// latencies measured elsewhere into the same stats, and `interleaved` compares paths in rounds so
// that a shared machine's load falls on all of them alike.

/** Latency percentiles (milliseconds) and throughput of one measured case. */
export interface Stats {
  iterations: number;
  concurrency: number;
  p50: number;
  p99: number;
  mean: number;
  max: number;
  opsPerSec: number;
}

export interface MeasureOptions {
  /** Timed calls in total (split across workers). Default 2,000. */
  iterations?: number;
  /** Untimed calls first, to warm caches, JIT and prepared statements. Default 10% of iterations. */
  warmup?: number;
  /** Calls in flight at once. Default 1. */
  concurrency?: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/**
 * Runs `fn` `iterations` times with `concurrency` calls in flight; `fn(i)` gets the call's
 * index so cases can vary their input. Returns latency percentiles and throughput.
 * @example
 * const ours = await measure((i) => repo.getCharacterByName(names[i % names.length]!), { concurrency: 16 });
 */
export async function measure(
  fn: (i: number) => Promise<unknown> | unknown,
  options: MeasureOptions = {},
): Promise<Stats> {
  const iterations = options.iterations ?? 2_000;
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const warmup = options.warmup ?? Math.ceil(iterations / 10);
  const run = async (count: number, record: Float64Array | null) => {
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < count; i = next++) {
        const start = process.hrtime.bigint();
        await fn(i);
        if (record) record[i] = Number(process.hrtime.bigint() - start) / 1e6;
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  };
  await run(warmup, null);
  const latencies = new Float64Array(iterations);
  const started = process.hrtime.bigint();
  await run(iterations, latencies);
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  latencies.sort();
  let sum = 0;
  for (const v of latencies) sum += v;
  return {
    iterations,
    concurrency,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    mean: sum / iterations,
    max: latencies[iterations - 1] ?? Number.NaN,
    opsPerSec: (iterations / elapsedMs) * 1000,
  };
}

/**
 * Stats of latencies measured elsewhere (one per operation, in ms) over `elapsedMs` of wall time,
 * for cases `measure` cannot drive (rounds of concurrent callers, a whole ingest).
 * @example
 * summarize([12.1, 11.8, 13.0], { elapsedMs: 36.9, concurrency: 100 }) // { p50: 12.1, … }
 */
export function summarize(
  latenciesMs: number[],
  options: { elapsedMs?: number; concurrency?: number } = {},
): Stats {
  const sorted = Float64Array.from(latenciesMs).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  const elapsed = options.elapsedMs ?? sum;
  return {
    iterations: sorted.length,
    concurrency: options.concurrency ?? 1,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    mean: sorted.length ? sum / sorted.length : Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
    opsPerSec: elapsed > 0 ? (sorted.length / elapsed) * 1000 : Number.NaN,
  };
}

/**
 * Measures several paths of one case in interleaved rounds (path 1, path 2, …, then again), so
 * that a shared machine's load falls on all of them alike; returns each path's median round
 * (by throughput). Use it whenever paths are compared by ratio.
 * @example
 * const [raw, ours] = await interleaved([(i) => raw.get(k), (i) => policy.get(key)], { iterations: 5_000 }, 5);
 */
export async function interleaved(
  paths: Array<(i: number) => Promise<unknown> | unknown>,
  options: MeasureOptions,
  rounds = 3,
): Promise<Stats[]> {
  const runs = paths.map(() => [] as Stats[]);
  for (let round = 0; round < rounds; round++) {
    for (const [j, fn] of paths.entries()) runs[j]!.push(await measure(fn, options));
  }
  return runs.map((r) => [...r].sort((a, b) => a.opsPerSec - b.opsPerSec)[Math.floor(r.length / 2)]!);
}
