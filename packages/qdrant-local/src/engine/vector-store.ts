import { createMemory, type DotsFn, dotKernel, type WasmMemory } from './dot-kernel.js';
import { CODE_CHUNK, Int8Codes } from './int8-codes.js';
import { RowFile } from './row-file.js';
import { TopK } from './top-k.js';

export type Distance = 'Cosine' | 'Dot' | 'Euclid' | 'Manhattan';

const PAGE = 65_536;
/** Rows scored per kernel call: the score buffer stays in L1/L2 cache. */
const CHUNK = 4_096;

/** How a store keeps its rows: `onDisk` (originals in a file), `int8` (scalar quantization). */
export interface VectorStoreOptions {
  onDisk?: boolean;
  int8?: { quantile: number } | null;
}

/** Qdrant's `search_params.quantization`, resolved (defaults: use it, rescore, no oversampling). */
export interface QuantizedSearch {
  /** Rescore the candidates with the float32 originals (exact scores and order). Default true. */
  rescore: boolean;
  /** Candidates taken from the quantized scan: `limit × oversampling` (≥ 1). Default 1. */
  oversampling: number;
}

/**
 * The dense vectors of one vector name, packed in one growable block of WebAssembly memory
 * (slot-major, rows padded to a multiple of 8 floats), so a search is a linear scan over contiguous
 * memory: Cosine and Dot through the SIMD dot-product kernel, Euclid and Manhattan in JavaScript.
 * Cosine vectors are stored normalized, which turns cosine similarity into a dot product.
 * Memory layout: [query row][CHUNK float32 scores][rows...].
 *
 * With `onDisk` the rows live in a RowFile and the memory holds a window of CHUNK rows that scans
 * read into. With `int8` the store also keeps int8 codes (Int8Codes) and `searchQuantized` scans
 * those (a quarter of the bytes), then rescores the best `limit × oversampling` with the originals:
 * on disk plus int8, the process holds about a quarter of the float32 bytes.
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
  /** The rows, when they are kept on disk (`data` is then the window of CHUNK rows). */
  private readonly file: RowFile | null;
  /** One padded row, for writes to the file. */
  private readonly rowBuffer: Float32Array | null;
  /** int8 codes, when the vector is quantized (not for Manhattan: no dot product to rank by). */
  readonly codes: Int8Codes | null;
  /** Squared norms per slot (Euclid with int8: |x − q|² = |x|² + |q|² − 2 x·q). */
  private norms: Float32Array | null;
  private rows = 0;

  /** Slots holding a vector (kept on every set and clear, so telemetry needs no scan). */
  get count(): number {
    return this.rows;
  }

  constructor(
    readonly dim: number,
    readonly distance: Distance,
    options: VectorStoreOptions = {},
    capacity = 64,
  ) {
    this.stride = Math.ceil(dim / 8) * 8;
    this.rowsOffset = this.stride * 4 + CHUNK * 4;
    this.file = options.onDisk ? new RowFile(this.stride * 4) : null;
    this.rowBuffer = this.file ? new Float32Array(this.stride) : null;
    const resident = this.file ? CHUNK : capacity;
    this.memory = createMemory(Math.ceil((this.rowsOffset + resident * this.stride * 4) / PAGE));
    this.dots = distance === 'Cosine' || distance === 'Dot' ? dotKernel(this.memory) : null;
    this.present = new Uint8Array(capacity);
    this.codes = options.int8 && distance !== 'Manhattan' ? new Int8Codes(dim, options.int8.quantile) : null;
    this.norms = this.codes && distance === 'Euclid' ? new Float32Array(capacity) : null;
    this.views();
  }

  /** Bytes this store holds in memory: the row memory (or window), codes, presence and norms. */
  get memoryBytes(): number {
    return (
      this.memory.buffer.byteLength +
      (this.codes?.bytes ?? 0) +
      this.present.byteLength +
      (this.norms?.byteLength ?? 0)
    );
  }

  /** Whether searches can scan int8 codes. */
  get quantized(): boolean {
    return this.codes !== null;
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
    if (this.file === null && needed > this.memory.buffer.byteLength) {
      this.memory.grow(Math.ceil((needed - this.memory.buffer.byteLength) / PAGE));
      this.views();
    }
    const present = new Uint8Array(cap);
    present.set(this.present);
    this.present = present;
    if (this.norms) {
      const norms = new Float32Array(cap);
      norms.set(this.norms);
      this.norms = norms;
    }
  }

  /** Stores an already prepared vector (normalized when the distance is Cosine). */
  set(slot: number, v: Float32Array): void {
    this.ensure(slot + 1);
    if (this.file) {
      const row = this.rowBuffer!;
      row.set(v);
      this.file.write(slot, new Uint8Array(row.buffer, 0, this.stride * 4));
    } else {
      this.data.set(v, slot * this.stride);
    }
    if (this.present[slot] === 0) this.rows++;
    this.present[slot] = 1;
    if (this.codes) {
      this.codes.encode(slot, v);
      if (this.norms) this.norms[slot] = dot(v, 0, v, this.dim);
    }
  }

  clear(slot: number): void {
    if (slot < this.present.length && this.present[slot] === 1) {
      this.present[slot] = 0;
      this.rows--;
    }
  }

  /** The stored vector (a view of memory, or a fresh copy read from disk). */
  get(slot: number): Float32Array | null {
    if (!this.present[slot]) return null;
    if (this.file) {
      const row = new Float32Array(this.stride);
      this.file.read(slot, 1, new Uint8Array(row.buffer));
      return row.subarray(0, this.dim);
    }
    return this.data.subarray(slot * this.stride, slot * this.stride + this.dim);
  }

  /**
   * Makes rows `start … start + count - 1` (count ≤ CHUNK) readable in memory and returns the
   * float index in `data` of the first: in place in memory, or read into the window from disk.
   */
  private rowsAt(start: number, count: number): number {
    if (this.file === null) return start * this.stride;
    this.file.read(start, count, new Uint8Array(this.data.buffer, this.rowsOffset, count * this.stride * 4));
    return 0;
  }

  /** Copies a caller's vector into float32 and normalizes it for Cosine, as Qdrant does on insert. */
  prepare(v: ArrayLike<number>): Float32Array {
    const out = Float32Array.from(v);
    if (this.distance === 'Cosine') normalize(out);
    return out;
  }

  /** Raw score of `slot` against a prepared query, in the engine's "larger is better" order. */
  internalScore(query: Float32Array, slot: number): number {
    return scoreAt(this.data, this.rowsAt(slot, 1), query, this.dim, this.distance);
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
        const at = this.rowsOffset + this.rowsAt(start, count) * 4;
        this.dots(0, at, strideBytes, count, this.stride * 4);
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
    const { present, dim, distance, stride } = this;
    for (let start = 0; start < n; start += CHUNK) {
      const count = Math.min(CHUNK, n - start);
      const base = this.rowsAt(start, count);
      const data = this.data;
      for (let j = 0; j < count; j++) {
        const slot = start + j;
        if (present[slot] === 0) continue;
        const s = scoreAt(data, base + j * stride, query, dim, distance);
        if (s < floor || s <= heap.floor) continue;
        if (accept !== null && !accept(slot)) continue;
        heap.push(s, slot);
      }
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
      const { present, dim, distance } = this;
      for (let i = 0; i < n; i++) {
        const slot = slots[i]!;
        if (slot >= present.length || present[slot] === 0) continue;
        const s = scoreAt(this.data, this.rowsAt(slot, 1), query, dim, distance);
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
            rowsOffset + this.rowsAt(first, last - first + 1) * 4,
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

  /**
   * Top-k through the int8 codes: the codes of every row below `upto` are scored by the int8
   * kernel, the best `k × oversampling` candidates that `accept` passes are kept, and with
   * `rescore` those are scored again with the float32 originals (so scores and order are exact
   * among the candidates; `floor` applies to the exact score). Without `rescore` the scores are
   * the quantized estimates. The codes are calibrated on first use and again when the rows double.
   */
  searchQuantized(
    query: Float32Array,
    k: number,
    params: QuantizedSearch,
    upto: number,
    accept: ((slot: number) => boolean) | null,
    floor: number,
  ): TopK {
    const codes = this.codes!;
    const n = Math.min(upto, this.present.length);
    if (codes.stale(this.rows)) this.calibrate(n);
    const candidates = new TopK(Math.max(k, Math.ceil(k * params.oversampling)));
    const scale = codes.step * codes.setQuery(query);
    const euclid = this.norms;
    const queryNorm = euclid ? dot(query, 0, query, this.dim) : 0;
    const { present } = this;
    const approxFloor = params.rescore ? Number.NEGATIVE_INFINITY : floor;
    for (let start = 0; start < n; start += CODE_CHUNK) {
      const count = Math.min(CODE_CHUNK, n - start);
      const scores = codes.score(start, count);
      for (let j = 0; j < count; j++) {
        const slot = start + j;
        if (present[slot] === 0) continue;
        const d = scores[j]! * scale;
        const s = euclid ? 2 * d - euclid[slot]! - queryNorm : d;
        if (s < approxFloor || s <= candidates.floor) continue;
        if (accept !== null && !accept(slot)) continue;
        candidates.push(s, slot);
      }
    }
    if (params.rescore) {
      // The same kernel as an exact search: a rescored point has exactly its float32 score.
      const slots = candidates.slots.slice(0, candidates.size).sort();
      return this.searchSlots(query, k, slots, null, floor);
    }
    if (candidates.k === k) return candidates;
    const heap = new TopK(k);
    for (let i = 0; i < candidates.size; i++) heap.push(candidates.scores[i]!, candidates.slots[i]!);
    return heap;
  }

  /** Sets the int8 step from a spread sample of the rows, then encodes every row. */
  private calibrate(n: number): void {
    const codes = this.codes!;
    const { present } = this;
    const every = Math.max(1, Math.floor(this.rows / codes.sampleRows()));
    codes.calibrate(
      this.rows,
      (visit) => {
        for (let slot = 0, seen = 0; slot < n; slot++) {
          if (present[slot] === 0) continue;
          if (seen++ % every === 0) visit(this.get(slot)!);
        }
      },
      (visit) => {
        codes.ensure(n);
        for (let start = 0; start < n; start += CHUNK) {
          const count = Math.min(CHUNK, n - start);
          const base = this.rowsAt(start, count);
          for (let j = 0; j < count; j++) {
            if (present[start + j] === 0) continue;
            const off = base + j * this.stride;
            visit(start + j, this.data.subarray(off, off + this.dim));
          }
        }
      },
    );
  }
}

function normalize(v: Float32Array): void {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i]! * v[i]!;
  if (sum === 0) return;
  const inv = 1 / Math.sqrt(sum);
  for (let i = 0; i < v.length; i++) v[i] = v[i]! * inv;
}

/** Larger is better for every distance: Euclid is −squared distance, Manhattan −distance. */
function scoreAt(data: Float32Array, off: number, q: Float32Array, dim: number, distance: Distance): number {
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
