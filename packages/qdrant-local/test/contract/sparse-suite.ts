import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbsf, rrf } from './math.js';
import { type ContractTarget, expectQdrantError, uniqueName } from './targets.js';

type Id = number | string;
interface Sparse {
  indices: number[];
  values: number[];
}

/** Points with a dense `meaning` vector and a sparse `words` vector (indices unsorted on purpose for point 3). */
const docs: Array<{ id: Id; dense: number[]; sparse: Sparse; payload: Record<string, unknown> }> = [
  { id: 1, dense: [1, 0, 0], sparse: { indices: [1, 5], values: [1.5, 0.5] }, payload: { who: 'sage' } },
  { id: 2, dense: [0.6, 0.8, 0], sparse: { indices: [5, 9], values: [1, 2] }, payload: { who: 'ember' } },
  { id: 3, dense: [0, 1, 0], sparse: { indices: [9, 2, 1], values: [0.25, 3, 1] }, payload: { who: 'sage' } },
  { id: 4, dense: [0, 0.6, 0.8], sparse: { indices: [2], values: [0.75] }, payload: { who: 'ember' } },
  { id: 5, dense: [0.8, 0, 0.6], sparse: { indices: [7], values: [4] }, payload: { who: 'sage' } },
  {
    id: 'c0ffee00-0000-4000-8000-000000000001',
    dense: [0.6, 0, 0.8],
    sparse: { indices: [1, 2, 5, 9], values: [0.5, 0.5, 0.5, 0.5] },
    payload: { who: 'ember' },
  },
];

/** Dot product over the common indices; undefined when there is none (the point is not a result). */
function sparseDot(q: Sparse, d: Sparse, weight: (index: number) => number = () => 1): number | undefined {
  let s = 0;
  let common = false;
  q.indices.forEach((i, n) => {
    const at = d.indices.indexOf(i);
    if (at < 0) return;
    common = true;
    s += q.values[n]! * weight(i) * d.values[at]!;
  });
  return common ? s : undefined;
}

/** Qdrant's IDF: ln((N − n + 0.5) / (n + 0.5) + 1), N points, n points with the index. */
const idfOf = (points: Sparse[]) => (index: number) => {
  const n = points.filter((p) => p.indices.includes(index)).length;
  return Math.log((points.length - n + 0.5) / (n + 0.5) + 1);
};

function ranked(q: Sparse, points: typeof docs, weight?: (index: number) => number) {
  return points
    .map((p) => ({ id: p.id, score: sparseDot(q, p.sparse, weight) }))
    .filter((h): h is { id: Id; score: number } => h.score !== undefined)
    .sort((a, b) => b.score - a.score);
}

const cos = (a: number[], b: number[]) => {
  const dot = a.reduce((s, x, i) => s + x * b[i]!, 0);
  return dot / (Math.hypot(...a) * Math.hypot(...b));
};

