/** How one kind of search runs: HNSW beam width and the lowest similarity worth returning. */
export interface SearchProfile {
  /** Qdrant's `hnsw_ef`: larger is more exact and slower (the local mode is always exact). */
  hnswEf: number;
  /** Hits below this similarity are dropped by Qdrant. */
  scoreThreshold: number;
}

/** The built-in profiles. */
export const SEARCH_PROFILES = {
  memory_recall: { hnswEf: 128, scoreThreshold: 0.7 },
  character_context_search: { hnswEf: 64, scoreThreshold: 0.8 },
  document_similarity: { hnswEf: 256, scoreThreshold: 0.6 },
} as const satisfies Record<string, SearchProfile>;

/** Names of the built-in profiles; `createVectors({ profiles })` can add more or override these. */
export type BuiltInProfileName = keyof typeof SEARCH_PROFILES;
