import type { Schemas } from '@qdrant/js-client-rest';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SuiteContext } from './answers.js';
import { dot } from './math.js';

type Id = number;

/** Points of the explore cases (Dot, so stored vectors are exactly these). */
const points: Array<{ id: Id; vector: number[] }> = [
  { id: 1, vector: [1, 0, 0, 0] },
  { id: 2, vector: [0.9, 0.1, 0, 0] },
  { id: 3, vector: [0, 1, 0, 0] },
  { id: 4, vector: [0, 0, 1, 0] },
  { id: 5, vector: [0.5, 0.5, 0, 0] },
  { id: 6, vector: [-1, 0, 0, 0] },
  { id: 7, vector: [0.7, 0, 0.7, 0] },
];
const vec = (id: Id) => points.find((p) => p.id === id)!.vector;

/** Qdrant's fast sigmoid x / (1 + |x|), and the one scaled to (0, 1). */
const sigmoid = (x: number) => x / (1 + Math.abs(x));
const scaled = (x: number) => 0.5 * (sigmoid(x) + 1);

/** The expected ranking: every point but the excluded ones, scored by `score`, best first (ties by id). */
function ranking(score: (v: number[]) => number, exclude: Id[], limit = 10) {
  return points
    .filter((p) => !exclude.includes(p.id))
    .map((p) => ({ id: p.id, score: score(p.vector) }))
    .sort((a, b) => b.score - a.score || a.id - b.id)
    .slice(0, limit);
}

function expectRanking(actual: Schemas['ScoredPoint'][], expected: Array<{ id: Id; score: number }>) {
  expect(actual.map((p) => p.id)).toEqual(expected.map((p) => p.id));
  actual.forEach((p, i) => {
    expect(p.score).toBeCloseTo(expected[i]!.score, 5);
  });
}

/** Recommend, discover and context queries and MMR, with expectations computed from Qdrant's definitions. */
export function exploreCases(ctx: SuiteContext): void {
  describe('explore queries (recommend, discover, context, MMR)', () => {
    let name: string;
    const client = () => ctx.target().client;
    beforeAll(async () => {
      name = await ctx.collection('explore', { vectors: { size: 4, distance: 'Dot' } });
      await client().upsert(name, { wait: true, points });
    });

    it('recommends by average_vector: 2·avg(positive) − avg(negative), examples given by id left out', async () => {
      const { points: hits } = await client().query(name, {
        query: { recommend: { positive: [1], negative: [3] } },
        limit: 10,
      });
      const target = vec(1).map((x, i) => 2 * x - vec(3)[i]!);
      expectRanking(
        hits,
        ranking((v) => dot(v, target), [1, 3]),
      );
    });

    it('recommends by best_score: the sigmoid of the best positive, or minus that of the best negative', async () => {
      const positive = [[1, 0, 0, 0], vec(4)];
      const { points: hits } = await client().query(name, {
        query: { recommend: { positive: [[1, 0, 0, 0], 4], negative: [6], strategy: 'best_score' } },
        limit: 10,
      });
      const score = (v: number[]) => {
        const bestPos = Math.max(...positive.map((p) => dot(v, p)));
        const bestNeg = dot(v, vec(6));
        return bestPos > bestNeg ? scaled(bestPos) : -scaled(bestNeg);
      };
      expectRanking(hits, ranking(score, [4, 6]));
    });

    it('recommends by sum_scores, and by negatives only', async () => {
      const sum = await client().query(name, {
        query: { recommend: { positive: [1, 4], negative: [3], strategy: 'sum_scores' } },
        limit: 3,
      });
      expectRanking(
        sum.points,
        ranking((v) => dot(v, vec(1)) + dot(v, vec(4)) - dot(v, vec(3)), [1, 3, 4], 3),
      );
      const negativeOnly = await client().query(name, {
        query: { recommend: { negative: [1], strategy: 'best_score' } },
        limit: 3,
      });
      expectRanking(
        negativeOnly.points,
        ranking((v) => -scaled(dot(v, vec(1))), [1], 3),
      );
    });

    it('discovers: the context rank (+1 per pair on the positive side) plus the sigmoid of the target', async () => {
      const pairs: Array<[Id, Id]> = [
        [5, 6],
        [4, 3],
      ];
      const { points: hits } = await client().query(name, {
        query: {
          discover: {
            target: [1, 0, 0, 0],
            context: pairs.map(([positive, negative]) => ({ positive, negative })),
          },
        },
        limit: 10,
      });
      const score = (v: number[]) =>
        pairs.reduce((r, [p, n]) => r + Math.sign(dot(v, vec(p)) - dot(v, vec(n))), 0) +
        scaled(dot(v, [1, 0, 0, 0]));
      expectRanking(hits, ranking(score, [5, 6, 4, 3]));
    });

    it('scores a context query by the loss of each pair (0 on the positive side)', async () => {
      const { points: hits } = await client().query(name, {
        query: { context: [{ positive: [1, 0, 0, 0], negative: [0, 1, 0, 0] }] },
        limit: 10,
      });
      const score = (v: number[]) =>
        sigmoid(Math.min(dot(v, [1, 0, 0, 0]) - dot(v, [0, 1, 0, 0]) - 1.1920929e-7, 0));
      const actual = new Map(hits.map((p) => [p.id, p.score]));
      expect([...actual.keys()].sort()).toEqual(points.map((p) => p.id));
      for (const p of points) expect(actual.get(p.id)).toBeCloseTo(score(p.vector), 5);
      // Every point on the positive side of the pair scores 0, the best there is.
      expect(hits[0]?.score).toBe(0);
    });

    it('diversifies a nearest query with MMR (λ = 1 − diversity), keeping each point’s own score', async () => {
      const query = [1, 0, 0.2, 0];
      const { points: hits } = await client().query(name, {
        query: { nearest: query, mmr: { diversity: 0.6, candidates_limit: 5 } },
        limit: 3,
      });
      // The 5 nearest candidates, then greedy MMR over them.
      const candidates = ranking((v) => dot(v, query), [], 5);
      const lambda = 0.4;
      const chosen = [candidates[0]!];
      const rest = candidates.slice(1);
      while (chosen.length < 3) {
        const value = (c: { id: Id; score: number }) =>
          lambda * c.score - (1 - lambda) * Math.max(...chosen.map((s) => dot(vec(c.id), vec(s.id))));
        rest.sort((a, b) => value(b) - value(a));
        chosen.push(rest.shift()!);
      }
      expectRanking(hits, chosen);
      // Without diversity, the plain top 3.
      const plain = await client().query(name, { query, limit: 3 });
      expect(plain.points.map((p) => p.id)).toEqual(candidates.slice(0, 3).map((c) => c.id));
    });
  });
}
