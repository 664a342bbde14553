import { describe, expect, it } from 'vitest';
import type { SuiteContext } from './answers.js';
import { expectQdrantError } from './targets.js';

/** PATCH /collections/{name} and creating / deleting vector names (Qdrant 1.19). */
export function collectionUpdateCases(ctx: SuiteContext): void {
  describe('collection updates and vector names', () => {
    const client = () => ctx.target().client;

    it('updates HNSW, optimizer, params, per-vector settings and metadata (PATCH), reported back', async () => {
      const name = await ctx.collection('patch', {
        vectors: { dense: { size: 4, distance: 'Cosine' } },
        metadata: { owner: 'sage', keep: 1 },
      });
      expect(
        await client().updateCollection(name, {
          hnsw_config: { m: 32, ef_construct: 123 },
          optimizers_config: { indexing_threshold: 5000 },
          params: { replication_factor: 2 },
          vectors: { dense: { on_disk: true, hnsw_config: { m: 8 } } },
          metadata: { owner: 'ember', added: true },
        }),
      ).toBe(true);
      const info = await client().getCollection(name);
      expect(info.config.hnsw_config).toMatchObject({ m: 32, ef_construct: 123 });
      expect(info.config.optimizer_config).toMatchObject({ indexing_threshold: 5000 });
      expect(info.config.params.replication_factor).toBe(2);
      expect(info.config.params.vectors).toMatchObject({
        dense: { size: 4, distance: 'Cosine', on_disk: true, hnsw_config: { m: 8 } },
      });
      expect(info.config.metadata).toEqual({ owner: 'ember', keep: 1, added: true });
    });

    it('refuses an update of a vector name the collection does not have, changing nothing', async () => {
      const name = await ctx.collection('patch_bad', { vectors: { dense: { size: 4, distance: 'Dot' } } });
      await expectQdrantError(
        client().updateCollection(name, { vectors: { missing: { on_disk: true } }, hnsw_config: { m: 4 } }),
        400,
        /Wrong input: Not existing vector name error: missing/,
      );
      expect((await client().getCollection(name)).config.hnsw_config.m).toBe(16);
      await expectQdrantError(
        client().updateCollection(name, { hnsw_config: { ef_construct: 1 } }),
        422,
        /Validation error in JSON body: \[hnsw_config\.ef_construct: /,
      );
    });

    it('creates a dense and a sparse vector name on an existing collection, then deletes one', async () => {
      const name = await ctx.collection('vector_names', { vectors: { a: { size: 2, distance: 'Dot' } } });
      await client().upsert(name, { wait: true, points: [{ id: 1, vector: { a: [1, 0] } }] });
      await client().createVectorName(name, 'b', { dense: { size: 3, distance: 'Dot' } });
      await client().createVectorName(name, 'words', { sparse: { modifier: 'idf' } });
      const info = await client().getCollection(name);
      expect(info.config.params.vectors).toMatchObject({ a: { size: 2 }, b: { size: 3, distance: 'Dot' } });
      expect(info.config.params.sparse_vectors).toMatchObject({ words: { modifier: 'idf' } });
      // Existing points start without the new vector; it can be set and searched.
      await client().updateVectors(name, { points: [{ id: 1, vector: { b: [0, 0, 2] } }] });
      const { points } = await client().query(name, { query: [0, 0, 1], using: 'b', with_vector: true });
      expect(points[0]).toMatchObject({ id: 1, score: 2, vector: { a: [1, 0], b: [0, 0, 2] } });
      await expectQdrantError(
        client().createVectorName(name, 'b', { dense: { size: 3, distance: 'Dot' } }),
        409,
        /already exists/,
      );

      await client().deleteVectorName(name, 'b');
      const [point] = await client().retrieve(name, { ids: [1], with_vector: true });
      expect(point?.vector).toEqual({ a: [1, 0] });
      await expectQdrantError(
        client().query(name, { query: [0, 0, 1], using: 'b' }),
        400,
        /Not existing vector name error: b/,
      );
      await expectQdrantError(
        client().deleteVectorName(name, 'nope'),
        400,
        /Not existing vector name error: nope/,
      );
    });
  });
}
