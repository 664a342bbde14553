import type { Schemas } from '@qdrant/js-client-rest';
import { call, type VectorsContext } from '../context.js';
import { VectorsValidationError } from '../errors.js';
import type { CollectionPayloads } from '../payloads.js';
import { nearest, profileOf, queryVectors, thresholdOf, type VectorQuery, withCharacter } from '../search.js';
import { checkCount } from '../validation.js';

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
  /** The collection of its best-ranked match (the primary on ties). */
  collection: MemoryCollection;
  pointId: string;
  sourceId: string;
  payload: CollectionPayloads[MemoryCollection];
  /** Σ weight / (k + rank) over the lists it appears in. */
  rrfScore: number;
  matches: MemoryMatch[];
}

/** A hit of `hippoRagMemorySearch`: `score` is the rerank score, or the RRF score when reranking is off. */
export interface MemorySearchHit extends FusedMemoryHit {
  score: number;
  rerankScore: number | null;
}

/**
 * Scores fused candidates for the final order (higher first). The default reranker is the exact
 * cosine similarity of the query to each candidate's stored vector.
 */
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
  /** RRF's k: larger flattens the difference between ranks. Default 60. */
  rrfK?: number;
  /** Weight of each list in the fusion. Default primary 1, fallback 0.5. */
  weights?: { memory_embeddings?: number; character_memories?: number };
  /** `true` (default): exact similarity; `false`: keep the RRF order; or your own reranker. */
  rerank?: boolean | MemoryReranker;
  /** Fused candidates that are reranked (the rest are dropped). Default 2 × limit; at least `limit`. */
  rerankDepth?: number;
  /** Default `memory_recall` (hnsw_ef 128, threshold 0.7). */
  profile?: string;
  scoreThreshold?: number | null;
  /** Extra Qdrant filters per collection (e.g. entity_type, memory_type). */
  filters?: { memory_embeddings?: Schemas['Filter']; character_memories?: Schemas['Filter'] };
}

/** Reciprocal rank fusion of ranked lists keyed by source id: Σ wᵢ / (k + rankᵢ), rank from 1. */
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
      const key = hit.sourceId || `${list.collection}/${hit.pointId}`;
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

function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** The stored vectors of the candidates' points, one retrieve per collection. */
async function storedVectors(
  ctx: VectorsContext,
  fused: readonly FusedMemoryHit[],
): Promise<Map<string, number[]>> {
  const ids = new Map<MemoryCollection, string[]>();
  for (const hit of fused)
    for (const m of hit.matches) ids.set(m.collection, [...(ids.get(m.collection) ?? []), m.pointId]);
  const out = new Map<string, number[]>();
  await Promise.all(
    [...ids].map(async ([collection, pointIds]) => {
      const target = ctx.alias(collection);
      const records = await call(`read vectors from ${target}`, () =>
        ctx.client.retrieve(target, { ids: pointIds, with_vector: true, with_payload: false }),
      );
      for (const r of records)
        if (Array.isArray(r.vector)) out.set(`${collection}/${r.id}`, r.vector as number[]);
    }),
  );
  return out;
}

/**
 * HippoRAG memory retrieval: nearest entities in `memory_embeddings` (primary) and nearest
 * memories in `character_memories` (fallback) — each with the query embedded by its own model —
 * fused by Reciprocal Rank Fusion on the source id (the two similarity scales are not
 * comparable, their ranks are), then reranked by exact similarity or a pluggable reranker.
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
  const characters = options.character === undefined ? undefined : [options.character];
  const collections: MemoryCollection[] = ['memory_embeddings', 'character_memories'];
  const filters = collections.map((c) => withCharacter(ctx, c, characters, options.filters?.[c]));
  const rerank = options.rerank ?? true;
  const depth = checkCount(options.rerankDepth ?? limit * 2, 'rerankDepth');
  if (depth < limit) throw new VectorsValidationError('rerankDepth', `must be at least limit (${limit})`);

  const vectors = await queryVectors(ctx, query, collections);
  const lists = await Promise.all(
    collections.map(async (c, i) => ({
      collection: c,
      weight: weights[c],
      hits: await nearest(ctx, c, vectors.get(c)!, {
        profile,
        threshold,
        limit: candidates,
        ...(filters[i] ? { filter: filters[i] } : {}),
      }),
    })),
  );
  let fused = reciprocalRankFusion(lists, k);

  let scores: number[] | null = null;
  if (rerank === true) {
    fused = fused.slice(0, depth);
    const stored = await storedVectors(ctx, fused);
    // Best exact similarity over the collections a candidate was found in, each against its own query vector.
    scores = fused.map((hit) =>
      Math.max(
        ...hit.matches.map((m) => {
          const v = stored.get(`${m.collection}/${m.pointId}`);
          return v ? cosine(vectors.get(m.collection)!, v) : m.similarity;
        }),
      ),
    );
  } else if (rerank !== false) {
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
