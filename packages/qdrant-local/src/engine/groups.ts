import type { Schemas } from '@qdrant/js-client-rest';
import { z } from 'zod';
import { formatError } from '../errors.js';
import type { Collection } from './collection.js';
import { parsePointId } from './ids.js';
import { valuesAt } from './json-path.js';
import { type Hit, type QueryStage, runQuery } from './query.js';
import {
  type PayloadSelector,
  parseWithPayload,
  parseWithVector,
  renderRecord,
  renderScored,
  type VectorSelector,
} from './render.js';
import { parseBody, requestCount } from './validate.js';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The grouping fields of /points/query/groups and /points/search/groups. */
export interface GroupsRequest {
  group_by: string;
  group_size?: number | null;
  limit?: number | null;
  with_lookup?: Schemas['WithLookupInterface'] | null;
}

const groupsSchema = z.looseObject({
  group_by: z.string().min(1),
  group_size: requestCount(1).nullish(),
  limit: requestCount(1).nullish(),
  with_payload: z.unknown().optional(),
  with_vector: z.unknown().optional(),
  with_vectors: z.unknown().optional(),
  with_lookup: z.unknown().optional(),
});

/** A group key: the payload value a group was formed on (keyword or integer values only, as in Qdrant). */
type GroupId = string | number | bigint;

const groupKeys = (payload: Record<string, unknown>, key: string): GroupId[] => {
  const out: GroupId[] = [];
  for (const v of valuesAt(payload, key)) {
    if (typeof v === 'string' || typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v)))
      if (!out.includes(v)) out.push(v);
  }
  return out;
};

/**
 * Groups ranked hits by the value(s) of `key`: best hits first, at most `size` per group and
 * `limit` groups, groups ordered by their best hit. A point with several values joins each group.
 */
function groupHits(col: Collection, hits: Hit[], key: string, size: number, limit: number) {
  const groups = new Map<GroupId, Hit[]>();
  for (const h of hits) {
    for (const g of groupKeys(col.payloads[h.slot]!, key)) {
      let list = groups.get(g);
      if (!list) {
        // A new group only while there is room for it; full groups keep filling below.
        if (groups.size >= limit) continue;
        list = [];
        groups.set(g, list);
      }
      if (list.length < size) list.push(h);
    }
  }
  return [...groups].map(([id, list]) => ({ id, hits: list }));
}

interface Lookup {
  collection: string;
  payload: PayloadSelector;
  vector: VectorSelector;
}

function parseLookup(v: unknown): Lookup | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return { collection: v, payload: { all: true }, vector: false };
  if (!isObject(v) || typeof v.collection !== 'string')
    throw formatError('with_lookup: expected a collection name or {collection, with_payload, with_vectors}');
  return {
    collection: v.collection,
    payload: parseWithPayload(v.with_payload, true),
    vector: parseWithVector(v.with_vectors ?? v.with_vector),
  };
}

/**
 * POST /points/query/groups (and /points/search/groups through `stage`): the query's ranking over
 * every candidate, grouped by `group_by`; `with_lookup` adds the point of another collection
 * whose id is the group id.
 */
export function queryGroups(
  col: Collection,
  body: unknown,
  stage: QueryStage,
  resolve: (name: string) => Collection,
): Schemas['GroupsResult'] {
  const b = parseBody(groupsSchema, body, 'group_by');
  const wp = parseWithPayload(b.with_payload, false);
  const wv = parseWithVector(b.with_vector ?? b.with_vectors);
  const lookup = parseLookup(b.with_lookup);
  const other = lookup ? resolve(lookup.collection) : null;
  // Every candidate, ranked: groups fill from the best hits down.
  const hits = runQuery(col, { ...stage, limit: col.high, offset: 0 }, null, true);
  const groups = groupHits(col, hits, b.group_by, b.group_size ?? 3, b.limit ?? 10);
  return {
    groups: groups.map((g) => {
      const out: Record<string, unknown> = {
        id: g.id,
        hits: g.hits.map((h) => renderScored(col, h, wp, wv)),
      };
      if (other && lookup) {
        let slot: number | undefined;
        try {
          slot = other.slotOf.get(parsePointId(g.id));
        } catch {
          slot = undefined; // a group value that is not a point id has no lookup
        }
        if (slot !== undefined) out.lookup = renderRecord(other, slot, lookup.payload, lookup.vector);
      }
      return out;
    }),
  } as Schemas['GroupsResult'];
}
