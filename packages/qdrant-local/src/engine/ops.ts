import type { IndexSpec, PreparedPoint, SparseVector } from './collection.js';
import type { CreateCollectionBody } from './collection-config.js';
import type { PointId } from './ids.js';
import type { Payload } from './json-path.js';

/**
 * One logged state change. Selectors (filters) are resolved to ids before logging, so replaying
 * the log reproduces exactly the same state whatever the filter would match later.
 */
export type Op =
  | { t: 'create'; name: string; body: CreateCollectionBody }
  | { t: 'drop'; name: string }
  /** A new configuration of collection `c` (PATCH, or a vector name created or deleted). */
  | { t: 'reconfig'; c: string; body: CreateCollectionBody }
  | { t: 'alias'; actions: Array<{ set: [alias: string, collection: string] } | { del: string }> }
  | { t: 'index'; c: string; field: string; spec: IndexSpec }
  | { t: 'unindex'; c: string; field: string }
  | { t: 'upsert'; c: string; points: PreparedPoint[] }
  | { t: 'delete'; c: string; ids: PointId[] }
  | { t: 'set'; c: string; ids: PointId[]; payload: Payload; key?: string }
  | { t: 'overwrite'; c: string; ids: PointId[]; payload: Payload }
  | { t: 'delpay'; c: string; ids: PointId[]; keys: string[] }
  | { t: 'clear'; c: string; ids: PointId[] }
  | {
      t: 'updvec';
      c: string;
      points: Array<{
        id: PointId;
        vectors: Record<string, Float32Array>;
        sparse?: Record<string, SparseVector>;
      }>;
    }
  | { t: 'delvec'; c: string; ids: PointId[]; names: string[] };

const b64 = (v: Float32Array): string => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
const unb64 = (s: string): Float32Array => {
  const buf = Buffer.from(s, 'base64');
  const out = new Float32Array(buf.length / 4);
  new Uint8Array(out.buffer).set(buf);
  return out;
};

const mapVectors = <A, B>(vs: Record<string, A>, f: (a: A) => B): Record<string, B> => {
  const out: Record<string, B> = {};
  for (const [k, v] of Object.entries(vs)) out[k] = f(v);
  return out;
};

interface EncodedPoint {
  id: PointId;
  v: Record<string, string>;
  s?: Record<string, SparseVector>;
  p: Payload;
}

/** JSON form of an op for the log: vectors as base64 float32 (exact and ~3x smaller than decimals). */
export function encodeOp(op: Op): unknown {
  if (op.t === 'upsert') {
    return {
      t: op.t,
      c: op.c,
      points: op.points.map(
        (p): EncodedPoint => ({
          id: p.id,
          v: mapVectors(p.vectors, b64),
          p: p.payload,
          ...(p.sparse ? { s: p.sparse } : {}),
        }),
      ),
    };
  }
  if (op.t === 'updvec') {
    return {
      t: op.t,
      c: op.c,
      points: op.points.map((p) => ({
        id: p.id,
        v: mapVectors(p.vectors, b64),
        ...(p.sparse ? { s: p.sparse } : {}),
      })),
    };
  }
  return op;
}

export function decodeOp(raw: unknown): Op {
  const o = raw as { t: string; c: string; points?: EncodedPoint[] };
  if (o.t === 'upsert') {
    return {
      t: 'upsert',
      c: o.c,
      points: (o.points ?? []).map((p) => ({
        id: p.id,
        vectors: mapVectors(p.v, unb64),
        payload: p.p,
        ...(p.s ? { sparse: p.s } : {}),
      })),
    };
  }
  if (o.t === 'updvec') {
    return {
      t: 'updvec',
      c: o.c,
      points: (o.points ?? []).map((p) => ({
        id: p.id,
        vectors: mapVectors(p.v, unb64),
        ...(p.s ? { sparse: p.s } : {}),
      })),
    };
  }
  return raw as Op;
}
