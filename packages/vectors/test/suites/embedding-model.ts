import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type CharacterMemoryPayload,
  createLocalEmbedder,
  EMBEDDING_MODEL_KEY,
  EmbeddingModelChangedError,
  type EmbeddingProvider,
  ReembedTextMissingError,
  type Vectors,
} from '../../src/index.js';
import { type BackendCase, uniquePrefix } from '../support/backends.js';
import { QUESTIONS } from '../support/questions.js';

// Two models of the same size that embed the same text differently (with and without stop words).
export const modelA = createLocalEmbedder({ dims: 384, stopWords: false, concepts: false });
export const modelB = createLocalEmbedder({ dims: 384, concepts: false });

const TEXTS = QUESTIONS;

const payloadOf = (i: number): CharacterMemoryPayload => ({
  interaction_id: randomUUID(),
  character_name: i % 2 === 0 ? 'sage' : 'rogue',
  memory_type: 'interaction',
  user_context: 'user:1',
  learning_value: 0.5,
  timestamp: '2025-06-01T00:00:00Z',
});

const records = Array.from({ length: 40 }, (_, i) => ({
  text: `${TEXTS[i % TEXTS.length]} (${i})`,
  payload: payloadOf(i),
}));

const denseOf = (vector: unknown): number[] =>
  (Array.isArray(vector) ? vector : (vector as Record<string, number[]>)['']) as number[];

