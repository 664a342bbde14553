import { formatError, wrongInput } from '../errors.js';
import type { Distance } from './vector-store.js';

/**
 * The multivectors of one vector name (ColBERT-style: several rows of `dim` per point, compared
 * by `max_sim`): each point's rows in one flat Float32Array, Cosine rows normalized on insert.
 * Scanned in JavaScript: multivector collections are small next to the dense ones here.
 */
export class MultiVectorStore {
  present = new Uint8Array(64);
  private readonly rows: Array<Float32Array | undefined> = [];

  constructor(
    readonly dim: number,
    readonly distance: Distance,
  ) {}

  /** Flattens and checks rows (`[[…], […]]`; a plain vector is one row when `allowPlain`). */
  prepare(input: unknown, where: string, allowPlain: boolean): Float32Array {
    const list =
      Array.isArray(input) && input.every((r) => typeof r === 'number') && allowPlain ? [input] : input;
    if (!Array.isArray(list) || list.length === 0 || !list.every(Array.isArray))
      throw wrongInput('Conversion between multi and regular vectors failed');
    const out = new Float32Array(list.length * this.dim);
    (list as unknown[][]).forEach((row, r) => {
      if (row.length !== this.dim)
        throw wrongInput(`Vector dimension error: expected dim: ${this.dim}, got ${row.length}`);
      row.forEach((x, i) => {
        if (typeof x !== 'number' || !Number.isFinite(x))
          throw formatError(`${where}[${r}][${i}]: expected a finite number`);
        out[r * this.dim + i] = x;
      });
      if (this.distance === 'Cosine') {
        let sum = 0;
        for (let i = 0; i < this.dim; i++) sum += out[r * this.dim + i]! ** 2;
        if (sum > 0) for (let i = 0; i < this.dim; i++) out[r * this.dim + i]! /= Math.sqrt(sum);
      }
    });
    return out;
  }

  set(slot: number, flat: Float32Array): void {
    if (slot >= this.present.length) {
      const grown = new Uint8Array(Math.max(slot + 1, this.present.length * 2));
      grown.set(this.present);
      this.present = grown;
    }
    this.rows[slot] = Float32Array.from(flat);
    this.present[slot] = 1;
  }

  clear(slot: number): void {
    this.rows[slot] = undefined;
    if (slot < this.present.length) this.present[slot] = 0;
  }

  get(slot: number): Float32Array | null {
    return this.rows[slot] ?? null;
  }

  /** One row pair's similarity: dot for Cosine/Dot, minus the distance for Euclid/Manhattan. */
  private similarity(a: Float32Array, ai: number, b: Float32Array, bi: number): number {
    let s = 0;
    if (this.distance === 'Cosine' || this.distance === 'Dot') {
      for (let i = 0; i < this.dim; i++) s += a[ai + i]! * b[bi + i]!;
      return s;
    }
    if (this.distance === 'Euclid') {
      for (let i = 0; i < this.dim; i++) s += (a[ai + i]! - b[bi + i]!) ** 2;
      return -Math.sqrt(s);
    }
    for (let i = 0; i < this.dim; i++) s += Math.abs(a[ai + i]! - b[bi + i]!);
    return -s;
  }

  /** MaxSim: Σ over the query's rows of the best similarity to any of the point's rows. */
  maxSim(query: Float32Array, slot: number): number {
    const doc = this.rows[slot];
    if (!doc) return Number.NEGATIVE_INFINITY;
    let total = 0;
    for (let q = 0; q < query.length; q += this.dim) {
      let best = Number.NEGATIVE_INFINITY;
      for (let d = 0; d < doc.length; d += this.dim) best = Math.max(best, this.similarity(query, q, doc, d));
      total += best;
    }
    return total;
  }
}
