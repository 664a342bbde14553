import type { z } from 'zod';
import type { Collection, PreparedPoint, SparseVector } from '../engine/collection.js';
import { type PointId, parsePointId } from '../engine/ids.js';
import { cloneJson, type Payload } from '../engine/json-path.js';
import type { Op } from '../engine/ops.js';
import { checkDense, isFloatArray, storeFor } from '../engine/query.js';
import { parseSparse } from '../engine/sparse-index.js';
import { parseBody } from '../engine/validate.js';
import { formatError, LocalQdrantError, validationError, wrongInput } from '../errors.js';
import { compileFilter } from '../filter/compile.js';
import type { deletePayloadSchema, selectorSchema, setPayloadSchema } from './schemas.js';
import { upsertSchema } from './schemas.js';

// Point writes, request → op: every check happens here, before the op is logged, so that applying
// a logged op cannot fail.

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether a point exists, as a write sees it (in a batch: after the batch's earlier operations). */
export type Exists = (id: PointId) => boolean;

/** The ids a write selects: `points` (each must pass `mustExist`, else 404) or those matching `filter`. */
export function selectIds(
  col: Collection,
  body: { points?: unknown[] | null; filter?: unknown },
  what: string,
  mustExist: Exists,
): PointId[] {
  if (Array.isArray(body.points)) {
    const ids = body.points.map(parsePointId);
    for (const id of ids)
      if (!mustExist(id)) throw new LocalQdrantError(404, `Not found: No point with id ${id} found`);
    return ids;
  }
  if (body.filter !== undefined && body.filter !== null) {
    const pred = compileFilter(body.filter, col.filterContext);
    return col
      .slotsInIdOrder([body.filter])
      .filter((s) => pred(col.view(s)))
      .map((s) => col.ids[s]!);
  }
  throw validationError(`${what}: Either list of point ids or filter must be provided`);
}

/** One point of a write, checked against the collection's vector names and sizes (Cosine normalized). */
export function preparePoint(
  col: Collection,
  id: unknown,
  vector: unknown,
  payload: unknown,
  where: string,
): PreparedPoint {
  const pid = parsePointId(id);
  if (payload !== undefined && payload !== null && !isObject(payload))
    throw formatError(`${where}.payload: expected an object`);
  const vectors: Record<string, Float32Array> = {};
  let sparse: Record<string, SparseVector> | undefined;
  const multi = Array.isArray(vector) ? col.multi.get('') : undefined;
  if (Array.isArray(vector) && multi) {
    vectors[''] = multi.prepare(vector, `${where}.vector`, false);
  } else if (Array.isArray(vector) || isFloatArray(vector)) {
    const store = storeFor(col, '');
    vectors[''] = store.prepare(checkDense(vector, store, `${where}.vector`));
  } else if (isObject(vector)) {
    for (const [name, v] of Object.entries(vector)) {
      if (col.sparseNames.has(name)) {
        if (!isObject(v))
          throw formatError(
            `${where}.vector.${name}: \`${name}\` is a sparse vector: expected {indices, values}`,
          );
        sparse ??= {};
        sparse[name] = parseSparse(v, `${where}.vector.?`);
        continue;
      }
      if (isObject(v) && 'indices' in v)
        throw wrongInput(
          col.dense.has(name)
            ? 'Conversion between sparse and regular vectors failed'
            : `Not existing vector name error: ${name}`,
        );
      const multiStore = col.multi.get(name);
      if (multiStore) {
        vectors[name] = multiStore.prepare(v, `${where}.vector.${name}`, false);
        continue;
      }
      const store = storeFor(col, name);
      vectors[name] = store.prepare(checkDense(v, store, `${where}.vector.${name}`));
    }
  } else {
    throw formatError(`${where}.vector: expected a vector or a map of named vectors`);
  }
  return {
    id: pid,
    vectors,
    payload: isObject(payload) ? cloneJson(payload) : {},
    ...(sparse ? { sparse } : {}),
  };
}

/** PUT /points (and a batch's `upsert`): `points` or `batch` columns; `update_mode` and `update_filter`. */
export function upsertOp(col: Collection, body: unknown, exists: Exists): Op | null {
  const b = parseBody(upsertSchema, body, 'upsert');
  const points: PreparedPoint[] = [];
  if (b.points) {
    b.points.forEach((p, i) => {
      points.push(preparePoint(col, p.id, p.vector, p.payload, `points[${i}]`));
    });
  } else if (b.batch) {
    const { ids, vectors, payloads } = b.batch;
    const at = (i: number): unknown => {
      if (Array.isArray(vectors)) return vectors[i];
      if (isObject(vectors)) {
        const named: Record<string, unknown> = {};
        for (const [name, list] of Object.entries(vectors)) {
          if (!Array.isArray(list) || list.length !== ids.length) {
            throw wrongInput(`batch.vectors.${name}: expected ${ids.length} vectors, one per id`);
          }
          named[name] = list[i];
        }
        return named;
      }
      throw formatError('batch.vectors: expected a list of vectors or a map of named vector lists');
    };
    if (Array.isArray(vectors) && vectors.length !== ids.length) {
      throw wrongInput(`batch: number of ids (${ids.length}) and vectors (${vectors.length}) must be equal`);
    }
    if (payloads && payloads.length !== ids.length) {
      throw wrongInput(
        `batch: number of ids (${ids.length}) and payloads (${payloads.length}) must be equal`,
      );
    }
    ids.forEach((id, i) => {
      points.push(preparePoint(col, id, at(i), payloads?.[i], `batch[${i}]`));
    });
  } else {
    throw formatError(
      'data did not match any variant of untagged enum PointInsertOperations: expected `points` or `batch`',
    );
  }
  const mode = b.update_mode ?? 'upsert';
  const updateFilter =
    b.update_filter === undefined || b.update_filter === null
      ? null
      : compileFilter(b.update_filter, col.filterContext);
  const kept = points.filter((p) => {
    const existed = exists(p.id);
    if (mode === 'insert_only') return !existed;
    if (mode === 'update_only' && !existed) return false;
    if (existed && updateFilter) {
      const slot = col.slotOf.get(p.id);
      return slot !== undefined && updateFilter(col.view(slot));
    }
    return true;
  });
  return kept.length ? { t: 'upsert', c: col.name, points: kept } : null;
}

type Selector = z.output<typeof selectorSchema>;
type SetPayloadBody = z.output<typeof setPayloadSchema>;
type DeletePayloadBody = z.output<typeof deletePayloadSchema>;

/** POST /points/delete (and a batch's `delete`): by ids or by filter; unknown ids are no error. */
export function deleteOp(col: Collection, b: Selector, what: string): Op {
  return { t: 'delete', c: col.name, ids: selectIds(col, b, what, () => true) };
}

/**
 * POST (`set`) or PUT (`overwrite`) /points/payload, and a batch's `set_payload` /
 * `overwrite_payload`; `copy` takes a copy of the payload (the REST calls do, a batch's do not).
 */
export function payloadOp(
  col: Collection,
  b: SetPayloadBody,
  t: 'set' | 'overwrite',
  what: string,
  exists: Exists,
  copy: boolean,
): Op {
  const ids = selectIds(col, b, what, exists);
  const payload = (copy ? cloneJson(b.payload) : b.payload) as Payload;
  return t === 'set'
    ? { t, c: col.name, ids, payload, ...(b.key ? { key: b.key } : {}) }
    : { t, c: col.name, ids, payload };
}

/** POST /points/payload/delete (and a batch's `delete_payload`): nested paths allowed. */
export function deletePayloadOp(col: Collection, b: DeletePayloadBody, what: string, exists: Exists): Op {
  return { t: 'delpay', c: col.name, ids: selectIds(col, b, what, exists), keys: b.keys };
}

/** POST /points/payload/clear (and a batch's `clear_payload`). */
export function clearPayloadOp(col: Collection, b: Selector, what: string, exists: Exists): Op {
  return { t: 'clear', c: col.name, ids: selectIds(col, b, what, exists) };
}
