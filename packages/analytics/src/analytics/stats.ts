// analytics.stats(): rows per table, DuckDB's memory and buffer figures, file sizes, watermarks
// and query timings.
import { stat } from 'node:fs/promises';
import type { AnalyticsStats, DuckdbBufferStats } from '../analytics-types.js';
import type { Db } from '../db.js';
import { TABLE_NAMES, type TableName } from '../tables.js';
import { readWatermarks } from './ingestion.js';

/** The stats of the database at `path` (`memory`: no file, so no file, WAL or database bytes). */
export async function readAnalyticsStats(
  db: Db,
  where: { path: string; memory: boolean; readOnly: boolean },
): Promise<AnalyticsStats> {
  const { path, memory, readOnly } = where;
  const sizeOf = (file: string) =>
    stat(file).then(
      (s) => s.size,
      () => 0,
    );
  const counts = await db.read<Record<TableName, number>>(
    'stats',
    `select ${TABLE_NAMES.map((t) => `(select count(*) from ${t}) as ${t}`).join(', ')}`,
  );
  const [mem] = await db.read<{ used: number | null; limit: string }>(
    'stats',
    `select (select sum(memory_usage_bytes) from duckdb_memory()) as used, current_setting('memory_limit') as limit`,
  );
  const tags = await db.read<{ tag: string; used: number; temp: number }>(
    'stats',
    'select tag, memory_usage_bytes::double as used, temporary_storage_bytes::double as temp from duckdb_memory()',
  );
  const [size] = memory
    ? [undefined]
    : await db.read<{ bytes: number; threads: number }>(
        'stats',
        `select used_blocks::double * block_size::double as bytes, current_setting('threads')::int as threads
           from pragma_database_size() where database_name = current_database()`,
      );
  const [threads] = await db.read<{ n: number }>('stats', `select current_setting('threads')::int as n`);
  const cachedTableBytes = tags.find((t) => t.tag === 'BASE_TABLE')?.used ?? 0;
  const databaseBytes = size?.bytes ?? 0;
  const buffer: DuckdbBufferStats = {
    cachedTableBytes,
    databaseBytes,
    cachedShare: databaseBytes > 0 ? Math.min(1, cachedTableBytes / databaseBytes) : null,
    temporaryStorageBytes: tags.reduce((n, t) => n + t.temp, 0),
    byTag: Object.fromEntries(tags.filter((t) => t.used > 0).map((t) => [t.tag, t.used])),
    threads: threads?.n ?? 0,
  };
  return {
    path,
    readOnly,
    buffer,
    fileBytes: memory ? 0 : await sizeOf(path),
    walBytes: memory ? 0 : await sizeOf(`${path}.wal`),
    memoryUsedBytes: mem?.used ?? 0,
    memoryLimit: mem?.limit ?? '',
    rows: counts[0]!,
    watermarks: await readWatermarks(db),
    queries: db.timings.snapshot(),
  };
}
