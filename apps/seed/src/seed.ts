// `pnpm seed`: fills PostgreSQL, Redis, the vector store and DuckDB with one coherent,
// deterministic MonsterOS (see generate/dataset.ts) through the data layer: the interactions and
// achievement grants through its bulk imports (rows and outbox events in one transaction; the
// relay embeds them), --reset through data.reset(). Every write is keyed by a natural or derived
// id and skips what exists, so a second run changes nothing.
import { createDataLayer, type DataLayerOptions } from '@monsteros/flows';
import { countStores, type SeedSummaryRow } from './counts.js';
import { buildDataset } from './generate/dataset.js';
import type { SeedOptions } from './options.js';
import { applyOutbox, reconcileStores, syncAnalytics } from './phases/finish.js';
import { seedInteractions } from './phases/interactions.js';
import { seedKnowledge } from './phases/knowledge.js';
import { confirmReset, ENVIRONMENT_KEY, preflight } from './phases/preflight.js';
import { seedRedis } from './phases/redis.js';
import { seedRelational } from './phases/relational.js';
import { reset } from './phases/reset.js';
import { seedTraffic } from './phases/traffic.js';
import type { ProgressReporter } from './progress.js';

export { countStores, postgresChecksum } from './counts.js';
export { SeedError } from './errors.js';
export { ENVIRONMENT_KEY } from './phases/preflight.js';

export interface SeedSummary {
  rows: SeedSummaryRow[];
  seconds: number;
}

export interface SeedRunOptions extends SeedOptions {
  /** Data layer options (tests point it at their own database, prefix and directories). */
  dataLayer?: DataLayerOptions;
  /** Asks the user to confirm --reset; resolves true to go on. */
  confirm?: (question: string) => Promise<boolean>;
  progress: ProgressReporter;
  /** The day the data is anchored to (default today, UTC). */
  anchor?: Date;
  /** The clock for the live Redis data, the last 24 h of metrics (default the current time). */
  now?: Date;
}

/** Runs the seed and returns the per-store counts. */
export async function runSeed(options: SeedRunOptions): Promise<SeedSummary> {
  const started = performance.now();
  // No consolidation while seeding: it would merge the seeded memories the summary counts.
  const data = await createDataLayer({ relayWorker: false, consolidateEvery: 0, ...options.dataLayer });
  try {
    const { marked } = await preflight(data, options);
    if (options.reset) await confirmReset(options);
    // The first write: a database seeded once is development from then on (reset keeps the mark).
    if (!marked) await data.relational.config.set(ENVIRONMENT_KEY, 'development', 0);
    if (options.reset) await reset(data, options);
    const set = buildDataset({
      seed: options.seed,
      size: options.size,
      ...(options.anchor ? { anchor: options.anchor } : {}),
    });
    await seedRelational(data, set, options);
    await seedInteractions(data, set, options);
    // Learning values from the seeded progress (the rule of the flows README), before the relay
    // embeds the interactions: their memories carry them.
    await data.relational.interactions.backfillLearningValues();
    await seedKnowledge(data, set, options);
    await seedTraffic(data, set, options);
    await seedRedis(data, set, options);
    await applyOutbox(data, options);
    await syncAnalytics(data, options);
    await reconcileStores(data, options);
    await data.relational.pool.query('analyze');
    return { rows: await countStores(data), seconds: (performance.now() - started) / 1000 };
  } finally {
    await data.close();
  }
}
