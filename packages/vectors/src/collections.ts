import type { CollectionName } from './payloads.js';

/** A payload index as Qdrant's `field_schema` declares it. */
export type PayloadIndexSpec =
  | 'keyword'
  | 'float'
  | 'integer'
  | 'datetime'
  | 'uuid'
  | 'bool'
  | { type: 'text'; tokenizer: 'word' | 'whitespace' | 'prefix' | 'multilingual'; lowercase: boolean };

/** Qdrant distributed-mode settings of a collection; single-node Qdrant and the local mode accept them as well. */
export interface ShardingSpec {
  /** Default 1. */
  shard_number: number;
  /** Default 1 (2+ needs a cluster with as many nodes). */
  replication_factor: number;
  /** Default 1: replicas that must acknowledge a write. */
  write_consistency_factor: number;
}

/** Everything MonsterOS declares about one collection, once. */
export interface CollectionSpec {
  name: CollectionName;
  /** What the collection holds. */
  description: string;
  dims: number;
  distance: 'Cosine';
  /** The payload field holding the source row's UUID: point ids derive from it, deletes select by it. */
  sourceIdField: string;
  /** The payload field naming the character the point belongs to. */
  characterField: string;
  payloadIndexes: Record<string, PayloadIndexSpec>;
  hnsw: { m: number; ef_construct: number; full_scan_threshold: number };
  sharding: ShardingSpec;
  /** Physical collections are `<alias>__v<version>`; a new version is built beside the old one. */
  version: number;
  /** How the points' BM25 sparse vectors normalize document length (see `Bm25LengthSpec`). */
  bm25: Bm25LengthSpec;
}

/**
 * The average length, in BM25 terms (stop words out), of the texts a collection's points are
 * ranked against: BM25's `b` weighs a text's length against it. One figure per collection, or
 * per value of a payload field where one collection holds texts of different kinds (HippoRAG's
 * entity names and passages); measured on what each holds, not tuned on recall.
 */
export interface Bm25LengthSpec {
  avgDocLength: number;
  /** Another average for the points whose payload `field` has one of these values. */
  byKind?: { field: string; lengths: Record<string, number> };
}

/** The encoding of the collections created before `bm25` was declared: 8 terms for every point. */
export const LEGACY_BM25_LENGTHS: Bm25LengthSpec = { avgDocLength: 8 };

const singleNode: ShardingSpec = { shard_number: 1, replication_factor: 1, write_consistency_factor: 1 };

/**
 * The MonsterOS collections. Qdrant's defaults (m 16, ef_construct 100, full_scan_threshold
 * 10,000) except where the memory graph needs a better index.
 */
export const COLLECTION_SPECS: Readonly<Record<CollectionName, CollectionSpec>> = {
  memory_embeddings: {
    name: 'memory_embeddings',
    description: 'HippoRAG entity embeddings (memory_entities rows)',
    dims: 768,
    distance: 'Cosine',
    sourceIdField: 'entity_id',
    characterField: 'character_context',
    payloadIndexes: {
      entity_id: 'keyword',
      entity_type: 'keyword',
      character_context: 'keyword',
      timestamp: 'datetime',
      importance_score: 'float',
    },
    hnsw: { m: 16, ef_construct: 200, full_scan_threshold: 10_000 },
    sharding: singleNode,
    version: 1,
    // Entity names ≈ 1.9 terms, passages ≈ 46 (musique-dev), but kept at the original 8: with the
    // true lengths the memory eval's passage search went 29.8 / 45.3 → 30.7 / 42.3 (r@2 / r@5),
    // further from plain BM25's r@5, because the collection's IDF also counts the entity names
    // (see the memory README). `byKind: { field: 'entity_type', lengths: { passage: 46 } }` then.
    bm25: { avgDocLength: 8 },
  },
  character_memories: {
    name: 'character_memories',
    description: 'what characters learned in interactions (character_interactions rows)',
    dims: 384,
    distance: 'Cosine',
    sourceIdField: 'interaction_id',
    characterField: 'character_name',
    payloadIndexes: {
      character_name: 'keyword',
      memory_type: 'keyword',
      interaction_id: 'keyword',
      user_context: { type: 'text', tokenizer: 'word', lowercase: true },
      learning_value: 'float',
    },
    hnsw: { m: 16, ef_construct: 100, full_scan_threshold: 10_000 },
    sharding: singleNode,
    version: 1,
    // One or two sentences (`pnpm --filter @monsteros/vectors eval` measures about 8 terms).
    bm25: { avgDocLength: 8 },
  },
  document_vectors: {
    name: 'document_vectors',
    description: 'chunks of processed documents',
    dims: 1024,
    distance: 'Cosine',
    sourceIdField: 'document_id',
    characterField: 'processed_by',
    payloadIndexes: {
      document_id: 'keyword',
      document_type: 'keyword',
      processed_by: 'keyword',
      extraction_quality: 'float',
    },
    hnsw: { m: 16, ef_construct: 100, full_scan_threshold: 10_000 },
    sharding: singleNode,
    version: 1,
    // Not measured (no chunker writes here yet): the original figure, so nothing is re-encoded.
    bm25: { avgDocLength: 8 },
  },
  knowledge_graph_vectors: {
    name: 'knowledge_graph_vectors',
    description: 'HippoRAG facts: "subject predicate object" of memory_triples rows',
    dims: 768,
    distance: 'Cosine',
    sourceIdField: 'triple_id',
    characterField: 'character_context',
    payloadIndexes: {
      triple_id: 'keyword',
      character_context: 'keyword',
      subject_id: 'keyword',
      object_id: 'keyword',
      passage_id: 'keyword',
    },
    hnsw: { m: 16, ef_construct: 200, full_scan_threshold: 10_000 },
    sharding: singleNode,
    version: 1,
    // "subject predicate object" ≈ 5.8 terms (musique-dev's 8,638 triples).
    bm25: { avgDocLength: 6 },
  },
};

