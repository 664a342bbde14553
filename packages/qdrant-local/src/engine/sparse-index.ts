import { formatError, validationError } from '../errors.js';
import { TopK } from './top-k.js';

/** A stored sparse vector: strictly increasing u32 `indices`, float32 `values` (as Qdrant keeps them). */
export interface SparseVector {
  indices: number[];
  values: number[];
}

/**
 * IDF as Qdrant computes it for a sparse vector declared with `modifier: "idf"`:
 * ln((N − n + 0.5) / (n + 0.5) + 1), N the points of the collection, n those with a non-zero
 * value at the index. Always positive, so a word in every document still counts a little.
 */
function idf(points: number, withIndex: number): number {
  return Math.log((points - withIndex + 0.5) / (withIndex + 0.5) + 1);
}

/** One index's postings: parallel growable arrays of (slot, value, generation), with stale entries. */
class Posting {
  slots = new Int32Array(4);
  values = new Float32Array(4);
  gens = new Uint32Array(4);
  length = 0;
  /** Entries whose point was rewritten or deleted since they were added. */
  stale = 0;

  push(slot: number, value: number, gen: number): void {
    if (this.length === this.slots.length) {
      const grow = <T extends Int32Array | Float32Array | Uint32Array>(a: T, b: T): T => {
        b.set(a);
        return b;
      };
      const n = this.length * 2;
      this.slots = grow(this.slots, new Int32Array(n));
      this.values = grow(this.values, new Float32Array(n));
      this.gens = grow(this.gens, new Uint32Array(n));
    }
    this.slots[this.length] = slot;
    this.values[this.length] = value;
    this.gens[this.length] = gen;
    this.length++;
  }

  get live(): number {
    return this.length - this.stale;
  }

  /** Drops stale entries (when they are half the posting). */
  compact(gen: Uint32Array): void {
    let w = 0;
    for (let r = 0; r < this.length; r++) {
      const slot = this.slots[r]!;
      if (this.gens[r] !== gen[slot]) continue;
      this.slots[w] = slot;
      this.values[w] = this.values[r]!;
      this.gens[w] = this.gens[r]!;
      w++;
    }
    this.length = w;
    this.stale = 0;
  }
}

/**
 * The inverted index of one sparse vector name: index → posting of (slot, value), non-zero values
 * only, kept in step with every write. A rewrite or delete bumps the slot's generation, which makes
 * its old entries stale (skipped, and compacted away once they are half a posting) instead of
 * searching postings for them. A search touches only the postings of the query's indices, so its
 * cost follows how many points share the query's terms, not the size of the collection.
 */
export class SparseIndex {
  private readonly postings = new Map<number, Posting>();
  /** Per slot, the vector it holds (for candidate scoring and rendering). */
  private readonly bySlot: Array<SparseVector | undefined> = [];
  private gen = new Uint32Array(64);
  /** Score accumulator and touched marks reused by searches (grown to the highest slot). */
  private acc = new Float64Array(64);
  private mark = new Uint8Array(64);
  private touched = new Int32Array(64);
  /** Slots holding a vector (kept on every set and remove, so telemetry needs no scan). */
  private held = 0;

  constructor(readonly idfModifier: boolean) {}

  get count(): number {
    return this.held;
  }

  get(slot: number): SparseVector | undefined {
    return this.bySlot[slot];
  }

  private ensure(slot: number): void {
    if (slot < this.gen.length) return;
    let n = this.gen.length;
    while (n <= slot) n *= 2;
    const gen = new Uint32Array(n);
    gen.set(this.gen);
    this.gen = gen;
    this.acc = new Float64Array(n);
    this.mark = new Uint8Array(n);
    this.touched = new Int32Array(n);
  }

  set(slot: number, v: SparseVector | undefined): void {
    this.remove(slot);
    if (v === undefined) return;
    this.ensure(slot);
    this.bySlot[slot] = v;
    this.held++;
    const gen = this.gen[slot]!;
    for (let i = 0; i < v.indices.length; i++) {
      const value = v.values[i]!;
      if (value === 0) continue;
      const dim = v.indices[i]!;
      let posting = this.postings.get(dim);
      if (posting === undefined) {
        posting = new Posting();
        this.postings.set(dim, posting);
      }
      posting.push(slot, value, gen);
    }
  }

  remove(slot: number): void {
    const old = this.bySlot[slot];
    if (old === undefined) return;
    this.bySlot[slot] = undefined;
    this.held--;
    this.gen[slot] = this.gen[slot]! + 1;
    for (let i = 0; i < old.indices.length; i++) {
      if (old.values[i] === 0) continue;
      const dim = old.indices[i]!;
      const posting = this.postings.get(dim);
      if (posting === undefined) continue;
      posting.stale++;
      if (posting.live === 0) this.postings.delete(dim);
      else if (posting.stale * 2 > posting.length) posting.compact(this.gen);
    }
  }

