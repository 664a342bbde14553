import type { VectorsContext } from '../context.js';
import { VectorsValidationError } from '../errors.js';
import { checkList, VECTORS_LIMITS } from '../limits.js';
import type { CollectionPayloads } from '../payloads.js';
import {
  candidateLists,
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

/** Options of `crossCharacterSearch`. */
export interface CrossCharacterOptions {
  /** The characters whose memories are searched (at least one). */
  characters: string[];
  /** Fixed per-character weights (default 1 each). */
  weights?: Record<string, number>;
  /** Recent usage per character (e.g. interactions this week): adapts the weights toward busy characters. */
  usage?: Record<string, number>;
  /** Weight of each collection in the average. Default 0.5 and 0.5. */
  collectionWeights?: { memory_embeddings?: number; character_memories?: number };
  /** Default 10. */
  limit?: number;
  /** Hits taken from each collection before combining. Default 3 × limit. */
  candidates?: number;
  /** Default `memory_recall`. */
  profile?: string;
  scoreThreshold?: number | null;
  /** Default `hybrid` within each collection (the per-collection score is then the fused score). */
  mode?: RetrievalMode;
  /** Fusion of `hybrid`. Default `rrf`. */
  fusion?: FusionMethod;
}

/** A hit of `crossCharacterSearch`: one memory of one character (see `memoryAbout`). */
export interface CrossCharacterHit {
  character: string;
  /** What the memory is about: `interaction:…`, `passage:…` or `entity:…`. */
  about: string;
  /** The source id of its best-scoring point. */
  sourceId: string;
  /** The collection that contributed most to the score. */
  collection: MemoryCollection;
  pointId: string;
  payload: CollectionPayloads[MemoryCollection];
  /** characterWeight × Σ collectionWeight·score / Σ collectionWeight (absent = 0). */
  score: number;
  /** The character's weight, normalized so the characters' weights average 1. */
  characterWeight: number;
  similarities: { memory_embeddings?: number; character_memories?: number };
}

/**
 * The effective per-character weights: fixed weight × (usage + 1) (Laplace-smoothed, so an
 * unused character still counts), normalized to average 1 so that equal weights leave the scores
 * unchanged.
 */
export function characterWeights(
  characters: readonly string[],
  weights: Record<string, number> | undefined,
  usage: Record<string, number> | undefined,
): Map<string, number> {
  const raw = characters.map((c) => {
    const w = weights?.[c] ?? 1;
    const u = usage ? (usage[c] ?? 0) : 0;
    if (!Number.isFinite(w) || w < 0)
      throw new VectorsValidationError(`weights.${c}`, 'must be a non-negative number');
    if (!Number.isFinite(u) || u < 0)
      throw new VectorsValidationError(`usage.${c}`, 'must be a non-negative number');
    return w * (usage ? u + 1 : 1);
  });
  const total = raw.reduce((s, w) => s + w, 0);
  if (total === 0) throw new VectorsValidationError('weights', 'must not all be 0');
  return new Map(characters.map((c, i) => [c, (raw[i]! * characters.length) / total]));
}

/**
 * Memories relevant to the query across several characters: both memory collections searched
 * (hybrid) for all of them at once, each memory's scores — keyed by what it is about, so an
 * interaction's character memory and the passage ingested from it are one memory — averaged with
 * the collection weights, then scaled by its character's weight (fixed, or adapted from recent
 * usage per character, e.g. the analytics' interaction counts, when given).
 */
export async function crossCharacterSearch(
  ctx: VectorsContext,
  query: VectorQuery,
  options: CrossCharacterOptions,
): Promise<CrossCharacterHit[]> {
  const started = performance.now();
  if (typeof options !== 'object' || options === null)
    throw new VectorsValidationError('options', 'must be an object');
  if (!Array.isArray(options.characters) || options.characters.length === 0)
    throw new VectorsValidationError('characters', 'must be a non-empty array of character names');
  checkList(options.characters, 'characters', VECTORS_LIMITS.characters, 'characters');
  const characters = [...new Set(options.characters)];
  const limit = checkCount(options.limit ?? 10, 'limit');
  const candidates = checkCount(options.candidates ?? limit * 3, 'candidates');
  const cw = { memory_embeddings: 0.5, character_memories: 0.5, ...options.collectionWeights };
  for (const [c, w] of Object.entries(cw))
    if (!Number.isFinite(w) || w < 0)
      throw new VectorsValidationError(`collectionWeights.${c}`, 'must be a non-negative number');
  const cwTotal = cw.memory_embeddings + cw.character_memories;
  if (cwTotal === 0) throw new VectorsValidationError('collectionWeights', 'must not both be 0');
  const charWeights = characterWeights(characters, options.weights, options.usage);
  const profile = profileOf(ctx, options.profile ?? 'memory_recall', 'memory_embeddings');
  const threshold = thresholdOf(profile, options.scoreThreshold);
  const collections: MemoryCollection[] = ['memory_embeddings', 'character_memories'];
  const lists = await candidateLists(ctx, query, collections, {
    mode: options.mode,
    fusion: options.fusion,
    filters: collections.map((c) => withCharacter(ctx, c, characters, undefined)),
    profile,
    threshold,
    candidates,
  });

  const combined = new Map<string, Omit<CrossCharacterHit, 'score' | 'characterWeight'> & { best: number }>();
  lists.forEach((hits, i) => {
    const collection = collections[i]!;
    const field = ctx.specs[collection].characterField;
    for (const hit of hits) {
      const character = String((hit.payload as Record<string, unknown>)[field]);
      const about = memoryAbout(collection, hit.payload, hit.sourceId);
      const key = `${character}/${about}`;
      const weighted = cw[collection] * hit.score;
      const entry = combined.get(key);
      if (!entry) {
        combined.set(key, {
          character,
          about,
          sourceId: hit.sourceId,
          collection,
          pointId: hit.pointId,
          payload: hit.payload,
          similarities: { [collection]: hit.score },
          best: weighted,
        });
      } else {
        entry.similarities[collection] = Math.max(entry.similarities[collection] ?? -Infinity, hit.score);
        if (weighted > entry.best)
          Object.assign(entry, {
            collection,
            pointId: hit.pointId,
            sourceId: hit.sourceId,
            payload: hit.payload,
            best: weighted,
          });
      }
    }
  });
  const out: CrossCharacterHit[] = [...combined.values()].map(({ best: _b, ...entry }) => {
    const weight = charWeights.get(entry.character) ?? 0;
    const avg =
      (cw.memory_embeddings * (entry.similarities.memory_embeddings ?? 0) +
        cw.character_memories * (entry.similarities.character_memories ?? 0)) /
      cwTotal;
    return { ...entry, characterWeight: weight, score: weight * avg };
  });
  out.sort((a, b) => b.score - a.score || (a.pointId < b.pointId ? -1 : a.pointId > b.pointId ? 1 : 0));
  ctx.latency.record('strategy:crossCharacterSearch', performance.now() - started);
  return out.slice(0, limit);
}
