import {
  acceptsFloatArrays,
  createLocalQdrantClient,
  LocalQdrant,
  type QdrantClientLike,
} from '@monsteros/qdrant-local';
import { QdrantClient, type Schemas } from '@qdrant/js-client-rest';
import { z } from 'zod';
import {
  COLLECTION_NAMES,
  type CollectionOverride,
  type CollectionSpec,
  resolveSpec,
} from './collections.js';
import { call, type VectorsContext } from './context.js';
import { type CachedEmbeddingProvider, withEmbeddingCache } from './embeddings/cache.js';
import { createLocalEmbedder } from './embeddings/dense/local.js';
import type { EmbeddingProvider } from './embeddings/provider.js';
import { type Bm25EncoderOptions, createBm25Encoder } from './embeddings/sparse/bm25.js';
import { VectorsValidationError } from './errors.js';
import { checkList, VECTORS_LIMITS } from './limits.js';
import type { CollectionName } from './payloads.js';
import { SEARCH_PROFILES, type SearchProfile } from './profiles.js';
import {
  createVersion,
  dropVersion,
  type EnsuredCollection,
  ensureCollections,
  type ReembedResult,
  reembed,
  switchVersion,
} from './provisioning.js';
import { type SearchOptions, searchCollection, type VectorHit, type VectorQuery } from './search.js';
import { type CollectionStats, LatencyRecorder, type VectorsStats } from './stats.js';
import {
  type CharacterContextHit,
  type CharacterContextOptions,
  characterContextSearch,
} from './strategies/character-context.js';
import {
  type CrossCharacterHit,
  type CrossCharacterOptions,
  crossCharacterSearch,
} from './strategies/cross-character.js';
import { type HippoRagOptions, hippoRagMemorySearch, type MemorySearchHit } from './strategies/hippo-rag.js';
import { checkCollection, checkText, parseOrThrow } from './validation.js';
import {
  clearCollection,
  deleteByFilter,
  deleteBySourceIds,
  type UpsertOptions,
  type UpsertRecord,
  type UpsertResult,
  upsertRecords,
} from './writes.js';

/** Where the vectors live: a Qdrant server, the embedded local mode, or a client you built. */
export type QdrantTarget =
  | {
      /** Qdrant's REST URL, e.g. `http://127.0.0.1:6333` (or a local-mode server's). */
      url: string;
      apiKey?: string;
      /** Per-request timeout in milliseconds. Default 30,000. */
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
    /** Provider per collection; default the local embedder at the collection's size. Sizes must match. */
    providers?: Partial<Record<CollectionName, EmbeddingProvider>>;
    /** Texts kept per provider in the in-process LRU. Default 10,000. */
    cacheSize?: number;
  };
  /** Prepended to every alias and collection name (tests, several environments in one Qdrant). Default ''. */
  collectionPrefix?: string;
  /** Spec changes per collection: size of another model, version, cluster sharding. */
  collections?: Partial<Record<CollectionName, CollectionOverride>>;
  /** Extra search profiles, or replacements of the built-in ones. */
  profiles?: Record<string, SearchProfile>;
  /** Defaults of `upsert`: 256 points per request, 4 requests in flight. */
  write?: { batchSize?: number; concurrency?: number };
  /** Recent latencies kept per profile for `stats()`. Default 1,000. */
  latencyWindow?: number;
  /**
   * Settings of the BM25 sparse encoder of every collection (`createBm25Encoder`). Without
   * `avgDocLength`, each collection's points are encoded with their spec's (`CollectionSpec.bm25`).
   */
  sparse?: Bm25EncoderOptions;
}

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

