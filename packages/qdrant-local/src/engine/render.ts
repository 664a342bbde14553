import { formatError } from '../errors.js';
import type { Collection } from './collection.js';
import { cloneJson, excludePaths, includePaths, type Payload } from './json-path.js';

export type PayloadSelector = { all: boolean } | { include: string[] } | { exclude: string[] };
export type VectorSelector = boolean | string[];

/**
 * The number Qdrant prints for a float32: the shortest decimal that reads back as the same float32
 * (so a stored 0.8 comes back as 0.8, not 0.800000011920929).
 */
export function f32(x: number): number {
  const f = Math.fround(x);
  if (!Number.isFinite(f) || f === 0) return f;
  // Round-tripping is monotonic in the precision (the p-digit rounding is also a (p+1)-digit
  // decimal, so the (p+1)-digit rounding is at least as close), and 9 digits always round-trip:
  // a binary search needs 3–4 conversions where a linear scan needed up to 9.
  let lo = 1;
  let hi = 9;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (Math.fround(Number(f.toPrecision(mid))) === f) hi = mid;
    else lo = mid + 1;
  }
  return Number(f.toPrecision(lo));
}

const f32Array = (v: Float32Array): number[] => Array.from(v, f32);

/** A multivector's flat rows as Qdrant prints them: one array per row. */
const multiRows = (flat: Float32Array, dim: number): number[][] => {
  const out: number[][] = [];
  for (let i = 0; i < flat.length; i += dim) out.push(f32Array(flat.subarray(i, i + dim)));
  return out;
};

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** Parses `with_payload`: bool, a list of keys, `{include}` or `{exclude}` (nested paths allowed). */
export function parseWithPayload(v: unknown, fallback: boolean): PayloadSelector {
  if (v === undefined || v === null) return { all: fallback };
  if (typeof v === 'boolean') return { all: v };
  if (strings(v)) return { include: v };
  if (isObject(v) && strings(v.include)) return { include: v.include };
  if (isObject(v) && strings(v.exclude)) return { exclude: v.exclude };
  throw formatError('with_payload: expected a bool, a list of keys, {include: [...]} or {exclude: [...]}');
}

/**
 * Parses `with_vector` (or its alias `with_vectors`, which Qdrant's serde accepts too: callers pass
 * `b.with_vector ?? b.with_vectors`): bool or a list of vector names.
 */
export function parseWithVector(v: unknown): VectorSelector {
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  if (strings(v)) return v;
  throw formatError('with_vector: expected a bool or a list of vector names');
}

function payloadOf(payload: Payload, sel: PayloadSelector): Payload | undefined {
  if ('all' in sel) return sel.all ? cloneJson(payload) : undefined;
  if ('include' in sel) return includePaths(payload, sel.include);
  return excludePaths(payload, sel.exclude);
}

function vectorOf(col: Collection, slot: number, sel: VectorSelector): unknown {
  if (sel === false) return undefined;
  const wanted = (name: string) => sel === true || sel.includes(name);
  const sparse = col.sparse[slot];
  const sparseWanted = sparse !== undefined && Object.keys(sparse).some(wanted);
  // The unnamed vector alone prints as a plain array; beside sparse vectors, as Qdrant does, it
  // is the entry "" of the map of vectors.
  if (col.unnamed && !sparseWanted) {
    if (!wanted('')) return undefined;
    const multi = col.multi.get('');
    if (multi) {
      const rows = multi.get(slot);
      return rows ? multiRows(rows, multi.dim) : undefined;
    }
    const v = col.dense.get('')!.get(slot);
    return v ? f32Array(v) : undefined;
  }
  const out: Record<string, unknown> = {};
  for (const [name, store] of col.dense) {
    if (!wanted(name)) continue;
    const v = store.get(slot);
    if (v) out[name] = f32Array(v);
  }
  for (const [name, store] of col.multi) {
    if (!wanted(name)) continue;
    const rows = store.get(slot);
    if (rows) out[name] = multiRows(rows, store.dim);
  }
  if (sparse)
    for (const [name, sv] of Object.entries(sparse))
      if (wanted(name)) out[name] = { indices: [...sv.indices], values: sv.values.map(f32) };
  return out;
}

/** A `Record` of scroll/retrieve: `{id, payload?, vector?}` with unrequested parts left out, as Qdrant does. */
export function renderRecord(
  col: Collection,
  slot: number,
  wp: PayloadSelector,
  wv: VectorSelector,
): Record<string, unknown> {
  const out: Record<string, unknown> = { id: col.ids[slot] };
  const payload = payloadOf(col.payloads[slot]!, wp);
  if (payload !== undefined) out.payload = payload;
  const vector = vectorOf(col, slot, wv);
  if (vector !== undefined) out.vector = vector;
  return out;
}

/** A `ScoredPoint`: `{id, version, score, payload?, vector?, order_value?}`; Qdrant's scores are float32. */
export function renderScored(
  col: Collection,
  hit: { slot: number; score: number; order?: number },
  wp: PayloadSelector,
  wv: VectorSelector,
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: col.ids[hit.slot],
    version: col.versions[hit.slot],
    score: f32(hit.score),
  };
  const payload = payloadOf(col.payloads[hit.slot]!, wp);
  if (payload !== undefined) out.payload = payload;
  const vector = vectorOf(col, hit.slot, wv);
  if (vector !== undefined) out.vector = vector;
  if (hit.order !== undefined) out.order_value = hit.order;
  return out;
}
