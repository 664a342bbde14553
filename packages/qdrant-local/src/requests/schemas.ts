import { z } from 'zod';
import { parsePath } from '../engine/json-path.js';
import { requestCount } from '../engine/validate.js';

// The request bodies of the REST calls, checked at the boundary (`parseBody`). Loose objects: the
// fields the engine does not read (e.g. `shard_key`, `consistency`) are accepted and ignored, as
// Qdrant accepts them.

export const selectorSchema = z.looseObject({
  points: z.array(z.unknown()).nullish(),
  filter: z.unknown().optional(),
});
export const setPayloadSchema = z.looseObject({
  payload: z.record(z.string(), z.unknown()),
  points: z.array(z.unknown()).nullish(),
  filter: z.unknown().optional(),
  key: z.string().nullish(),
});
export const deletePayloadSchema = z.looseObject({
  keys: z.array(z.string()),
  points: z.array(z.unknown()).nullish(),
  filter: z.unknown().optional(),
});
export const upsertSchema = z.looseObject({
  points: z
    .array(z.looseObject({ id: z.unknown(), vector: z.unknown(), payload: z.unknown().optional() }))
    .optional(),
  batch: z
    .looseObject({
      ids: z.array(z.unknown()),
      vectors: z.unknown(),
      payloads: z.array(z.unknown()).nullish(),
    })
    .optional(),
  update_mode: z.enum(['upsert', 'insert_only', 'update_only']).nullish(),
  update_filter: z.unknown().optional(),
});
export const retrieveSchema = z.looseObject({
  ids: z.array(z.unknown()),
  with_payload: z.unknown().optional(),
  with_vector: z.unknown().optional(),
});
export const scrollSchema = z.looseObject({
  offset: z.unknown().optional(),
  limit: requestCount(1).nullish(),
  filter: z.unknown().optional(),
  with_payload: z.unknown().optional(),
  with_vector: z.unknown().optional(),
  order_by: z.unknown().optional(),
});
export const countSchema = z.looseObject({ filter: z.unknown().optional(), exact: z.boolean().nullish() });
export const querySchema = z.looseObject({
  limit: requestCount(1).nullish(),
  offset: requestCount(0).nullish(),
  score_threshold: z.number().nullish(),
  using: z.string().nullish(),
  with_payload: z.unknown().optional(),
  with_vector: z.unknown().optional(),
});
export const aliasesSchema = z.object({
  actions: z.array(
    z.union([
      z.object({ create_alias: z.object({ collection_name: z.string(), alias_name: z.string() }) }),
      z.object({ delete_alias: z.object({ alias_name: z.string() }) }),
      z.object({ rename_alias: z.object({ old_alias_name: z.string(), new_alias_name: z.string() }) }),
    ]),
  ),
});
export const batchSchema = z.object({ operations: z.array(z.record(z.string(), z.unknown())) });
export const searchesSchema = z.object({ searches: z.array(z.unknown()) });
export const recoverSchema = z.looseObject({ location: z.string(), checksum: z.string().nullish() });

/** Parses payload paths at the boundary: ops are logged before they are applied, so they must not fail later. */
export const checkPaths = <T extends { key?: string | null; keys?: string[] }>(b: T): T => {
  if (b.key) parsePath(b.key);
  for (const k of b.keys ?? []) parsePath(k);
  return b;
};
