// The HippoRAG memory: what `@monsteros/flows` exports of it.
export {
  buildCharacterGraph,
  type CharacterGraph,
  type MemoryGraphSnapshot,
  type ScoredPassage,
  scorePassages,
} from './character-graph.js';
export {
  createGraphCache,
  type GraphCache,
  type GraphCacheStats,
  type GraphSource,
  relationalGraphSource,
} from './graph-cache.js';
export { type IngestInput, MemoryInputError, type RetrieveInput, type Triple } from './input.js';
export type { LinkedEntity, Linking } from './link.js';
export {
  type CarryingEntity,
  createMemory,
  type IngestResult,
  type Memory,
  type MemoryOptions,
  type MemoryRetrieval,
  memoryOutboxHandlers,
  type RetrievedPassage,
} from './memory.js';
export { type MemoryOperationEntry, type MemoryOperationType, recordMemoryOperation } from './operations.js';
export { type Personalization, type PprOptions, type PprResult, personalizedPageRank } from './ppr.js';
export { MEMORY_INGESTED, type MemoryIngestedPayload, type SideEffectResult } from './side-effects.js';
export { buildSparseGraph, type EdgeColumns, type SparseGraph } from './sparse-graph.js';
