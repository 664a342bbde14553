// Analytics sources not ingested for longer than the limit (stale views).
import type { Thresholds } from '../thresholds.js';
import type { MonitorSnapshot } from '../types.js';
import { checkEach, type Finding, ms } from './rule.js';

export function duckdbIngestLag({ duckdb: d }: MonitorSnapshot, t: Thresholds): Finding[] {
  if (d.status !== 'ok') return [];
  return checkEach(
    t,
    d.ingestion.map((source) => ({
      rule: 'duckdb.ingestLag',
      store: 'duckdb',
      limit: 'max',
      thresholdName: 'analyticsIngestLagMs',
      measured: source.ageMs,
      subject: source.source,
      issue: `${source.source} was last ingested ${ms(source.ageMs)} ago: the analytics views are stale`,
      action:
        'schedule the analytics ingestion (it is incremental: each run copies only rows changed since its watermark)',
    })),
  );
}
