import { unstorableTextRule } from '@monsteros/schema';
import type { Schemas } from '@qdrant/js-client-rest';
import { SPARSE_VECTOR } from './collections.js';
import { call, type VectorsContext } from './context.js';
import type { SparseVector } from './embeddings/sparse/bm25.js';
import { VectorsValidationError } from './errors.js';
import { checkFilter, VECTORS_LIMITS } from './limits.js';
import type { CollectionName, CollectionPayloads } from './payloads.js';
import type { SearchProfile } from './profiles.js';
import { checkCount, checkText, checkVector } from './validation.js';
import { checkEmbeddings } from './writes.js';

/** One search result: the point, the source row it came from, and which collection. */
export interface VectorHit<C extends CollectionName = CollectionName> {
  collection: C;
  pointId: string;
  /** The source row's UUID (`entity_id`, `interaction_id` or `document_id`). */
  sourceId: string;
  score: number;
  payload: CollectionPayloads[C];
}

/** A hit from any collection, narrowed by `collection`. */
export type AnyVectorHit = { [C in CollectionName]: VectorHit<C> }[CollectionName];

/**
 * A query: text (embedded once per provider), a ready vector of the collection's size, or ready
 * vectors per collection (strategies that search collections of different sizes).
 */
export type VectorQuery =
  | string
  | { vector: ArrayLike<number> }
  | { vectors: Partial<Record<CollectionName, ArrayLike<number>>> };

/**
 * How a search finds candidates: `dense` (nearest by meaning, the profile's threshold on the
 * similarity), `sparse` (BM25 over the exact words, IDF from the collection), or `hybrid` (both as
 * prefetches, fused by Qdrant; the dense prefetch keeps the threshold). A query given as vectors
 * has no words: it is searched dense.
 */
export type RetrievalMode = 'dense' | 'sparse' | 'hybrid';

/** How `hybrid` fuses its two lists: Qdrant's Reciprocal Rank Fusion or Distribution-Based Score Fusion. */
export type FusionMethod = 'rrf' | 'dbsf';

/** Options of `search`. */
export interface SearchOptions {
  /** Default `dense` (similarity scores against the profile's threshold); strategies default to `hybrid`. */
  mode?: RetrievalMode;
  /** Fusion of `hybrid`. Default `rrf`. */
  fusion?: FusionMethod;
  /** Profile name; default by collection: memory_recall, character_context_search, document_similarity. */
  profile?: string;
  /** Replaces the profile's threshold; `null` returns every hit. */
  scoreThreshold?: number | null;
  /** Default 10. */
  limit?: number;
  /** Only this character's points (`character_context`, `character_name` or `processed_by`). */
  character?: string;
  /** Any Qdrant filter, combined with `character`. */
  filter?: Schemas['Filter'];
}

const DEFAULT_PROFILE: Record<CollectionName, string> = {
  memory_embeddings: 'memory_recall',
  knowledge_graph_vectors: 'memory_recall',
  character_memories: 'character_context_search',
  document_vectors: 'document_similarity',
};

export function profileOf(
  ctx: VectorsContext,
  name: string | undefined,
  collection: CollectionName,
): SearchProfile & { name: string } {
  const key = name ?? DEFAULT_PROFILE[collection];
  const profile = Object.hasOwn(ctx.profiles, key) ? ctx.profiles[key] : undefined;
  if (!profile)
    throw new VectorsValidationError(
      'profile',
      `unknown search profile ${JSON.stringify(key)}; expected one of ${Object.keys(ctx.profiles).join(', ')}`,
    );
  return { ...profile, name: key };
}

export function thresholdOf(profile: SearchProfile, override: number | null | undefined): number | null {
  if (override === undefined) return profile.scoreThreshold;
  if (override !== null && !Number.isFinite(override))
    throw new VectorsValidationError('scoreThreshold', 'must be a finite number or null');
  return override;
}

