import type { Schemas } from '@qdrant/js-client-rest';
import { beforeAll, describe, expect, it } from 'vitest';
import { errorOf, resultOf, type SuiteContext } from './answers.js';
import { expectQdrantError } from './targets.js';

type Id = number;

/** Points scored by their first component against the axis query: 0.9, 0.8, … in id order. */
const docs: Array<{ id: Id; vector: number[]; payload: Record<string, unknown> }> = [
  { id: 1, vector: [0.9, 0.1, 0, 0], payload: { doc: 'a', owner: 10 } },
  { id: 2, vector: [0.8, 0.3, 0, 0], payload: { doc: 'a', owner: 10 } },
  { id: 3, vector: [0.7, 0, 0.2, 0], payload: { doc: 'b', owner: 11 } },
  { id: 4, vector: [0.6, 0, 0, 0.5], payload: { doc: 'a', owner: 12 } },
  { id: 5, vector: [0.5, 0.6, 0.1, 0], payload: { doc: ['b', 'c'], owner: 11 } },
  { id: 6, vector: [0.4, 0, 0.9, 0], payload: {} },
  { id: 7, vector: [0.3, 0.2, 0.2, 0.7], payload: { doc: 7, owner: 12 } },
  { id: 8, vector: [0.2, 0.9, 0.4, 0.1], payload: { doc: 'a' } },
];
const axis = [1, 0, 0, 0];
const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);

/** Groups formed as Qdrant forms them, computed here from the definition. */
function expectedGroups(key: string, size: number, limit: number) {
  const ranked = [...docs].sort((a, b) => dot(b.vector, axis) - dot(a.vector, axis));
  const groups = new Map<unknown, Id[]>();
  for (const p of ranked) {
    const raw = p.payload[key];
    const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    for (const v of new Set(values)) {
      if (!groups.has(v)) {
        if (groups.size >= limit) continue;
        groups.set(v, []);
      }
      const list = groups.get(v)!;
      if (list.length < size) list.push(p.id);
    }
  }
  return [...groups].map(([id, hits]) => ({ id, hits }));
}

/** Query groups, search groups, facets and the distance matrix. */
export function groupCases(ctx: SuiteContext): void {
  describe('groups, facets and the distance matrix', () => {
    let name: string;
    let owners: string;
    const client = () => ctx.target().client;
    beforeAll(async () => {
      name = await ctx.collection('groups', { vectors: { size: 4, distance: 'Dot' } });
      await client().upsert(name, { wait: true, points: docs });
      owners = await ctx.collection('owners', { vectors: { size: 4, distance: 'Dot' } });
      await client().upsert(owners, {
        wait: true,
        points: [10, 11, 12].map((id) => ({ id, vector: [0, 0, 0, 1], payload: { name: `owner ${id}` } })),
      });
    });

    it('groups query hits by a payload value: best hits first, group_size per group, limit groups', async () => {
      const result = await client().queryGroups(name, {
        query: axis,
        group_by: 'doc',
        group_size: 2,
        limit: 3,
      });
      expect(result.groups.map((g) => ({ id: g.id, hits: g.hits.map((h) => h.id) }))).toEqual(
        expectedGroups('doc', 2, 3),
      );
      expect(result.groups[0]?.hits[0]?.score).toBeCloseTo(dot(docs[0]!.vector, axis), 6);
    });

    it('groups by integer values and looks up each group’s point in another collection', async () => {
      const result = await client().queryGroups(name, {
        query: axis,
        group_by: 'owner',
        group_size: 1,
        with_lookup: { collection: owners, with_payload: true, with_vectors: false },
      });
      expect(result.groups.map((g) => [g.id, g.hits.map((h) => h.id), g.lookup])).toEqual(
        expectedGroups('owner', 1, 10).map((g) => [
          g.id,
          g.hits,
          { id: g.id, payload: { name: `owner ${g.id}` } },
        ]),
      );
    });

    it('groups legacy search results too (POST /points/search/groups)', async () => {
      const a = await ctx.target().rest('POST', `/collections/${name}/points/search/groups`, {
        vector: axis,
        group_by: 'doc',
        group_size: 3,
        limit: 2,
      });
      const groups = resultOf<Schemas['GroupsResult']>(a).groups;
      expect(groups.map((g) => ({ id: g.id, hits: g.hits.map((h) => h.id) }))).toEqual(
        expectedGroups('doc', 3, 2),
      );
    });

    it('counts the points of each value of an indexed key (facet), most first, filtered', async () => {
      await expectQdrantError(
        client().facet(name, { key: 'doc' }),
        400,
        /Index required but not found for "doc"/,
      );
      await client().createPayloadIndex(name, { field_name: 'doc', field_schema: 'keyword', wait: true });
      const all = await client().facet(name, { key: 'doc' });
      expect(all.hits).toEqual([
        { value: 'a', count: 4 },
        { value: 'b', count: 2 },
        { value: 'c', count: 1 },
      ]);
      const filtered = await client().facet(name, {
        key: 'doc',
        limit: 1,
        filter: { must: [{ key: 'owner', match: { value: 11 } }] },
      });
      expect(filtered.hits).toEqual([{ value: 'b', count: 2 }]);
    });

    it('answers the distance matrix of a sample as pairs and as offsets, each point with its nearest others', async () => {
      const { pairs } = await client().searchMatrixPairs(name, { sample: 100, limit: 2 });
      // The sample is every point (fewer than 100): each one's 2 nearest others by Dot.
      const expected = docs.flatMap((a) =>
        docs
          .filter((b) => b.id !== a.id)
          .map((b) => ({ a: a.id, b: b.id, score: dot(a.vector, b.vector) }))
          .sort((x, y) => y.score - x.score)
          .slice(0, 2),
      );
      const order = <T extends { a: unknown; b: unknown }>(l: T[]) =>
        [...l].sort((x, y) => Number(x.a) - Number(y.a) || Number(x.b) - Number(y.b));
      const actual = order(pairs);
      expect(actual.map(({ a, b }) => [a, b])).toEqual(order(expected).map(({ a, b }) => [a, b]));
      actual.forEach((p) => {
        const e = expected.find((x) => x.a === p.a && x.b === p.b)!;
        expect(p.score).toBeCloseTo(e.score, 6);
      });
      const offsets = await client().searchMatrixOffsets(name, {
        sample: 100,
        limit: 2,
        filter: { must_not: [{ has_id: [6] }] },
      });
      expect([...offsets.ids].sort()).toEqual(docs.map((d) => d.id).filter((id) => id !== 6));
      expect(offsets.scores).toHaveLength(7 * 2);
      offsets.offsets_row.forEach((row, i) => {
        const a = docs.find((d) => d.id === offsets.ids[row])!;
        const b = docs.find((d) => d.id === offsets.ids[offsets.offsets_col[i]!])!;
        expect(offsets.scores[i]).toBeCloseTo(dot(a.vector, b.vector), 6);
      });
      const tooSmall = await ctx.target().rest('POST', `/collections/${name}/points/search/matrix/pairs`, {
        sample: 1,
      });
      expect({ status: tooSmall.status, error: errorOf(tooSmall) }).toEqual({
        status: 422,
        error: expect.stringContaining('sample: value 1 invalid, must be 2 or larger'),
      });
    });
  });
}
