import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { DuckDBInstance, listValue } from '@duckdb/node-api';
import { z } from 'zod';
import {
  analyses,
  type CharacterTrend,
  type LearningEffectiveness,
  type MemoryEfficiency,
  type MetricBucket,
} from './analyses.js';
import { Db, type QueryTiming } from './db.js';
import { AnalyticsError, mapOpenError, UnknownNameError } from './errors.js';
import { type ExportedTable, exportParquet } from './export.js';
import { EXTRACTIONS } from './extractions.js';
import {
  defaultStagingDirectory,
  type IngestResult,
  type IngestSettings,
  ingestableTables,
  ingestMetrics,
  ingestTable,
} from './ingest.js';
import { type AnalyticsOptions, check, Name, NameText, parseOptions, Uuid } from './options.js';
import { type SimilarityItem, type SimilarPair, similarPairs } from './similarity.js';
import type { MetricsSource, PostgresSource } from './sources.js';
import { DDL, TABLE_NAMES, type TableName } from './tables.js';

// The views' filters (a null filter is a VALIDATION error, not a TypeError) and deleteIds' ids.
const ViewFilter = z.object(
  { character: Name.optional(), operationType: Name.optional(), userId: Uuid.optional() },
  { message: 'must be an object' },
);
const DeleteIds = z
  .array(Uuid, { message: 'must be an array of UUIDs' })
  .max(1_000_000, 'must be at most 1000000 ids');

export type IngestableTable = keyof typeof EXTRACTIONS;

/**
 * Refuses a name that is not one of the ingested tables. An own-key check: `in` would also
 * accept the object's prototype names ('constructor', 'toString').
 */
/** A string that can be stored (else VALIDATION naming `field`), then one of our tables (else UNKNOWN_NAME). */
function assertIngestable(table: unknown, field = 'table'): asserts table is IngestableTable {
  const name = check(NameText, table, field);
  if (!Object.hasOwn(EXTRACTIONS, name)) throw new UnknownNameError('table', name, ingestableTables);
}

/** A source handed in: an object with the method ingestion calls (plain data around it, no trap). */
const sourceWith = (method: string) =>
  z.custom<object>(
    (v) =>
      typeof v === 'object' && v !== null && typeof (v as Record<string, unknown>)[method] === 'function',
    `must be an object with a ${method}() method`,
  );
const PostgresSourceSchema = sourceWith('copyTo');
const MetricsSourceSchema = sourceWith('read');

const IngestOptions = z.object(
  { tables: z.array(NameText, { message: 'must be an array of table names' }).optional() },
  { message: 'must be an object' },
);

export interface CharacterPerformanceRow {
  character_name: string;
  hour: Date;
  avg_response_time: number;
  interaction_count: number;
  avg_satisfaction: number | null;
  success_rate: number;
}
export interface MemoryPerformanceRow {
  day: Date;
  operation_type: string;
  avg_latency: number;
  operation_count: number;
  avg_quality: number | null;
}
export interface LearningAnalyticsRow {
  user_id: string;
  quest_category: string;
  avg_completion_time: number;
  quests_completed: number;
  avg_score: number | null;
  max_difficulty_reached: number;
}

export interface Watermark {
  source: string;
  watermark: Date;
  rowsTotal: number;
  ingestedAt: Date;
}

export interface AnalyticsStats {
  path: string;
  readOnly: boolean;
  /** Bytes of the database file and its write-ahead log (0 in memory). */
  fileBytes: number;
  walBytes: number;
  /** DuckDB's own accounting of memory in use, and its limit. */
  memoryUsedBytes: number;
  memoryLimit: string;
  /** The buffer manager's figures (`duckdb_memory()`, `pragma database_size`, settings). */
  buffer: DuckdbBufferStats;
  rows: Record<TableName, number>;
  watermarks: Watermark[];
  /** Timings of the analyses and reads, by name, over their last 512 calls. */
  queries: QueryTiming[];
}

/** What DuckDB's buffer manager holds, and how much of the database that covers. */
export interface DuckdbBufferStats {
  /** Bytes of persistent table blocks held in memory (`duckdb_memory()` tag BASE_TABLE): the cache. */
  cachedTableBytes: number;
  /** Bytes of the database's used blocks (`used_blocks × block_size`), 0 in memory. */
  databaseBytes: number;
  /** cachedTableBytes / databaseBytes (0..1): the share of the data served from memory; null without a file. */
  cachedShare: number | null;
  /** Bytes spilled to temporary storage (a memory limit too small for the queries), summed over tags. */
  temporaryStorageBytes: number;
  /** Memory in use by tag (BASE_TABLE, HASH_TABLE, ORDER_BY, …), tags using none left out. */
  byTag: Record<string, number>;
  /** DuckDB's worker threads (`current_setting('threads')`). */
  threads: number;
}

