import { afterAll, describe, expect, it } from 'vitest';
import { COLLECTION_SPECS, CollectionDriftError, VectorsValidationError } from '../../src/index.js';
import { type BackendCase, uniquePrefix } from '../support/backends.js';

/** The provisioning tests over each of `cases`. */
export function provisioningSuite(cases: readonly BackendCase[]): void {
  describe.each(cases)('provisioning ($name)', ({ make }) => {
    const backend = make();
    afterAll(() => backend.close());

    it('creates every collection behind its alias with the spec size, distance, HNSW, sharding and payload indexes', async () => {
      const prefix = uniquePrefix('ensure');
      const vectors = await backend.open({ collectionPrefix: prefix });
      const report = await vectors.ensureCollections();
      expect(report.map((r) => [r.name, r.alias, r.collection, r.created])).toEqual([
        ['memory_embeddings', `${prefix}memory_embeddings`, `${prefix}memory_embeddings__v1`, true],
        ['character_memories', `${prefix}character_memories`, `${prefix}character_memories__v1`, true],
        ['document_vectors', `${prefix}document_vectors`, `${prefix}document_vectors__v1`, true],
        [
          'knowledge_graph_vectors',
          `${prefix}knowledge_graph_vectors`,
          `${prefix}knowledge_graph_vectors__v1`,
          true,
        ],
      ]);
      const info = await vectors.client.getCollection(`${prefix}memory_embeddings`);
      expect(info.config.params.vectors).toEqual({ size: 768, distance: 'Cosine' });
      expect(info.config.hnsw_config).toMatchObject({ ef_construct: 200, full_scan_threshold: 10_000 });
      expect(info.config.params).toMatchObject({
        shard_number: 1,
        replication_factor: 1,
        write_consistency_factor: 1,
      });
      expect(
        Object.fromEntries(Object.entries(info.payload_schema).map(([k, v]) => [k, v?.data_type])),
      ).toEqual({
        entity_id: 'keyword',
        entity_type: 'keyword',
        character_context: 'keyword',
        timestamp: 'datetime',
        importance_score: 'float',
      });
      const memories = await vectors.client.getCollection(`${prefix}character_memories`);
      expect(memories.config.params.vectors).toEqual({ size: 384, distance: 'Cosine' });
      expect(memories.payload_schema.user_context?.data_type).toBe('text');
      const docs = await vectors.client.getCollection(`${prefix}document_vectors`);
      expect(docs.config.params.vectors).toEqual({ size: 1024, distance: 'Cosine' });
      expect(Object.keys(docs.payload_schema).sort()).toEqual(
        Object.keys(COLLECTION_SPECS.document_vectors.payloadIndexes).sort(),
      );
      const facts = await vectors.client.getCollection(`${prefix}knowledge_graph_vectors`);
      expect(facts.config.params.vectors).toEqual({ size: 768, distance: 'Cosine' });
      expect(facts.config.params.sparse_vectors).toMatchObject({ bm25: { modifier: 'idf' } });
      expect(Object.keys(facts.payload_schema).sort()).toEqual([
        'character_context',
        'object_id',
        'passage_id',
        'subject_id',
        'triple_id',
      ]);
    });

    it('is idempotent: a second run creates nothing and adds no index', async () => {
      const prefix = uniquePrefix('idem');
      const vectors = await backend.open({ collectionPrefix: prefix });
      await vectors.ensureCollections();
      const again = await vectors.ensureCollections();
      expect(again.map((r) => [r.created, r.indexesAdded, r.indexMismatches])).toEqual([
        [false, [], []],
        [false, [], []],
        [false, [], []],
        [false, [], []],
      ]);
    });

    it('lets several processes ensure the same collections at once', async () => {
      const prefix = uniquePrefix('race');
      const instances = await Promise.all([1, 2, 3].map(() => backend.open({ collectionPrefix: prefix })));
      const reports = await Promise.all(instances.map((v) => v.ensureCollections()));
      for (const report of reports)
        expect(report.map((r) => r.collection)).toEqual([
          `${prefix}memory_embeddings__v1`,
          `${prefix}character_memories__v1`,
          `${prefix}document_vectors__v1`,
          `${prefix}knowledge_graph_vectors__v1`,
        ]);
      const { aliases } = await instances[0]!.client.getAliases();
      expect(aliases.filter((a) => a.alias_name.startsWith(prefix)).length).toBe(4);
      const info = await instances[0]!.client.getCollection(`${prefix}character_memories`);
      expect(Object.keys(info.payload_schema).length).toBe(5);
    });

    it('adds a payload index that went missing, without touching the data', async () => {
      const prefix = uniquePrefix('index');
      const vectors = await backend.open({ collectionPrefix: prefix });
      await vectors.ensureCollections();
      const name = vectors.collectionName('character_memories');
      await vectors.upsert('character_memories', [
        {
          text: 'the pass is guarded',
          payload: {
            interaction_id: '0b6f6c1e-9a57-4c1b-8d3e-2f1a0c9b8e71',
            character_name: 'sage',
            memory_type: 'fact',
            user_context: 'asked about the pass',
            learning_value: 0.4,
            timestamp: '2025-01-01T00:00:00Z',
          },
        },
      ]);
      await vectors.client.deletePayloadIndex(`${name}__v1`, 'memory_type', { wait: true });
      const report = await vectors.ensureCollections();
      expect(report.find((r) => r.name === 'character_memories')?.indexesAdded).toEqual(['memory_type']);
      expect((await vectors.client.count(name, {})).count).toBe(1);
    });

    it('reports a size or distance drift as a typed error with both configs, and never drops the collection', async () => {
      const prefix = uniquePrefix('drift');
      const vectors = await backend.open({ collectionPrefix: prefix });
      await vectors.client.createCollection(`${prefix}document_vectors`, {
        vectors: { size: 512, distance: 'Dot' },
      });
      await vectors.client.upsert(`${prefix}document_vectors`, {
        wait: true,
        points: [{ id: 1, vector: new Array(512).fill(0.1), payload: {} }],
      });
      const error = await vectors.ensureCollections().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CollectionDriftError);
      expect(error).toMatchObject({
        code: 'DRIFT',
        collection: `${prefix}document_vectors`,
        expected: { size: 1024, distance: 'Cosine' },
        actual: { size: 512, distance: 'Dot' },
      });
      expect((await vectors.client.count(`${prefix}document_vectors`, {})).count).toBe(1);
      // The collections without drift were still ensured.
      expect((await vectors.client.collectionExists(`${prefix}memory_embeddings__v1`)).exists).toBe(true);
    });

    it('builds a new version beside the live one and switches the alias atomically', async () => {
      const prefix = uniquePrefix('version');
      const vectors = await backend.open({ collectionPrefix: prefix });
      await vectors.ensureCollections();
      const payload = {
        document_id: '5d1f7e0a-3c2b-4a9e-8f6d-1b2c3d4e5f60',
        document_type: 'guide',
        processed_by: 'sage',
        extraction_quality: 0.9,
      };
      await vectors.upsert('document_vectors', [{ text: 'old model text', payload }]);
      const physical = await vectors.createVersion('document_vectors', 2, { dims: 16 });
      expect(physical).toBe(`${prefix}document_vectors__v2`);
      await vectors.upsert('document_vectors', [{ vector: new Array(16).fill(0.25), payload }], {
        version: 2,
        dims: 16,
      });
      // Readers still see version 1 until the switch.
      const alias = vectors.collectionName('document_vectors');
      expect((await vectors.client.getCollection(alias)).config.params.vectors).toEqual({
        size: 1024,
        distance: 'Cosine',
      });
      await vectors.switchVersion('document_vectors', 2);
      expect((await vectors.client.getCollection(alias)).config.params.vectors).toEqual({
        size: 16,
        distance: 'Cosine',
      });
      expect((await vectors.client.getAliases()).aliases.filter((a) => a.alias_name === alias)).toEqual([
        { alias_name: alias, collection_name: physical },
      ]);
      await expect(vectors.dropVersion('document_vectors', 2)).rejects.toBeInstanceOf(VectorsValidationError);
      expect(await vectors.dropVersion('document_vectors', 1)).toBe(true);
      expect((await vectors.client.collectionExists(`${prefix}document_vectors__v1`)).exists).toBe(false);
    });

    it('refuses to switch to a version that was never built', async () => {
      const vectors = await backend.open({ collectionPrefix: uniquePrefix('noversion') });
      await vectors.ensureCollections();
      await expect(vectors.switchVersion('memory_embeddings', 7)).rejects.toMatchObject({
        code: 'VALIDATION',
        field: 'version',
      });
    });
  });
}
