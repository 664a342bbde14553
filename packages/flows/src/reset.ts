// data.reset(): every store emptied through its own package, and only of MonsterOS data: our
// tables (relational), our keys under the prefix (cache), our collections under the collection
// prefix (vectors), the analytics tables (analytics).
import type { Analytics } from '@monsteros/analytics';
import type { Cache } from '@monsteros/cache';
import type { Relational } from '@monsteros/relational';
import { COLLECTION_NAMES } from '@monsteros/vectors';
import type { VectorsPort } from './ports.js';

/** What `data.reset()` emptied. */
export interface ResetResult {
  /** PostgreSQL tables truncated (`system_config` is kept). */
  tables: string[];
  /** Redis keys deleted under the key prefix. */
  redisKeys: number;
  /** Points deleted per vector collection. */
  vectorPoints: Record<string, number>;
  /** Whether the DuckDB tables were emptied (false when the data layer has no analytics). */
  analytics: boolean;
}

/**
 * Empties the stores, PostgreSQL first: with the outbox gone, no pending event can write a
 * point or key back after its store was emptied.
 */
export async function resetStores(stores: {
  relational: Relational;
  cache: Cache;
  vectors: VectorsPort;
  analytics: Analytics | null;
}): Promise<ResetResult> {
  const tables = await stores.relational.reset();
  const redisKeys = await stores.cache.reset();
  const vectorPoints: Record<string, number> = {};
  const store = stores.vectors.store;
  if (store) {
    for (const name of COLLECTION_NAMES) vectorPoints[name] = await store.clear(name);
  } else {
    // A port without the vectors package underneath: what the port itself stores.
    const memories = [...(await stores.vectors.storedInteractionIds())];
    const grants = [...(await stores.vectors.storedAchievementIds())];
    await stores.vectors.forget(memories);
    await stores.vectors.forgetAchievements(grants);
    vectorPoints.character_memories = memories.length;
    vectorPoints.memory_embeddings = grants.length;
  }
  await stores.analytics?.reset();
  return { tables, redisKeys, vectorPoints, analytics: stores.analytics !== null };
}
