import type { Schemas } from '@qdrant/js-client-rest';
import { z } from 'zod';
import { compileFilter } from '../filter/compile.js';
import type { Collection } from './collection.js';
import type { PointId } from './ids.js';
import { storeFor } from './query.js';
import { f32 } from './render.js';
import { parseBody, requestCount } from './validate.js';
import { externalScore } from './vector-store.js';

const matrixSchema = z.looseObject({
  filter: z.unknown().optional(),
  sample: requestCount(2).nullish(),
  limit: requestCount(1).nullish(),
  using: z.string().nullish(),
});

/** One row of the matrix: a sampled point and its nearest other sampled points, best first. */
interface Row {
  a: number;
  nearest: Array<{ b: number; score: number }>;
}

/**
 * The distance matrix of Qdrant's /points/search/matrix: `sample` (default 10) random points
 * matching `filter` that have the vector, and for each its `limit` (default 3) nearest among the
 * others of the sample, scored as a nearest query scores them.
 */
function matrix(col: Collection, body: unknown): { ids: PointId[]; rows: Row[] } {
  const b = parseBody(matrixSchema, body, 'sample');
  const using = b.using ?? '';
  const store = storeFor(col, using);
  const pred =
    b.filter === undefined || b.filter === null ? null : compileFilter(b.filter, col.filterContext);
  const accept = col.acceptor(pred);
  const pool = col
    .slotsInIdOrder(pred === null ? [] : [b.filter])
    .filter((slot) => accept(slot) && store.present[slot] === 1);
  const sample = Math.min(b.sample ?? 10, pool.length);
  // A partial Fisher-Yates shuffle: the first `sample` slots are a uniform random sample.
  const picked = [...pool];
  for (let i = 0; i < sample; i++) {
    const j = i + Math.floor(Math.random() * (picked.length - i));
    [picked[i], picked[j]] = [picked[j]!, picked[i]!];
  }
  const slots = picked.slice(0, sample);
  const limit = b.limit ?? 3;
  const rows = slots.map((a, i) => {
    const v = store.get(a)!;
    const nearest = slots
      .map((other, j) => ({
        b: j,
        internal: j === i ? Number.NEGATIVE_INFINITY : store.internalScore(v, other),
      }))
      .filter((x) => x.b !== i)
      .sort((x, y) => y.internal - x.internal || x.b - y.b)
      .slice(0, limit)
      .map((x) => ({ b: x.b, score: f32(externalScore(x.internal, store.distance)) }));
    return { a: i, nearest };
  });
  return { ids: slots.map((s) => col.ids[s]!), rows };
}

/** POST /points/search/matrix/pairs: `{pairs: [{a, b, score}]}`. */
export function matrixPairs(col: Collection, body: unknown): Schemas['SearchMatrixPairsResponse'] {
  const { ids, rows } = matrix(col, body);
  return {
    pairs: rows.flatMap((r) => r.nearest.map((n) => ({ a: ids[r.a]!, b: ids[n.b]!, score: n.score }))),
  } as Schemas['SearchMatrixPairsResponse'];
}

/** POST /points/search/matrix/offsets: the same as parallel arrays over `ids`. */
export function matrixOffsets(col: Collection, body: unknown): Schemas['SearchMatrixOffsetsResponse'] {
  const { ids, rows } = matrix(col, body);
  const out = { offsets_row: [] as number[], offsets_col: [] as number[], scores: [] as number[], ids };
  for (const r of rows)
    for (const n of r.nearest) {
      out.offsets_row.push(r.a);
      out.offsets_col.push(n.b);
      out.scores.push(n.score);
    }
  return out as Schemas['SearchMatrixOffsetsResponse'];
}
