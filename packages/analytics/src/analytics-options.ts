// The options of `createAnalytics`: their type (with the defaults), their checks, and the
// settings resolved from them and the environment before DuckDB is opened.
import { z } from 'zod';
import { check } from './validation.js';

/** Options of `createAnalytics`; every field has a default. */
export interface AnalyticsOptions {
  /**
   * A database file, or ':memory:'.
   * @default DUCKDB_PATH, else `.data/analytics.duckdb`
   */
  path?: string;
  /**
   * Open an existing file for reading only (other processes' readers).
   * @default false
   */
  readOnly?: boolean;
  /**
   * DuckDB worker threads.
   * @default DuckDB's choice (the number of cores)
   */
  threads?: number;
  /**
   * DuckDB memory limit, e.g. '1GB', '512MB'.
   * @default DuckDB's (80% of RAM)
   */
  memoryLimit?: string;
  /**
   * Where DuckDB spills and where ingestion stages its files.
   * @default the OS temp directory
   */
  tempDirectory?: string;
  /**
   * Rows per ingestion batch (each batch commits with its watermark).
   * @default 250000
   */
  batchSize?: number;
  /**
   * Keep the PostgreSQL watermark behind the oldest open transaction (read from
   * pg_stat_activity), so a row committed late is never skipped.
   * @default true
   */
  openTransactionGuard?: boolean;
  /**
   * How far back each run re-reads before its watermark when the guard is off or cannot see
   * every session (a role without pg_read_all_stats), and for metrics. Re-read rows replace
   * themselves.
   * @default 120000 (ms)
   */
  overlapMs?: number;
}

const OptionsSchema = z.object({
  path: z.string().min(1, 'must not be empty').optional(),
  readOnly: z.boolean().optional(),
  threads: z
    .number()
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(1024, 'must be at most 1024')
    .optional(),
  memoryLimit: z
    .string()
    .regex(/^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i, "must be a size such as '512MB' or '2GB'")
    .optional(),
  tempDirectory: z.string().min(1, 'must not be empty').optional(),
  batchSize: z
    .number()
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(10_000_000, 'must be at most 10000000')
    .optional(),
  openTransactionGuard: z.boolean().optional(),
  overlapMs: z
    .number()
    .int('must be a whole number')
    .min(0, 'must not be negative')
    .max(86_400_000, 'must be at most one day')
    .optional(),
});

/** Every setting of the analytics database, defaults applied (DuckDB's own left unset). */
export type AnalyticsSettings = Required<
  Pick<AnalyticsOptions, 'path' | 'readOnly' | 'batchSize' | 'overlapMs' | 'openTransactionGuard'>
> &
  Pick<AnalyticsOptions, 'threads' | 'memoryLimit' | 'tempDirectory'>;

/**
 * Checks `options` (a bad one is an AnalyticsValidationError naming it, `options.threads`) and
 * applies the defaults and DUCKDB_PATH.
 */
export function parseOptions(options: AnalyticsOptions): AnalyticsSettings {
  const o = check(OptionsSchema, options, 'options');
  return {
    path: o.path ?? process.env.DUCKDB_PATH ?? '.data/analytics.duckdb',
    readOnly: o.readOnly ?? false,
    batchSize: o.batchSize ?? 250_000,
    overlapMs: o.overlapMs ?? 120_000,
    openTransactionGuard: o.openTransactionGuard ?? true,
    threads: o.threads,
    memoryLimit: o.memoryLimit,
    tempDirectory: o.tempDirectory,
  };
}
