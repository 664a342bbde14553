// Parquet exports: one directory per table, partitioned by day (hive layout `day=YYYY-MM-DD/`),
// for other tools and for scale-out (DuckDB or Spark reading the files).
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { type Db, literal, rowsOf } from './db.js';
import { UnknownNameError } from './errors.js';
import { TABLE_NAMES, TABLES, type TableName } from './tables.js';
import { check, NameText, OptionsObject } from './validation.js';

const ExportOptions = OptionsObject.pipe(
  z.object({
    directory: z.unknown(),
    tables: z.array(NameText, { message: 'must be an array of table names' }).optional(),
  }),
);
const Directory = z.string({ message: 'must be a non-empty path' }).min(1, 'must be a non-empty path');

export interface ExportedTable {
  table: TableName;
  rows: number;
  /** The table's directory; files under `day=YYYY-MM-DD/`. */
  directory: string;
  /** Partitions written, e.g. `2026-11-25`. */
  days: string[];
}

/** Writes the tables (default all) as Parquet under `directory`, replacing earlier exports of them. */
export async function exportParquet(
  db: Db,
  options: { directory: string; tables?: readonly string[] },
): Promise<ExportedTable[]> {
  const valid = check(ExportOptions, options, 'options');
  const directory = check(Directory, valid.directory, 'directory');
  const tables = (valid.tables ?? TABLE_NAMES).map((t) => {
    if (!(TABLE_NAMES as readonly string[]).includes(t)) throw new UnknownNameError('table', t, TABLE_NAMES);
    return t as TableName;
  });
  const root = resolve(directory);
  return db.exclusive(async (connection) => {
    const out: ExportedTable[] = [];
    for (const table of tables) {
      const directory = join(root, table);
      const time = TABLES[table].timeColumn;
      const [{ rows } = { rows: 0 }] = await rowsOf<{ rows: number }>(
        connection,
        `select count(*) as rows from ${table}`,
      );
      // DuckDB's overwrite only runs when there is something to write: an empty table's export
      // must not keep the partitions of an earlier one.
      if (rows === 0) await rm(directory, { recursive: true, force: true });
      await mkdir(directory, { recursive: true });
      if (rows > 0) {
        await connection.run(
          `copy (select *, strftime("${time}", '%Y-%m-%d') as day from ${table})
             to ${literal(directory)} (format parquet, partition_by (day), overwrite true)`,
        );
      }
      const days = (await readdir(directory).catch(() => []))
        .filter((d) => d.startsWith('day='))
        .map((d) => d.slice(4))
        .sort();
      out.push({ table, rows, directory, days });
    }
    return out;
  });
}
