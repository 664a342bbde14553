// The benchmark harness of MonsterOS Data. Each package's bench/*.bench.ts measures our path
// and the raw baseline in the same run with `measure`, then `report` prints one table (p50,
// p99, ops/s, ratio to the baseline) and writes the same rows as JSON to bench-results/.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

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

/** One row of a benchmark table: a case, the path measured, and optionally its baseline. */
export interface BenchRow {
  /** What is measured, e.g. `getCharacterByName`. */
  case: string;
  /** Which implementation, e.g. `ours`, `raw pg`, `prisma`. */
  path: string;
  stats: Stats;
  /** The raw baseline for the same case: ratios are computed against it. */
  baseline?: Stats;
  /** Free-form note (dataset size, target). */
  note?: string;
}

/**
 * Where results go: `BENCH_RESULTS_DIR` (the smoke tests point it at a temporary folder, so a
 * tiny run never overwrites measured figures), else `bench-results/` in the current package.
 */
export function resultsDir(): string {
  return process.env.BENCH_RESULTS_DIR ?? join(process.cwd(), 'bench-results');
}

/**
 * True when the script runs as a smoke test (`--smoke` or `BENCH_SMOKE=1`): tiny sizes, only to
 * prove the script still runs (CI); its figures mean nothing.
 */
export const smoke = process.argv.includes('--smoke') || process.env.BENCH_SMOKE === '1';

/**
 * Runs one bench script of a package with `--smoke` (the smoke tests' way to keep benches from
 * rotting), its results written to `resultsDir`; rejects with the script's stderr when it fails.
 * @example await runSmoke(join(import.meta.dirname, '..'), 'bench/scale.ts', tmp);
 */
export function runSmoke(
  packageDir: string,
  script: string,
  resultsDir: string,
  timeoutMs = 180_000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', script, '--smoke'],
      { cwd: packageDir, env: { ...process.env, BENCH_RESULTS_DIR: resultsDir }, timeout: timeoutMs },
      (error, _stdout, stderr) =>
        error ? reject(new Error(`${script} --smoke: ${stderr || error.message}`)) : resolve(),
    );
  });
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

const fmt = (n: number, digits = 3) => (Number.isFinite(n) ? n.toFixed(digits) : '-');

/**
 * Prints the rows as one table and writes them to `bench-results/<name>.json` in the
 * current package. The ratios are ours/baseline for p50 latency (lower is better) and
 * ours/baseline for throughput (higher is better).
 * @example
 * report('relational', rows);
 */
export function report(name: string, rows: BenchRow[], meta: Record<string, unknown> = {}): void {
  const header = ['case', 'path', 'conc', 'n', 'p50 ms', 'p99 ms', 'ops/s', 'p50 ratio', 'ops ratio', 'note'];
  const lines = rows.map((r) => [
    r.case,
    r.path,
    String(r.stats.concurrency),
    String(r.stats.iterations),
    fmt(r.stats.p50),
    fmt(r.stats.p99),
    fmt(r.stats.opsPerSec, 0),
    r.baseline ? `${fmt(r.stats.p50 / r.baseline.p50, 2)}x` : '',
    r.baseline ? `${fmt(r.stats.opsPerSec / r.baseline.opsPerSec, 2)}x` : '',
    r.note ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 2 || i === 9 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(`\n${name}`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) console.log(line(l));
  const dir = resultsDir();
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name.replace(/[^a-z0-9_-]+/gi, '-')}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ name, date: new Date().toISOString(), node: process.version, meta, rows }, null, 2)}\n`,
  );
  console.log(`\nwritten ${file}`);
}

/** The test kit's seeded generator, for benches (the same sequence in tests, benches and evals). */
export { seededRandom } from '@monsteros/schema/testing';
export {
  type Curve,
  type CurvePoint,
  type CurveSeries,
  relativeGrowth,
  reportCurve,
  runAtSizes,
  type SizedRun,
} from './curve.js';