/** The vectors of MonsterOS: provisioning, writes, searches and the memory search strategies. */
export interface Vectors {
  /** The resolved spec of each collection. */
  readonly specs: Readonly<Record<CollectionName, CollectionSpec>>;
  /** The client underneath (official client or the local engine's), for what this API does not cover. */
  readonly client: QdrantClientLike;
  /** The alias a collection is read and written through (`<prefix><name>`). */
  collectionName(name: CollectionName): string;
  ensureCollections(): Promise<EnsuredCollection[]>;
  /**
   * Re-embeds a collection with its configured model into a new version and switches the alias
   * (the fix of `EmbeddingModelChangedError`); null when it already records that model.
   * @example await vectors.reembed('character_memories');
   */
  reembed(name: CollectionName): Promise<ReembedResult | null>;
  /** `model`: the `model` (else `id`) of the provider that will fill it, recorded in its metadata. */
  createVersion(
    name: CollectionName,
    version: number,
    options?: { dims?: number; model?: string },
  ): Promise<string>;
  switchVersion(name: CollectionName, version: number): Promise<void>;
  dropVersion(name: CollectionName, version: number): Promise<boolean>;
  upsert<C extends CollectionName>(
    collection: C,
    records: readonly UpsertRecord<C>[],
    options?: UpsertOptions,
  ): Promise<UpsertResult>;
  deleteBySourceIds(collection: CollectionName, sourceIds: readonly string[]): Promise<void>;
  deleteByFilter(collection: CollectionName, filter: Schemas['Filter']): Promise<void>;
  /**
   * Deletes every point of a collection (this prefix's alias only); the collection stays. Returns
   * how many. For development resets.
   * @example await vectors.clear('character_memories');
   */
  clear(collection: CollectionName): Promise<number>;
  search<C extends CollectionName>(
    collection: C,
    query: VectorQuery,
    options?: SearchOptions,
  ): Promise<VectorHit<C>[]>;
  hippoRagMemorySearch(query: VectorQuery, options?: HippoRagOptions): Promise<MemorySearchHit[]>;
  characterContextSearch(
    query: VectorQuery,
    options: CharacterContextOptions,
  ): Promise<CharacterContextHit[]>;
  crossCharacterSearch(query: VectorQuery, options: CrossCharacterOptions): Promise<CrossCharacterHit[]>;
  /** Embeds texts with a collection's provider (through its cache). */
  embed(collection: CollectionName, texts: readonly string[]): Promise<Float32Array[]>;
  stats(): Promise<VectorsStats>;
  /** Closes the local engine (folding its log into a snapshot) when this instance opened it. */
  close(): Promise<void>;
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

/**
 * Creates the vectors layer over Qdrant or the embedded local mode — the same API either way.
 * Call `ensureCollections()` once at start; then upsert, search and use the strategies.
 * @example
 * const vectors = await createVectors({ qdrant: { local: '.data/vectors' } });
 * await vectors.ensureCollections();
 * const hits = await vectors.characterContextSearch('the dragon at the pass', { character: 'sage' });
 */
export async function createVectors(options: VectorsOptions): Promise<Vectors> {
  const parsed = parseOrThrow(optionsSchema, options, 'options');
  for (const name of Object.keys(parsed.collections ?? {}))
    checkCollection(name, `options.collections.${name}`);
  for (const name of Object.keys(parsed.embeddings?.providers ?? {}))
    checkCollection(name, `options.embeddings.providers.${name}`);
  const prefix = parsed.collectionPrefix ?? '';
  // A given `sparse.avgDocLength` replaces every collection's own (`CollectionSpec.bm25`).
  const avgDocLength = options.sparse?.avgDocLength;
  const specs = Object.fromEntries(
    COLLECTION_NAMES.map((name) => {
      const spec = resolveSpec(name, options.collections?.[name]);
      return [name, avgDocLength === undefined ? spec : { ...spec, bm25: { avgDocLength } }];
    }),
  ) as Record<CollectionName, CollectionSpec>;

  const cacheSize = options.embeddings?.cacheSize ?? 10_000;
  const wrapped = new Map<EmbeddingProvider, CachedEmbeddingProvider>();
  const localByKind = new Map<string, EmbeddingProvider>();
  const embedders = {} as Record<CollectionName, CachedEmbeddingProvider>;
  for (const name of COLLECTION_NAMES) {
    const given = options.embeddings?.providers?.[name];
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

  let client: QdrantClientLike;
  let engine: LocalQdrant | null = null;
  const q = options.qdrant;
  if ('client' in q) client = q.client;
  else if ('local' in q) {
    engine = await LocalQdrant.open(q.local);
    client = createLocalQdrantClient(engine);
  } else {
    client = new QdrantClient({
      url: q.url,
      ...(q.apiKey ? { apiKey: q.apiKey } : {}),
      timeout: q.timeoutMs ?? 30_000,
      checkCompatibility: false,
    });
  }

  const ctx: VectorsContext = {
    client,
    floatArrays: acceptsFloatArrays(client),
    specs,
    profiles: { ...SEARCH_PROFILES, ...parsed.profiles },
    embedders,
    bm25: createBm25Encoder(options.sparse),
    latency: new LatencyRecorder(parsed.latencyWindow ?? 1_000),
    write: { batchSize: parsed.write?.batchSize ?? 256, concurrency: parsed.write?.concurrency ?? 4 },
    alias: (name) => `${prefix}${name}`,
    physical: (name, version) => `${prefix}${name}__v${version}`,
  };

  const stats = async (): Promise<VectorsStats> => {
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
      embeddings: [...wrapped.values()]
        .map((p) => ({ provider: p.id, dims: p.dims, ...p.cacheStats() }))
        .map(({ maxEntries: _m, ...rest }) => rest),
    };
  };

  return {
    specs,
    client,
    collectionName: (name) => ctx.alias(checkCollection(name)),
    ensureCollections: async () => ensureCollections(ctx),
    reembed: async (name) => reembed(ctx, checkCollection(name)),
    createVersion: async (name, version, opts) => {
      if (opts?.model !== undefined && (typeof opts.model !== 'string' || opts.model.length === 0))
        throw new VectorsValidationError(
          'model',
          'must be a non-empty string (the model of an EmbeddingProvider, else its id)',
        );
      return createVersion(
        ctx,
        checkCollection(name),
        version,
        opts?.dims ?? specs[checkCollection(name)].dims,
        opts?.model ?? null,
      );
    },
    switchVersion: async (name, version) => switchVersion(ctx, checkCollection(name), version),
    dropVersion: async (name, version) => dropVersion(ctx, checkCollection(name), version),
    upsert: async (collection, records, opts) => {
      checkCollection(collection);
      return upsertRecords(ctx, collection, records, opts);
    },
    deleteBySourceIds: async (collection, ids) => deleteBySourceIds(ctx, checkCollection(collection), ids),
    deleteByFilter: async (collection, filter) => deleteByFilter(ctx, checkCollection(collection), filter),
    clear: async (collection) => clearCollection(ctx, checkCollection(collection)),
    search: async (collection, query, opts) => {
      checkCollection(collection);
      return searchCollection(ctx, collection, query, opts);
    },
    hippoRagMemorySearch: async (query, opts) => hippoRagMemorySearch(ctx, query, opts),
    characterContextSearch: async (query, opts) => characterContextSearch(ctx, query, opts),
    crossCharacterSearch: async (query, opts) => crossCharacterSearch(ctx, query, opts),
    embed: async (collection, texts) => {
      const c = checkCollection(collection);
      checkList(texts, 'texts', VECTORS_LIMITS.embedTexts, 'texts');
      texts.forEach((t, i) => {
        checkText(t, `texts[${i}]`);
      });
      return embedders[c].embed(texts);
    },
    stats,
    close: async () => {
      await engine?.close();
    },
  };
}
