// `pnpm --filter @monsteros/analytics bench:scale` (part of the root `pnpm bench:scale`):
// PostgreSQL → DuckDB ingest of character_interactions at growing row counts, each size a fresh
// run of bench/run.ts (its own database and DuckDB file): our ingest (rows/s) beside PostgreSQL's
// own COPY out (the ceiling); the timed analyses are left out (`pnpm bench` times them at 1M).
// BENCH_SCALE_ROWS (default 100000,1000000; the 5,000,000 by hand:
// `BENCH_SCALE_ROWS=1000000,5000000`, several minutes and ~2 GB of database).
import { reportCurve, runAtSizes, smoke } from '@monsteros/bench-kit';

const SIZES = smoke
  ? [2_000, 4_000]
  : (process.env.BENCH_SCALE_ROWS ?? '100000,1000000').split(',').map(Number);

const runs = await runAtSizes(
  {
    script: 'bench/run.ts',
    env: (n) => ({ BENCH_ROWS: String(n), BENCH_ANALYSES: '0' }),
    result: 'analytics.json',
  },
  SIZES,
);
const series = (path: string) =>
  runs.map(({ size, rows }) => ({
    x: size,
    y: rows.find((r) => r.case === `ingest ${size} interactions` && r.path.startsWith(path))!.stats.opsPerSec,
  }));
reportCurve({
  name: 'scale-analytics-ingest',
  title: 'PostgreSQL → DuckDB ingest of interactions',
  x: 'rows',
  y: 'rows/s',
  higherIsBetter: true,
  series: [
    { name: 'ours (COPY → CSV → DuckDB)', points: series('ours') },
    { name: 'PostgreSQL COPY out only', points: series('PostgreSQL COPY') },
  ],
});
