import { describe, expect, it } from 'vitest';
import type { Collection } from '../../src/engine/collection.js';
import { LocalQdrant } from '../../src/index.js';

/** Counts reads of the collection's slot → id table, the work a scroll does per point it passes over. */
function countIdReads(engine: LocalQdrant, name: string): { reads: number } {
  const col = (
    engine as unknown as { state: { collections: Map<string, Collection> } }
  ).state.collections.get(name)!;
  const counter = { reads: 0 };
  col.ids = new Proxy(col.ids, {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) counter.reads++;
      return Reflect.get(target, key, receiver);
    },
  });
  return counter;
}

describe('local mode scroll', () => {
  it('starts a page at its offset id by binary search instead of walking from the first id', async () => {
    const engine = await LocalQdrant.open(':memory:');
    await engine.createCollection('c', { vectors: { size: 2, distance: 'Dot' } });
    const n = 4000;
    await engine.upsertPoints('c', {
      points: Array.from({ length: n }, (_, i) => ({ id: n - i, vector: [1, i] })),
    });
    await engine.scrollPoints('c', { limit: 1 }); // builds the cached id order
    const counter = countIdReads(engine, 'c');
    const page = await engine.scrollPoints('c', { offset: n - 9, limit: 5, with_payload: false });
    expect(page.points.map((p) => p.id)).toEqual([n - 9, n - 8, n - 7, n - 6, n - 5]);
    expect(page.next_page_offset).toBe(n - 4);
    // log2(4000) ≈ 12 probes plus the page: far below one read per point before the offset.
    expect(counter.reads).toBeLessThan(60);
    await engine.close();
  });
});
