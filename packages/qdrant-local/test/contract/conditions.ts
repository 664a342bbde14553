import { beforeAll, describe, expect, it } from 'vitest';
import type { SuiteContext } from './answers.js';
import { expectQdrantError } from './targets.js';

const UUIDS = ['6f1b2d4e-8a3c-4e5f-9b7d-1c2e3f4a5b6c', 'a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d'];

/** Places as geo points, and ids of both kinds for slices. */
const places: Array<{ id: number | string; lon: number; lat: number }> = [
  { id: 1, lon: 2.35, lat: 48.86 }, // Paris
  { id: 2, lon: 13.4, lat: 52.52 }, // Berlin
  { id: 3, lon: 12.5, lat: 41.9 }, // Rome
  { id: 4, lon: -0.13, lat: 51.51 }, // London
  { id: 5, lon: 4.9, lat: 52.37 }, // Amsterdam
  ...Array.from({ length: 20 }, (_, i) => ({ id: 100 + i * 7919, lon: i, lat: i })),
  { id: UUIDS[0]!, lon: 0, lat: 0 },
  { id: UUIDS[1]!, lon: 1, lat: 1 },
];

/** A closed ring through the given (lon, lat) corners. */
const ringOf = (corners: Array<[number, number]>) => ({
  points: [...corners, corners[0]!].map(([lon, lat]) => ({ lon, lat })),
});

/** The geo_polygon and slice conditions. */
export function conditionCases(ctx: SuiteContext): void {
  describe('geo_polygon and slice conditions', () => {
    let name: string;
    const client = () => ctx.target().client;
    const ids = async (filter: Record<string, unknown>) =>
      (await client().scroll(name, { filter, limit: 100 })).points.map((p) => p.id);
    beforeAll(async () => {
      name = await ctx.collection('conditions', { vectors: { size: 2, distance: 'Dot' } });
      await client().upsert(name, {
        wait: true,
        points: places.map((p) => ({
          id: p.id,
          vector: [1, 0],
          payload: { at: { lon: p.lon, lat: p.lat } },
        })),
      });
    });

    it('selects geo points inside a polygon and outside its holes', async () => {
      // Western Europe without a hole around Paris.
      const exterior = ringOf([
        [-5, 45],
        [15, 45],
        [15, 55],
        [-5, 55],
      ]);
      const hole = ringOf([
        [2, 48],
        [3, 48],
        [3, 49],
        [2, 49],
      ]);
      expect(await ids({ must: [{ key: 'at', geo_polygon: { exterior } }] })).toEqual([1, 2, 4, 5]);
      expect(await ids({ must: [{ key: 'at', geo_polygon: { exterior, interiors: [hole] } }] })).toEqual([
        2, 4, 5,
      ]);
      await expectQdrantError(
        client().scroll(name, {
          filter: {
            must: [{ key: 'at', geo_polygon: { exterior: { points: exterior.points.slice(0, 3) } } }],
          },
        }),
        422,
        /Validation error in JSON body/,
      );
    });

    it('splits the points into disjoint slices that cover them all, the same on every call', async () => {
      const total = 3;
      const slices = await Promise.all(
        Array.from({ length: total }, (_, index) => ids({ must: [{ slice: { total, index } }] })),
      );
      const all = slices.flat().map(String).sort();
      expect(all).toEqual(places.map((p) => String(p.id)).sort());
      expect(new Set(all).size).toBe(places.length);
      expect(await ids({ must: [{ slice: { total, index: 1 } }] })).toEqual(slices[1]);
      // A slice of 6 is inside the slice of 3 with the same index modulo 3 (one hash, no salt).
      const six = await ids({ must: [{ slice: { total: 6, index: 4 } }] });
      for (const id of six) expect(slices[1]).toContain(id);
    });
  });
}
