import { beforeAll, describe, expect, it } from 'vitest';
import type { SuiteContext } from './answers.js';
import { dot } from './math.js';
import { expectQdrantError } from './targets.js';

/** ColBERT-style points: several rows each (Dot, so rows are stored as given). */
const docs: Array<{ id: number; rows: number[][] }> = [
  {
    id: 1,
    rows: [
      [1, 0, 0],
      [0, 1, 0],
    ],
  },
  { id: 2, rows: [[0, 0, 1]] },
  {
    id: 3,
    rows: [
      [0.5, 0.5, 0],
      [0, 0, 0.9],
      [0.2, 0.1, 0.1],
    ],
  },
  { id: 4, rows: [[0.9, 0.1, 0.4]] },
];

/** MaxSim: Σ over the query rows of the best dot with any of the point's rows. */
const maxSim = (query: number[][], rows: number[][]) =>
  query.reduce((s, q) => s + Math.max(...rows.map((r) => dot(q, r))), 0);

/** Multivectors (`multivector_config: {comparator: max_sim}`) stored, returned and searched. */
export function multivectorCases(ctx: SuiteContext): void {
  describe('multivectors (MaxSim)', () => {
    let name: string;
    const client = () => ctx.target().client;
    beforeAll(async () => {
      name = await ctx.collection('multi', {
        vectors: {
          colbert: { size: 3, distance: 'Dot', multivector_config: { comparator: 'max_sim' } },
          dense: { size: 3, distance: 'Dot' },
        },
      });
      await client().upsert(name, {
        wait: true,
        points: docs.map((d) => ({ id: d.id, vector: { colbert: d.rows, dense: d.rows[0]! } })),
      });
    });

    it('ranks by MaxSim and returns the rows as stored', async () => {
      const query = [
        [1, 0, 0],
        [0, 0, 1],
      ];
      const { points } = await client().query(name, { query, using: 'colbert', limit: 10 });
      const expected = docs
        .map((d) => ({ id: d.id, score: maxSim(query, d.rows) }))
        .sort((a, b) => b.score - a.score || a.id - b.id);
      expect(points.map((p) => p.id)).toEqual(expected.map((e) => e.id));
      points.forEach((p, i) => {
        expect(p.score).toBeCloseTo(expected[i]!.score, 5);
      });
      const [point] = await client().retrieve(name, { ids: [3], with_vector: ['colbert'] });
      // Printed as Qdrant prints float32: 0.9 comes back as 0.9.
      expect(point?.vector).toEqual({ colbert: docs[2]!.rows });
    });

    it('rescores dense candidates with MaxSim in a prefetch, and refuses rows of the wrong size', async () => {
      const query = [[0, 0, 1]];
      const { points } = await client().query(name, {
        prefetch: { query: [1, 0, 0], using: 'dense', limit: 3 },
        query,
        using: 'colbert',
      });
      const candidates = [...docs]
        .sort((a, b) => dot(b.rows[0]!, [1, 0, 0]) - dot(a.rows[0]!, [1, 0, 0]))
        .slice(0, 3);
      const expected = candidates
        .map((d) => ({ id: d.id, score: maxSim(query, d.rows) }))
        .sort((a, b) => b.score - a.score || a.id - b.id);
      expect(points.map((p) => p.id)).toEqual(expected.map((e) => e.id));
      await expectQdrantError(
        client().upsert(name, { points: [{ id: 9, vector: { colbert: [[1, 0]] } }] }),
        400,
        /Vector dimension error: expected dim: 3, got 2/,
      );
      expect((await client().count(name)).count).toBe(docs.length);
    });
  });
}
