import { createMemory, type DotsFn, dotKernel, type WasmMemory } from './dot-kernel.js';
import { TopK } from './top-k.js';

export type Distance = 'Cosine' | 'Dot' | 'Euclid' | 'Manhattan';

const PAGE = 65_536;
/** Rows scored per kernel call: the score buffer stays in L1/L2 cache. */
const CHUNK = 4_096;

/**
 * The dense vectors of one vector name, packed in one growable block of WebAssembly memory
 * (slot-major, rows padded to a multiple of 8 floats), so a search is a linear scan over contiguous
 * memory: Cosine and Dot through the SIMD dot-product kernel, Euclid and Manhattan in JavaScript.
 * Cosine vectors are stored normalized, which turns cosine similarity into a dot product.
 * Memory layout: [query row][CHUNK float32 scores][rows...].
 */
export class VectorStore {
  /** Floats per stored row (dim rounded up to a multiple of 8; the padding stays zero). */
  readonly stride: number;
  private readonly memory: WasmMemory;
  private readonly dots: DotsFn | null;
  private readonly rowsOffset: number;
  /** Float32 view of the rows region; re-created when the memory grows. */
  data!: Float32Array;
  private scores!: Float32Array;
  private queryRow!: Float32Array;
  present: Uint8Array;

  constructor(
    readonly dim: number,
    readonly distance: Distance,
    capacity = 64,
  ) {
    this.stride = Math.ceil(dim / 8) * 8;
    this.rowsOffset = this.stride * 4 + CHUNK * 4;
    this.memory = createMemory(Math.ceil((this.rowsOffset + capacity * this.stride * 4) / PAGE));
    this.dots = distance === 'Cosine' || distance === 'Dot' ? dotKernel(this.memory) : null;
    this.present = new Uint8Array(capacity);
    this.views();
  }

  private views(): void {
    const buffer = this.memory.buffer;
    this.queryRow = new Float32Array(buffer, 0, this.stride);
    this.scores = new Float32Array(buffer, this.stride * 4, CHUNK);
    this.data = new Float32Array(buffer, this.rowsOffset, (buffer.byteLength - this.rowsOffset) / 4);
  }

  ensure(slots: number): void {
    if (slots <= this.present.length) return;
    let cap = this.present.length;
    while (cap < slots) cap *= 2;
    const needed = this.rowsOffset + cap * this.stride * 4;
    if (needed > this.memory.buffer.byteLength) {
      this.memory.grow(Math.ceil((needed - this.memory.buffer.byteLength) / PAGE));
      this.views();
    }
    const present = new Uint8Array(cap);
    present.set(this.present);
    this.present = present;
  }

  /** Stores an already prepared vector (normalized when the distance is Cosine). */
  set(slot: number, v: Float32Array): void {
    this.ensure(slot + 1);
    this.data.set(v, slot * this.stride);
    this.present[slot] = 1;
  }

  clear(slot: number): void {
    if (slot < this.present.length) this.present[slot] = 0;
  }

  get(slot: number): Float32Array | null {
    if (!this.present[slot]) return null;
    return this.data.subarray(slot * this.stride, slot * this.stride + this.dim);
  }

  /** Copies a caller's vector into float32 and normalizes it for Cosine, as Qdrant does on insert. */
  prepare(v: ArrayLike<number>): Float32Array {
    const out = Float32Array.from(v);
    if (this.distance === 'Cosine') normalize(out);
    return out;
  }

  /** Raw score of `slot` against a prepared query, in the engine's "larger is better" order. */
  internalScore(query: Float32Array, slot: number): number {
    return scoreAt(this.data, slot * this.stride, query, this.dim, this.distance);
  }

  /**
   * Exact top-k over slots below `upto`: `accept(slot)` filters (live, present, filter), `floor`
   * is the internal score threshold. Returns internal scores; see `externalScore`.
   */
  search(
    query: Float32Array,
    k: number,
    upto: number,
    accept: ((slot: number) => boolean) | null,
    floor: number,
  ): TopK {
    const heap = new TopK(k);
    const n = Math.min(upto, this.present.length);
    if (this.dots !== null) {
      this.queryRow.set(query);
      const strideBytes = this.stride * 4;
      const { present, scores } = this;
      for (let start = 0; start < n; start += CHUNK) {
        const count = Math.min(CHUNK, n - start);
        this.dots(0, this.rowsOffset + start * strideBytes, strideBytes, count, this.stride * 4);
        for (let j = 0; j < count; j++) {
          const slot = start + j;
          if (present[slot] === 0) continue;
          const s = scores[j]!;
          if (s < floor || s <= heap.floor) continue;
          if (accept !== null && !accept(slot)) continue;
          heap.push(s, slot);
        }
      }
      return heap;
    }
    const { data, present, dim, distance, stride } = this;
    for (let slot = 0; slot < n; slot++) {
      if (present[slot] === 0) continue;
      const s = scoreAt(data, slot * stride, query, dim, distance);
      if (s < floor || s <= heap.floor) continue;
      if (accept !== null && !accept(slot)) continue;
      heap.push(s, slot);
    }
    return heap;
  }

  /**
   * Exact top-k over the given ascending `slots` only (index candidates): consecutive runs of
   * slots are scored by one SIMD kernel call each, straight from their rows (no copy), with the
   * scores packed into the score buffer; then the same accept / floor / heap steps as `search`.
   */
  searchSlots(
    query: Float32Array,
    k: number,
    slots: Int32Array,
    accept: ((slot: number) => boolean) | null,
    floor: number,
  ): TopK {
    const heap = new TopK(k);
    const n = slots.length;
    if (this.dots === null) {
      const { data, present, dim, distance, stride } = this;
      for (let i = 0; i < n; i++) {
        const slot = slots[i]!;
        if (slot >= present.length || present[slot] === 0) continue;
        const s = scoreAt(data, slot * stride, query, dim, distance);
        if (s < floor || s <= heap.floor) continue;
        if (accept !== null && !accept(slot)) continue;
        heap.push(s, slot);
      }
      return heap;
    }
    this.queryRow.set(query);
    const strideBytes = this.stride * 4;
    const scoresAt = strideBytes;
    const { present, scores, rowsOffset } = this;
    const cap = present.length;
    for (let start = 0; start < n; start += CHUNK) {
      const end = Math.min(n, start + CHUNK);
      // Runs of consecutive slots: one kernel call per run; scores land at the run's position.
      let i = start;
      while (i < end) {
        const first = slots[i]!;
        let j = i + 1;
        while (j < end && slots[j] === slots[j - 1]! + 1) j++;
        const last = Math.min(slots[j - 1]!, cap - 1);
        if (first <= last) {
          this.dots(
            0,
            rowsOffset + first * strideBytes,
            strideBytes,
            last - first + 1,
            scoresAt + (i - start) * 4,
          );
        }
        i = j;
      }
      for (let j = start; j < end; j++) {
        const slot = slots[j]!;
        if (slot >= cap || present[slot] === 0) continue;
        const s = scores[j - start]!;
        if (s < floor || s <= heap.floor) continue;
        if (accept !== null && !accept(slot)) continue;
        heap.push(s, slot);
      }
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
