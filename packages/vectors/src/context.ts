import type { QdrantClientLike } from '@monsteros/qdrant-local';
import type { CollectionSpec } from './collections.js';
import type { CachedEmbeddingProvider } from './embeddings/cache.js';
import type { Bm25Encoder } from './embeddings/sparse/bm25.js';
import { mapQdrantError } from './errors.js';
import type { CollectionName } from './payloads.js';
import type { SearchProfile } from './profiles.js';
import type { LatencyRecorder } from './stats.js';

/** What the parts of a `Vectors` instance share. Internal. */
export interface VectorsContext {
  client: QdrantClientLike;
  /** The client is the local engine in process: dense vectors go to it as `Float32Array`s, uncopied. */
  floatArrays: boolean;
  specs: Record<CollectionName, CollectionSpec>;
  profiles: Record<string, SearchProfile>;
  embedders: Record<CollectionName, CachedEmbeddingProvider>;
  /** The sparse side of every collection (documents and queries). */
  bm25: Bm25Encoder;
  latency: LatencyRecorder;
  write: { batchSize: number; concurrency: number };
  /** `<prefix><collection>`: the alias every read and write goes through. */
  alias(name: CollectionName): string;
  /** `<alias>__v<version>`: a physical collection. */
  physical(name: CollectionName, version: number): string;
}

/** Runs a Qdrant call and turns its failure into a typed error naming `what`. */
export async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw mapQdrantError(error, what);
  }
}

/** Runs `tasks` with at most `limit` in flight; rejects with the first failure after in-flight tasks settle. */
export async function runBounded(tasks: Array<() => Promise<void>>, limit: number): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | null = null;
  const worker = async () => {
    while (failure === null && next < tasks.length) {
      const task = tasks[next++]!;
      try {
        await task();
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  if (failure) throw (failure as { error: unknown }).error;
}
