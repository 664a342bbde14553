import type { LatencySummary } from '../types.js';

/** Nearest-rank percentile of an ascending array (0 when empty). */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

/** Percentiles, max and mean of a set of durations; `keepValues` also keeps the raw samples. */
export function summarize(values: readonly number[], keepValues = false): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((s, v) => s + v, 0);
  const summary: LatencySummary = {
    count: sorted.length,
    p50Ms: percentile(sorted, 0.5),
    p95Ms: percentile(sorted, 0.95),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted.at(-1) ?? 0,
    meanMs: sorted.length ? sum / sorted.length : 0,
  };
  if (keepValues) summary.values = [...values];
  return summary;
}
