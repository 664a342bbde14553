// The ingested rows as a whole or by id: reset (every table and watermark emptied), the ids of a
// table (for reconcile), and orphans deleted by id. Callers check that the database is writable.
import { listValue } from '@duckdb/node-api';
import { z } from 'zod';
import type { Db } from '../db.js';
import { TABLE_NAMES } from '../tables.js';
import { check, Uuid } from '../validation.js';
import { assertIngestable } from './ingestion.js';

const DeleteIds = z
  .array(Uuid, { message: 'must be an array of UUIDs' })
  .max(1_000_000, 'must be at most 1000000 ids');

/** Empties every table and the watermarks, in one transaction on the writer. */
export async function emptyTables(db: Db): Promise<void> {
  await db.exclusive(async (connection) => {
    await connection.run('begin transaction');
    try {
      for (const table of [...TABLE_NAMES, 'ingest_watermarks']) await connection.run(`delete from ${table}`);
      await connection.run('commit');
    } catch (error) {
      await connection.run('rollback').catch(() => {});
      throw error;
    }
  });
}

/** The ids of an ingested table's rows. */
export async function ingestedIds(db: Db, table: unknown): Promise<Set<string>> {
  assertIngestable(table);
  const rows = await db.read<{ id: string }>(`ids:${table}`, `select id::varchar as id from ${table}`);
  return new Set(rows.map((r) => r.id));
}

/** Deletes the rows of `ids` from an ingested table; returns how many. */
export async function deleteIngestedIds(db: Db, table: unknown, ids: unknown): Promise<number> {
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
}
