// Store calls, classed (vector search and upsert, DuckDB query, PostgreSQL query, Redis
// command): each is timed into the real-time metrics and runs in an OpenTelemetry client span.
import type { Vectors } from '@monsteros/vectors';
import type { MetricsRecorder } from './recorder.js';
import { type StoreCall, storeCallSpan } from './tracing.js';

/** Times one store call into `metrics` and a span; rethrows its error. */
export async function timedStoreCall<T>(
  metrics: MetricsRecorder,
  call: StoreCall,
  run: () => Promise<T>,
): Promise<T> {
  const started = performance.now();
  let ok = false;
  try {
    const out = await storeCallSpan(call, run);
    ok = true;
    return out;
  } finally {
    metrics.storeCall(call, performance.now() - started, ok);
  }
}

/**
 * The same Vectors with its searches (`search`, the strategies) and writes (`upsert`, deletes)
 * timed as `qdrant` store calls, target = the collection (or the strategy's collection).
 */
export function instrumentVectors(vectors: Vectors, metrics: MetricsRecorder): Vectors {
  const qdrant = (operation: string, target: string) => ({ system: 'qdrant' as const, operation, target });
  return {
    ...vectors,
    // Getters and methods that read `this` keep working: every member is the original's.
    specs: vectors.specs,
    client: vectors.client,
    upsert: (collection, records, options) =>
      timedStoreCall(metrics, qdrant('upsert', collection), () =>
        vectors.upsert(collection, records, options),
      ),
    deleteBySourceIds: (collection, ids) =>
      timedStoreCall(metrics, qdrant('delete', collection), () => vectors.deleteBySourceIds(collection, ids)),
    deleteByFilter: (collection, filter) =>
      timedStoreCall(metrics, qdrant('delete', collection), () => vectors.deleteByFilter(collection, filter)),
    search: (collection, query, options) =>
      timedStoreCall(metrics, qdrant('search', collection), () => vectors.search(collection, query, options)),
    hippoRagMemorySearch: (query, options) =>
      timedStoreCall(metrics, qdrant('search', 'memory_embeddings'), () =>
        vectors.hippoRagMemorySearch(query, options),
      ),
    characterContextSearch: (query, options) =>
      timedStoreCall(metrics, qdrant('search', 'character_memories'), () =>
        vectors.characterContextSearch(query, options),
      ),
    crossCharacterSearch: (query, options) =>
      timedStoreCall(metrics, qdrant('search', 'character_memories'), () =>
        vectors.crossCharacterSearch(query, options),
      ),
  };
}
