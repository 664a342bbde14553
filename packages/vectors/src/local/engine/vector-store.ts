import { TopK } from './top-k.js';

export type Distance = 'Cosine' | 'Dot' | 'Euclid' | 'Manhattan';

/**
 * The dense vectors of one vector name, packed in one growable Float32Array (slot-major), so a
 * search is a linear scan over contiguous memory. Cosine vectors are stored normalized, which
 * turns cosine similarity into a plain dot product at query time.
 */
export class VectorStore {
  data: Float32Array;
  present: Uint8Array;

  constructor(
    readonly dim: number,
    readonly distance: Distance,
    capacity = 64,
  ) {
    this.data = new Float32Array(capacity * dim);
    this.present = new Uint8Array(capacity);
  }

  ensure(slots: number): void {
    if (slots <= this.present.length) return;
    let cap = this.present.length;
    while (cap < slots) cap *= 2;
    const data = new Float32Array(cap * this.dim);
    data.set(this.data);
    const present = new Uint8Array(cap);
    present.set(this.present);
    this.data = data;
    this.present = present;
  }

  /** Stores an already prepared vector (normalized when the distance is Cosine). */
  set(slot: number, v: Float32Array): void {
    this.ensure(slot + 1);
    this.data.set(v, slot * this.dim);
    this.present[slot] = 1;
  }

  clear(slot: number): void {
    if (slot < this.present.length) this.present[slot] = 0;
  }

  get(slot: number): Float32Array | null {
    if (!this.present[slot]) return null;
    return this.data.subarray(slot * this.dim, (slot + 1) * this.dim);
  }

  /** Copies a caller's vector into float32 and normalizes it for Cosine, as Qdrant does on insert. */
  prepare(v: ArrayLike<number>): Float32Array {
    const out = Float32Array.from(v);
    if (this.distance === 'Cosine') normalize(out);
    return out;
  }

  /** Raw score of `slot` against a prepared query, in the engine's "larger is better" order. */
  internalScore(query: Float32Array, slot: number): number {
    return scoreAt(this.data, slot * this.dim, query, this.dim, this.distance);
  }

  /**
   * Exact top-k over the given slots range: `accept(slot)` filters (live, present, filter),
   * `floor` is the internal score threshold. Returns internal scores; see `externalScore`.
   */
  search(
    query: Float32Array,
    k: number,
    upto: number,
    accept: ((slot: number) => boolean) | null,
    floor: number,
  ): TopK {
    const heap = new TopK(k);
    const { data, present, dim, distance } = this;
    const n = Math.min(upto, present.length);
    for (let slot = 0; slot < n; slot++) {
      if (present[slot] === 0) continue;
      if (accept !== null && !accept(slot)) continue;
      const s = scoreAt(data, slot * dim, query, dim, distance);
      if (s < floor || s <= heap.floor) continue;
      heap.push(s, slot);
    }
    return heap;
  }
}

export function normalize(v: Float32Array): void {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i]! * v[i]!;
  if (sum === 0) return;
  const inv = 1 / Math.sqrt(sum);
  for (let i = 0; i < v.length; i++) v[i] = v[i]! * inv;
}

/** Larger is better for every distance: Euclid is −squared distance, Manhattan −distance. */
export function scoreAt(
  data: Float32Array,
  off: number,
  q: Float32Array,
  dim: number,
  distance: Distance,
): number {
  if (distance === 'Cosine' || distance === 'Dot') return dot(data, off, q, dim);
  if (distance === 'Euclid') {
    let s = 0;
    for (let i = 0; i < dim; i++) {
      const d = data[off + i]! - q[i]!;
      s += d * d;
    }
    return -s;
  }
  let s = 0;
  for (let i = 0; i < dim; i++) s += Math.abs(data[off + i]! - q[i]!);
  return -s;
}

function dot(data: Float32Array, off: number, q: Float32Array, dim: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < dim; i += 4) {
    s0 += data[off + i]! * q[i]!;
    s1 += data[off + i + 1]! * q[i + 1]!;
    s2 += data[off + i + 2]! * q[i + 2]!;
    s3 += data[off + i + 3]! * q[i + 3]!;
  }
  for (; i < dim; i++) s0 += data[off + i]! * q[i]!;
  return s0 + s1 + s2 + s3;
}

/** The score Qdrant reports: the Euclid distance itself, the Manhattan distance itself, else the similarity. */
export function externalScore(internal: number, distance: Distance): number {
  if (distance === 'Euclid') return Math.sqrt(-internal);
  if (distance === 'Manhattan') return -internal;
  return internal;
}

/** Maps a user `score_threshold` to the internal order (for distances it is an upper bound). */
export function internalThreshold(threshold: number | null | undefined, distance: Distance): number {
  if (threshold === null || threshold === undefined) return Number.NEGATIVE_INFINITY;
  if (distance === 'Euclid') return threshold < 0 ? Number.POSITIVE_INFINITY : -(threshold * threshold);
  if (distance === 'Manhattan') return -threshold;
  return threshold;
}
