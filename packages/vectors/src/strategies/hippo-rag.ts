import type { Schemas } from '@qdrant/js-client-rest';
import type { VectorsContext } from '../context.js';
import { VectorsValidationError } from '../errors.js';
import type { CollectionPayloads } from '../payloads.js';
import {
  candidateLists,
  checkCharacter,
  type FusionMethod,
  profileOf,
  type RetrievalMode,
  thresholdOf,
  type VectorQuery,
  withCharacter,
} from '../search.js';
import { checkCount } from '../validation.js';
import { memoryAbout } from './about.js';

type MemoryCollection = 'memory_embeddings' | 'character_memories';

/** Where a fused hit was found: its rank (1-based) and similarity in one collection's list. */
export interface MemoryMatch {
  collection: MemoryCollection;
  pointId: string;
  rank: number;
  similarity: number;
}

/** A candidate after fusion, before reranking. */
export interface FusedMemoryHit {
  /** What it is about: the fusion key across collections (`interaction:…`, `passage:…`, `entity:…`; see `memoryAbout`). */
  about: string;
  /** The collection of its best-ranked match (the primary on ties). */
  collection: MemoryCollection;
  pointId: string;
  sourceId: string;
  payload: CollectionPayloads[MemoryCollection];
  /** Σ weight / (k + rank) over the lists it appears in. */
  rrfScore: number;
  matches: MemoryMatch[];
}

/** A hit of `hippoRagMemorySearch`: `score` is the reranker's score, or the RRF score without a reranker. */
export interface MemorySearchHit extends FusedMemoryHit {
  score: number;
  rerankScore: number | null;
}

/** Scores fused candidates for the final order (higher first), e.g. a cross-encoder. */
export interface MemoryReranker {
  rerank(query: VectorQuery, candidates: readonly FusedMemoryHit[]): Promise<number[]> | number[];
}

/** Options of `hippoRagMemorySearch`. */
export interface HippoRagOptions {
  /** Only this character's memories. */
  character?: string;
  /** Default 10. */
  limit?: number;
  /** Hits taken from each collection before fusion. Default 3 × limit. */
  candidates?: number;
  /** RRF's k of the fusion across collections: larger flattens the difference between ranks. Default 60. */
  rrfK?: number;
  /** Weight of each list in the fusion. Default primary 1, fallback 0.5. */
  weights?: { memory_embeddings?: number; character_memories?: number };
  /** A reranker of the fused candidates; default none (`false`): the fused order is the answer. */
  rerank?: false | MemoryReranker;
  /** Default `hybrid`: within each collection, dense and BM25 prefetches fused by Qdrant. */
  mode?: RetrievalMode;
  /** Fusion within each collection in `hybrid`. Default `rrf`. */
  fusion?: FusionMethod;
  /** Fused candidates that are reranked (the rest are dropped). Default 2 × limit; at least `limit`. */
  rerankDepth?: number;
  /** Default `memory_recall` (hnsw_ef 128, threshold 0.7). */
  profile?: string;
  scoreThreshold?: number | null;
  /** Extra Qdrant filters per collection (e.g. entity_type, memory_type). */
  filters?: { memory_embeddings?: Schemas['Filter']; character_memories?: Schemas['Filter'] };
}

/**
 * Reciprocal rank fusion of ranked lists keyed by what each hit is about (`memoryAbout`):
 * Σ wᵢ / (k + rankᵢ), rank from 1.
 */
export function reciprocalRankFusion(
  lists: ReadonlyArray<{
    collection: MemoryCollection;
    weight: number;
    hits: ReadonlyArray<{
      pointId: string;
      sourceId: string;
      score: number;
      payload: CollectionPayloads[MemoryCollection];
    }>;
  }>,
  k: number,
): FusedMemoryHit[] {
  const fused = new Map<string, FusedMemoryHit & { bestRank: number; order: number }>();
  lists.forEach((list, listIndex) => {
    list.hits.forEach((hit, i) => {
      const rank = i + 1;
      const key = memoryAbout(list.collection, hit.payload, hit.sourceId || hit.pointId);
      const contribution = list.weight / (k + rank);
      const match: MemoryMatch = {
        collection: list.collection,
        pointId: hit.pointId,
        rank,
        similarity: hit.score,
      };
      const existing = fused.get(key);
      if (!existing) {
        fused.set(key, {
          about: key,
          collection: list.collection,
          pointId: hit.pointId,
          sourceId: hit.sourceId,
          payload: hit.payload,
          rrfScore: contribution,
          matches: [match],
          bestRank: rank,
          order: listIndex,
        });
        return;
      }
      existing.rrfScore += contribution;
      existing.matches.push(match);
      if (rank < existing.bestRank) {
        Object.assign(existing, {
          collection: list.collection,
          pointId: hit.pointId,
          sourceId: hit.sourceId,
          payload: hit.payload,
          bestRank: rank,
        });
      }
    });
  });
  return [...fused.values()]
    .sort(
      (a, b) =>
        b.rrfScore - a.rrfScore ||
        a.bestRank - b.bestRank ||
        a.order - b.order ||
        (a.pointId < b.pointId ? -1 : 1),
    )
    .map(({ bestRank: _r, order: _o, ...hit }) => hit);
}

