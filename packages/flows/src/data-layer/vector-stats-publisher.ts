// On the embedded engine, its figures are only readable in the process that holds its directory:
// published to Redis every 15 s for the monitor and `pnpm db:report` in other processes.
import type { Cache } from '@monsteros/cache';
import { LOCAL_VECTORS_DOC, type PublishedVectorsStats } from '../metrics/published-vectors.js';
import type { VectorsPort } from '../ports.js';

const PUBLISH_EVERY_MS = 15_000;

async function publishVectorStats(store: NonNullable<VectorsPort['store']>, cache: Cache): Promise<void> {
  const stats = await store.stats();
  if (!stats.local) return;
  const doc: PublishedVectorsStats = {
    collections: stats.collections.map((c) => ({
      name: c.name,
      points: c.points,
      indexedVectors: c.indexedVectors,
      status: c.status,
      optimizerStatus: c.optimizerStatus,
      segments: c.segments,
    })),
    local: stats.local,
  };
  await cache.realtime.publish(LOCAL_VECTORS_DOC, doc, 60_000);
}

/**
 * Publishes the vector store's stats now and every 15 s (failures ignored: the next round
 * retries) when metrics are on and there is a store; returns what stops it, or null.
 * `stop()` publishes once more: a monitor elsewhere then sees, for the document's minute, what
 * the app ended with, not its figures of up to 15 s before (a short run, like the seed, would
 * otherwise leave its first, empty figures).
 */
export function startVectorStatsPublisher(
  store: VectorsPort['store'],
  cache: Cache,
  metricsEnabled: boolean,
): { stop(): Promise<void> } | null {
  if (!metricsEnabled || !store) return null;
  const publish = () => publishVectorStats(store, cache).catch(() => {});
  const timer = setInterval(() => void publish(), PUBLISH_EVERY_MS).unref();
  void publish();
  return {
    stop: () => {
      clearInterval(timer);
      return publish();
    },
  };
}
