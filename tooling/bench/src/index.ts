// The benchmark harness of MonsterOS Data. Each package's bench/*.bench.ts measures our path
// and the raw baseline in the same run with `measure`, then `report` prints one table (p50,
// p99, ops/s, ratio to the baseline) and writes the same rows as JSON to bench-results/.
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
  const dir = join(process.cwd(), 'bench-results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name.replace(/[^a-z0-9_-]+/gi, '-')}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ name, date: new Date().toISOString(), node: process.version, meta, rows }, null, 2)}\n`,
  );
  console.log(`\nwritten ${file}`);
}