/** The embedding-model tests over each of `cases`. */
export function embeddingModelSuite(cases: readonly BackendCase[]): void {
  describe.each(cases)('embedding model of a collection ($name)', ({ make }) => {
    const backend = make();
    const opened: Vectors[] = [];
    afterAll(async () => {
      for (const v of opened) await v.close();
      await backend.close();
    });
    const open = async (prefix: string, model: EmbeddingProvider) => {
      const v = await backend.open({
        collectionPrefix: prefix,
        embeddings: { providers: { character_memories: model } },
      });
      opened.push(v);
      return v;
    };
    const recordedModel = async (v: Vectors, collection: string) =>
      ((await v.client.getCollection(collection)).config.metadata as Record<string, unknown> | undefined)?.[
        EMBEDDING_MODEL_KEY
      ];

    it('records the model at creation and refuses another one of the same size until reembed moves the points to it', async () => {
      const prefix = uniquePrefix('model');
      const alias = `${prefix}character_memories`;
      const first = await open(prefix, modelA);
      const created = await first.ensureCollections();
      expect(created.find((r) => r.name === 'character_memories')).toMatchObject({
        model: modelA.id,
        modelRecorded: false,
        created: true,
      });
      expect(await recordedModel(first, `${alias}__v1`)).toBe(modelA.id);
      await first.upsert('character_memories', records);
      const before = await first.client.scroll(alias, { limit: 100, with_payload: true, with_vector: true });

      // Same size, another model: a typed error naming the collection and both models; the others are ensured.
      const second = await open(prefix, modelB);
      const error = await second.ensureCollections().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EmbeddingModelChangedError);
      expect(error).toMatchObject({
        code: 'DRIFT',
        collection: `${alias}__v1`,
        recorded: modelA.id,
        configured: modelB.id,
      });
      expect(await recordedModel(second, `${prefix}memory_embeddings__v1`)).toBe('local-hash-v2/768');

      const result = await second.reembed('character_memories');
      expect(result).toEqual({
        name: 'character_memories',
        from: `${alias}__v1`,
        to: `${alias}__v2`,
        fromModel: modelA.id,
        toModel: modelB.id,
        points: records.length,
      });
      expect((await second.client.getAliases()).aliases.filter((a) => a.alias_name === alias)).toEqual([
        { alias_name: alias, collection_name: `${alias}__v2` },
      ]);
      expect(await recordedModel(second, `${alias}__v2`)).toBe(modelB.id);
      expect((await second.client.count(alias, { exact: true })).count).toBe(records.length);
      // The old version is kept, untouched.
      expect((await second.client.count(`${alias}__v1`, { exact: true })).count).toBe(records.length);

      const after = await second.client.scroll(alias, { limit: 100, with_payload: true, with_vector: true });
      const byId = new Map(after.points.map((p) => [p.id, p]));
      const texts = before.points.map((p) => (p.payload as { text: string }).text);
      const expectedB = await modelB.embed(texts);
      const expectedA = await modelA.embed(texts);
      before.points.forEach((old, i) => {
        const now = byId.get(old.id)!;
        expect(now.payload).toEqual(old.payload);
        const dense = denseOf(now.vector);
        expect(dense).toHaveLength(384);
        dense.forEach((x, d) => {
          expect(x).toBeCloseTo(expectedB[i]![d]!, 6);
        });
        // The old point held model A's vector of the same text, and the new one differs from it.
        expect(denseOf(old.vector).some((x, d) => Math.abs(x - expectedA[i]![d]!) > 1e-6)).toBe(false);
        expect(dense.some((x, d) => Math.abs(x - expectedA[i]![d]!) > 1e-3)).toBe(true);
        expect((now.vector as Record<string, unknown>).bm25).toBeDefined();
      });

      // Now the configured model is the recorded one: ensured, nothing to re-embed, and search finds by model B.
      const again = await second.ensureCollections();
      expect(again.find((r) => r.name === 'character_memories')).toMatchObject({
        collection: `${alias}__v2`,
        model: modelB.id,
        modelRecorded: false,
        migrated: null,
      });
      expect(await second.reembed('character_memories')).toBeNull();
      const hits = await second.search('character_memories', records[3]!.text, { limit: 1 });
      expect(hits[0]!.payload.text).toBe(records[3]!.text);
      // A version built by hand records the model it is given, and only that.
      await second.createVersion('character_memories', 5, { model: modelA.id });
      expect(await recordedModel(second, `${alias}__v5`)).toBe(modelA.id);
      await second.createVersion('character_memories', 6);
      expect(await recordedModel(second, `${alias}__v6`)).toBeUndefined();
      // And model A is now the one refused.
      const third = await open(prefix, modelA);
      await expect(third.ensureCollections()).rejects.toMatchObject({
        collection: `${alias}__v2`,
        recorded: modelB.id,
        configured: modelA.id,
      });
    });

    it('does nothing when reopened with the same model', async () => {
      const prefix = uniquePrefix('samemodel');
      const alias = `${prefix}character_memories`;
      const first = await open(prefix, modelA);
      await first.ensureCollections();
      await first.upsert('character_memories', records.slice(0, 5));
      const second = await open(prefix, modelA);
      const report = await second.ensureCollections();
      expect(report.map((r) => [r.collection, r.created, r.modelRecorded, r.migrated])).toEqual([
        [`${prefix}memory_embeddings__v1`, false, false, null],
        [`${alias}__v1`, false, false, null],
        [`${prefix}document_vectors__v1`, false, false, null],
        [`${prefix}knowledge_graph_vectors__v1`, false, false, null],
      ]);
      expect(await second.reembed('character_memories')).toBeNull();
      expect((await second.client.collectionExists(`${alias}__v2`)).exists).toBe(false);
      expect((await second.client.count(alias, { exact: true })).count).toBe(5);
    });

    it('records the configured model on a collection from older code without one, and migrates nothing', async () => {
      const prefix = uniquePrefix('oldmodel');
      const alias = `${prefix}character_memories`;
      const legacy = `${alias}__v1`;
      const vectors = await open(prefix, modelB);
      // What older code created: the spec's vectors, no embedding model in the metadata.
      await vectors.client.createCollection(legacy, {
        vectors: { size: 384, distance: 'Cosine' },
        sparse_vectors: { bm25: { modifier: 'idf' } },
        metadata: { monsteros_collection: 'character_memories' },
      });
      await vectors.client.updateCollectionAliases({
        actions: [{ create_alias: { alias_name: alias, collection_name: legacy } }],
      });
      await vectors.upsert('character_memories', records.slice(0, 3));
      const before = await vectors.client.scroll(alias, { limit: 10, with_vector: true });
      const report = await vectors.ensureCollections();
      expect(report.find((r) => r.name === 'character_memories')).toMatchObject({
        collection: legacy,
        model: modelB.id,
        modelRecorded: true,
        migrated: null,
      });
      expect((await vectors.client.getCollection(legacy)).config.metadata).toEqual({
        monsteros_collection: 'character_memories',
        [EMBEDDING_MODEL_KEY]: modelB.id,
      });
      expect((await vectors.client.collectionExists(`${alias}__v2`)).exists).toBe(false);
      expect((await vectors.client.scroll(alias, { limit: 10, with_vector: true })).points).toEqual(
        before.points,
      );
      const again = await vectors.ensureCollections();
      expect(again.find((r) => r.name === 'character_memories')!.modelRecorded).toBe(false);
    });

    it('refuses to re-embed points that have no text, naming the collection, both models and the count, writing nothing', async () => {
      const prefix = uniquePrefix('notext');
      const alias = `${prefix}character_memories`;
      const first = await open(prefix, modelA);
      await first.ensureCollections();
      await first.upsert('character_memories', records.slice(0, 4));
      // Two points written as ready vectors, without a text.
      await first.upsert(
        'character_memories',
        [0, 1].map((i) => ({ vector: new Array(384).fill(0.05), payload: payloadOf(i) })),
      );
      const second = await open(prefix, modelB);
      const error = await second.reembed('character_memories').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ReembedTextMissingError);
      expect(error).toMatchObject({
        collection: `${alias}__v1`,
        recorded: modelA.id,
        configured: modelB.id,
        withoutText: 2,
      });
      expect((await second.client.collectionExists(`${alias}__v2`)).exists).toBe(false);
      expect(
        (await second.client.getAliases()).aliases.find((a) => a.alias_name === alias)?.collection_name,
      ).toBe(`${alias}__v1`);
    });
  });
}
