import { createInputCheck } from '@monsteros/schema';
import { z } from 'zod';
import { AnalyticsValidationError } from './errors.js';

/** Options of `createAnalytics`; every field has a default. */
export interface AnalyticsOptions {
  /** A database file, or ':memory:'. Default: DUCKDB_PATH, else `.data/analytics.duckdb`. */
  path?: string;
  /** Open an existing file for reading only (other processes' readers). Default false. */
  readOnly?: boolean;
  /** DuckDB worker threads. Default: DuckDB's choice (the number of cores). */
  threads?: number;
  /** DuckDB memory limit, e.g. '1GB', '512MB'. Default: DuckDB's (80% of RAM). */
  memoryLimit?: string;
  /** Where DuckDB spills and where ingestion stages its files. Default: the OS temp directory. */
  tempDirectory?: string;
  /** Rows per ingestion batch (each batch commits with its watermark). Default 250,000. */
  batchSize?: number;
  /**
   * Keep the PostgreSQL watermark behind the oldest open transaction (read from
   * pg_stat_activity), so a row committed late is never skipped. Default true.
   */
  openTransactionGuard?: boolean;
  /**
   * How far back each run re-reads before its watermark when the guard is off or cannot see
   * every session (a role without pg_read_all_stats), and for metrics. Re-read rows replace
   * themselves. Default 120,000 ms.
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

/**
 * Parses `value` with `schema`, or throws a AnalyticsValidationError naming `field` (and the nested
 * path inside it) with the rule.
 */
export const check = createInputCheck((field, rule) => new AnalyticsValidationError(field, rule));

export function parseOptions(
  options: AnalyticsOptions,
): Required<
  Pick<AnalyticsOptions, 'path' | 'readOnly' | 'batchSize' | 'overlapMs' | 'openTransactionGuard'>
> &
  Pick<AnalyticsOptions, 'threads' | 'memoryLimit' | 'tempDirectory'> {
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

/** A time window in hours or days: positive and bounded (a year of hours, ten years of days). */
export const Hours = z
  .number({ message: 'must be a number' })
  .refine(Number.isFinite, 'must be a finite number')
  .refine((n) => n > 0, 'must be positive')
  .refine((n) => n <= 24 * 366, 'must be at most 8784 hours (a year)');
export const Days = z
  .number({ message: 'must be a number' })
  .refine(Number.isFinite, 'must be a finite number')
  .refine((n) => n > 0, 'must be positive')
  .refine((n) => n <= 3660, 'must be at most 3660 days');
export const When = z
  .date({ message: 'must be a Date' })
  .refine((d) => !Number.isNaN(d.getTime()), 'must be a valid Date');
export const BucketMinutes = z
  .number({ message: 'must be a number' })
  .int('must be whole minutes')
  .min(1, 'must be at least 1 minute')
  .max(1440, 'must be at most 1440 minutes (a day)');

/** A UUID in its text form (any version, as PostgreSQL accepts it). */
/**
 * An options object as a whole (its fields are checked one by one after): plain data, no NUL or
 * lone surrogate in its keys or text, not circular, not nested without end, not a throwing proxy.
 */
export const OptionsObject = z.custom<Record<string, unknown>>(
  (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
  'must be an object',
);

/** A table (or metric) name as given: a string that can be stored; whether it exists is checked after. */
export const NameText = z.string({ message: 'must be a string' });

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const Uuid = z.string({ message: 'must be a string' }).regex(UUID_PATTERN, 'must be a UUID');
/** A character, agent, metric or operation name used as a filter. */
export const Name = z
  .string({ message: 'must be a string' })
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters');
