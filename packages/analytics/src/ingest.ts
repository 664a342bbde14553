// Incremental ingestion. Each batch: PostgreSQL COPY streams CSV into a staged file, DuckDB's
// parallel CSV reader loads it, and one DuckDB transaction replaces the batch's rows (by id)
// and moves the watermark. A batch that fails rolls back with its watermark: nothing skipped,
// nothing doubled.
//
// Late commits: updated_at is the writing transaction's start, so a transaction still open
// while we read can later commit rows older than what we have seen. Before reading, we ask
// PostgreSQL when the oldest open transaction of this database began (the guard); the stored
// watermark never passes it, so the next run re-reads from there. Only rows written since
// then are read twice, and they replace themselves. If some sessions are hidden from us
// (a role without pg_read_all_stats), or the guard is turned off, each run re-reads
// `overlapMs` before the watermark instead.
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';
import { type Db, literal, rowsOf } from './db.js';
import { AnalyticsError, IngestionError } from './errors.js';
import { type Cursor, EXTRACTIONS, type Extraction, ZERO_ID } from './extractions.js';
import type { MetricSeries, MetricsSource, PostgresSource } from './sources.js';
import { check } from './validation.js';

/** What one table's ingestion did. */
export interface IngestResult {
  table: string;
  /** Rows read from the source in this run (including re-read ones). */
  rows: number;
  /** Rows new to DuckDB. */
  inserted: number;
  /** Rows that replaced an earlier version (corrections, or the overlap re-read). */
  replaced: number;
  batches: number;
  durationMs: number;
  /** The change time the table is now ingested up to, or null when nothing was ever ingested. */
  watermark: Date | null;
}

export interface IngestSettings {
  batchSize: number;
  overlapMs: number;
  openTransactionGuard: boolean;
  stagingDirectory: string;
}

interface Watermark {
  us: bigint;
  id: string;
}

async function readWatermark(connection: DuckDBConnection, source: string): Promise<Watermark | null> {
  const [row] = await rowsOf<{ us: string; id: string }>(
    connection,
    'select watermark_us::varchar as us, watermark_id as id from ingest_watermarks where source = $1',
    [source],
  );
  return row ? { us: BigInt(row.us), id: row.id } : null;
}

async function writeWatermark(
  connection: DuckDBConnection,
  source: string,
  mark: Watermark,
  rows: number,
): Promise<void> {
  await connection.run(
    `insert into ingest_watermarks (source, watermark_us, watermark_id, rows_total, ingested_at)
     values ($1, $2::bigint, $3, $4, now()::timestamp)
     on conflict (source) do update set watermark_us = excluded.watermark_us, watermark_id = excluded.watermark_id,
        rows_total = ingest_watermarks.rows_total + excluded.rows_total, ingested_at = excluded.ingested_at`,
    [source, mark.us.toString(), mark.id, rows],
  );
}

const toDate = (us: bigint | null | undefined) =>
  us === null || us === undefined ? null : new Date(Number(us / 1000n));

/** Microseconds of the oldest open client transaction's start (or now), and how many sessions we cannot see. */
async function readGuard(source: PostgresSource): Promise<{ us: bigint; hidden: number }> {
  const chunks: Buffer[] = [];
  const stream = await source.copyTo(`copy (
      select (extract(epoch from least(clock_timestamp(), min(xact_start))) * 1000000)::bigint,
             count(*) filter (where xact_start is null and state is null)
        from pg_stat_activity
       where datname = current_database() and backend_type = 'client backend' and pid <> pg_backend_pid()
    ) to stdout with (format csv)`);
  for await (const chunk of stream)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  const [us, hidden] = Buffer.concat(chunks).toString('utf8').trim().split(',');
  if (!us || !/^-?\d+$/.test(us)) throw new Error(`unexpected guard reply ${JSON.stringify(us)}`);
  return { us: BigInt(us), hidden: Number(hidden ?? 0) };
}

async function stageFromPostgres(source: PostgresSource, statement: string, file: string): Promise<void> {
  const stream = await source.copyTo(statement);
  await pipeline(Readable.from(stream, { objectMode: false }), createWriteStream(file));
}

