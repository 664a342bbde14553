// Opening DuckDB: the file's directory created, DuckDB's settings, the writer connection, and the
// tables and views created (unless read-only); whatever was opened is closed again on failure.
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { AnalyticsSettings } from '../analytics-options.js';
import { Db } from '../db.js';
import { mapOpenError } from '../errors.js';
import { DDL } from '../tables.js';

/** The database at `settings.path` (resolved, or ':memory:'); a failure is mapped by mapOpenError. */
export async function openDatabase(
  settings: AnalyticsSettings,
): Promise<{ db: Db; path: string; memory: boolean }> {
  const memory = settings.path === ':memory:';
  const path = memory ? ':memory:' : resolve(settings.path);
  if (!memory && !settings.readOnly) await mkdir(dirname(path), { recursive: true });
  const config: Record<string, string> = {};
  if (settings.threads !== undefined) config.threads = String(settings.threads);
  if (settings.memoryLimit !== undefined) config.memory_limit = settings.memoryLimit;
  if (settings.tempDirectory !== undefined) config.temp_directory = settings.tempDirectory;
  if (settings.readOnly) config.access_mode = 'READ_ONLY';
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
  const db = new Db(instance, writer, settings.readOnly);
  if (!settings.readOnly) {
    try {
      await writer.run(DDL);
    } catch (error) {
      await db.close();
      throw mapOpenError(error, path);
    }
  }
  return { db, path, memory };
}
