import { type Dots8Fn, int8Kernel } from './int8-kernel.js';
import { createMemory, type WasmMemory } from './wasm-asm.js';

const PAGE = 65_536;
/** Rows scored per kernel call (the int32 score buffer stays in cache). */
export const CODE_CHUNK = 4_096;
/** Values sampled to find the quantile bound: enough for a stable quantile, cheap at 1M rows. */
const SAMPLE_VALUES = 1 << 20;

/**
 * Qdrant's scalar int8 quantization of one dense vector's rows: each component becomes
 * `round(x / step)` clamped to ±127, with one `step` per vector name, set from the data: the
 * `quantile` of the components' absolute values (1 = the largest) divided by 127. Symmetric codes
 * (no offset) make the dot product of two code rows proportional to the float dot product, so the
 * SIMD int8 kernel ranks rows directly. Codes live in their own WebAssembly memory:
 * [query codes][CODE_CHUNK int32 scores][rows…], a row being the dimension rounded up to 16 bytes.
 *
 * The step is set the first time codes are needed and again whenever the rows have doubled since
 * (all rows re-encoded then), so it follows the data as it grows, like Qdrant re-quantizing a
 * segment when it is optimized; rows written in between are encoded at once with the current step
 * (components beyond the bound are clamped).
 */
export class Int8Codes {
  /** Bytes per code row. */
  readonly stride: number;
  private readonly memory: WasmMemory;
  private readonly dots8: Dots8Fn | null;
  private readonly rowsOffset: number;
  private codes!: Int8Array;
  private scores!: Int32Array;
  private queryCodes!: Int8Array;
  /** Float units per code step; 0 until calibrated. */
  step = 0;
  /** Rows present when the step was last set. */
  private calibratedRows = 0;
  private capacity: number;

  constructor(
    readonly dim: number,
    readonly quantile: number,
    capacity = 64,
  ) {
    this.stride = Math.ceil(dim / 16) * 16;
    this.rowsOffset = this.stride + CODE_CHUNK * 4;
    this.capacity = capacity;
    this.memory = createMemory(Math.ceil((this.rowsOffset + capacity * this.stride) / PAGE));
    this.dots8 = int8Kernel(this.memory);
    this.views();
  }

  private views(): void {
    const buffer = this.memory.buffer;
    this.queryCodes = new Int8Array(buffer, 0, this.stride);
    this.scores = new Int32Array(buffer, this.stride, CODE_CHUNK);
    this.codes = new Int8Array(buffer, this.rowsOffset, buffer.byteLength - this.rowsOffset);
  }

  /** Bytes held: the code rows and the buffers. */
  get bytes(): number {
    return this.memory.buffer.byteLength;
  }

  ensure(slots: number): void {
    if (slots <= this.capacity) return;
    let cap = this.capacity;
    while (cap < slots) cap *= 2;
    const needed = this.rowsOffset + cap * this.stride;
    if (needed > this.memory.buffer.byteLength) {
      this.memory.grow(Math.ceil((needed - this.memory.buffer.byteLength) / PAGE));
      this.views();
    }
    this.capacity = cap;
  }

  /** Whether `rows` present rows need a (re)calibration before the next quantized search. */
  stale(rows: number): boolean {
    return this.step === 0 || rows >= 2 * this.calibratedRows;
  }

  /**
   * Sets the step from the rows `each` visits (row index → float row), then encodes them all.
   * `sample` yields a spread subset of the rows for the quantile.
   */
  calibrate(
    rows: number,
    sample: (visit: (v: Float32Array) => void) => void,
    each: (visit: (slot: number, v: Float32Array) => void) => void,
  ): void {
    // The quantile of |x| from a histogram of the sampled components (one pass for the largest,
    // one to count per bin): within 1/4096 of the largest, and no sort of a million values.
    const sampled: Float32Array[] = [];
    sample((v) => sampled.push(Float32Array.from(v)));
    let max = 0;
    let total = 0;
    for (const v of sampled) {
      for (let i = 0; i < v.length; i++) max = Math.max(max, Math.abs(v[i]!));
      total += v.length;
    }
    let bound = max;
    if (this.quantile < 1 && max > 0) {
      const bins = new Float64Array(4096);
      const per = bins.length / max;
      for (const v of sampled) {
        for (let i = 0; i < v.length; i++)
          bins[Math.min(bins.length - 1, Math.floor(Math.abs(v[i]!) * per))]!++;
      }
      const wanted = this.quantile * total;
      let seen = 0;
      for (let b = 0; b < bins.length; b++) {
        seen += bins[b]!;
        if (seen >= wanted) {
          bound = (b + 1) / per;
          break;
        }
      }
    }
    this.step = bound > 0 ? bound / 127 : 1;
    this.calibratedRows = Math.max(1, rows);
    each((slot, v) => this.encode(slot, v));
  }

  /** How many rows to sample so that about SAMPLE_VALUES components are read. */
  sampleRows(): number {
    return Math.max(1, Math.floor(SAMPLE_VALUES / this.dim));
  }

  /** Encodes one row (after calibration; before it, rows are encoded by `calibrate`). */
  encode(slot: number, v: Float32Array): void {
    if (this.step === 0) return;
    this.ensure(slot + 1);
    const inv = 1 / this.step;
    const off = slot * this.stride;
    const codes = this.codes;
    for (let i = 0; i < this.dim; i++) {
      const c = Math.round(v[i]! * inv);
      codes[off + i] = Math.min(127, Math.max(-127, c));
    }
  }

  /**
   * Encodes a query with its own step (its largest component maps to ±127: a query is one row, no
   * outliers to clip) and returns that step: code dot products × step × query step ≈ float dots.
   */
  setQuery(query: Float32Array): number {
    let max = 0;
    for (let i = 0; i < this.dim; i++) max = Math.max(max, Math.abs(query[i]!));
    const step = max > 0 ? max / 127 : 1;
    const inv = 1 / step;
    const q = this.queryCodes;
    for (let i = 0; i < this.dim; i++) q[i] = Math.round(query[i]! * inv);
    return step;
  }

  /**
   * Scores rows `start … start + count - 1` (count ≤ CODE_CHUNK) against the query codes; the int32
   * dot products land in the returned view (valid until the next call).
   */
  score(start: number, count: number): Int32Array {
    if (this.dots8 !== null) {
      this.dots8(0, this.rowsOffset + start * this.stride, this.stride, count, this.stride);
      return this.scores;
    }
    const { codes, queryCodes, stride, dim, scores } = this;
    for (let j = 0; j < count; j++) {
      const off = (start + j) * stride;
      let s = 0;
      for (let i = 0; i < dim; i++) s += codes[off + i]! * queryCodes[i]!;
      scores[j] = s;
    }
    return scores;
  }
}
