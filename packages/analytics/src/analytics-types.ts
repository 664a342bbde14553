// The public types of `createAnalytics`: the object it returns, its stats and watermarks.
import type { CharacterTrend, LearningEffectiveness, MemoryEfficiency, MetricBucket } from './analyses.js';
import type { QueryTiming } from './db.js';
import type { ExportedTable } from './export.js';
import type { EXTRACTIONS } from './extractions.js';
import type { IngestResult } from './ingest.js';
import type { SimilarityItem, SimilarPair } from './similarity.js';
import type { MetricsSource, PostgresSource } from './sources.js';
import type { TableName } from './tables.js';
import type { CharacterPerformanceRow, LearningAnalyticsRow, MemoryPerformanceRow } from './views.js';

export type IngestableTable = keyof typeof EXTRACTIONS;

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
