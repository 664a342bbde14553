// The engine's telemetry (vectors per name) and payload_schema (points per indexed field) are read
// every few seconds by monitors, so they are kept or counted in one pass; they must still agree
// with a count over the points themselves, through writes, vector deletes and point deletes.
import { seededRandom } from '@monsteros/bench-kit';
import { describe, expect, it } from 'vitest';
import { hasValuesAt, type Payload, valuesAt } from '../../src/engine/json-path.js';
import { LocalQdrant } from '../../src/index.js';

const PATHS = ['a', 'a.b', 'a[].b', 'a[0]', 'a[1].b', 'a[]', 'c', '"a.b"', 'a.b.c'];
const PAYLOADS: Payload[] = [
  {},
  { a: 1 },
  { a: null },
  { a: [] },
  { a: [[]] },
  { a: [1, 2] },
  { a: { b: [] } },
  { a: { b: 0 } },
  { a: { b: { c: [[], 1] } } },
  { a: [{ b: [] }, { b: 'x' }] },
  { a: [{ c: 1 }, { b: [] }] },
  { a: [{}, { b: false }] },
  { 'a.b': [] },
  { 'a.b': '' },
  { a: 'text', c: [null] },
];

describe('hasValuesAt', () => {
  it('is true exactly when valuesAt finds a value', () => {
    for (const payload of PAYLOADS)
      for (const path of PATHS)
        expect([path, payload, hasValuesAt(payload, path)]).toEqual([
          path,
          payload,
          valuesAt(payload, path).length > 0,
        ]);
  });
});

describe('engine telemetry', () => {
  it('counts vectors per name and points per indexed field as a pass over the points does', async () => {
    const next = seededRandom(5);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
    const engine = await LocalQdrant.open(':memory:');
    await engine.createCollection('c', {
      vectors: {
        dense: { size: 2, distance: 'Dot' },
        other: { size: 2, distance: 'Cosine' },
        colbert: { size: 2, distance: 'Dot', multivector_config: { comparator: 'max_sim' } },
      },
      sparse_vectors: { bm25: {}, names: {} },
    });
    for (const field of ['a', 'a.b', 'a[].b'])
      await engine.createPayloadIndex('c', { field_name: field, field_schema: 'keyword' });
    const vector = () => {
      const v: Record<string, unknown> = { dense: [next(), next()] };
      if (next() < 0.5) v.other = [next() + 0.1, next()];
      if (next() < 0.4) v.colbert = [[next(), next()]];
      if (next() < 0.6) v.bm25 = { indices: [Math.floor(next() * 50)], values: [1] };
      if (next() < 0.3) v.names = { indices: [1], values: [0.5] };
      return v;
    };
    /** Telemetry and payload_schema against a count over the points themselves. */
    const expectCounts = async () => {
      const { points } = await engine.scrollPoints('c', {
        limit: 1_000,
        with_vector: true,
        with_payload: true,
      });
      const expected: Record<string, number> = { dense: 0, other: 0, colbert: 0, bm25: 0, names: 0 };
      for (const p of points)
        for (const name of Object.keys(p.vector as Record<string, unknown>)) expected[name]!++;
      const [telemetry] = engine.telemetry().collections;
      expect(telemetry!.points).toBe(points.length);
      expect(telemetry!.vectors).toEqual(expected);
      const schema = (await engine.getCollection('c')).payload_schema;
      for (const field of ['a', 'a.b', 'a[].b'])
        expect([field, schema[field]?.points]).toEqual([
          field,
          points.filter((p) => valuesAt(p.payload as Payload, field).length > 0).length,
        ]);
    };
    for (let round = 0; round < 30; round++) {
      const ids = Array.from({ length: 8 }, () => 1 + Math.floor(next() * 60));
      // Vector and payload writes name points that exist (others are a 404).
      const held = (await engine.scrollPoints('c', { limit: 1_000 })).points.map((p) => p.id as number);
      const some = held.filter(() => next() < 0.3);
      const op = held.length === 0 ? 0 : next();
      if (op < 0.5)
        await engine.upsertPoints('c', {
          points: ids.map((id) => ({ id, vector: vector() as never, payload: pick(PAYLOADS) })),
        });
      else if (op < 0.65) await engine.deletePoints('c', { points: ids.slice(0, 3) });
      else if (op < 0.8)
        await engine.deleteVectors('c', {
          points: some,
          vector: [pick(['other', 'colbert', 'bm25', 'names'])],
        });
      else await engine.setPayload('c', { points: some, payload: pick(PAYLOADS) });

      await expectCounts();
    }
    // A changed IDF modifier rebuilds a sparse index from the stored vectors: the count comes along.
    await engine.updateCollection('c', { sparse_vectors: { bm25: { modifier: 'idf' } } });
    await expectCounts();
    await engine.close();
  });
});