/** Sparse vectors beside dense ones, as Qdrant 1.19 has them; run on every contract target. */
export function sparseContractSuite(label: string, makeTarget: () => Promise<ContractTarget>): void {
  describe(`${label}: sparse vectors and hybrid queries`, () => {
    let target: ContractTarget;
    let client: ContractTarget['client'];
    const created: string[] = [];

    beforeAll(async () => {
      target = await makeTarget();
      client = target.client;
    });
    afterAll(async () => {
      for (const name of created) await client.deleteCollection(name).catch(() => undefined);
      await target.close();
    });

    async function hybrid(tag: string, modifier: 'idf' | 'none' = 'none'): Promise<string> {
      const name = uniqueName(tag);
      created.push(name);
      await client.createCollection(name, {
        vectors: { meaning: { size: 3, distance: 'Cosine' } },
        sparse_vectors: { words: { modifier, index: { on_disk: false, full_scan_threshold: 5000 } } },
      });
      await client.upsert(name, {
        wait: true,
        points: docs.map((d) => ({
          id: d.id,
          vector: { meaning: d.dense, words: d.sparse },
          payload: d.payload,
        })),
      });
      return name;
    }

    const sorted = (s: Sparse): Sparse => {
      const order = s.indices.map((_, i) => i).sort((a, b) => s.indices[a]! - s.indices[b]!);
      return { indices: order.map((i) => s.indices[i]!), values: order.map((i) => s.values[i]!) };
    };

    it('reports the sparse config and returns sparse vectors beside dense ones, indices sorted', async () => {
      const name = await hybrid('sparse_config', 'idf');
      const info = await client.getCollection(name);
      expect(info.config.params.sparse_vectors).toEqual({
        words: { modifier: 'idf', index: { on_disk: false, full_scan_threshold: 5000 } },
      });
      const [three] = await client.retrieve(name, { ids: [3], with_vector: true });
      expect(three!.vector).toEqual({ meaning: [0, 1, 0], words: sorted(docs[2]!.sparse) });
      const [only] = await client.retrieve(name, { ids: [3], with_vector: ['words'] });
      expect(only!.vector).toEqual({ words: sorted(docs[2]!.sparse) });
    });

    it('searches a sparse vector by dot product over common indices (others are not results)', async () => {
      const name = await hybrid('sparse_search');
      const q = { indices: [5, 1], values: [2, 1] };
      const result = await client.query(name, { query: q, using: 'words', limit: 10 });
      const expected = ranked(q, docs);
      expect(result.points.map((p) => p.id)).toEqual(expected.map((h) => h.id));
      result.points.forEach((p, i) => {
        expect(p.score).toBeCloseTo(expected[i]!.score, 5);
      });
    });

    it('weighs query indices by the IDF of the collection with modifier idf', async () => {
      const name = await hybrid('sparse_idf', 'idf');
      const q = { indices: [1, 9, 7], values: [1, 1, 1] };
      const weight = idfOf(docs.map((d) => d.sparse));
      const expected = ranked(q, docs, weight);
      const result = await client.query(name, { query: q, using: 'words', limit: 10 });
      expect(result.points.map((p) => p.id)).toEqual(expected.map((h) => h.id));
      result.points.forEach((p, i) => {
        expect(p.score).toBeCloseTo(expected[i]!.score, 5);
      });
      // Deleting points changes the statistics: IDF follows the collection.
      await client.delete(name, { wait: true, points: [5] });
      const rest = docs.filter((d) => d.id !== 5);
      const after = await client.query(name, { query: q, using: 'words', limit: 10 });
      const expectedAfter = ranked(q, rest, idfOf(rest.map((d) => d.sparse)));
      after.points.forEach((p, i) => {
        expect(p.id).toBe(expectedAfter[i]!.id);
        expect(p.score).toBeCloseTo(expectedAfter[i]!.score, 5);
      });
    });

    it('applies filters and score_threshold to a sparse query', async () => {
      const name = await hybrid('sparse_filter');
      const q = { indices: [1, 2, 9], values: [1, 1, 1] };
      const result = await client.query(name, {
        query: q,
        using: 'words',
        filter: { must: [{ key: 'who', match: { value: 'sage' } }] },
        score_threshold: 1.2,
        limit: 10,
      });
      const expected = ranked(
        q,
        docs.filter((d) => d.payload.who === 'sage'),
      ).filter((h) => h.score >= 1.2);
      expect(result.points.map((p) => p.id)).toEqual(expected.map((h) => h.id));
    });

    it('updates and deletes a named sparse vector; the point leaves sparse results', async () => {
      const name = await hybrid('sparse_update');
      await client.updateVectors(name, {
        wait: true,
        points: [{ id: 4, vector: { words: { indices: [7, 3], values: [1, 2] } } }],
      });
      const [four] = await client.retrieve(name, { ids: [4], with_vector: true });
      expect(four!.vector).toEqual({ meaning: [0, 0.6, 0.8], words: { indices: [3, 7], values: [2, 1] } });
      const byWord3 = await client.query(name, { query: { indices: [3], values: [1] }, using: 'words' });
      expect(byWord3.points.map((p) => p.id)).toEqual([4]);
      await client.deleteVectors(name, { wait: true, points: [4], vector: ['words'] });
      const [gone] = await client.retrieve(name, { ids: [4], with_vector: true });
      expect(gone!.vector).toEqual({ meaning: [0, 0.6, 0.8] });
      const none = await client.query(name, { query: { indices: [3], values: [1] }, using: 'words' });
      expect(none.points).toEqual([]);
    });

    it('fuses a dense and a sparse prefetch with RRF and with DBSF', async () => {
      const name = await hybrid('hybrid_fusion');
      const dq = [1, 0.2, 0];
      const sq = { indices: [1, 2, 5], values: [1, 1, 1] };
      const dense = docs
        .map((d) => ({ id: d.id, score: cos(dq, d.dense) }))
        .sort((a, b) => b.score - a.score)
        .slice(0, 4);
      const sparse = ranked(sq, docs).slice(0, 4);
      const prefetch = [
        { query: dq, using: 'meaning', limit: 4 },
        { query: sq, using: 'words', limit: 4 },
      ];
      for (const [fusion, expected] of [
        ['rrf', rrf([dense.map((h) => h.id), sparse.map((h) => h.id)])],
        ['dbsf', dbsf([dense, sparse])],
      ] as const) {
        const result = await client.query(name, { prefetch, query: { fusion }, limit: 10 });
        const want = [...expected].sort((a, b) => b[1] - a[1]);
        expect(result.points.map((p) => p.score)).toEqual(
          want.map(([, s]) => expect.closeTo(s, 5) as unknown as number),
        );
        expect(new Set(result.points.map((p) => p.id))).toEqual(new Set(want.map(([id]) => id)));
      }
    });

    it('rescores dense candidates by a sparse query (sparse stage over a dense prefetch)', async () => {
      const name = await hybrid('sparse_over_dense');
      const dq = [0, 1, 0];
      const sq = { indices: [2, 9], values: [1, 1] };
      const candidates = docs
        .map((d) => ({ d, score: cos(dq, d.dense) }))
        .sort((a, b) => b.score - a.score)
        .slice(0, 3)
        .map((h) => h.d);
      const result = await client.query(name, {
        prefetch: { query: dq, using: 'meaning', limit: 3 },
        query: sq,
        using: 'words',
        limit: 10,
      });
      expect(result.points.map((p) => p.id)).toEqual(ranked(sq, candidates).map((h) => h.id));
    });

    describe('bad input: Qdrant’s status and message, nothing written', () => {
      let name: string;
      beforeAll(async () => {
        name = await hybrid('sparse_bad');
      });
      const write = (words: unknown, vectorName = 'words') =>
        client.upsert(name, {
          wait: true,
          points: [{ id: 1, vector: { meaning: [1, 0, 0], [vectorName]: words as Sparse } }],
        });

      it('rejects mismatched lengths and duplicate indices with 422', async () => {
        await expectQdrantError(
          write({ indices: [1, 2], values: [1] }),
          422,
          /Validation error in JSON body: .*values: Validation error: must be the same length as indices/,
        );
        await expectQdrantError(
          write({ indices: [3, 3], values: [1, 2] }),
          422,
          /Validation error in JSON body: .*indices: Validation error: must be unique/,
        );
      });

      it('rejects indices that are not u32 with 400', async () => {
        await expectQdrantError(write({ indices: [2 ** 32], values: [1] }), 400, /Format error in JSON body/);
        await expectQdrantError(write({ indices: [-1], values: [1] }), 400, /Format error in JSON body/);
        await expectQdrantError(write({ indices: [1.5], values: [1] }), 400, /Format error in JSON body/);
      });

      it('rejects unknown vector names, on writes and queries', async () => {
        await expectQdrantError(
          write({ indices: [1], values: [1] }, 'nope'),
          400,
          /Wrong input: Not existing vector name error: nope/,
        );
        await expectQdrantError(
          client.query(name, { query: { indices: [1], values: [1] }, using: 'nope' }),
          400,
          /Wrong input: Not existing vector name error: nope/,
        );
        await expectQdrantError(
          client.query(name, { query: { indices: [1, 1], values: [1, 1] }, using: 'words' }),
          422,
          /must be unique/,
        );
      });

      it('left every point as it was', async () => {
        const [one] = await client.retrieve(name, { ids: [1], with_vector: true });
        expect(one!.vector).toEqual({ meaning: [1, 0, 0], words: docs[0]!.sparse });
        expect((await client.count(name, {})).count).toBe(docs.length);
      });
    });

    it('accepts negative weights, as Qdrant does (only lengths and uniqueness are checked)', async () => {
      const name = await hybrid('sparse_negative');
      await client.upsert(name, {
        wait: true,
        points: [{ id: 1, vector: { meaning: [1, 0, 0], words: { indices: [1], values: [-2] } } }],
      });
      const result = await client.query(name, { query: { indices: [1], values: [1] }, using: 'words' });
      expect(result.points.at(-1)).toMatchObject({ id: 1, score: -2 });
    });

    it('answers a sparse query on a collection without sparse vectors with 400', async () => {
      const name = uniqueName('dense_only');
      created.push(name);
      await client.createCollection(name, { vectors: { meaning: { size: 3, distance: 'Cosine' } } });
      await expectQdrantError(
        client.query(name, { query: { indices: [1], values: [1] }, using: 'words' }),
        400,
        /Wrong input: Not existing vector name error: words/,
      );
    });
  });
}
