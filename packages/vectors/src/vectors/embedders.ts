// The embedder of each collection: the provider given for it, else a built-in local embedder
// (shared by collections of the same size and kind), each behind one embedding cache.
import { COLLECTION_NAMES, type CollectionSpec } from '../collections.js';
import { type CachedEmbeddingProvider, withEmbeddingCache } from '../embeddings/cache.js';
import { createLocalEmbedder } from '../embeddings/dense/local.js';
import type { EmbeddingProvider } from '../embeddings/provider.js';
import { VectorsValidationError } from '../errors.js';
import type { CollectionName } from '../payloads.js';

/**
 * Whether the built-in embedder of a collection hashes WordNet concepts beside the words (see
 * `createLocalEmbedder`): where questions meet memories (`character_memories`; the vectors eval:
 * hybrid recall@5 0.855 → 0.886, synonyms 0.20 → 0.35), not in `memory_embeddings`, whose entity
 * names feed HippoRAG's synonym edges (with concepts, twice as many edges and the memory eval's
 * recall@5 56.5 → 54.2), nor in `knowledge_graph_vectors` (the memory graph's facts, measured by the
 * memory eval with words only) or `document_vectors` (not measured).
 */
const LOCAL_CONCEPTS: Record<CollectionName, boolean> = {
  memory_embeddings: false,
  character_memories: true,
  document_vectors: false,
  knowledge_graph_vectors: false,
};

/**
 * The cached embedder of every collection, and each distinct cached provider once (for stats).
 * A given provider without `dims` and `embed`, or of another size than its collection, is a
 * VectorsValidationError naming it.
 */
export function collectionEmbedders(
  specs: Record<CollectionName, CollectionSpec>,
  providers: Partial<Record<CollectionName, EmbeddingProvider>> | undefined,
  cacheSize: number,
): {
  embedders: Record<CollectionName, CachedEmbeddingProvider>;
  cached: readonly CachedEmbeddingProvider[];
} {
  const wrapped = new Map<EmbeddingProvider, CachedEmbeddingProvider>();
  const localByKind = new Map<string, EmbeddingProvider>();
  const embedders = {} as Record<CollectionName, CachedEmbeddingProvider>;
  for (const name of COLLECTION_NAMES) {
    const given = providers?.[name];
    const dims = specs[name].dims;
    if (given) {
      if (typeof given.embed !== 'function' || !Number.isInteger(given.dims))
        throw new VectorsValidationError(
          `options.embeddings.providers.${name}`,
          'must have dims and embed(texts)',
        );
      if (given.dims !== dims)
        throw new VectorsValidationError(
          `options.embeddings.providers.${name}.dims`,
          `must equal the collection's size ${dims}, got ${given.dims}`,
        );
    }
    let provider = given;
    if (!provider) {
      const concepts = LOCAL_CONCEPTS[name];
      const kind = `${dims}/${concepts}`;
      provider =
        localByKind.get(kind) ?? createLocalEmbedder({ dims, ...(concepts ? {} : { concepts: false }) });
      localByKind.set(kind, provider);
    }
    let cached = wrapped.get(provider);
    if (!cached) {
      cached = withEmbeddingCache(provider, { maxEntries: cacheSize });
      wrapped.set(provider, cached);
    }
    embedders[name] = cached;
  }
  return { embedders, cached: [...wrapped.values()] };
}
