import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type CharacterMemoryPayload,
  type EmbeddingProvider,
  pointIdFor,
  type Vectors,
  VectorsValidationError,
} from '../../src/index.js';
import { type BackendCase, uniquePrefix } from '../support/backends.js';

const memory = (over: Partial<CharacterMemoryPayload> = {}): CharacterMemoryPayload => ({
  interaction_id: randomUUID(),
  character_name: 'sage',
  memory_type: 'fact',
  user_context: 'asked about dragons',
  learning_value: 0.5,
  timestamp: '2025-03-01T12:00:00Z',
  ...over,
});

/** A provider that counts the texts it is asked to embed. */
export function countingEmbedder(dims: number): EmbeddingProvider & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    id: `counting/${dims}`,
    dims,
    calls,
    async embed(texts) {
      calls.push([...texts]);
      return texts.map((t) => {
        const v = new Float32Array(dims);
        v[t.length % dims] = 1;
        v[(t.length + 1) % dims] = 0.5;
        return v;
      });
    },
  };
}

async function validationError(call: Promise<unknown>): Promise<VectorsValidationError> {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VectorsValidationError);
  return error as VectorsValidationError;
}

/** The writes tests over each of `cases`. */
export function writesSuite(cases: readonly BackendCase[]): void {
  describe.each(cases)('writes ($name)', ({ make }) => {
    const backend = make();
    afterAll(() => backend.close());

    const open = async (tag: string, extra: Parameters<typeof backend.open>[0] = {}): Promise<Vectors> => {
      const vectors = await backend.open({ collectionPrefix: uniquePrefix(tag), ...extra });
      await vectors.ensureCollections();
      return vectors;
    };

    it('upserts in batches with bounded concurrency, and a replay overwrites the same points', async () => {
      const vectors = await open('batches');
      const records = Array.from({ length: 25 }, (_, i) => ({
        text: `memory number ${i}`,
        payload: memory(),
      }));
      const first = await vectors.upsert('character_memories', records, { batchSize: 10, concurrency: 2 });
      expect(first).toMatchObject({ points: 25, batches: 3 });
      expect(first.pointIds).toEqual(
        records.map((r) => pointIdFor('character_memories', r.payload.interaction_id)),
      );
      const replay = await vectors.upsert('character_memories', records, { batchSize: 7 });
      expect(replay.pointIds).toEqual(first.pointIds);
      const name = vectors.collectionName('character_memories');
      expect((await vectors.client.count(name, {})).count).toBe(25);
      const [stored] = await vectors.client.retrieve(name, { ids: [first.pointIds[3]!] });
      expect(stored?.payload).toEqual({ ...records[3]!.payload, text: 'memory number 3' });
    });

    it('stores float-array and plain vectors alike, in process uncopied and over HTTP as JSON arrays', async () => {
      const vectors = await open('floats');
      const dense = (seed: number) => Float32Array.from({ length: 384 }, (_, d) => Math.sin(seed + d));
      const plain = Array.from(dense(2));
      const records = [
        { vector: dense(1), payload: memory(), text: 'a float32 vector' },
        { vector: plain, payload: memory(), text: 'a plain vector' },
        { vector: Float64Array.from(dense(3)), payload: memory(), text: 'a float64 vector' },
      ];
      const { pointIds } = await vectors.upsert('character_memories', records);
      const stored = await vectors.client.retrieve(vectors.collectionName('character_memories'), {
        ids: pointIds,
        with_vector: true,
      });
      const byId = new Map(stored.map((p) => [p.id, (p.vector as Record<string, number[]>)['']!]));
      const unit = (v: ArrayLike<number>) => {
        const norm = Math.hypot(...Array.from(v));
        return Array.from(v, (x) => x / norm);
      };
      for (const [i, id] of pointIds.entries()) {
        const got = byId.get(id)!;
        expect(Array.isArray(got)).toBe(true);
        for (const [d, x] of unit(records[i]!.vector).entries()) expect(got[d]).toBeCloseTo(x, 5);
      }
      // The caller's arrays are left as they were.
      expect(plain).toEqual(Array.from(dense(2)));
    });

    it('embeds each distinct text once, through the in-process cache', async () => {
      const embedder = countingEmbedder(384);
      const vectors = await open('cache', { embeddings: { providers: { character_memories: embedder } } });
      const shared = 'the dragon sleeps';
      await vectors.upsert('character_memories', [
        { text: shared, payload: memory() },
        { text: shared, payload: memory() },
        { text: 'another memory', payload: memory() },
      ]);
      await vectors.search('character_memories', shared, { scoreThreshold: null });
      // After the start-up dimension probe (ensureCollections), each distinct text once.
      expect(embedder.calls.slice(1)).toEqual([[shared, 'another memory']]);
    });

    it('embeds nothing for a sparse search of a text (its words are the whole query)', async () => {
      const embedder = countingEmbedder(384);
      const vectors = await open('sparse-embeds', {
        embeddings: { providers: { character_memories: embedder } },
      });
      await vectors.upsert('character_memories', [{ text: 'the dragon sleeps', payload: memory() }]);
      const calls = embedder.calls.length;
      const hits = await vectors.search('character_memories', 'dragon', { mode: 'sparse' });
      expect(hits.map((h) => h.payload.text)).toEqual(['the dragon sleeps']);
      expect(embedder.calls).toHaveLength(calls);
      expect(
        (await validationError(vectors.search('character_memories', '', { mode: 'sparse' }))).field,
      ).toBe('query');
      // Hybrid still embeds the text.
      await vectors.search('character_memories', 'dragon', { mode: 'hybrid' });
      expect(embedder.calls.slice(calls)).toEqual([['dragon']]);
    });

    it('deletes every chunk of a source by its id, and by filter', async () => {
      const vectors = await open('delete');
      const doc = randomUUID();
      const other = randomUUID();
      const payload = (id: string, type: string) => ({
        document_id: id,
        document_type: type,
        processed_by: 'sage',
        extraction_quality: 0.8,
      });
      await vectors.upsert('document_vectors', [
        { text: 'chunk zero', chunk: 0, payload: payload(doc, 'guide') },
        { text: 'chunk one', chunk: 1, payload: payload(doc, 'guide') },
        { text: 'other doc', payload: payload(other, 'lore') },
        { text: 'third doc', payload: payload(randomUUID(), 'lore') },
      ]);
      const name = vectors.collectionName('document_vectors');
      await vectors.deleteBySourceIds('document_vectors', [doc]);
      expect((await vectors.client.count(name, {})).count).toBe(2);
      await vectors.deleteByFilter('document_vectors', {
        must: [{ key: 'document_id', match: { value: other } }],
      });
      expect((await vectors.client.count(name, {})).count).toBe(1);
      await expect(vectors.deleteByFilter('document_vectors', {})).rejects.toMatchObject({ field: 'filter' });
      expect((await vectors.client.count(name, {})).count).toBe(1);
    });

    it('rejects bad input with a typed error naming the field, before any request', async () => {
      const vectors = await open('bad');
      expect(
        await validationError(vectors.upsert('character_memories', [{ text: '   ', payload: memory() }])),
      ).toMatchObject({
        field: 'records[0].text',
        rule: 'must not be empty',
      });
      expect(
        await validationError(
          vectors.upsert('character_memories', [{ vector: [1, 2, 3], payload: memory() }]),
        ),
      ).toMatchObject({ field: 'records[0].vector', rule: 'must have 384 dimensions, got 3' });
      const nan = new Array(384).fill(0.1);
      nan[7] = Number.NaN;
      expect(
        await validationError(vectors.upsert('character_memories', [{ vector: nan, payload: memory() }])),
      ).toMatchObject({
        field: 'records[0].vector[7]',
      });
      const { interaction_id: _dropped, ...withoutId } = memory();
      expect(
        await validationError(
          vectors.upsert('character_memories', [
            { text: 'x', payload: withoutId as unknown as CharacterMemoryPayload },
          ]),
        ),
      ).toMatchObject({ field: 'records[0].payload.interaction_id', rule: 'is required' });
      expect(
        await validationError(
          vectors.upsert('character_memories', [
            { text: 'x', payload: memory({ interaction_id: 'not-a-uuid' }) },
          ]),
        ),
      ).toMatchObject({ field: 'records[0].payload.interaction_id', rule: 'must be a UUID' });
      expect(await validationError(vectors.upsert('memories' as never, []))).toMatchObject({
        field: 'collection',
      });
      expect(
        await validationError(vectors.search('character_memories', 'x', { profile: 'fastest' })),
      ).toMatchObject({
        field: 'profile',
      });
      expect(await validationError(vectors.search('character_memories', ''))).toMatchObject({
        field: 'query',
      });
      expect(
        await validationError(
          vectors.search('memory_embeddings', { vector: new Array(768).fill(Number.NaN) }),
        ),
      ).toMatchObject({ field: 'query.vector[0]' });
      expect((await vectors.client.count(vectors.collectionName('character_memories'), {})).count).toBe(0);
    });

    it('names the collection and the operation when Qdrant refuses a request', async () => {
      const vectors = await backend.open({ collectionPrefix: uniquePrefix('missing') });
      await expect(vectors.search('memory_embeddings', 'anything')).rejects.toMatchObject({
        name: 'QdrantRequestError',
        code: 'NOT_FOUND',
        status: 404,
        message: expect.stringContaining('memory_embeddings'),
      });
    });
  });
}
