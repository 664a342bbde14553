import type { Schemas } from '@qdrant/js-client-rest';
import { call, type VectorsContext } from '../context.js';
import type { SparseVector } from '../embeddings/sparse/bm25.js';
import { VectorsValidationError } from '../errors.js';
import { checkList, VECTORS_LIMITS } from '../limits.js';
import {
  candidateStage,
  checkCharacter,
  checkFusion,
  checkMode,
  type FusionMethod,
  profileOf,
  queryVectors,
  type RetrievalMode,
  sparseQuery,
  thresholdOf,
  toHits,
  type VectorHit,
  type VectorQuery,
  withCharacter,
} from '../search.js';
import { checkCount, checkText } from '../validation.js';

/** Options of `characterContextSearch`. */
export interface CharacterContextOptions {
  /** The character whose memories are searched (`character_name`). */
  character: string;
  /** Default 10. */
  limit?: number;
  /** Nearest memories rescored by the decay. Default max(50, 5 × limit). */
  candidates?: number;
  /** Relative weight lost per day of age: score × e^(−rate × days). Default 0.1; 0 turns the decay off. */
  decayRate?: number;
  /** The clock the age is measured from. Default now. */
  now?: Date;
  /** Only these memory types. */
  memoryTypes?: string[];
  /** Default `character_context_search` (hnsw_ef 64, threshold 0.8 on the similarity). */
  profile?: string;
  scoreThreshold?: number | null;
  filter?: Schemas['Filter'];
  /** Default `hybrid`: dense and BM25 prefetches fused, then decayed. */
  mode?: RetrievalMode;
  /** Fusion of `hybrid`. Default `rrf`. */
  fusion?: FusionMethod;
}

/** A hit of `characterContextSearch`: `score` is the relevance (fused score in hybrid mode, similarity in dense) × decay. */
export interface CharacterContextHit extends VectorHit<'character_memories'> {
  /** Age in days at `now` (from `payload.timestamp`). */
  ageDays: number;
}

const DAY_SECONDS = 86_400;
/** The clock of a memory written without a timestamp: very old, in the formula and in `ageDays`. */
const UNDATED = '1970-01-01T00:00:00Z';

/**
 * The query body: the character's candidate memories — dense nearest (with the profile's threshold
 * on the similarity), BM25, or both fused by Qdrant (`mode`, default hybrid when `sparse` is
 * given) — in a prefetch of `candidates`, rescored by Qdrant's formula `$score × exp_decay(timestamp)`.
 * exp_decay is e^(ln(midpoint)/scale · |x − target|), so midpoint e^(−rate) at a one-day scale
 * gives e^(−rate · days). Exported so a caller of the raw Qdrant client (a benchmark baseline)
 * can send exactly what `characterContextSearch` sends.
 * @example
 * await client.query(collection, decayQuery({ vector, sparse: bm25.encodeQuery(text), filter, candidates: 50, limit: 5, hnswEf: 64, threshold: 0.25, decayRate: 0.1, now: new Date() }));
 */
export function decayQuery(args: {
  vector: number[];
  sparse?: SparseVector | null;
  mode?: RetrievalMode;
  fusion?: FusionMethod;
  filter: Schemas['Filter'] | undefined;
  candidates: number;
  limit: number;
  hnswEf: number;
  threshold: number | null;
  decayRate: number;
  now: Date;
}): Schemas['QueryRequest'] {
  const sparse = args.sparse ?? null;
  const stage = candidateStage({
    mode: args.mode ?? (sparse ? 'hybrid' : 'dense'),
    fusion: args.fusion ?? 'rrf',
    vector: args.vector,
    sparse,
    filter: args.filter,
    hnswEf: args.hnswEf,
    threshold: args.threshold,
    candidates: args.candidates,
  });
  return {
    prefetch: { ...stage, limit: args.candidates } as Schemas['Prefetch'],
    query: {
      formula: {
        mult: [
          '$score',
          {
            exp_decay: {
              x: { datetime_key: 'timestamp' },
              target: { datetime: args.now.toISOString() },
              scale: DAY_SECONDS,
              midpoint: Math.exp(-args.decayRate),
            },
          },
        ],
      },
      // A memory written without a timestamp counts as very old instead of failing the search.
      defaults: { timestamp: UNDATED },
    },
    limit: args.limit,
    with_payload: true,
  };
}