/** The logical collection names, in spec order. */
export const COLLECTION_NAMES = Object.keys(COLLECTION_SPECS) as CollectionName[];

/** Per-collection changes to a spec (`createVectors({ collections })`): a different model size, a cluster's sharding. */
export interface CollectionOverride {
  dims?: number;
  version?: number;
  sharding?: Partial<ShardingSpec>;
}

/** The spec with overrides applied. */
export function resolveSpec(name: CollectionName, override: CollectionOverride | undefined): CollectionSpec {
  const base = COLLECTION_SPECS[name];
  return {
    ...base,
    dims: override?.dims ?? base.dims,
    version: override?.version ?? base.version,
    sharding: { ...base.sharding, ...override?.sharding },
  };
}

/**
 * The name of every MonsterOS point's sparse vector: BM25 term weights of its text
 * (`createBm25Encoder`), the IDF applied by Qdrant from the collection (`modifier: "idf"`). The
 * dense vector stays the unnamed default one.
 */
export const SPARSE_VECTOR = 'bm25';

/** The sparse vector declaration of every MonsterOS collection. */
const SPARSE_VECTOR_PARAMS = { [SPARSE_VECTOR]: { modifier: 'idf' as const } };

/**
 * The text a point's sparse vector encodes: what was embedded (`payload.text`), else the
 * entity's `name`. Migration re-encodes existing points from it.
 */
export function sparseTextOf(payload: Record<string, unknown>): string | undefined {
  const text = payload.text ?? payload.name;
  return typeof text === 'string' && text.length > 0 ? text : undefined;
}

/** The average length a point's sparse vector is encoded with (its kind's, else the collection's). */
export function avgDocLengthOf(spec: Bm25LengthSpec, payload: Record<string, unknown>): number {
  const kind = spec.byKind ? payload[spec.byKind.field] : undefined;
  return (typeof kind === 'string' ? spec.byKind?.lengths[kind] : undefined) ?? spec.avgDocLength;
}

/** The collection metadata key recording how its sparse vectors were encoded (`bm25EncodingOf`). */
export const BM25_ENCODING_KEY = 'monsteros_bm25';

/**
 * The stable text of a length spec, stored in the collection's metadata: a live collection whose
 * recorded encoding differs (none recorded: `LEGACY_BM25_LENGTHS`) is re-encoded by `ensureCollections`.
 */
export function bm25EncodingOf(spec: Bm25LengthSpec): string {
  const kinds = spec.byKind
    ? `;${spec.byKind.field}:${Object.entries(spec.byKind.lengths)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => `${k}=${v}`)
        .join(',')}`
    : '';
  return `avgdl=${spec.avgDocLength}${kinds}`;
}

/**
 * The collection metadata key holding the id of the embedding model its dense vectors come from
 * (`EmbeddingProvider.model`, else its `id`); `ensureCollections` compares it with the configured model.
 */
export const EMBEDDING_MODEL_KEY = 'embedding_model';

/**
 * The body of Qdrant's PUT /collections/{name} for a spec; `model` (the embedding model) is
 * recorded in the metadata when known.
 */
export function createCollectionBody(spec: CollectionSpec, dims = spec.dims, model: string | null = null) {
  return {
    vectors: { size: dims, distance: spec.distance },
    sparse_vectors: SPARSE_VECTOR_PARAMS,
    hnsw_config: { ...spec.hnsw },
    shard_number: spec.sharding.shard_number,
    replication_factor: spec.sharding.replication_factor,
    write_consistency_factor: spec.sharding.write_consistency_factor,
    metadata: {
      monsteros_collection: spec.name,
      [BM25_ENCODING_KEY]: bm25EncodingOf(spec.bm25),
      ...(model === null ? {} : { [EMBEDDING_MODEL_KEY]: model }),
    },
  };
}
