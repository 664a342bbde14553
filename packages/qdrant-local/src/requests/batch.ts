import type { Collection } from '../engine/collection.js';
import type { PointId } from '../engine/ids.js';
import type { Op } from '../engine/ops.js';
import { parseBody } from '../engine/validate.js';
import { formatError, LocalQdrantError, validationError, wrongInput } from '../errors.js';
import { compileFilter } from '../filter/compile.js';
import {
  clearPayloadOp,
  deleteOp,
  deletePayloadOp,
  type Exists,
  payloadOp,
  preparePoint,
  selectIds,
  upsertOp,
} from './points.js';
import { checkPaths, deletePayloadSchema, selectorSchema, setPayloadSchema } from './schemas.js';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * POST /points/batch, request → ops: every operation checked before any is logged, so the batch
 * is one atomic write. Whether a point exists follows the batch's own upserts and deletes; filters
 * see the state before the batch. An operation that selects nothing still gets its op (and so its
 * operation id), as in Qdrant.
 */
export function batchOps(col: Collection, operations: Array<Record<string, unknown>>): Op[] {
  const overlay = new Map<PointId, boolean>();
  const exists = (id: PointId) => overlay.get(id) ?? col.slotOf.has(id);
  const ops: Op[] = [];
  operations.forEach((operation, i) => {
    const [kind, arg] = Object.entries(operation)[0] ?? [];
    const a = (isObject(arg) ? arg : {}) as Record<string, unknown>;
    let op: Op | null;
    switch (kind) {
      case 'upsert':
        op = upsertOp(col, a, exists);
        for (const p of op?.t === 'upsert' ? op.points : []) overlay.set(p.id, true);
        break;
      case 'delete': {
        const del = deleteOp(col, parseBody(selectorSchema, a, 'delete'), 'delete');
        if (del.t === 'delete') for (const id of del.ids) overlay.set(id, false);
        op = del;
        break;
      }
      case 'set_payload':
      case 'overwrite_payload': {
        const b = checkPaths(parseBody(setPayloadSchema, a, kind));
        op = payloadOp(col, b, kind === 'set_payload' ? 'set' : 'overwrite', kind, exists, false);
        break;
      }
      case 'delete_payload':
        op = deletePayloadOp(col, checkPaths(parseBody(deletePayloadSchema, a, kind)), kind, exists);
        break;
      case 'clear_payload':
        op = clearPayloadOp(col, parseBody(selectorSchema, a, kind), kind, exists);
        break;
      case 'update_vectors':
        op = updateVectorsOp(
          col,
          a,
          operations.length === 1 ? 'points' : `operations[${i}].update_vectors.points`,
          exists,
        );
        break;
      case 'delete_vectors': {
        const names = Array.isArray(a.vector) ? a.vector.map(String) : [];
        for (const n of names)
          if (!col.dense.has(n) && !col.multi.has(n) && !col.sparseNames.has(n))
            throw wrongInput(`Not existing vector name error: ${n}`);
        op = {
          t: 'delvec',
          c: col.name,
          ids: selectIds(col, parseBody(selectorSchema, a, kind), kind, exists),
          names,
        };
        break;
      }
      default:
        throw formatError(`operations[${i}]: unknown variant \`${kind}\` of UpdateOperation`);
    }
    ops.push(op ?? { t: 'delete', c: col.name, ids: [] });
  });
  return ops;
}

/** A batch's `update_vectors` (PUT /points/vectors): named vectors of existing points, `update_filter` honoured. */
function updateVectorsOp(col: Collection, a: Record<string, unknown>, where: string, exists: Exists): Op {
  const pts = Array.isArray(a.points) ? a.points : [];
  // `update_filter`: only the points that match it now are updated (the rest are left as they are).
  const onlyIf =
    a.update_filter === undefined || a.update_filter === null
      ? null
      : compileFilter(a.update_filter, col.filterContext, 'update_filter');
  const points = pts.map((p, j) => {
    const pp = isObject(p) ? p : {};
    const vector = pp.vector ?? pp.vectors;
    if (isObject(vector) && Object.keys(vector).length === 0)
      throw validationError(`${where}[${j}].vector: must specify vectors to update for point`);
    const prepared = preparePoint(col, pp.id, vector, {}, `${where}[${j}]`);
    if (!exists(prepared.id))
      throw new LocalQdrantError(404, `Not found: No point with id ${prepared.id} found`);
    return {
      id: prepared.id,
      vectors: prepared.vectors,
      ...(prepared.sparse ? { sparse: prepared.sparse } : {}),
    };
  });
  return {
    t: 'updvec',
    c: col.name,
    points: onlyIf
      ? points.filter((p) => {
          const slot = col.slotOf.get(p.id);
          return slot !== undefined && onlyIf(col.view(slot));
        })
      : points,
  };
}
