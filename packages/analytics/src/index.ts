// @monsteros/analytics: DuckDB for MonsterOS. Incremental ingestion from PostgreSQL (COPY
// streams) and Redis metrics through sources the caller hands in, the views, typed analyses,
// Parquet exports, health and statistics.
export {
  type CharacterTrend,
  type HourlyPoint,
  type LearningEffectiveness,
  type MemoryEfficiency,
  type MemoryEfficiencyRow,
  type MemoryRating,
  type MetricBucket,
  rateMemory,
} from './analyses.js';
export type { AnalyticsOptions } from './analytics-options.js';
export type {
  Analytics,
  AnalyticsStats,
  DuckdbBufferStats,
  IngestableTable,
  Watermark,
} from './analytics-types.js';
export { createAnalytics } from './create-analytics.js';
export type { QueryTiming } from './db.js';
export {
  AnalyticsError,
  type AnalyticsErrorCode,
  AnalyticsValidationError,
  /** @deprecated The earlier name of `AnalyticsValidationError` (the same class), kept for existing callers. */
  AnalyticsValidationError as ValidationError,
  CorruptError,
  IngestionError,
  LockedError,
  UnknownNameError,
} from './errors.js';
export type { ExportedTable } from './export.js';
export type { IngestResult } from './ingest.js';
export type { SimilarityItem, SimilarPair } from './similarity.js';
export type { MetricSample, MetricSeries, MetricsSource, PostgresSource } from './sources.js';
export { TABLE_NAMES, type TableName } from './tables.js';
export type { CharacterPerformanceRow, LearningAnalyticsRow, MemoryPerformanceRow } from './views.js';