/**
 * One character's memories most relevant to the query now: similarity boosted toward recent
 * memories by an exponential temporal decay (0.1 per day by default), computed by Qdrant itself
 * with a formula query so only the final top-k crosses the wire.
 */
export async function characterContextSearch(
  ctx: VectorsContext,
  query: VectorQuery,
  options: CharacterContextOptions,
): Promise<CharacterContextHit[]> {
  const started = performance.now();
  if (typeof options !== 'object' || options === null)
    throw new VectorsValidationError('options', 'must be an object');
  if (options.character === undefined || options.character === '')
    throw new VectorsValidationError('character', 'is required');
  checkCharacter(options.character, 'character');
  const limit = checkCount(options.limit ?? 10, 'limit');
  const candidates = checkCount(options.candidates ?? Math.max(50, limit * 5), 'candidates');
  const decayRate = options.decayRate ?? 0.1;
  // e^(−rate) must stay a valid midpoint in (0, 1): rates beyond ~700 per day underflow to 0, and
  // rates below ~1.1e-16 round it to 1.
  if (
    !Number.isFinite(decayRate) ||
    decayRate < 0 ||
    decayRate > 700 ||
    (decayRate > 0 && Math.exp(-decayRate) === 1)
  )
    throw new VectorsValidationError(
      'decayRate',
      'must be 0 (no decay) or a number from 1.2e-16 to 700 (per day)',
    );
  const now = options.now ?? new Date();
  if (!(now instanceof Date) || Number.isNaN(now.getTime()))
    throw new VectorsValidationError('now', 'must be a valid Date');
  const profile = profileOf(ctx, options.profile ?? 'character_context_search', 'character_memories');
  const threshold = thresholdOf(profile, options.scoreThreshold);
  let filter = withCharacter(ctx, 'character_memories', [options.character], options.filter);
  if (options.memoryTypes !== undefined) {
    if (
      !Array.isArray(options.memoryTypes) ||
      options.memoryTypes.length === 0 ||
      !options.memoryTypes.every((t) => typeof t === 'string')
    )
      throw new VectorsValidationError('memoryTypes', 'must be a non-empty array of strings when given');
    checkList(options.memoryTypes, 'memoryTypes', VECTORS_LIMITS.memoryTypes, 'memory types');
    options.memoryTypes.forEach((t, i) => {
      checkText(t, `memoryTypes[${i}]`);
    });
    filter = {
      ...filter,
      must: [
        ...((filter?.must as Schemas['Condition'][]) ?? []),
        { key: 'memory_type', match: { any: options.memoryTypes } },
      ],
    };
  }
  const mode = checkMode(options.mode, 'hybrid');
  const fusion = checkFusion(options.fusion);
  const vector = (await queryVectors(ctx, query, ['character_memories'])).get('character_memories')!;
  const sparse = sparseQuery(ctx, query);
  const target = ctx.alias('character_memories');
  const body: Schemas['QueryRequest'] =
    decayRate === 0
      ? {
          ...candidateStage({
            mode,
            fusion,
            vector,
            sparse,
            filter,
            hnswEf: profile.hnswEf,
            threshold,
            candidates,
          }),
          limit,
          with_payload: true,
        }
      : decayQuery({
          vector,
          sparse,
          mode,
          fusion,
          filter,
          candidates,
          limit,
          hnswEf: profile.hnswEf,
          threshold,
          decayRate,
          now,
        });
  const queryStarted = performance.now();
  const result = await call(`search ${target}`, () => ctx.client.query(target, body));
  ctx.latency.record(profile.name, performance.now() - queryStarted);
  const hits = toHits(ctx, 'character_memories', result.points).map((hit) => ({
    ...hit,
    ageDays: (now.getTime() - Date.parse(hit.payload.timestamp ?? UNDATED)) / 86_400_000,
  }));
  ctx.latency.record('strategy:characterContextSearch', performance.now() - started);
  return hits;
}
