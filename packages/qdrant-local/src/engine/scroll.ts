import type { Schemas } from '@qdrant/js-client-rest';
import { compileFilter } from '../filter/compile.js';
import type { Collection } from './collection.js';
import { comparePointIds, type PointId, parsePointId } from './ids.js';
import { runQuery } from './query.js';
import { parseWithPayload, parseWithVector, renderRecord } from './render.js';

/** A scroll request, as parsed at the boundary. */
export interface ScrollRequest {
  offset?: unknown;
  limit?: number | null | undefined;
  filter?: unknown;
  with_payload?: unknown;
  with_vector?: unknown;
  with_vectors?: unknown;
  order_by?: unknown;
}

/** POST /points/scroll: id order (or `order_by`), `offset` is the first id of the page. */
export function scroll(col: Collection, b: ScrollRequest): Schemas['ScrollResult'] {
  const limit = b.limit ?? 10;
  const wp = parseWithPayload(b.with_payload, true);
  const wv = parseWithVector(b.with_vector ?? b.with_vectors);
  const pred =
    b.filter === undefined || b.filter === null ? null : compileFilter(b.filter, col.filterContext);
  const accept = col.acceptor(pred);
  if (b.order_by !== undefined && b.order_by !== null) {
    const hits = runQuery(col, { query: { order_by: b.order_by }, filter: b.filter, limit }, null, true);
    return {
      points: hits.map((h) => ({
        ...renderRecord(col, h.slot, wp, wv),
        order_value: h.order,
      })) as Schemas['Record'][],
      next_page_offset: null,
    };
  }
  const start = b.offset === undefined || b.offset === null ? null : parsePointId(b.offset);
  const points: Schemas['Record'][] = [];
  let next: PointId | null = null;
  const filters = pred === null ? [] : [b.filter];
  const ordered = col.slotsInIdOrder(filters);
  for (let i = start === null ? 0 : firstAtOrAfter(col, ordered, start); i < ordered.length; i++) {
    const slot = ordered[i]!;
    if (!accept(slot)) continue;
    if (points.length === limit) {
      next = col.ids[slot]!;
      break;
    }
    points.push(renderRecord(col, slot, wp, wv) as Schemas['Record']);
  }
  return { points, next_page_offset: next as Schemas['ScrollResult']['next_page_offset'] };
}

/** POST /points/count: exact, narrowed through the payload indexes when the filter allows. */
export function count(col: Collection, b: { filter?: unknown }): Schemas['CountResult'] {
  if (b.filter === undefined || b.filter === null) return { count: col.count };
  const accept = col.acceptor(compileFilter(b.filter, col.filterContext));
  let count = 0;
  const narrowed = col.candidateSlots([b.filter]);
  if (narrowed === null) {
    for (const slot of col.slotOf.values()) if (accept(slot)) count++;
  } else {
    for (const slot of narrowed) if (accept(slot)) count++;
  }
  return { count };
}

/** The position in id-ordered `slots` of the first point whose id is `start` or after it (binary search). */
function firstAtOrAfter(col: Collection, slots: readonly number[], start: PointId): number {
  let lo = 0;
  let hi = slots.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (comparePointIds(col.ids[slots[mid]!]!, start) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
