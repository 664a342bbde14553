import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { type BackendCase, uniquePrefix } from '../support/backends.js';

/** The stats tests over each of `cases`. */
export function statsSuite(cases: readonly BackendCase[]): void {
  describe.each(cases)('stats ($name)', ({ make }) => {
    const backend = make();
    afterAll(() => backend.close());

    it('reports points and status per collection, latency per profile and strategy, and embedding cache use', async () => {
      const prefix = uniquePrefix('stats');
      const vectors = await backend.open({ collectionPrefix: prefix });
      const before = await vectors.stats();
      expect(before.collections.map((c) => [c.name, c.status, c.collection])).toEqual([
        ['memory_embeddings', 'missing', null],
        ['character_memories', 'missing', null],
        ['document_vectors', 'missing', null],
        ['knowledge_graph_vectors', 'missing', null],
      ]);
      await vectors.ensureCollections();
      await vectors.upsert(
        'memory_embeddings',
        ['ember', 'sage', 'frost'].map((name) => ({
          text: `${name} remembers the tower`,
          payload: {
            entity_id: randomUUID(),
            entity_type: 'person',
            character_context: 'sage',
            timestamp: '2025-01-01T00:00:00Z',
            importance_score: 0.5,
          },
        })),
      );
      await vectors.search('memory_embeddings', 'the tower');
      await vectors.search('memory_embeddings', 'the tower', { profile: 'document_similarity' });
      await vectors.hippoRagMemorySearch('the tower', { character: 'sage' });
      const stats = await vectors.stats();
      expect(stats.collections.map((c) => [c.name, c.collection, c.points, c.status])).toEqual([
        ['memory_embeddings', `${prefix}memory_embeddings__v1`, 3, 'green'],
        ['character_memories', `${prefix}character_memories__v1`, 0, 'green'],
        ['document_vectors', `${prefix}document_vectors__v1`, 0, 'green'],
        ['knowledge_graph_vectors', `${prefix}knowledge_graph_vectors__v1`, 0, 'green'],
      ]);
      // memory_recall: one search + two hippoRag lists; document_similarity: one search.
      expect(Object.fromEntries(Object.entries(stats.latency).map(([k, v]) => [k, v.count]))).toEqual({
        memory_recall: 3,
        document_similarity: 1,
        'strategy:hippoRagMemorySearch': 1,
      });
      for (const l of Object.values(stats.latency)) expect(l.p99).toBeGreaterThanOrEqual(l.p50);
      // 'the tower' was embedded once at 768 (then cached) and once at 384; each model also embedded
      // the start-up dimension probe once.
      expect(stats.embeddings.map((e) => [e.provider, e.misses, e.hits])).toEqual([
        ['local-hash-v2/768', 5, 2],
        ['local-hash-v3+wordnet-3.1-nouns/2/2/384', 2, 0],
        ['local-hash-v2/1024', 1, 0],
      ]);
    });
  });
}
