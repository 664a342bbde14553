// Synonym edges of a fresh ingest computed in process: the same edges as comparing every pair.

import { seededRandom as rng } from '@monsteros/schema/testing';
import { describe, expect, it } from 'vitest';
import { batchSynonyms } from '../../src/memory/synonym-knn.js';

/** Unit vectors with `nonZero` signed entries among `dims`; every third one a near-copy of the previous. */
function sparseVectors(count: number, dims: number, nonZero: number, seed: number): Float32Array[] {
  const random = rng(seed);
  const out: Float32Array[] = [];
  for (let i = 0; i < count; i++) {
    const v = new Float32Array(dims);
    if (i % 3 === 2) {
      v.set(out[i - 1]!);
      v[Math.floor(random() * dims)]! += 0.3 * (random() - 0.5);
    } else for (let k = 0; k < nonZero; k++) v[Math.floor(random() * dims)] = random() - 0.5;
    const norm = Math.hypot(...v) || 1;
    for (let d = 0; d < dims; d++) v[d]! /= norm;
    out.push(v);
  }
  return out;
}

function bruteForce(ids: string[], vectors: Float32Array[], threshold: number, neighbors: number) {
  const edges: Array<[string, string]> = [];
  vectors.forEach((u, i) => {
    const hits = vectors
      .map((v, j) => ({ j, score: u.reduce((s, x, d) => s + x * v[d]!, 0) }))
      .filter((h) => h.j !== i && h.score >= threshold)
      .sort((a, b) => b.score - a.score || a.j - b.j)
      .slice(0, neighbors);
    for (const h of hits) edges.push([ids[i]!, ids[h.j]!]);
  });
  return edges;
}

describe('batch synonyms', () => {
  it('finds the same edges as comparing every pair, keeping each entity’s nearest neighbours', () => {
    const vectors = sparseVectors(300, 96, 6, 11);
    const ids = vectors.map((_, i) => `e${i}`);
    for (const [threshold, neighbors] of [
      [0.8, 10],
      [0.5, 2],
      [0.2, 1],
    ] as const) {
      const edges = batchSynonyms(ids, vectors, threshold, neighbors)!;
      expect(edges.map((e) => [e.entity_a_id, e.entity_b_id])).toEqual(
        bruteForce(ids, vectors, threshold, neighbors),
      );
      for (const e of edges) expect(e.similarity).toBeGreaterThanOrEqual(threshold);
    }
    expect(batchSynonyms(ids, vectors, 0.8, 10)!.length).toBeGreaterThan(50);
  });

  it('leaves dense embeddings to the store (null), and has nothing to do for one entity', () => {
    const dense = sparseVectors(20, 16, 16, 5);
    expect(
      batchSynonyms(
        dense.map((_, i) => `e${i}`),
        dense,
        0.8,
        10,
      ),
    ).toBeNull();
    expect(batchSynonyms(['a'], [new Float32Array(8)], 0.8, 10)).toEqual([]);
  });
});
