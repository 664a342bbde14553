// createAnalytics: the DuckDB side of MonsterOS. Checks the options, opens the database and wires
// ingestion, the views, the analyses, exports, health and stats on it; close() waits for the
// writer's queue, then closes DuckDB. Its options are in analytics-options.ts, its public types
// in analytics-types.ts, its parts (opening, ingestion, ingested rows, health, stats) in
// src/analytics/.
import { analyses } from './analyses.js';
import { duckdbHealth } from './analytics/health.js';
import { deleteIngestedIds, emptyTables, ingestedIds } from './analytics/ingested-rows.js';
import { ingestion } from './analytics/ingestion.js';
import { openDatabase } from './analytics/open-database.js';
import { readAnalyticsStats } from './analytics/stats.js';
import { type AnalyticsOptions, parseOptions } from './analytics-options.js';
import type { Analytics } from './analytics-types.js';
import { AnalyticsError } from './errors.js';
import { exportParquet } from './export.js';
import { defaultStagingDirectory, type IngestSettings } from './ingest.js';
import { similarPairs } from './similarity.js';
import { views } from './views.js';

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
  const { db, path, memory } = await openDatabase(opts);
  const { readOnly } = opts;
  const settings: IngestSettings = {
    batchSize: opts.batchSize,
    overlapMs: opts.overlapMs,
    openTransactionGuard: opts.openTransactionGuard,
    stagingDirectory: defaultStagingDirectory(opts.tempDirectory),
  };
  const writable = (what: string) => {
    if (readOnly) throw new AnalyticsError('READ_ONLY', `${what}: ${path} is open read-only`);
  };
  const a = analyses(db);

  return {
    path,
    readOnly,
    ingest: ingestion(db, settings, writable),
    views: views(db),
    characterTrends: a.characterTrends,
    memoryEfficiency: a.memoryEfficiency,
    learningEffectiveness: a.learningEffectiveness,
    metricBuckets: a.metricBuckets,
    similarPairs: (items, threshold) => similarPairs(db, items, threshold),
    async reset() {
      writable('reset');
      await emptyTables(db);
    },
    ids: async (table) => ingestedIds(db, table),
    async deleteIds(table, ids) {
      writable('deleteIds');
      return deleteIngestedIds(db, table, ids);
    },
    async exportParquet(exportOptions) {
      return exportParquet(db, exportOptions);
    },
    health: () => duckdbHealth(db),
    stats: () => readAnalyticsStats(db, { path, memory, readOnly }),
    close: () => db.close(),
  };
}