/** Which kind of query this is, read once (a proxy that throws on the read is refused, naming `query`). */
function queryShape(query: unknown): 'text' | 'vector' | 'vectors' {
  if (typeof query !== 'object' || query === null) return 'text';
  try {
    if ('vector' in query) return 'vector';
    if ('vectors' in query) return 'vectors';
  } catch {
    throw new VectorsValidationError('query', 'must be plain data (reading it threw)');
  }
  throw new VectorsValidationError('query', 'must be a text, { vector } or { vectors }');
}

/**
 * Embeds a text query once per distinct provider (collections of the same model share one
 * call), or checks a ready vector against each collection's size.
 */
export async function queryVectors(
  ctx: VectorsContext,
  query: VectorQuery,
  collections: readonly CollectionName[],
): Promise<Map<CollectionName, number[]>> {
  const out = new Map<CollectionName, number[]>();
  const shape = queryShape(query);
  if (shape === 'vector' && typeof query === 'object' && 'vector' in query) {
    let given: unknown;
    try {
      given = query.vector;
    } catch {
      throw new VectorsValidationError('query.vector', 'must be plain data (reading it threw)');
    }
    for (const c of collections) out.set(c, checkVector(given, ctx.specs[c].dims, 'query.vector'));
    return out;
  }
  if (shape === 'vectors' && typeof query === 'object' && 'vectors' in query) {
    for (const c of collections) {
      let given: unknown;
      try {
        given = query.vectors?.[c];
      } catch {
        throw new VectorsValidationError(`query.vectors.${c}`, 'must be plain data (reading it threw)');
      }
      out.set(c, checkVector(given, ctx.specs[c].dims, `query.vectors.${c}`));
    }
    return out;
  }
  const text = checkText(query, 'query');
  const byProvider = new Map<object, CollectionName[]>();
  for (const c of collections) {
    const p = ctx.embedders[c];
    byProvider.set(p, [...(byProvider.get(p) ?? []), c]);
  }
  await Promise.all(
    [...byProvider.values()].map(async (cs) => {
      const provider = ctx.embedders[cs[0]!];
      const vectors = await provider.embed([text]);
      checkEmbeddings(provider, [text], vectors);
      const v = Array.from(vectors[0]!);
      for (const c of cs) out.set(c, v);
    }),
  );
  return out;
}

/** The BM25 query of a text query (null for ready vectors, which carry no words). */
export function sparseQuery(ctx: VectorsContext, query: VectorQuery): SparseVector | null {
  return typeof query === 'string' ? ctx.bm25.encodeQuery(query) : null;
}

export function checkMode(mode: unknown, fallback: RetrievalMode): RetrievalMode {
  if (mode === undefined) return fallback;
  if (mode !== 'dense' && mode !== 'sparse' && mode !== 'hybrid')
    throw new VectorsValidationError('mode', 'must be "dense", "sparse" or "hybrid"');
  return mode;
}

export function checkFusion(fusion: unknown): FusionMethod {
  if (fusion === undefined) return 'rrf';
  if (fusion !== 'rrf' && fusion !== 'dbsf')
    throw new VectorsValidationError('fusion', 'must be "rrf" or "dbsf"');
  return fusion;
}

/** What a candidate stage needs: the two query vectors, the mode, and the dense prefetch's settings. */
export interface StageArgs {
  mode: RetrievalMode;
  fusion: FusionMethod;
  vector: number[];
  sparse: SparseVector | null;
  filter: Schemas['Filter'] | undefined;
  hnswEf: number;
  /** On the dense similarity only (BM25 scores have no fixed scale). */
  threshold: number | null;
  /** Candidates taken by each prefetch of a hybrid stage. */
  candidates: number;
}

/**
 * The query fields that find candidates in `mode` (everything but `limit` and `with_*`): a dense
 * nearest query, a sparse one (`using: "bm25"`), or both as prefetches fused by `fusion`. A query
 * without words (only stop words, or ready vectors) falls back to dense; `sparse` then finds nothing.
 */
