// A collection with a bit of everything the persistence tests must find again after a restart.
import { expect } from 'vitest';
import type { LocalQdrant } from '../../src/index.js';

const vector = (i: number) => [Math.cos(i), Math.sin(i), 1, i % 3];

/** Creates `name` with `count` points, a payload index, deletes, a payload write and an alias. */
export async function seed(engine: LocalQdrant, name: string, count: number): Promise<void> {
  await engine.createCollection(name, { vectors: { size: 4, distance: 'Dot' }, hnsw_config: { m: 8 } });
  await engine.upsertPoints(name, {
    points: Array.from({ length: count }, (_, i) => ({
      id: i + 1,
      vector: vector(i + 1),
      payload: { i: i + 1, even: i % 2 === 1 },
    })),
  });
  await engine.createPayloadIndex(name, { field_name: 'i', field_schema: 'integer' });
  await engine.deletePoints(name, { filter: { must: [{ key: 'i', range: { gt: count - 2 } }] } });
  await engine.setPayload(name, { points: [1], payload: { note: 'kept' } });
  await engine.updateCollectionAliases({
    actions: [{ create_alias: { collection_name: name, alias_name: `${name}_alias` } }],
  });
}

/** Checks that `engine` holds what `seed` wrote, by count, payload, vector, config, index and search. */
export async function expectSeeded(engine: LocalQdrant, name: string, count: number): Promise<void> {
  expect(await engine.countPoints(name)).toEqual({ count: count - 2 });
  const [one] = await engine.retrievePoints(name, { ids: [1], with_vector: true });
  expect(one!.payload).toEqual({ i: 1, even: false, note: 'kept' });
  (one!.vector as number[]).forEach((x, d) => {
    expect(x).toBeCloseTo(vector(1)[d]!, 6);
  });
  const info = await engine.getCollection(`${name}_alias`);
  expect(info.config.hnsw_config.m).toBe(8);
  expect(info.payload_schema.i).toMatchObject({ data_type: 'integer', points: count - 2 });
  const hits = await engine.queryPoints(name, { query: [1, 0, 0, 0], limit: 1 });
  const best = Array.from({ length: count - 2 }, (_, i) => i + 1).sort(
    (a, b) => Math.cos(b) - Math.cos(a),
  )[0];
  expect(hits.points[0]!.id).toBe(best);
}
