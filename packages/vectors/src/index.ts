// @monsteros/vectors: MonsterOS collections (specs, provisioning, versions behind aliases),
// writes with deterministic ids, search profiles, the memory search strategies, and embeddings.
// The embedded Qdrant-compatible engine it can run on is its own package, `@monsteros/qdrant-local`.

export type { EngineTelemetry, QdrantClientLike } from '@monsteros/qdrant-local';
export {
  type Bm25LengthSpec,
  COLLECTION_NAMES,
  COLLECTION_SPECS,
  type CollectionOverride,
  type CollectionSpec,
  EMBEDDING_MODEL_KEY,
  type PayloadIndexSpec,
  type ShardingSpec,
  SPARSE_VECTOR,
} from './collections.js';
export { createVectors } from './create-vectors.js';
export {
  type CachedEmbeddingProvider,
  type EmbeddingCacheStats,
  withEmbeddingCache,
} from './embeddings/cache.js';
export { createLocalEmbedder, type LocalEmbedderOptions } from './embeddings/dense/local.js';
export { createOpenAIEmbeddings, type OpenAIEmbeddingsOptions } from './embeddings/dense/openai.js';
export {
  type ConceptLexicon,
  type WeightedConcept,
  type WordNetLexiconOptions,
  wordNetLexicon,
} from './embeddings/dense/wordnet.js';
export type { EmbeddingProvider } from './embeddings/provider.js';
export {
  type Bm25Encoder,
  type Bm25EncoderOptions,
  createBm25Encoder,
  type SparseVector,
  termId,
} from './embeddings/sparse/bm25.js';
export {
  CollectionDriftError,
  EmbeddingDimensionError,
  EmbeddingModelChangedError,
  EmbeddingsError,
  QdrantRequestError,
  ReembedTextMissingError,
  type VectorConfig,
  VectorsError,
  type VectorsErrorCode,
  VectorsValidationError,
} from './errors.js';
export { isUuid, pointIdFor } from './ids.js';
export { VECTORS_LIMITS } from './limits.js';
export type {
  CharacterMemoryPayload,
  CollectionName,
  CollectionPayloads,
  DocumentVectorPayload,
  KnowledgeGraphVectorPayload,
  MemoryEmbeddingPayload,
} from './payloads.js';
export { type BuiltInProfileName, SEARCH_PROFILES, type SearchProfile } from './profiles.js';
export type { EnsuredCollection, ReembedResult } from './provisioning.js';
export type {
  AnyVectorHit,
  FusionMethod,
  RetrievalMode,
  SearchOptions,
  VectorHit,
  VectorQuery,
} from './search.js';
export type { CollectionStats, LatencySummary, VectorsStats } from './stats.js';
export { memoryAbout } from './strategies/about.js';
export {
  type CharacterContextHit,
  type CharacterContextOptions,
  decayQuery,
} from './strategies/character-context.js';
export {
  type CrossCharacterHit,
  type CrossCharacterOptions,
  characterWeights,
} from './strategies/cross-character.js';
export {
  type FusedMemoryHit,
  type HippoRagOptions,
  type MemoryMatch,
  type MemoryReranker,
  type MemorySearchHit,
  reciprocalRankFusion,
} from './strategies/hippo-rag.js';
export type { QdrantTarget, VectorsOptions } from './vectors-options.js';
export type { Vectors } from './vectors-types.js';
export type { UpsertOptions, UpsertRecord, UpsertResult } from './writes.js';