export function candidateStage(args: StageArgs): Schemas['QueryRequest'] {
  const filter = args.filter ? { filter: args.filter } : {};
  const dense = {
    query: args.vector,
    params: { hnsw_ef: args.hnswEf },
    ...filter,
    ...(args.threshold === null ? {} : { score_threshold: args.threshold }),
  };
  const words = args.sparse !== null && args.sparse.indices.length > 0 ? args.sparse : null;
  if (args.mode === 'dense' || (words === null && args.mode === 'hybrid')) return dense;
  const sparse = { query: words ?? { indices: [], values: [] }, using: SPARSE_VECTOR, ...filter };
  if (args.mode === 'sparse') return sparse;
  return {
    prefetch: [
      { ...dense, limit: args.candidates },
      { ...sparse, limit: args.candidates },
    ],
    query: { fusion: args.fusion },
  };
}

/** One query of a collection from a candidate stage, timed under the profile's name, as typed hits. */
async function runStage<C extends CollectionName>(
  ctx: VectorsContext,
  collection: C,
  stage: Schemas['QueryRequest'],
  args: { profileName: string; limit: number },
): Promise<VectorHit<C>[]> {
  const target = ctx.alias(collection);
  const started = performance.now();
  const result = await call(`search ${target}`, () =>
    ctx.client.query(target, { ...stage, limit: args.limit, with_payload: true }),
  );
  ctx.latency.record(args.profileName, performance.now() - started);
  return toHits(ctx, collection, result.points);
}

/**
 * The candidate lists of several collections for one query, in `mode` (checked here, default
 * hybrid), each with its own dense model, its filter and `candidates` hits: what the memory
 * strategies fuse across collections.
 */
export async function candidateLists<C extends CollectionName>(
  ctx: VectorsContext,
  query: VectorQuery,
  collections: readonly C[],
  args: {
    mode: unknown;
    fusion: unknown;
    filters: ReadonlyArray<Schemas['Filter'] | undefined>;
    profile: SearchProfile & { name: string };
    threshold: number | null;
    candidates: number;
  },
): Promise<VectorHit<C>[][]> {
  const mode = checkMode(args.mode, 'hybrid');
  const fusion = checkFusion(args.fusion);
  const vectors = await queryVectors(ctx, query, collections);
  const sparse = sparseQuery(ctx, query);
  return Promise.all(
    collections.map((c, i) =>
      runStage(
        ctx,
        c,
        candidateStage({
          mode,
          fusion,
          vector: vectors.get(c)!,
          sparse,
          filter: args.filters[i],
          hnswEf: args.profile.hnswEf,
          threshold: args.threshold,
          candidates: args.candidates,
        }),
        { profileName: args.profile.name, limit: args.candidates },
      ),
    ),
  );
}

/** A character name (non-empty, at most `VECTORS_LIMITS.characterChars`), or a validation error naming `field`. */
export function checkCharacter(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0)
    throw new VectorsValidationError(field, 'must be a non-empty string');
  if (value.length > VECTORS_LIMITS.characterChars)
    throw new VectorsValidationError(
      field,
      `must be a character name of at most ${VECTORS_LIMITS.characterChars} characters`,
    );
  const rule = unstorableTextRule(value);
  if (rule) throw new VectorsValidationError(field, rule);
  return value;
}