export interface Analytics {
  readonly path: string;
  readonly readOnly: boolean;
  ingest: {
    /** Ingests the PostgreSQL tables (default all three) incrementally, one after the other. */
    postgres(
      source: PostgresSource,
      options?: { tables?: readonly IngestableTable[] },
    ): Promise<IngestResult[]>;
    /** Imports metric time series (from Redis) into system_metrics. */
    metrics(source: MetricsSource): Promise<IngestResult>;
    /** Where each source's ingestion stands. */
    watermarks(): Promise<Watermark[]>;
  };
  views: {
    characterPerformance(filter?: { character?: string }): Promise<CharacterPerformanceRow[]>;
    memoryPerformance(filter?: { operationType?: string }): Promise<MemoryPerformanceRow[]>;
    learningAnalytics(filter?: { userId?: string }): Promise<LearningAnalyticsRow[]>;
  };
  characterTrends(options?: { hours?: number; now?: Date; character?: string }): Promise<CharacterTrend[]>;
  memoryEfficiency(options?: { days?: number; now?: Date }): Promise<MemoryEfficiency>;
  learningEffectiveness(options?: { days?: number; now?: Date }): Promise<LearningEffectiveness[]>;
  metricBuckets(options: {
    metric: string;
    agent?: string;
    hours?: number;
    bucketMinutes?: number;
    now?: Date;
  }): Promise<MetricBucket[]>;
  /** Empties every table and forgets the watermarks: the next ingestion reads everything again. */
  reset(): Promise<void>;
  /** Ids of the rows ingested from PostgreSQL into `table` (for reconcile). */
  ids(table: IngestableTable): Promise<Set<string>>;
  /** Removes rows by id from an ingested table (orphans whose PostgreSQL row was deleted). Returns how many. */
  deleteIds(table: IngestableTable, ids: readonly string[]): Promise<number>;
  /**
   * Pairs of items in the same group with cosine similarity ≥ threshold, most similar first
   * (memory consolidation's near-duplicates).
   */
  similarPairs(items: readonly SimilarityItem[], threshold: number): Promise<SimilarPair[]>;
  /** Writes the tables as Parquet, partitioned by day. */
  exportParquet(options: { directory: string; tables?: readonly string[] }): Promise<ExportedTable[]>;
  health(): Promise<{ ok: boolean; latencyMs: number; error?: string }>;
  stats(): Promise<AnalyticsStats>;
  /** Waits for running ingestion and exports, then closes DuckDB. */
  close(): Promise<void>;
}

/**
 * Opens (or creates) the analytics database. One process owns a database file for writing;
 * other processes may open it with `readOnly: true` while no writer holds it.
 * @example
 * const analytics = await createAnalytics({ path: '.data/analytics.duckdb', threads: 2 });
 * await analytics.ingest.postgres(source);
 * const trends = await analytics.characterTrends({ hours: 24 });
 */
