import type { Schemas } from '@qdrant/js-client-rest';
import { call, type VectorsContext } from './context.js';
import { VectorsValidationError } from './errors.js';
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

/** Options of `search`. */
export interface SearchOptions {
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

export const DEFAULT_PROFILE: Record<CollectionName, string> = {
  memory_embeddings: 'memory_recall',
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
  if (typeof query === 'object' && query !== null && 'vector' in query) {
    for (const c of collections) out.set(c, checkVector(query.vector, ctx.specs[c].dims, 'query.vector'));
    return out;
  }
  if (typeof query === 'object' && query !== null && 'vectors' in query) {
    for (const c of collections)
      out.set(c, checkVector(query.vectors?.[c], ctx.specs[c].dims, `query.vectors.${c}`));
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

/** `{must: [character match, …filter.must], …filter}`: the character condition added to a filter. */
export function withCharacter(
  ctx: VectorsContext,
  collection: CollectionName,
  characters: readonly string[] | undefined,
  filter: Schemas['Filter'] | undefined,
): Schemas['Filter'] | undefined {
  if (filter !== undefined && (typeof filter !== 'object' || filter === null || Array.isArray(filter)))
    throw new VectorsValidationError('filter', 'must be a Qdrant filter object');
  if (!characters || characters.length === 0) return filter;
  characters.forEach((c, i) => {
    if (typeof c !== 'string' || c.length === 0)
      throw new VectorsValidationError(`characters[${i}]`, 'must be a non-empty string');
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
export async function nearest<C extends CollectionName>(
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

/** Nearest points of one collection for a text or a vector, with a search profile. */
export async function searchCollection<C extends CollectionName>(
  ctx: VectorsContext,
  collection: C,
  query: VectorQuery,
  options: SearchOptions = {},
): Promise<VectorHit<C>[]> {
  const profile = profileOf(ctx, options.profile, collection);
  const threshold = thresholdOf(profile, options.scoreThreshold);
  const limit = checkCount(options.limit ?? 10, 'limit');
  const filter = withCharacter(
    ctx,
    collection,
    options.character === undefined ? undefined : [options.character],
    options.filter,
  );
  const vectors = await queryVectors(ctx, query, [collection]);
  return nearest(ctx, collection, vectors.get(collection)!, {
    profile,
    threshold,
    limit,
    ...(filter ? { filter } : {}),
  });
}
