import type { EmbeddingProvider } from './provider.js';

/** Counters of an embedding cache. */
export interface EmbeddingCacheStats {
  hits: number;
  misses: number;
  size: number;
  maxEntries: number;
}

/** A provider whose repeated texts are embedded once. */
export interface CachedEmbeddingProvider extends EmbeddingProvider {
  /** The wrapped provider's `model`, else its `id`. */
  readonly model: string;
  cacheStats(): EmbeddingCacheStats;
}

/**
 * Wraps a provider with an in-process LRU of `maxEntries` texts (default 10,000): a text seen
 * recently, or being embedded right now by another call, is not sent to the provider again.
 * Within one call, duplicates are embedded once. Failed embeddings are not cached.
 * @example
 * const embedder = withEmbeddingCache(createOpenAIEmbeddings({ url, model, dims: 768 }), { maxEntries: 50_000 });
 */
export function withEmbeddingCache(
  provider: EmbeddingProvider,
  options: { maxEntries?: number } = {},
): CachedEmbeddingProvider {
  const maxEntries = Math.max(1, options.maxEntries ?? 10_000);
  // A Map iterates in insertion order: re-inserting on a hit makes the first key the least recently used.
  const lru = new Map<string, Float32Array>();
  const pending = new Map<string, Promise<Float32Array>>();
  let hits = 0;
  let misses = 0;

  const remember = (text: string, vector: Float32Array) => {
    lru.delete(text);
    lru.set(text, vector);
    while (lru.size > maxEntries) lru.delete(lru.keys().next().value as string);
  };

  return {
    id: provider.id,
    model: provider.model ?? provider.id,
    dims: provider.dims,
    cacheStats: () => ({ hits, misses, size: lru.size, maxEntries }),
    async embed(texts) {
      const out = new Array<Promise<Float32Array>>(texts.length);
      const missing: string[] = [];
      const waiting = new Map<string, { resolve: (v: Float32Array) => void; reject: (e: unknown) => void }>();
      texts.forEach((text, i) => {
        const cached = lru.get(text);
        if (cached) {
          hits++;
          remember(text, cached);
          out[i] = Promise.resolve(cached);
          return;
        }
        const inFlight = pending.get(text);
        if (inFlight) {
          hits++;
          out[i] = inFlight;
          return;
        }
        misses++;
        const promise = new Promise<Float32Array>((resolve, reject) =>
          waiting.set(text, { resolve, reject }),
        );
        // Callers that only await `out` would otherwise leave a rejection unhandled here.
        promise.catch(() => undefined);
        pending.set(text, promise);
        missing.push(text);
        out[i] = promise;
      });
      if (missing.length > 0) {
        try {
          const vectors = await provider.embed(missing);
          missing.forEach((text, j) => {
            const v = vectors[j]!;
            remember(text, v);
            waiting.get(text)!.resolve(v);
          });
        } catch (error) {
          for (const w of waiting.values()) w.reject(error);
        } finally {
          for (const text of missing) pending.delete(text);
        }
      }
      return Promise.all(out);
    },
  };
}
