// DuckDB as the monitor reads it: health, file and memory, buffer manager, queries and ingestion lag.
import { availableParallelism, totalmem } from 'node:os';
import type { DuckdbReading, MonitorStores } from '../types.js';

const UNITS: Record<string, number> = {
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  KIB: 2 ** 10,
  MIB: 2 ** 20,
  GIB: 2 ** 30,
  TIB: 2 ** 40,
};

/** Bytes of a DuckDB size setting such as `18.6 GiB` or `512MB`; null when it is not one. */
function parseSize(text: string): number | null {
  const m = /^\s*([\d.]+)\s*([KMGT]?i?B)\s*$/i.exec(text);
  const unit = m ? UNITS[m[2]!.toUpperCase()] : undefined;
  return m && unit ? Number(m[1]) * unit : null;
}

const MONITOR_QUERIES = new Set(['health', 'stats', 'watermarks']);

export async function readDuckdb(analytics: NonNullable<MonitorStores['analytics']>): Promise<DuckdbReading> {
  const health = await analytics.health();
  if (!health.ok) throw new Error(health.error ?? 'DuckDB does not answer');
  const stats = await analytics.stats();
  const limit = parseSize(stats.memoryLimit);
  const now = Date.now();
  return {
    healthMs: health.latencyMs,
    path: stats.path,
    readOnly: stats.readOnly,
    fileBytes: stats.fileBytes,
    walBytes: stats.walBytes,
    memoryUsedBytes: stats.memoryUsedBytes,
    memoryLimit: stats.memoryLimit,
    memoryLimitBytes: limit,
    memoryUsage: limit ? stats.memoryUsedBytes / limit : null,
    buffer: { ...stats.buffer, byTag: { ...stats.buffer.byTag } },
    host: { memoryBytes: totalmem(), cpus: availableParallelism() },
    rows: { ...stats.rows },
    // The monitor's own reads (health, stats, watermarks) are not the analytics workload.
    queries: stats.queries.filter((q) => !MONITOR_QUERIES.has(q.name)).sort((a, b) => b.p99Ms - a.p99Ms),
    ingestion: stats.watermarks.map((w) => ({
      source: w.source,
      watermark: w.watermark.toISOString(),
      rowsTotal: w.rowsTotal,
      ingestedAt: w.ingestedAt.toISOString(),
      ageMs: Math.max(0, now - w.ingestedAt.getTime()),
    })),
  };
}