/** `{must: [character match, …filter.must], …filter}`: the character condition added to a filter. */
export function withCharacter(
  ctx: VectorsContext,
  collection: CollectionName,
  characters: readonly string[] | undefined,
  given: Schemas['Filter'] | undefined,
  field = 'filter',
): Schemas['Filter'] | undefined {
  const filter = given === undefined ? undefined : checkFilter(given, field);
  if (!characters || characters.length === 0) return filter;
  characters.forEach((c, i) => {
    checkCharacter(c, `characters[${i}]`);
  });
  const key = ctx.specs[collection].characterField;
  const condition: Schemas['FieldCondition'] =
    characters.length === 1
      ? { key, match: { value: characters[0]! } }
      : { key, match: { any: [...characters] } };
  const must =
    filter?.must === undefined || filter.must === null
      ? []
      : Array.isArray(filter.must)
        ? filter.must
        : [filter.must];
  return { ...filter, must: [condition, ...must] };
}

/** Turns Qdrant's scored points into typed hits. */
export function toHits<C extends CollectionName>(
  ctx: VectorsContext,
  collection: C,
  points: readonly Schemas['ScoredPoint'][],
): Array<VectorHit<C> & { vector?: number[] }> {
  const field = ctx.specs[collection].sourceIdField;
  return points.map((p) => {
    const payload = (p.payload ?? {}) as CollectionPayloads[C];
    const hit: VectorHit<C> & { vector?: number[] } = {
      collection,
      pointId: String(p.id),
      sourceId: String((payload as Record<string, unknown>)[field] ?? ''),
      score: p.score,
      payload,
    };
    if (Array.isArray(p.vector)) hit.vector = p.vector as number[];
    return hit;
  });
}

/** One nearest-neighbour query with a profile's parameters, timed under the profile's name. */
async function nearest<C extends CollectionName>(
  ctx: VectorsContext,
  collection: C,
  vector: number[],
  args: {
    profile: SearchProfile & { name: string };
    threshold: number | null;
    limit: number;
    filter?: Schemas['Filter'];
    withVector?: boolean;
  },
): Promise<Array<VectorHit<C> & { vector?: number[] }>> {
  const target = ctx.alias(collection);
  const started = performance.now();
  const result = await call(`search ${target}`, () =>
    ctx.client.query(target, {
      query: vector,
      limit: args.limit,
      params: { hnsw_ef: args.profile.hnswEf },
      with_payload: true,
      ...(args.withVector ? { with_vector: true } : {}),
      ...(args.threshold === null ? {} : { score_threshold: args.threshold }),
      ...(args.filter ? { filter: args.filter } : {}),
    }),
  );
  ctx.latency.record(args.profile.name, performance.now() - started);
  return toHits(ctx, collection, result.points);
}

/** Points of one collection for a text or a vector, with a search profile (dense unless `mode` says otherwise). */
export async function searchCollection<C extends CollectionName>(
  ctx: VectorsContext,
  collection: C,
  query: VectorQuery,
  options: SearchOptions = {},
): Promise<VectorHit<C>[]> {
  const profile = profileOf(ctx, options.profile, collection);
  const threshold = thresholdOf(profile, options.scoreThreshold);
  const limit = checkCount(options.limit ?? 10, 'limit');
  const mode = checkMode(options.mode, 'dense');
  const fusion = checkFusion(options.fusion);
  const filter = withCharacter(
    ctx,
    collection,
    options.character === undefined ? undefined : [checkCharacter(options.character, 'character')],
    options.filter,
  );
  // A sparse search of a text uses its words only: the text is not embedded.
  let vectors: Map<CollectionName, number[]> | null = null;
  if (mode === 'sparse' && typeof query === 'string') checkText(query, 'query');
  else vectors = await queryVectors(ctx, query, [collection]);
  if (mode === 'dense')
    return nearest(ctx, collection, vectors!.get(collection)!, {
      profile,
      threshold,
      limit,
      ...(filter ? { filter } : {}),
    });
  const stage = candidateStage({
    mode,
    fusion,
    vector: vectors?.get(collection) ?? [],
    sparse: sparseQuery(ctx, query),
    filter,
    hnswEf: profile.hnswEf,
    threshold,
    candidates: Math.max(limit, 50),
  });
  return runStage(ctx, collection, stage, { profileName: profile.name, limit });
}
