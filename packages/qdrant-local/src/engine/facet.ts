import type { Schemas } from '@qdrant/js-client-rest';
import { z } from 'zod';
import { badRequest } from '../errors.js';
import { compileFilter } from '../filter/compile.js';
import type { Collection } from './collection.js';
import { parsePath, valuesAt } from './json-path.js';
import { parseBody, requestCount } from './validate.js';

const facetSchema = z.looseObject({
  key: z.string(),
  limit: requestCount(1).nullish(),
  filter: z.unknown().optional(),
  exact: z.boolean().nullish(),
});

const FACET_TYPES = ['keyword', 'integer', 'bool', 'uuid'];

type FacetValue = string | number | bigint | boolean;

/** Whether an index of `type` holds `v` (a keyword index holds strings only, an integer one integers…). */
const indexedValue = (type: string, v: unknown): v is FacetValue =>
  type === 'keyword' || type === 'uuid'
    ? typeof v === 'string'
    : type === 'integer'
      ? typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v))
      : typeof v === 'boolean';

/** Qdrant orders facet hits by count (most first), then by value. */
function compareValues(a: FacetValue, b: FacetValue): number {
  if (typeof a === typeof b || (typeof a !== 'string' && typeof b !== 'string'))
    return a < b ? -1 : a > b ? 1 : 0;
  return typeof a === 'string' ? 1 : -1;
}

/**
 * POST /collections/{name}/facet: how many points (matching `filter`) carry each value of `key`;
 * a point counts once per distinct value. Qdrant needs an equality index on the key (keyword,
 * integer, bool, uuid), and so does this. Counts are exact here (`exact` is accepted).
 */
export function facet(col: Collection, body: unknown): Schemas['FacetResponse'] {
  const b = parseBody(facetSchema, body, 'key');
  parsePath(b.key);
  const index = col.indexes.get(b.key);
  if (!index || !FACET_TYPES.includes(index.data_type))
    throw badRequest(
      `Index required but not found for "${b.key}" of one of the following types: [${FACET_TYPES.join(', ')}]. Help: Create an index for this key or use a different filter.`,
    );
  const accept = col.acceptor(
    b.filter === undefined || b.filter === null ? null : compileFilter(b.filter, col.filterContext),
  );
  const counts = new Map<FacetValue, number>();
  const slots =
    b.filter === undefined || b.filter === null ? col.slotOf.values() : col.slotsInIdOrder([b.filter]);
  for (const slot of slots) {
    if (!accept(slot)) continue;
    const seen = new Set<FacetValue>();
    for (const v of valuesAt(col.payloads[slot]!, b.key)) {
      if (!indexedValue(index.data_type, v)) continue;
      if (seen.has(v)) continue;
      seen.add(v);
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
  }
  const hits = [...counts]
    .map(([value, count]) => ({ value, count }))
    .sort((a, b) => b.count - a.count || compareValues(a.value, b.value))
    .slice(0, b.limit ?? 10);
  return { hits } as Schemas['FacetResponse'];
}
