// analytics.ingest: the sources handed in checked, then PostgreSQL tables and Redis metrics
// ingested incrementally; and where each source's ingestion stands (its watermark).
import { z } from 'zod';
import type { Analytics, IngestableTable, Watermark } from '../analytics-types.js';
import type { Db } from '../db.js';
import { UnknownNameError } from '../errors.js';
import { EXTRACTIONS } from '../extractions.js';
import {
  type IngestResult,
  type IngestSettings,
  ingestableTables,
  ingestMetrics,
  ingestTable,
} from '../ingest.js';
import { check, NameText } from '../validation.js';

/**
 * A string that can be stored (else VALIDATION naming `field`), then one of our tables (else
 * UNKNOWN_NAME). An own-key check: `in` would also accept the object's prototype names
 * ('constructor', 'toString').
 */
export function assertIngestable(table: unknown, field = 'table'): asserts table is IngestableTable {
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

/** Each source's watermark, rows so far and last ingestion, by source. */
export async function readWatermarks(db: Db): Promise<Watermark[]> {
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
}

/** `ingest` on `db`; `writable` refuses (READ_ONLY) before anything is checked or read. */
export function ingestion(
  db: Db,
  settings: IngestSettings,
  writable: (what: string) => void,
): Analytics['ingest'] {
  return {
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
    watermarks: () => readWatermarks(db),
  };
}