/** Ingests one PostgreSQL table incrementally. */
export async function ingestTable(
  db: Db,
  source: PostgresSource,
  extraction: Extraction,
  settings: IngestSettings,
): Promise<IngestResult> {
  return db.exclusive(async (connection) => {
    const started = performance.now();
    const result: IngestResult = {
      table: extraction.table,
      rows: 0,
      inserted: 0,
      replaced: 0,
      batches: 0,
      durationMs: 0,
      watermark: null,
    };
    const stored = await readWatermark(connection, extraction.source);
    result.watermark = toDate(stored?.us);
    let guard: { us: bigint; hidden: number } | null = null;
    if (settings.openTransactionGuard) {
      try {
        guard = await readGuard(source);
      } catch (error) {
        throw new IngestionError(
          extraction.table,
          `reading open transactions failed: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        );
      }
    }
    const overlapUs = BigInt(settings.overlapMs) * 1000n;
    const fallback = !guard || guard.hidden > 0;
    let cursor: Cursor = stored
      ? fallback
        ? { us: stored.us - overlapUs, id: ZERO_ID }
        : stored
      : { us: 0n, id: ZERO_ID };
    /** Where the next run may safely resume, given the last row read. */
    const safe = (mark: Watermark): Watermark => {
      if (!guard) return mark;
      const bound =
        guard.hidden > 0 ? (guard.us < mark.us - overlapUs ? guard.us : mark.us - overlapUs) : guard.us;
      return bound < mark.us ? { us: bound, id: ZERO_ID } : mark;
    };
    const columns = `{${Object.entries(extraction.csvColumns)
      .map(([name, type]) => `'${name}': '${type}'`)
      .join(', ')}}`;
    for (;;) {
      const file = join(settings.stagingDirectory, `mos-ingest-${extraction.table}-${randomUUID()}.csv`);
      try {
        const statement = `copy (${extraction.select(cursor, settings.batchSize)}) to stdout with (format csv)`;
        try {
          await stageFromPostgres(source, statement, file);
        } catch (error) {
          throw new IngestionError(
            extraction.table,
            `reading from PostgreSQL failed: ${error instanceof Error ? error.message : String(error)}`,
            { cause: error },
          );
        }
        await connection.run('begin transaction');
        try {
          await connection.run(
            `create or replace temp table stage as
             select * from read_csv(${literal(file)}, header = false, auto_detect = false, columns = ${columns},
                                    quote = '"', escape = '"', nullstr = '', delim = ',')`,
          );
          const [counts] = await rowsOf<{ rows: number; replaced: number }>(
            connection,
            `select (select count(*) from stage) as rows,
                    (select count(*) from ${extraction.table} t where t.id in (select id from stage)) as replaced`,
          );
          const rows = counts?.rows ?? 0;
          if (rows === 0) {
            await connection.run('rollback');
            break;
          }
          await connection.run(`delete from ${extraction.table} where id in (select id from stage)`);
          await connection.run(`insert into ${extraction.table} ${extraction.insert}`);
          const [last] = await rowsOf<{ us: string; id: string }>(
            connection,
            'select change_us::varchar as us, id::varchar as id from stage order by change_us desc, id::varchar desc limit 1',
          );
          const mark = { us: BigInt(last!.us), id: last!.id };
          // The watermark never moves backwards (a run that only re-read the overlap).
          const candidate = safe(mark);
          const next =
            stored && (stored.us > candidate.us || (stored.us === candidate.us && stored.id > candidate.id))
              ? stored
              : candidate;
          await writeWatermark(connection, extraction.source, next, rows - counts!.replaced);
          await connection.run('drop table stage');
          await connection.run('commit');
          result.rows += rows;
          result.replaced += counts!.replaced;
          result.inserted += rows - counts!.replaced;
          result.batches++;
          result.watermark = toDate(next.us);
          if (rows < settings.batchSize) break;
          cursor = mark;
        } catch (error) {
          await connection.run('rollback').catch(() => {});
          if (error instanceof AnalyticsError) throw error;
          throw new IngestionError(
            extraction.table,
            `loading into DuckDB failed: ${error instanceof Error ? error.message : String(error)}`,
            { cause: error },
          );
        }
      } finally {
        await rm(file, { force: true });
      }
    }
    result.durationMs = performance.now() - started;
    return result;
  });
}

export const ingestableTables = Object.keys(EXTRACTIONS) as Array<keyof typeof EXTRACTIONS>;

const MetricName = z
  .string({ message: 'must be a string' })
  .regex(/^[a-z][a-z0-9_.-]{0,63}$/i, 'must be 1-64 letters, digits, _ . - starting with a letter');
const AgentName = z
  .string({ message: 'must be a string' })
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters');
const Sample = z.object({
  timestamp: z.union([
    z.date().refine((d) => !Number.isNaN(d.getTime()), 'must be a valid Date'),
    z.number().int('must be whole milliseconds').min(0, 'must not be negative'),
  ]),
  value: z.number({ message: 'must be a number' }).refine(Number.isFinite, 'must be a finite number'),
});
const Series = z.object({ metricType: MetricName, agentName: AgentName, samples: z.array(Sample) });

const METRICS_SOURCE = 'redis:system_metrics';

/** Imports metric series (from Redis through the cache) into system_metrics, by watermark. */
export async function ingestMetrics(
  db: Db,
  source: MetricsSource,
  settings: IngestSettings,
): Promise<IngestResult> {
  return db.exclusive(async (connection) => {
    const started = performance.now();
    const stored = await readWatermark(connection, METRICS_SOURCE);
    const since = stored ? new Date(Number(stored.us / 1000n) - settings.overlapMs) : new Date(0);
    const all: MetricSeries[] = [];
    try {
      for await (const series of await source.read(since)) all.push(series);
    } catch (error) {
      throw new IngestionError(
        'system_metrics',
        `reading metrics failed: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    // Everything is validated before anything is written.
    const valid = all.map((s, i) => check(Series, s, `series[${i}]`));
    const result: IngestResult = {
      table: 'system_metrics',
      rows: 0,
      inserted: 0,
      replaced: 0,
      batches: 0,
      durationMs: 0,
      watermark: toDate(stored?.us),
    };
    const total = valid.reduce((n, s) => n + s.samples.length, 0);
    if (total === 0) {
      result.durationMs = performance.now() - started;
      return result;
    }
    await connection.run('begin transaction');
    try {
      await connection.run(
        'create or replace temp table metric_stage (metric_type varchar, agent_name varchar, ts_us bigint, value double)',
      );
      const appender = await connection.createAppender('metric_stage', 'main', 'temp');
      let maxUs = 0n;
      for (const s of valid) {
        for (const sample of s.samples) {
          const ms = typeof sample.timestamp === 'number' ? sample.timestamp : sample.timestamp.getTime();
          const us = BigInt(ms) * 1000n;
          if (us > maxUs) maxUs = us;
          appender.appendVarchar(s.metricType);
          appender.appendVarchar(s.agentName);
          appender.appendBigInt(us);
          appender.appendDouble(sample.value);
          appender.endRow();
        }
      }
      appender.closeSync();
      const [counts] = await rowsOf<{ rows: number; replaced: number }>(
        connection,
        `with s as (select distinct metric_type, agent_name, ts_us from metric_stage)
         select (select count(*) from s) as rows,
                (select count(*) from s join system_metrics m
                   on m.metric_type = s.metric_type and m.agent_name = s.agent_name
                  and m."timestamp" = make_timestamp(s.ts_us)) as replaced`,
      );
      await connection.run(
        `delete from system_metrics m using (select distinct metric_type, agent_name, ts_us from metric_stage) s
          where m.metric_type = s.metric_type and m.agent_name = s.agent_name and m."timestamp" = make_timestamp(s.ts_us)`,
      );
      await connection.run(
        `insert into system_metrics
         select metric_type, agent_name, make_timestamp(ts_us), last(value) from metric_stage group by all`,
      );
      const next = stored && stored.us > maxUs ? stored : { us: maxUs, id: ZERO_ID };
      await writeWatermark(connection, METRICS_SOURCE, next, counts!.rows - counts!.replaced);
      await connection.run('drop table metric_stage');
      await connection.run('commit');
      result.rows = counts!.rows;
      result.replaced = counts!.replaced;
      result.inserted = counts!.rows - counts!.replaced;
      result.batches = 1;
      result.watermark = toDate(next.us);
    } catch (error) {
      await connection.run('rollback').catch(() => {});
      throw new IngestionError(
        'system_metrics',
        `loading into DuckDB failed: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    result.durationMs = performance.now() - started;
    return result;
  });
}

export function defaultStagingDirectory(tempDirectory?: string): string {
  return tempDirectory ?? tmpdir();
}
