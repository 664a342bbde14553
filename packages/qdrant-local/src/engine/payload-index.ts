import { type Payload, valuesAt } from './json-path.js';

/** A value an equality condition (`match.value`, `match.any`) can look up. */
export type IndexKey = string | number | bigint | boolean;

/** Payload index types whose conditions are equality lookups, served here by an inverted index. */
export const INVERTED_TYPES: ReadonlySet<string> = new Set(['keyword', 'integer', 'uuid', 'bool']);

const isKey = (v: unknown): v is IndexKey =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean';

/**
 * A sorted set of slots in a growable Int32Array: inserts and removals are a binary search plus
 * one `copyWithin`, and the common insert (a freshly allocated, highest slot) is an append.
 * Search walks slots in ascending order, as the full scan does, so ties resolve the same way.
 */
export class SlotList {
  private buf = new Int32Array(8);
  size = 0;

  /** The slots, ascending; a view that is valid until the next change. */
  view(): Int32Array {
    return this.buf.subarray(0, this.size);
  }

  private find(slot: number): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.buf[mid]! < slot) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  add(slot: number): void {
    const n = this.size;
    if (n === this.buf.length) {
      const grown = new Int32Array(n * 2);
      grown.set(this.buf);
      this.buf = grown;
    }
    if (n === 0 || this.buf[n - 1]! < slot) {
      this.buf[n] = slot;
      this.size = n + 1;
      return;
    }
    const at = this.find(slot);
    if (this.buf[at] === slot) return;
    this.buf.copyWithin(at + 1, at, n);
    this.buf[at] = slot;
    this.size = n + 1;
  }

  remove(slot: number): void {
    const at = this.find(slot);
    if (at >= this.size || this.buf[at] !== slot) return;
    this.buf.copyWithin(at, at + 1, this.size);
    this.size--;
  }
}

const NONE: readonly IndexKey[] = [];

/**
 * The inverted index of one payload field: each distinct scalar value reached by the field's path
 * (array elements count one by one, as conditions see them) → the sorted slots that carry it.
 * It may only over-approximate what a condition matches, never miss a point: every candidate it
 * returns is still checked against the full filter.
 */
export class InvertedIndex {
  private readonly postings = new Map<IndexKey, SlotList>();
  /** The distinct values each slot was indexed under, to undo them when its payload changes. */
  private readonly keysOf: Array<readonly IndexKey[] | undefined> = [];

  constructor(readonly field: string) {}

  /** Re-indexes one slot from its current payload (`null`: the point is gone). */
  update(slot: number, payload: Payload | null): void {
    const before = this.keysOf[slot] ?? NONE;
    const after = payload === null ? NONE : distinctKeys(valuesAt(payload, this.field));
    if (before.length === 0 && after.length === 0) return;
    if (before.length === 1 && after.length === 1 && before[0] === after[0]) return;
    for (const k of before) if (!after.includes(k)) this.postings.get(k)?.remove(slot);
    for (const k of after) {
      if (before.includes(k)) continue;
      let list = this.postings.get(k);
      if (!list) {
        list = new SlotList();
        this.postings.set(k, list);
      }
      list.add(slot);
    }
    for (const k of before) {
      const list = this.postings.get(k);
      if (list && list.size === 0) this.postings.delete(k);
    }
    this.keysOf[slot] = after.length === 0 ? undefined : after;
  }

  /** The slots carrying `value`, ascending (a view valid until the next write). */
  lookup(value: IndexKey): Int32Array {
    return this.postings.get(value)?.view() ?? EMPTY;
  }

  /** Its size: distinct values, and (slot, value) entries over all of them. */
  size(): { values: number; entries: number } {
    let entries = 0;
    for (const list of this.postings.values()) entries += list.size;
    return { values: this.postings.size, entries };
  }

  /** How many slots carry `value`: the cost of a lookup, known before doing it. */
  count(value: IndexKey): number {
    return this.postings.get(value)?.size ?? 0;
  }
}

const EMPTY = new Int32Array(0);

function distinctKeys(values: unknown[]): readonly IndexKey[] {
  if (values.length === 1) return isKey(values[0]) ? [values[0]] : NONE;
  const out: IndexKey[] = [];
  for (const v of values) if (isKey(v) && !out.includes(v)) out.push(v);
  return out;
}

/** The ascending union of ascending, duplicate-free slot lists. */
export function unionSorted(lists: Int32Array[]): Int32Array {
  if (lists.length === 1) return lists[0]!;
  let total = 0;
  for (const l of lists) total += l.length;
  const out = new Int32Array(total);
  let n = 0;
  for (const l of lists) {
    out.set(l, n);
    n += l.length;
  }
  return sortedDistinct(out);
}

/** Sorts slots in place and drops repeats; returns the distinct prefix. */
export function sortedDistinct(slots: Int32Array): Int32Array {
  slots.sort();
  let w = 0;
  for (let r = 0; r < slots.length; r++) if (w === 0 || slots[w - 1] !== slots[r]) slots[w++] = slots[r]!;
  return slots.subarray(0, w);
}
