import { type PointId, parsePointId } from '../engine/ids.js';
import { type IndexKey, type InvertedIndex, sortedDistinct, unionSorted } from '../engine/payload-index.js';

/** What narrowing reads from a collection: its inverted indexes and its id → slot map. */
export interface IndexSource {
  inverted(key: string): InvertedIndex | undefined;
  slotOf(id: PointId): number | undefined;
}

/**
 * A superset of the slots a filter can accept, known from indexes alone: `size` is its upper bound
 * (known before any list is built), `slots()` the ascending slots themselves.
 */
export interface Narrowing {
  size: number;
  slots(): Int32Array;
  /**
   * True when the slots are exactly the live points the filter accepts (the filter is one
   * indexed `match.value` condition), so checking the filter again per point can be skipped.
   */
  exact?: boolean;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const list = (v: unknown): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

const isKey = (v: unknown): v is IndexKey =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

const smallest = (a: Narrowing | null, b: Narrowing | null): Narrowing | null =>
  a === null ? b : b === null || a.size <= b.size ? a : b;

function union(parts: Narrowing[]): Narrowing {
  let size = 0;
  for (const p of parts) size += p.size;
  return { size, slots: () => unionSorted(parts.map((p) => p.slots())) };
}

/** Every condition narrowable → their union (at least one of them must hold); else nothing. */
function anyOf(conditions: unknown[], src: IndexSource): Narrowing | null {
  const parts: Narrowing[] = [];
  for (const c of conditions) {
    const n = narrowCondition(c, src);
    if (n === null) return null;
    parts.push(n);
  }
  return union(parts);
}

/**
 * The tightest index narrowing of an already validated filter: a `must` equality condition on an
 * inverted-indexed key (`match.value`, `match.any`), a `must` `has_id`, a nested filter in `must`,
 * or a `should` / `min_should` (min_count ≥ 1) whose conditions are all narrowable. Null when
 * nothing in the filter is indexed; the caller then scans every point.
 */
export function narrowFilter(filter: unknown, src: IndexSource): Narrowing | null {
  if (!isObject(filter)) return null;
  const single = onlyOneMustCondition(filter);
  if (single !== null) return narrowCondition(single, src);
  let best: Narrowing | null = null;
  for (const c of list(filter.must)) best = smallest(best, narrowCondition(c, src));
  if (filter.should !== undefined && filter.should !== null) {
    best = smallest(best, anyOf(list(filter.should), src));
  }
  const ms = filter.min_should;
  if (isObject(ms) && typeof ms.min_count === 'number' && ms.min_count >= 1 && Array.isArray(ms.conditions)) {
    best = smallest(best, anyOf(ms.conditions, src));
  }
  // One condition among others: its slots are candidates only.
  return best === null ? null : { size: best.size, slots: best.slots };
}

const hasOnlyKeys = (o: Record<string, unknown>, keys: readonly string[]): boolean =>
  Object.keys(o).every((k) => keys.includes(k) || o[k] === undefined);

/** The condition of a filter that is `{ must: [condition] }` and nothing else, or null. */
function onlyOneMustCondition(filter: Record<string, unknown>): unknown {
  if (!hasOnlyKeys(filter, ['must'])) return null;
  const must = list(filter.must);
  return must.length === 1 ? must[0] : null;
}

function narrowCondition(c: unknown, src: IndexSource): Narrowing | null {
  if (!isObject(c)) return null;
  if ('key' in c) {
    if (typeof c.key !== 'string' || !isObject(c.match)) return null;
    const index = src.inverted(c.key);
    if (!index) return null;
    const m = c.match;
    if ('value' in m) {
      const v = m.value;
      if (!isKey(v)) return null;
      // The index holds, per value, exactly the points with a value === it; NaN, which a Map
      // key finds but === never matches, is the one exception.
      const exact = !Number.isNaN(v) && hasOnlyKeys(c, ['key', 'match']) && hasOnlyKeys(m, ['value']);
      return { size: index.count(v), slots: () => index.lookup(v), exact };
    }
    if ('any' in m && Array.isArray(m.any)) {
      const values = m.any.filter(isKey);
      if (values.length !== m.any.length) return null;
      return union(values.map((v) => ({ size: index.count(v), slots: () => index.lookup(v) })));
    }
    return null;
  }
  if ('has_id' in c) {
    if (!Array.isArray(c.has_id)) return null;
    const ids = c.has_id;
    return {
      size: ids.length,
      slots: () => {
        const out: number[] = [];
        for (const raw of ids) {
          const slot = src.slotOf(parsePointId(raw));
          if (slot !== undefined) out.push(slot);
        }
        return sortedDistinct(Int32Array.from(out));
      },
    };
  }
  if ('nested' in c) return null;
  if ('must' in c || 'should' in c || 'must_not' in c || 'min_should' in c) return narrowFilter(c, src);
  return null;
}
