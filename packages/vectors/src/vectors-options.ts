// The options of `createVectors`: their type (with the defaults), their checks, and the settings
// resolved from them (collection specs, profiles, write batches) before any client is opened.
import type { QdrantClientLike } from '@monsteros/qdrant-local';
import { z } from 'zod';
import {
  COLLECTION_NAMES,
  type CollectionOverride,
  type CollectionSpec,
  resolveSpec,
} from './collections.js';
import type { EmbeddingProvider } from './embeddings/provider.js';
import type { Bm25EncoderOptions } from './embeddings/sparse/bm25.js';
import type { CollectionName } from './payloads.js';
import { SEARCH_PROFILES, type SearchProfile } from './profiles.js';
import { checkCollection, parseOrThrow } from './validation.js';

/** Where the vectors live: a Qdrant server, the embedded local mode, or a client you built. */
export type QdrantTarget =
  | {
      /** Qdrant's REST URL, e.g. `http://127.0.0.1:6333` (or a local-mode server's). */
      url: string;
      apiKey?: string;
      /**
       * Per-request timeout in milliseconds.
       * @default 30000
       */
      timeoutMs?: number;
    }
  /** The embedded local mode, in memory or over a data directory (see `@monsteros/qdrant-local`). */
  | { local: ':memory:' | (string & {}) }
  /** Any client with the official client's methods (e.g. `createLocalQdrantClient(engine)`); not closed by `close()`. */
  | { client: QdrantClientLike };

/** Options of `createVectors`. */
export interface VectorsOptions {
  qdrant: QdrantTarget;
  embeddings?: {
    /**
     * Provider per collection; sizes must match.
     * @default the local embedder at the collection's size
     */
    providers?: Partial<Record<CollectionName, EmbeddingProvider>>;
    /**
     * Texts kept per provider in the in-process LRU.
     * @default 10000
     */
    cacheSize?: number;
  };
  /**
   * Prepended to every alias and collection name (tests, several environments in one Qdrant).
   * @default ''
   */
  collectionPrefix?: string;
  /** Spec changes per collection: size of another model, version, cluster sharding. */
  collections?: Partial<Record<CollectionName, CollectionOverride>>;
  /** Extra search profiles, or replacements of the built-in ones. */
  profiles?: Record<string, SearchProfile>;
  /**
   * Defaults of `upsert`: points per request, requests in flight.
   * @default { batchSize: 256, concurrency: 4 }
   */
  write?: { batchSize?: number; concurrency?: number };
  /**
   * Recent latencies kept per profile for `stats()`.
   * @default 1000
   */
  latencyWindow?: number;
  /**
   * Settings of the BM25 sparse encoder of every collection (`createBm25Encoder`). Without
   * `avgDocLength`, each collection's points are encoded with their spec's (`CollectionSpec.bm25`).
   */
  sparse?: Bm25EncoderOptions;
}

const profileSchema = z.object({
  hnswEf: z.number().int().min(1, 'must be a positive integer'),
  scoreThreshold: z.number().refine(Number.isFinite, 'must be a finite number'),
});

const optionsSchema = z.object({
  qdrant: z.union(
    [
      z.object({
        url: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }),
        apiKey: z.string().min(1, 'must not be empty when set').optional(),
        timeoutMs: z.number().positive('must be positive').optional(),
      }),
      z.object({ local: z.string().min(1, 'must be ":memory:" or a directory') }),
      z.object({
        client: z.custom<QdrantClientLike>((v) => typeof v === 'object' && v !== null, 'must be a client'),
      }),
    ],
    { message: 'must be { url, apiKey? }, { local } or { client }' },
  ),
  collectionPrefix: z
    .string()
    .regex(/^[A-Za-z0-9_-]*$/, 'may only hold letters, digits, _ and -')
    .optional(),
  profiles: z.record(z.string().min(1), profileSchema).optional(),
  write: z
    .object({
      batchSize: z.number().int().min(1).max(10_000).optional(),
      concurrency: z.number().int().min(1).max(64).optional(),
    })
    .optional(),
  latencyWindow: z.number().int().min(1).max(1_000_000).optional(),
  embeddings: z
    .object({
      providers: z.record(z.string(), z.unknown()).optional(),
      cacheSize: z.number().int().min(1).optional(),
    })
    .optional(),
  collections: z
    .record(
      z.string(),
      z.object({
        dims: z.number().int().min(1).max(65_536).optional(),
        version: z.number().int().min(1).optional(),
        sharding: z
          .object({
            shard_number: z.number().int().min(1).optional(),
            replication_factor: z.number().int().min(1).optional(),
            write_consistency_factor: z.number().int().min(1).optional(),
          })
          .optional(),
      }),
    )
    .optional(),
});

/** Every setting of the vectors layer, defaults applied. */
export interface VectorsSettings {
  prefix: string;
  /** The resolved spec of each collection (overrides and `sparse.avgDocLength` applied). */
  specs: Record<CollectionName, CollectionSpec>;
  /** The built-in search profiles with the given ones over them. */
  profiles: Record<string, SearchProfile>;
  write: { batchSize: number; concurrency: number };
  latencyWindow: number;
  embeddingCacheSize: number;
}

/**
 * Checks `options` (a bad one is a VectorsValidationError naming it, `options.collections.<name>`)
 * and applies the defaults.
 */
export function resolveVectorsOptions(options: VectorsOptions): VectorsSettings {
  const parsed = parseOrThrow(optionsSchema, options, 'options');
  for (const name of Object.keys(parsed.collections ?? {}))
    checkCollection(name, `options.collections.${name}`);
  for (const name of Object.keys(parsed.embeddings?.providers ?? {}))
    checkCollection(name, `options.embeddings.providers.${name}`);
  // A given `sparse.avgDocLength` replaces every collection's own (`CollectionSpec.bm25`).
  const avgDocLength = options.sparse?.avgDocLength;
  const specs = Object.fromEntries(
    COLLECTION_NAMES.map((name) => {
      const spec = resolveSpec(name, options.collections?.[name]);
      return [name, avgDocLength === undefined ? spec : { ...spec, bm25: { avgDocLength } }];
    }),
  ) as Record<CollectionName, CollectionSpec>;
  return {
    prefix: parsed.collectionPrefix ?? '',
    specs,
    profiles: { ...SEARCH_PROFILES, ...parsed.profiles },
    write: { batchSize: parsed.write?.batchSize ?? 256, concurrency: parsed.write?.concurrency ?? 4 },
    latencyWindow: parsed.latencyWindow ?? 1_000,
    embeddingCacheSize: options.embeddings?.cacheSize ?? 10_000,
  };
}