/**
 * HippoRAG memory retrieval: `memory_embeddings` (entities and passages, primary) and
 * `character_memories` (fallback) searched hybrid within each collection (dense with each
 * collection's own model + BM25, fused by Qdrant), then fused across collections by Reciprocal
 * Rank Fusion on what the hits are about (`memoryAbout`: a passage ingested from an interaction
 * and that interaction's memory are one candidate), optionally reranked by a `MemoryReranker`.
 */
export async function hippoRagMemorySearch(
  ctx: VectorsContext,
  query: VectorQuery,
  options: HippoRagOptions = {},
): Promise<MemorySearchHit[]> {
  const started = performance.now();
  const limit = checkCount(options.limit ?? 10, 'limit');
  const candidates = checkCount(options.candidates ?? limit * 3, 'candidates');
  const k = options.rrfK ?? 60;
  if (!Number.isFinite(k) || k <= 0) throw new VectorsValidationError('rrfK', 'must be a positive number');
  const weights = { memory_embeddings: 1, character_memories: 0.5, ...options.weights };
  for (const [c, w] of Object.entries(weights))
    if (!Number.isFinite(w) || w < 0)
      throw new VectorsValidationError(`weights.${c}`, 'must be a non-negative number');
  const profile = profileOf(ctx, options.profile ?? 'memory_recall', 'memory_embeddings');
  const threshold = thresholdOf(profile, options.scoreThreshold);
  const characters =
    options.character === undefined ? undefined : [checkCharacter(options.character, 'character')];
  const collections: MemoryCollection[] = ['memory_embeddings', 'character_memories'];
  const filters = collections.map((c) =>
    withCharacter(ctx, c, characters, options.filters?.[c], `filters.${c}`),
  );
  const rerank = options.rerank ?? false;
  if (
    rerank !== false &&
    (typeof rerank !== 'object' || rerank === null || typeof rerank.rerank !== 'function')
  )
    throw new VectorsValidationError(
      'rerank',
      'must be false or a MemoryReranker ({ rerank(query, candidates) })',
    );
  const depth = checkCount(options.rerankDepth ?? limit * 2, 'rerankDepth');
  if (depth < limit) throw new VectorsValidationError('rerankDepth', `must be at least limit (${limit})`);
  const found = await candidateLists(ctx, query, collections, {
    mode: options.mode,
    fusion: options.fusion,
    filters,
    profile,
    threshold,
    candidates,
  });
  const lists = collections.map((c, i) => ({ collection: c, weight: weights[c], hits: found[i]! }));
  let fused = reciprocalRankFusion(lists, k);

  let scores: number[] | null = null;
  if (rerank !== false) {
    fused = fused.slice(0, depth);
    scores = await rerank.rerank(query, fused);
    if (!Array.isArray(scores) || scores.length !== fused.length || !scores.every(Number.isFinite))
      throw new VectorsValidationError(
        'rerank',
        `must return ${fused.length} finite scores, one per candidate`,
      );
  }
  const ranked = fused.map((hit, i) => ({
    ...hit,
    rerankScore: scores ? scores[i]! : null,
    score: scores ? scores[i]! : hit.rrfScore,
    fusedRank: i,
  }));
  // The sort is stable on the fused order, so equal rerank scores keep their RRF order.
  if (scores) ranked.sort((a, b) => b.score - a.score || a.fusedRank - b.fusedRank);
  ctx.latency.record('strategy:hippoRagMemorySearch', performance.now() - started);
  return ranked.slice(0, limit).map(({ fusedRank: _f, ...hit }) => hit);
}
