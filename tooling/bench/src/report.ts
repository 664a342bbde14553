// The results of a bench: one table on stdout (p50, p99, ops/s, ratio to the baseline) and the
// same rows as JSON in bench-results/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Stats } from './measure.js';

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
