import { cp } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { LocalQdrant } from '../../src/index.js';
import { dataDirs } from '../support/data-dirs.js';

const dataDir = dataDirs('mos-local-sparse-');

/** Point i has words i % 7 and 100 + i % 3, with weights that depend on i. */
const words = (i: number) => ({ indices: [100 + (i % 3), i % 7], values: [1 + i / 10, 0.5] });

async function seed(engine: LocalQdrant): Promise<void> {
  await engine.createCollection('notes', {
    vectors: { meaning: { size: 2, distance: 'Cosine' } },
    sparse_vectors: { words: { modifier: 'idf' } },
  });
  await engine.upsertPoints('notes', {
    points: Array.from({ length: 30 }, (_, i) => ({
      id: i + 1,
      vector: { meaning: [1, i], words: words(i + 1) },
    })),
  });
  await engine.updateVectors('notes', {
    points: [{ id: 2, vector: { words: { indices: [555], values: [9] } } }],
  });
  await engine.deleteVectors('notes', { points: [3], vector: ['words'] });
  await engine.deletePoints('notes', { points: [4] });
}

async function answers(engine: LocalQdrant) {
  const a = await engine.queryPoints('notes', {
    query: { indices: [101, 3, 555], values: [1, 1, 1] },
    using: 'words',
    limit: 40,
  });
  const [two, three] = await engine.retrievePoints('notes', { ids: [2, 3], with_vector: ['words'] });
  return { hits: a.points.map((p) => [p.id, p.score]), two: two!.vector, three: three!.vector };
}

describe('sparse vectors survive restarts', () => {
  it('gives the same sparse results after log replay and after a snapshot', async () => {
    const dir = await dataDir();
    const first = await LocalQdrant.open(dir);
    await seed(first);
    const before = await answers(first);
    expect(before.two).toEqual({ words: { indices: [555], values: [9] } });
    expect(before.three).toEqual({});
    expect(before.hits.map(([id]) => id)).toContain(2);
    expect(before.hits.map(([id]) => id)).not.toContain(4);
    // Simulate a crash: the log is replayed on open (no snapshot yet).
    const copy = await dataDir();
    await cp(dir, copy, { recursive: true, filter: (src) => !src.endsWith('LOCK') });
    const replayed = await LocalQdrant.open(copy);
    expect(await answers(replayed)).toEqual(before);
    await replayed.close();
    await first.close();
    const fromSnapshot = await LocalQdrant.open(dir);
    expect(await answers(fromSnapshot)).toEqual(before);
    await fromSnapshot.close();
  });
});