export async function createAnalytics(options: AnalyticsOptions = {}): Promise<Analytics> {
  const opts = parseOptions(options);
  const memory = opts.path === ':memory:';
  const path = memory ? ':memory:' : resolve(opts.path);
  if (!memory && !opts.readOnly) await mkdir(dirname(path), { recursive: true });
  const config: Record<string, string> = {};
  if (opts.threads !== undefined) config.threads = String(opts.threads);
  if (opts.memoryLimit !== undefined) config.memory_limit = opts.memoryLimit;
  if (opts.tempDirectory !== undefined) config.temp_directory = opts.tempDirectory;
  if (opts.readOnly) config.access_mode = 'READ_ONLY';
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(path, config);
  } catch (error) {
    throw mapOpenError(error, path);
  }
  let writer: Awaited<ReturnType<DuckDBInstance['connect']>>;
  try {
    writer = await instance.connect();
  } catch (error) {
    // The instance holds the file (and its lock): release it, or this process keeps it locked.
    instance.closeSync();
    throw mapOpenError(error, path);
  }
  const db = new Db(instance, writer, opts.readOnly);
  if (!opts.readOnly) {
    try {
      await writer.run(DDL);
    } catch (error) {
      await db.close();
      throw mapOpenError(error, path);
    }
  }
  const settings: IngestSettings = {
    batchSize: opts.batchSize,
    overlapMs: opts.overlapMs,
    openTransactionGuard: opts.openTransactionGuard,
    stagingDirectory: defaultStagingDirectory(opts.tempDirectory),
  };
  const writable = (what: string) => {
    if (opts.readOnly) throw new AnalyticsError('READ_ONLY', `${what}: ${path} is open read-only`);
  };
  const a = analyses(db);
  const watermarks = async (): Promise<Watermark[]> => {
    const rows = await db.read<{ source: string; watermark: Date; rows_total: number; ingested_at: Date }>(
      'watermarks',
      'select source, make_timestamp(watermark_us) as watermark, rows_total, ingested_at from ingest_watermarks order by source',
    );
    return rows.map((r) => ({
      source: r.source,
      watermark: r.watermark,
      rowsTotal: r.rows_total,
      ingestedAt: r.ingested_at,
    }));
  };

  return {
    path,
    readOnly: opts.readOnly,
    ingest: {
      async postgres(source, ingestOptions = {}) {
        writable('ingest.postgres');
        check(PostgresSourceSchema, source, 'source');
        const given = check(IngestOptions, ingestOptions, 'options').tables ?? ingestableTables;
        const tables = given.map((t, i) => {
          assertIngestable(t, `options.tables.${i}`);
          return t;
        });
        const results: IngestResult[] = [];
        for (const t of tables) results.push(await ingestTable(db, source, EXTRACTIONS[t], settings));
        return results;
      },
      async metrics(source) {
        writable('ingest.metrics');
        check(MetricsSourceSchema, source, 'source');
        return ingestMetrics(db, source, settings);
      },
      watermarks,
    },
    views: {
      characterPerformance: async (filter = {}) =>
        db.read<CharacterPerformanceRow>(
          'view:character_performance',
          'select * from character_performance where $1::varchar is null or character_name = $1::varchar order by character_name, hour',
          [check(ViewFilter, filter, 'filter').character ?? null],
        ),
      memoryPerformance: async (filter = {}) =>
        db.read<MemoryPerformanceRow>(
          'view:memory_performance',
          'select * from memory_performance where $1::varchar is null or operation_type = $1::varchar order by day, operation_type',
          [check(ViewFilter, filter, 'filter').operationType ?? null],
        ),
      learningAnalytics: async (filter = {}) =>
        db.read<LearningAnalyticsRow>(
          'view:learning_analytics',
          `select user_id::varchar as user_id, quest_category, avg_completion_time, quests_completed, avg_score, max_difficulty_reached
             from learning_analytics where $1::varchar is null or user_id = $1::uuid order by user_id, quest_category`,
          [check(ViewFilter, filter, 'filter').userId ?? null],
        ),
    },
    characterTrends: a.characterTrends,
    memoryEfficiency: a.memoryEfficiency,
    learningEffectiveness: a.learningEffectiveness,
    metricBuckets: a.metricBuckets,
    similarPairs: (items, threshold) => similarPairs(db, items, threshold),
    async reset() {
      writable('reset');
      await db.exclusive(async (connection) => {
        await connection.run('begin transaction');
        try {
          for (const table of [...TABLE_NAMES, 'ingest_watermarks'])
            await connection.run(`delete from ${table}`);
          await connection.run('commit');
        } catch (error) {
          await connection.run('rollback').catch(() => {});
          throw error;
        }
      });
    },
    async ids(table) {
      assertIngestable(table);
      const rows = await db.read<{ id: string }>(`ids:${table}`, `select id::varchar as id from ${table}`);
      return new Set(rows.map((r) => r.id));
    },
    async deleteIds(table, ids) {
      writable('deleteIds');
      assertIngestable(table);
      const valid = check(DeleteIds, ids, 'ids');
      if (valid.length === 0) return 0;
      return db.exclusive(async (connection) => {
        const result = await connection.run(
          `delete from ${table} where list_contains($1::varchar[], id::varchar)`,
          [listValue(valid)],
        );
        return result.rowsChanged;
      });
    },
    async exportParquet(exportOptions) {
      return exportParquet(db, exportOptions);
    },
    async health() {
      const started = performance.now();
      try {
        await db.read('health', 'select 1 as ok');
        return { ok: true, latencyMs: performance.now() - started };
      } catch (error) {
        return {
          ok: false,
          latencyMs: performance.now() - started,
          error: error instanceof Error ? error.message : String(error),
        };
      }
    },
    async stats() {
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
        readOnly: opts.readOnly,
        buffer,
        fileBytes: memory ? 0 : await sizeOf(path),
        walBytes: memory ? 0 : await sizeOf(`${path}.wal`),
        memoryUsedBytes: mem?.used ?? 0,
        memoryLimit: mem?.limit ?? '',
        rows: counts[0]!,
        watermarks: await watermarks(),
        queries: db.timings.snapshot(),
      };
    },
    close: () => db.close(),
  };
}
