// DuckDB near its memory_limit.
import type { Thresholds } from '../thresholds.js';
import type { MonitorSnapshot } from '../types.js';
import { check, type Finding, pct } from './rule.js';

export function duckdbMemory({ duckdb: d }: MonitorSnapshot, t: Thresholds): Finding[] {
  if (d.status !== 'ok' || d.memoryUsage === null) return [];
  const finding = check(t, {
    rule: 'duckdb.memory',
    store: 'duckdb',
    limit: 'max',
    thresholdName: 'duckdbMemoryUsageMax',
    measured: d.memoryUsage,
    issue: `DuckDB uses ${pct(d.memoryUsage)} of its memory_limit (${d.memoryLimit})`,
    action: 'raise memoryLimit, set a tempDirectory so large queries spill, or lower the ingestion batchSize',
  });
  return finding ? [finding] : [];
}
