import type { Schemas } from '@qdrant/js-client-rest';
import { z } from 'zod';
import type { QueryStage } from './query.js';
import { type PayloadSelector, parseWithPayload, parseWithVector, type VectorSelector } from './render.js';
import { parseBody, requestCount } from './validate.js';

const searchSchema = z.looseObject({
  vector: z.unknown(),
  filter: z.unknown().optional(),
  limit: requestCount(1),
  offset: requestCount(0).nullish(),
  score_threshold: z.number().nullish(),
  with_payload: z.unknown().optional(),
  with_vector: z.unknown().optional(),
  with_vectors: z.unknown().optional(),
  params: z.unknown().optional(),
});

/** The body of the legacy POST /points/search (no longer in the 1.19 OpenAPI document). */
export interface SearchRequest {
  vector: number[] | { name: string; vector: number[] };
  filter?: Schemas['Filter'] | null;
  params?: Schemas['SearchParams'] | null;
  limit: number;
  offset?: number | null;
  with_payload?: Schemas['WithPayloadInterface'] | null;
  with_vector?: Schemas['WithVector'] | null;
  score_threshold?: number | null;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A legacy search body as the Query API stage it is (`vector` plain or `{name, vector}`), with its selectors. */
export function searchStage(body: unknown): { stage: QueryStage; wp: PayloadSelector; wv: VectorSelector } {
  const b = parseBody(searchSchema, body, 'search');
  const named = isObject(b.vector) ? b.vector : null;
  const stage: QueryStage = {
    query: named ? named.vector : b.vector,
    using: named ? String(named.name ?? '') : '',
    params: b.params,
    filter: b.filter,
    limit: b.limit,
    offset: b.offset ?? 0,
    score_threshold: b.score_threshold ?? null,
  };
  return {
    stage,
    wp: parseWithPayload(b.with_payload, false),
    wv: parseWithVector(b.with_vector ?? b.with_vectors),
  };
}
