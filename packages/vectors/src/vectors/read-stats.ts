// vectors.stats(): each collection's alias, target, points and status, the local engine's own
// figures, search latencies, and the embedding caches.
import type { LocalQdrant } from '@monsteros/qdrant-local';
import { COLLECTION_NAMES } from '../collections.js';
import { call, type VectorsContext } from '../context.js';
import type { CachedEmbeddingProvider } from '../embeddings/cache.js';
import type { CollectionStats, VectorsStats } from '../stats.js';

/** Reads the stats; a collection without alias or collection is `missing`. */
export async function readVectorsStats(
  ctx: VectorsContext,
  engine: LocalQdrant | null,
  cachedEmbedders: readonly CachedEmbeddingProvider[],
): Promise<VectorsStats> {
  const { client } = ctx;
  const { aliases } = await call('list aliases', () => client.getAliases());
  const targets = new Map(aliases.map((a) => [a.alias_name, a.collection_name]));
  const collections: CollectionStats[] = [];
  for (const name of COLLECTION_NAMES) {
    const alias = ctx.alias(name);
    const exists = (await call(`check collection ${alias}`, () => client.collectionExists(alias))).exists;
    const target = targets.get(alias) ?? (exists ? alias : null);
    if (target === null) {
      collections.push({
        name,
        alias,
        collection: null,
        points: 0,
        indexedVectors: 0,
        status: 'missing',
        optimizerStatus: 'missing',
        segments: 0,
      });
      continue;
    }
    const info = await call(`read collection ${target}`, () => client.getCollection(target));
    collections.push({
      name,
      alias,
      collection: target,
      points: info.points_count ?? 0,
      indexedVectors: info.indexed_vectors_count ?? 0,
      status: info.status,
      optimizerStatus: typeof info.optimizer_status === 'string' ? info.optimizer_status : 'error',
      segments: info.segments_count,
    });
  }
  return {
    collections,
    local: engine ? engine.telemetry() : null,
    latency: ctx.latency.summary(),
    embeddings: cachedEmbedders
      .map((p) => ({ provider: p.id, dims: p.dims, ...p.cacheStats() }))
      .map(({ maxEntries: _m, ...rest }) => rest),
  };
}
