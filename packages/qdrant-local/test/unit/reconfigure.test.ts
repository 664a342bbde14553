import { describe, expect, it } from 'vitest';
import { LocalQdrant } from '../../src/index.js';
import { dataDirs, simulateCrash } from '../support/data-dirs.js';

const dataDir = dataDirs('mos-local-reconfigure-');

/** What a reopened engine reports of the collection changed below. */
async function state(engine: LocalQdrant) {
  const info = await engine.getCollection('c');
  const [point] = await engine.retrievePoints('c', { ids: [1, 2], with_vector: true });
  return { hnsw: info.config.hnsw_config.m, vectors: info.config.params.vectors, point };
}

describe('local mode: collection updates and vector names are durable', () => {
  it('replays PATCH, a created and a deleted vector name from the log and from the snapshot', async () => {
    const dir = await dataDir();
    const engine = await LocalQdrant.open(dir);
    await engine.createCollection('c', {
      vectors: { a: { size: 2, distance: 'Dot' }, b: { size: 2, distance: 'Dot' } },
    });
    await engine.upsertPoints('c', { points: [{ id: 1, vector: { a: [1, 0], b: [0, 1] } }] });
    await engine.updateCollection('c', { hnsw_config: { m: 24 } });
    await engine.createVectorName('c', 'n', { dense: { size: 3, distance: 'Dot' } });
    await engine.updateVectors('c', { points: [{ id: 1, vector: { n: [1, 2, 3] } }] });
    await engine.deleteVectorName('c', 'b');
    const before = await state(engine);
    expect(before).toEqual({
      hnsw: 24,
      vectors: { a: { size: 2, distance: 'Dot' }, n: { size: 3, distance: 'Dot' } },
      point: { id: 1, payload: {}, vector: { a: [1, 0], n: [1, 2, 3] } },
    });

    await simulateCrash(dir); // the log alone
    const replayed = await LocalQdrant.open(dir);
    expect(await state(replayed)).toEqual(before);
    await replayed.close(); // folds into the snapshot
    const reopened = await LocalQdrant.open(dir);
    expect(await state(reopened)).toEqual(before);
    await reopened.close();
  });

  it('keeps multivectors through the log and the snapshot', async () => {
    const dir = await dataDir();
    const engine = await LocalQdrant.open(dir);
    const rows = [
      [1, 0],
      [0.5, 0.5],
    ];
    await engine.createCollection('m', {
      vectors: { size: 2, distance: 'Dot', multivector_config: { comparator: 'max_sim' } },
    });
    await engine.upsertPoints('m', { points: [{ id: 1, vector: rows }] });
    const vector = async (e: LocalQdrant) =>
      (await e.retrievePoints('m', { ids: [1], with_vector: true }))[0]?.vector;
    expect(await vector(engine)).toEqual(rows);
    await simulateCrash(dir);
    const replayed = await LocalQdrant.open(dir);
    expect(await vector(replayed)).toEqual(rows);
    await replayed.close();
    const reopened = await LocalQdrant.open(dir);
    expect(await vector(reopened)).toEqual(rows);
    expect((await reopened.queryPoints('m', { query: [[0, 1]] })).points[0]?.score).toBe(0.5);
    await reopened.close();
  });
});
