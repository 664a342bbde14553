import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createCollectionBody } from '../../src/collections.js';
import {
  type CharacterMemoryPayload,
  COLLECTION_SPECS,
  createBm25Encoder,
  SPARSE_VECTOR,
  type Vectors,
} from '../../src/index.js';
import { type BackendCase, uniquePrefix } from '../support/backends.js';
import { QUESTIONS } from '../support/questions.js';

const NOW = new Date('2025-06-01T00:00:00Z');
const bm25 = createBm25Encoder();

const memory = (text: string, character = 'sage', daysAgo = 0) => ({
  text,
  payload: {
    interaction_id: randomUUID(),
    character_name: character,
    memory_type: 'interaction',
    user_context: 'user:1',
    learning_value: 0.5,
    timestamp: new Date(NOW.getTime() - daysAgo * 86_400_000).toISOString(),
  } satisfies CharacterMemoryPayload,
});

const TEXTS = QUESTIONS;

/** The hybrid tests over each of `cases`. */
export function hybridSuite(cases: readonly BackendCase[]): void {
  describe.each(cases)('hybrid retrieval ($name)', ({ make }) => {
    const backend = make();
    const opened: Vectors[] = [];
    afterAll(async () => {
      for (const v of opened) await v.close();
      await backend.close();
    });
    const open = async (tag: string) => {
      const v = await backend.open({ collectionPrefix: uniquePrefix(tag) });
      opened.push(v);
      return v;
    };

    it('stores a BM25 sparse vector of the text beside the dense one', async () => {
      const vectors = await open('hybrid_write');
      await vectors.ensureCollections();
      const record = memory('The dragon guards the northern pass');
      const { pointIds } = await vectors.upsert('character_memories', [record]);
      const [point] = await vectors.client.retrieve(vectors.collectionName('character_memories'), {
        ids: pointIds,
        with_vector: true,
      });
      const stored = point!.vector as Record<string, unknown>;
      expect(stored['']).toHaveLength(384);
      const expected = bm25.encodeDocument(record.text);
      expect(stored[SPARSE_VECTOR]).toEqual({
        indices: expected.indices,
        values: expected.values.map((x) => expect.closeTo(x, 6) as unknown as number),
      });
    });

    it('recalls the memory that shares the topic word, whatever the question words', async () => {
      const vectors = await open('hybrid_recall');
      await vectors.ensureCollections();
      await vectors.upsert(
        'character_memories',
        TEXTS.map((t) => memory(t)),
      );
      const hits = await vectors.characterContextSearch('What is recursion?', {
        character: 'sage',
        now: NOW,
        scoreThreshold: null,
      });
      expect(hits[0]!.payload.text).toBe(TEXTS[0]);
      // Sparse alone finds only the texts that share a word (after stop words): recursion.
      const sparse = await vectors.characterContextSearch('What is recursion?', {
        character: 'sage',
        now: NOW,
        mode: 'sparse',
      });
      expect(sparse.map((h) => h.payload.text)).toEqual([TEXTS[0]]);
      // Fused by Qdrant's RRF (k = 2: 1/(rank + 1) per list, at most 1/2 + 1/2), decayed at age 0.
      expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
      expect(hits[0]!.score).toBeLessThanOrEqual(1);
    });

    // Two pages of the migration's copy (500 points per page); generous timeout for a loaded machine.
    it('migrates a collection without sparse vectors to a new version, losing nothing', {
      timeout: 240_000,
    }, async () => {
      const prefix = uniquePrefix('migrate');
      const vectors = await backend.open({ collectionPrefix: prefix });
      opened.push(vectors);
      const alias = `${prefix}character_memories`;
      const legacy = `${alias}__v1`;
      // What older code created: an unnamed dense vector only, behind the alias.
      await vectors.client.createCollection(legacy, { vectors: { size: 384, distance: 'Cosine' } });
      await vectors.client.updateCollectionAliases({
        actions: [{ create_alias: { alias_name: alias, collection_name: legacy } }],
      });
      const records = Array.from({ length: 620 }, (_, i) => memory(`memory ${i} about the ${TEXTS[i % 6]}`));
      const points = records.map((r, i) => ({
        id: randomUUID(),
        vector: Array.from({ length: 384 }, (_, d) => Math.sin(i + d)),
        // One point without text (written around our API): copied with its dense vector only.
        payload: i === 7 ? { ...r.payload } : { ...r.payload, text: r.text },
      }));
      await vectors.client.upsert(legacy, { wait: true, points });
      const before = await vectors.client.scroll(legacy, {
        limit: 2_000,
        with_payload: true,
        with_vector: true,
      });

      const ensured = await vectors.ensureCollections();
      const cm = ensured.find((e) => e.name === 'character_memories')!;
      expect(cm).toMatchObject({
        collection: `${alias}__v2`,
        migrated: { from: legacy, to: `${alias}__v2`, points: 620, withoutText: 1 },
        specVersionPending: null,
      });
      expect(ensured.find((e) => e.name === 'memory_embeddings')!.migrated).toBeNull();

      const after = await vectors.client.scroll(alias, {
        limit: 2_000,
        with_payload: true,
        with_vector: true,
      });
      expect(after.points).toHaveLength(before.points.length);
      const byId = new Map(after.points.map((p) => [p.id, p]));
      for (const old of before.points) {
        const now = byId.get(old.id)!;
        expect(now.payload).toEqual(old.payload);
        const vector = now.vector as Record<string, unknown>;
        const dense = (Array.isArray(vector) ? vector : vector['']) as number[];
        expect(dense).toEqual(old.vector);
        const text = (old.payload as { text?: string }).text;
        if (text === undefined)
          expect(Array.isArray(vector) || vector[SPARSE_VECTOR] === undefined).toBe(true);
        else
          expect((vector[SPARSE_VECTOR] as { indices: number[] }).indices).toEqual(
            bm25.encodeDocument(text).indices,
          );
      }
      // The old version is kept until dropped; a second start migrates nothing.
      expect((await vectors.client.count(legacy, {})).count).toBe(620);
      const again = await vectors.ensureCollections();
      expect(again.find((e) => e.name === 'character_memories')!.migrated).toBeNull();
      // And the migrated collection answers hybrid queries.
      const hits = await vectors.characterContextSearch('recursion', {
        character: 'sage',
        now: NOW,
        mode: 'sparse',
      });
      expect(hits.length).toBeGreaterThan(0);
      expect(hits.every((h) => h.payload.text?.includes('recursion'))).toBe(true);
    });

    it("re-encodes a collection whose sparse vectors used other document lengths than its spec's", async () => {
      const prefix = uniquePrefix('reencode');
      const vectors = await backend.open({ collectionPrefix: prefix });
      opened.push(vectors);
      const alias = `${prefix}knowledge_graph_vectors`;
      const legacy = `${alias}__v1`;
      // What the previous release created: sparse vectors at 8 terms for every point, no encoding recorded.
      const spec = COLLECTION_SPECS.knowledge_graph_vectors;
      const body = createCollectionBody(spec);
      await vectors.client.createCollection(legacy, {
        ...body,
        metadata: { monsteros_collection: spec.name },
      });
      await vectors.client.updateCollectionAliases({
        actions: [{ create_alias: { alias_name: alias, collection_name: legacy } }],
      });
      const text = 'Alice mentored Bob in Paris after the war';
      await vectors.client.upsert(legacy, {
        wait: true,
        points: [
          {
            id: randomUUID(),
            vector: {
              '': Array.from({ length: 768 }, (_, d) => Math.cos(d)),
              [SPARSE_VECTOR]: bm25.encodeDocument(text),
            },
            payload: { triple_id: randomUUID(), character_context: 'sage', text },
          },
        ],
      });
      const ensured = await vectors.ensureCollections();
      expect(ensured.find((e) => e.name === 'knowledge_graph_vectors')!.migrated).toEqual({
        from: legacy,
        to: `${alias}__v2`,
        points: 1,
        withoutText: 0,
      });
      // The collections whose spec keeps the original 8 terms were created fresh: nothing to re-encode.
      expect(ensured.find((e) => e.name === 'character_memories')!.migrated).toBeNull();
      const [point] = (await vectors.client.scroll(alias, { limit: 10, with_vector: true })).points;
      const sparse = (point!.vector as Record<string, { indices: number[]; values: number[] }>)[
        SPARSE_VECTOR
      ]!;
      const expected = bm25.encodeDocument(text, spec.bm25.avgDocLength);
      expect(spec.bm25.avgDocLength).not.toBe(8);
      expect(sparse.indices).toEqual(expected.indices);
      for (const [i, v] of sparse.values.entries()) expect(v).toBeCloseTo(expected.values[i]!, 5);
      expect(sparse.values[0]).not.toBeCloseTo(bm25.encodeDocument(text).values[0]!, 3);
      // Recorded in the new version: a second start re-encodes nothing.
      const again = await vectors.ensureCollections();
      expect(again.find((e) => e.name === 'knowledge_graph_vectors')!.migrated).toBeNull();
    });

    it('re-encodes a sparse collection with no metadata at all only once it has metadata', async () => {
      const prefix = uniquePrefix('nometa');
      const vectors = await backend.open({ collectionPrefix: prefix });
      opened.push(vectors);
      const alias = `${prefix}knowledge_graph_vectors`;
      const { metadata: _, ...body } = createCollectionBody(COLLECTION_SPECS.knowledge_graph_vectors);
      await vectors.client.createCollection(`${alias}__v1`, body);
      await vectors.client.updateCollectionAliases({
        actions: [{ create_alias: { alias_name: alias, collection_name: `${alias}__v1` } }],
      });
      const ensured = await vectors.ensureCollections();
      expect(ensured.find((e) => e.name === 'knowledge_graph_vectors')).toMatchObject({
        collection: `${alias}__v1`,
        migrated: null,
        modelRecorded: true,
      });
      // Now it has metadata (the model) without an encoding: the original one, re-encoded once.
      const second = await vectors.ensureCollections();
      expect(second.find((e) => e.name === 'knowledge_graph_vectors')!.migrated).toMatchObject({
        to: `${alias}__v2`,
      });
      const third = await vectors.ensureCollections();
      expect(third.find((e) => e.name === 'knowledge_graph_vectors')!.migrated).toBeNull();
    });
  });
}