  /** The query's weights, multiplied by each index's IDF when the modifier is on (`points` = N). */
  weights(query: SparseVector, points: number): SparseVector {
    if (!this.idfModifier) return query;
    return {
      indices: query.indices,
      values: query.values.map((w, i) => w * idf(points, this.postings.get(query.indices[i]!)?.live ?? 0)),
    };
  }

  /**
   * Exact top-k by dot product over the points sharing at least one index with the (weighted)
   * query, as Qdrant's sparse search: points with no index in common are not results.
   */
  search(
    query: SparseVector,
    k: number,
    _upto: number,
    accept: ((slot: number) => boolean) | null,
    floor: number,
  ): TopK {
    const { acc, mark, touched, gen } = this;
    let count = 0;
    for (let i = 0; i < query.indices.length; i++) {
      const w = query.values[i]!;
      const posting = this.postings.get(query.indices[i]!);
      if (posting === undefined || w === 0) continue;
      const { slots, values, gens, length } = posting;
      for (let j = 0; j < length; j++) {
        const slot = slots[j]!;
        if (gens[j] !== gen[slot]) continue;
        if (mark[slot] === 0) {
          mark[slot] = 1;
          touched[count++] = slot;
        }
        acc[slot]! += w * values[j]!;
      }
    }
    const heap = new TopK(k);
    for (let t = 0; t < count; t++) {
      const slot = touched[t]!;
      const s = Math.fround(acc[slot]!);
      acc[slot] = 0;
      mark[slot] = 0;
      if (s < floor || s <= heap.floor) continue;
      if (accept !== null && !accept(slot)) continue;
      heap.push(s, slot);
    }
    return heap;
  }

  /** Scores the given slots only (prefetched candidates); slots without a common index are left out. */
  searchSlots(
    query: SparseVector,
    k: number,
    slots: Iterable<number>,
    accept: ((slot: number) => boolean) | null,
    floor: number,
  ): TopK {
    const q = new Map<number, number>();
    query.indices.forEach((dim, i) => {
      q.set(dim, query.values[i]!);
    });
    const heap = new TopK(k);
    for (const slot of slots) {
      const v = this.bySlot[slot];
      if (v === undefined) continue;
      let s = 0;
      let common = false;
      for (let i = 0; i < v.indices.length; i++) {
        const w = q.get(v.indices[i]!);
        if (w === undefined) continue;
        common = true;
        s += w * v.values[i]!;
      }
      if (!common) continue;
      s = Math.fround(s);
      if (s < floor || s <= heap.floor) continue;
      if (accept !== null && !accept(slot)) continue;
      heap.push(s, slot);
    }
    return heap;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const U32_MAX = 0xffff_ffff;

/**
 * Checks a sparse vector `{indices, values}` as Qdrant does and returns it sorted by index (Qdrant
 * sorts unsorted indices itself): indices u32 (400 "Format error"), values finite numbers, the
 * same number of each and unique indices (422 "Validation error", naming `where`). Values are kept
 * as float32, as Qdrant stores them.
 */
export function parseSparse(input: unknown, where: string): SparseVector {
  if (!isObject(input)) throw formatError(`${where}: expected a sparse vector {indices, values}`);
  const { indices, values } = input;
  if (!Array.isArray(indices)) throw formatError(`${where}.indices: invalid type, expected a sequence`);
  if (!Array.isArray(values)) throw formatError(`${where}.values: invalid type, expected a sequence`);
  indices.forEach((i, n) => {
    if (typeof i !== 'number')
      throw formatError(
        `${where}.indices[${n}]: invalid type: ${i === null ? 'null' : typeof i}, expected u32`,
      );
    if (!Number.isInteger(i) || i < 0 || i > U32_MAX)
      throw formatError(
        `${where}.indices[${n}]: invalid value: ${Number.isInteger(i) ? 'integer' : 'floating point'} \`${i}\`, expected u32`,
      );
  });
  values.forEach((x, n) => {
    if (typeof x !== 'number')
      throw formatError(
        `${where}.values[${n}]: invalid type: ${x === null ? 'null' : typeof x}, expected f32`,
      );
    if (!Number.isFinite(x)) throw formatError(`${where}.values[${n}]: value ${x} is not a finite number`);
  });
  if (values.length !== indices.length)
    throw validationError(`${where}.values: Validation error: must be the same length as indices [{}]`);
  if (new Set(indices).size !== indices.length)
    throw validationError(`${where}.indices: Validation error: must be unique [{}]`);
  const order = indices.map((_, n) => n).sort((a, b) => (indices[a] as number) - (indices[b] as number));
  return {
    indices: order.map((n) => indices[n] as number),
    values: order.map((n) => Math.fround(values[n] as number)),
  };
}
