// The public types of `createVectors`: the object it returns.
import type { QdrantClientLike } from '@monsteros/qdrant-local';
import type { Schemas } from '@qdrant/js-client-rest';
import type { CollectionSpec } from './collections.js';
import type { CollectionName } from './payloads.js';
import type { EnsuredCollection, ReembedResult } from './provisioning.js';
import type { SearchOptions, VectorHit, VectorQuery } from './search.js';
import type { VectorsStats } from './stats.js';
import type { CharacterContextHit, CharacterContextOptions } from './strategies/character-context.js';
import type { CrossCharacterHit, CrossCharacterOptions } from './strategies/cross-character.js';
import type { HippoRagOptions, MemorySearchHit } from './strategies/hippo-rag.js';
import type { UpsertOptions, UpsertRecord, UpsertResult } from './writes.js';

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
