// Analytics queries slow at p99.
import type { Thresholds } from '../thresholds.js';
import type { MonitorSnapshot } from '../types.js';
import { checkEach, type Finding, ms } from './rule.js';

export function duckdbQueryLatency({ duckdb: d }: MonitorSnapshot, t: Thresholds): Finding[] {
  if (d.status !== 'ok') return [];
  return checkEach(
    t,
    d.queries.map((query) => ({
      rule: 'duckdb.queryLatency',
      store: 'duckdb',
      limit: 'max',
      thresholdName: 'duckdbQueryP99Ms',
      measured: query.p99Ms,
      subject: query.name,
      issue: `analytics query ${query.name} p99 ${ms(query.p99Ms)} over ${query.calls} calls`,
      action:
        'narrow its window, export old days to Parquet and drop them from the live tables, or give DuckDB more threads',
    })),
  );
}
