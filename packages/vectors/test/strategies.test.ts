import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  CharacterMemoryPayload,
  MemoryEmbeddingPayload,
  MemoryReranker,
  Vectors,
} from '../src/index.js';
import { atCosine, axis, backends, uniquePrefix } from './support/backends.js';

// Hand-built data: every vector sits at a chosen cosine from the query axis, so each list's
// order and each score is known in advance. memory_embeddings is 3-dimensional and
// character_memories 2-dimensional here (sizes overridden) to keep the two models distinct.
const E_DIMS = 3;
const M_DIMS = 2;
const query = { vectors: { memory_embeddings: axis(E_DIMS), character_memories: axis(M_DIMS) } };
const NOW = new Date('2025-06-01T00:00:00Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000).toISOString();

const entity = (
  id: string,
  character: string,
  over: Partial<MemoryEmbeddingPayload> = {},
): MemoryEmbeddingPayload => ({
  entity_id: id,
  entity_type: 'place',
  character_context: character,
  timestamp: NOW.toISOString(),
  importance_score: 0.5,
  ...over,
});
const memory = (
  id: string,
  character: string,
  over: Partial<CharacterMemoryPayload> = {},
): CharacterMemoryPayload => ({
  interaction_id: id,
  character_name: character,
  memory_type: 'fact',
  user_context: '',
  learning_value: 0.5,
  timestamp: NOW.toISOString(),
  ...over,
});

/** Σ w / (k + rank): RRF by its definition, for the expected values. */
const rrf = (parts: Array<[weight: number, rank: number]>, k: number) =>
  parts.reduce((s, [w, r]) => s + w / (k + r), 0);

describe.each(backends)('search strategies ($name)', ({ make }) => {
  const backend = make();
  let vectors: Vectors;
  // Sources A–D appear in one or both memory collections of sage; X belongs to ember.
  const A = randomUUID();
  const B = randomUUID();
  const C = randomUUID();
  const D = randomUUID();
  const X = randomUUID();

  beforeAll(async () => {
    vectors = await backend.open({
      collectionPrefix: uniquePrefix('strategies'),
      collections: { memory_embeddings: { dims: E_DIMS }, character_memories: { dims: M_DIMS } },
    });
    await vectors.ensureCollections();
    await vectors.upsert('memory_embeddings', [
      { vector: atCosine(0.99, E_DIMS), payload: entity(A, 'sage', { importance_score: 0.1 }) },
      { vector: atCosine(0.95, E_DIMS), payload: entity(B, 'sage', { importance_score: 0.9 }) },
      { vector: atCosine(0.9, E_DIMS), payload: entity(C, 'sage', { importance_score: 0.5 }) },
      { vector: atCosine(0.999, E_DIMS), payload: entity(X, 'ember') },
    ]);
    await vectors.upsert('character_memories', [
      { vector: atCosine(0.98, M_DIMS), payload: memory(C, 'sage', { timestamp: daysAgo(1) }) },
      { vector: atCosine(0.97, M_DIMS), payload: memory(D, 'sage', { timestamp: daysAgo(3) }) },
      { vector: atCosine(0.8, M_DIMS), payload: memory(A, 'sage', { timestamp: daysAgo(0) }) },
      { vector: atCosine(0.995, M_DIMS), payload: memory(X, 'ember') },
    ]);
  });
  afterAll(() => backend.close());

  describe('hippoRagMemorySearch', () => {
    it('fuses the primary and fallback lists by reciprocal rank on the source id', async () => {
      const hits = await vectors.hippoRagMemorySearch(query, { character: 'sage', rerank: false });
      // memory_embeddings ranks A1 B2 C3 (weight 1); character_memories ranks C1 D2 A3 (weight 0.5).
      const expected = {
        [A]: rrf(
          [
            [1, 1],
            [0.5, 3],
          ],
          60,
        ),
        [B]: rrf([[1, 2]], 60),
        [C]: rrf(
          [
            [1, 3],
            [0.5, 1],
          ],
          60,
        ),
        [D]: rrf([[0.5, 2]], 60),
      };
      expect(hits.map((h) => h.sourceId)).toEqual([A, C, B, D]);
      for (const h of hits) expect(h.score).toBeCloseTo(expected[h.sourceId]!, 12);
      expect(hits[1]).toMatchObject({
        collection: 'character_memories',
        matches: [
          { collection: 'memory_embeddings', rank: 3 },
          { collection: 'character_memories', rank: 1 },
        ],
      });
    });

    it('changes the fused order with the list weights', async () => {
      const hits = await vectors.hippoRagMemorySearch(query, {
        character: 'sage',
        rerank: false,
        weights: { memory_embeddings: 1, character_memories: 2 },
      });
      // A: 1/61 + 2/63, B: 1/62, C: 1/63 + 2/61, D: 2/62 → C, A, D, B.
      expect(hits.map((h) => h.sourceId)).toEqual([C, A, D, B]);
    });

    it('reranks the fused candidates by exact similarity', async () => {
      const hits = await vectors.hippoRagMemorySearch(query, { character: 'sage' });
      // Best cosine per source: A 0.99, C 0.98, D 0.97, B 0.95.
      expect(hits.map((h) => h.sourceId)).toEqual([A, C, D, B]);
      expect(hits.map((h) => h.score)).toEqual([
        expect.closeTo(0.99, 5),
        expect.closeTo(0.98, 5),
        expect.closeTo(0.97, 5),
        expect.closeTo(0.95, 5),
      ]);
    });

    it('takes a pluggable reranker', async () => {
      const byImportance: MemoryReranker = {
        rerank: (_q, candidates) =>
          candidates.map((c) =>
            c.collection === 'memory_embeddings' ? Number(c.payload.importance_score) : 0,
          ),
      };
      const hits = await vectors.hippoRagMemorySearch(query, {
        character: 'sage',
        rerank: byImportance,
        limit: 3,
      });
      // B 0.9, C (best ranked in character_memories) 0, A 0.1, D 0 → B, A, then C before D by fused order.
      expect(hits.map((h) => h.sourceId)).toEqual([B, A, C]);
    });

    it('reranks only the top rerankDepth fused candidates', async () => {
      const favourD: MemoryReranker = {
        rerank: (_q, candidates) => candidates.map((c) => (c.sourceId === D ? 1 : 0)),
      };
      const deep = await vectors.hippoRagMemorySearch(query, {
        character: 'sage',
        rerank: favourD,
        rerankDepth: 4,
        limit: 3,
      });
      expect(deep.map((h) => h.sourceId)).toEqual([D, A, C]);
      // D is 4th after fusion, so a depth of 3 never shows it to the reranker.
      const shallow = await vectors.hippoRagMemorySearch(query, {
        character: 'sage',
        rerank: favourD,
        rerankDepth: 3,
        limit: 3,
      });
      expect(shallow.map((h) => h.sourceId)).toEqual([A, C, B]);
    });

    it('applies the profile threshold before fusing', async () => {
      const hits = await vectors.hippoRagMemorySearch(query, {
        character: 'sage',
        rerank: false,
        scoreThreshold: 0.96,
      });
      // Left: memory_embeddings A (0.99); character_memories C (0.98), D (0.97).
      expect(hits.map((h) => h.sourceId)).toEqual([A, C, D]);
    });
  });

  describe('characterContextSearch', () => {
    // sage's character_memories: C sim 0.98 age 1 day, D 0.97 age 3, A 0.8 age 0.
    const decayed = (sim: number, age: number, rate: number) => sim * Math.exp(-rate * age);

    it('boosts recent memories with the default decay of 0.1 per day, computed by the server', async () => {
      const hits = await vectors.characterContextSearch(query, {
        character: 'sage',
        now: NOW,
        scoreThreshold: 0.5,
      });
      // C 0.98·e^-0.1 = 0.8867, D 0.97·e^-0.3 = 0.7186, A 0.8·e^0 = 0.8 → C, A, D.
      expect(hits.map((h) => h.sourceId)).toEqual([C, A, D]);
      expect(hits.map((h) => h.score)).toEqual([
        expect.closeTo(decayed(0.98, 1, 0.1), 5),
        expect.closeTo(decayed(0.8, 0, 0.1), 5),
        expect.closeTo(decayed(0.97, 3, 0.1), 5),
      ]);
      expect(hits.map((h) => h.ageDays)).toEqual([1, 0, 3]);
    });

    it('orders by the configured rate: none, gentle and steep give three different orders', async () => {
      const order = async (decayRate: number) =>
        (
          await vectors.characterContextSearch(query, {
            character: 'sage',
            now: NOW,
            decayRate,
            scoreThreshold: 0.5,
          })
        ).map((h) => h.sourceId);
      expect(await order(0)).toEqual([C, D, A]);
      // 0.01: C 0.9702, D 0.9413, A 0.8.
      expect(await order(0.01)).toEqual([C, D, A]);
      // 0.2: C 0.8024, A 0.8, D 0.5323.
      expect(await order(0.2)).toEqual([C, A, D]);
      // 1: A 0.8, C 0.3605, D 0.0483.
      expect(await order(1)).toEqual([A, C, D]);
    });

    it('ranks a memory written without a timestamp as very old instead of failing the search', async () => {
      const dated = randomUUID();
      const undated = randomUUID();
      await vectors.upsert('character_memories', [
        { vector: atCosine(0.9, M_DIMS), payload: memory(dated, 'ghost', { timestamp: daysAgo(2) }) },
      ]);
      // Written around our validation (another tool, an old version): no timestamp.
      await vectors.client.upsert(vectors.collectionName('character_memories'), {
        wait: true,
        points: [
          { id: undated, vector: Array.from(atCosine(0.99, M_DIMS)), payload: { character_name: 'ghost' } },
        ],
      });
      const hits = await vectors.characterContextSearch(query, {
        character: 'ghost',
        now: NOW,
        scoreThreshold: 0.5,
      });
      expect(hits.map((h) => h.pointId)).toEqual([expect.any(String), undated]);
      expect(hits[0]!.score).toBeCloseTo(decayed(0.9, 2, 0.1), 5);
      expect(hits[1]!.score).toBeLessThan(1e-6);
      // Its age is the one the formula used: measured from 1970-01-01.
      expect(hits[1]!.ageDays).toBe(NOW.getTime() / 86_400_000);
    });

    it("keeps to one character and the profile's similarity threshold (0.8 by default)", async () => {
      const hits = await vectors.characterContextSearch(query, { character: 'sage', now: NOW });
      expect(hits.map((h) => h.sourceId).sort()).toEqual([A, C, D].sort());
      const strict = await vectors.characterContextSearch(query, {
        character: 'sage',
        now: NOW,
        scoreThreshold: 0.975,
      });
      expect(strict.map((h) => h.sourceId)).toEqual([C]);
      expect(strict[0]?.payload.character_name).toBe('sage');
    });
  });

  describe('crossCharacterSearch', () => {
    // sage: A in memory_embeddings 0.99 and character_memories 0.8; ember: X 0.999 and 0.995.
    const opts = { characters: ['sage', 'ember'], limit: 3 };

    it('averages each source over both collections, absent counting 0', async () => {
      const hits = await vectors.crossCharacterSearch(query, opts);
      // X (0.999+0.995)/2 = 0.997, A (0.99+0.8)/2 = 0.895, C (0.9+0.98)/2 = 0.94.
      expect(hits.map((h) => [h.character, h.sourceId])).toEqual([
        ['ember', X],
        ['sage', C],
        ['sage', A],
      ]);
      expect(hits[0]!.score).toBeCloseTo((0.999 + 0.995) / 2, 5);
      expect(hits[0]!.similarities).toEqual({
        memory_embeddings: expect.closeTo(0.999, 5),
        character_memories: expect.closeTo(0.995, 5),
      });
    });

    it('scales by per-character weights normalized to average 1', async () => {
      const hits = await vectors.crossCharacterSearch(query, { ...opts, weights: { sage: 3, ember: 1 } });
      // sage 1.5, ember 0.5: C 1.41, A 1.3425, D (0.97/2)·1.5 = 0.7275, B 0.7125, X 0.4985.
      expect(hits.map((h) => h.sourceId)).toEqual([C, A, D]);
      expect(hits[0]!.characterWeight).toBeCloseTo(1.5, 12);
      expect(hits[0]!.score).toBeCloseTo(1.5 * ((0.9 + 0.98) / 2), 5);
    });

    it('adapts the weights from recent usage when given', async () => {
      const hits = await vectors.crossCharacterSearch(query, { ...opts, usage: { sage: 0, ember: 4 } });
      // (usage + 1) shares: ember 5, sage 1 → ember 5/3, sage 1/3: X 1.6617, C 0.3133, A 0.2983.
      expect(hits.map((h) => h.sourceId)).toEqual([X, C, A]);
      expect(hits.map((h) => h.characterWeight)).toEqual([
        expect.closeTo(5 / 3, 12),
        expect.closeTo(1 / 3, 12),
        expect.closeTo(1 / 3, 12),
      ]);
    });

    it('weights the collections as configured', async () => {
      const hits = await vectors.crossCharacterSearch(query, {
        ...opts,
        characters: ['sage'],
        collectionWeights: { memory_embeddings: 0, character_memories: 1 },
      });
      // Only character_memories counts: C 0.98, D 0.97, A 0.8.
      expect(hits.map((h) => h.sourceId)).toEqual([C, D, A]);
    });
  });

  it('rejects bad strategy input with typed errors', async () => {
    await expect(vectors.characterContextSearch(query, { character: '' })).rejects.toMatchObject({
      field: 'character',
    });
    await expect(
      vectors.characterContextSearch(query, { character: 'sage', decayRate: -1 }),
    ).rejects.toMatchObject({
      field: 'decayRate',
    });
    // So small that e^(−rate) is 1: not a decay Qdrant accepts.
    await expect(
      vectors.characterContextSearch(query, { character: 'sage', decayRate: 1e-17 }),
    ).rejects.toMatchObject({ name: 'VectorsValidationError', field: 'decayRate' });
    await expect(
      vectors.characterContextSearch(query, {
        character: 'sage',
        memoryTypes: [42] as unknown as string[],
      }),
    ).rejects.toMatchObject({ name: 'VectorsValidationError', field: 'memoryTypes' });
    await expect(vectors.crossCharacterSearch(query, { characters: [] })).rejects.toMatchObject({
      field: 'characters',
    });
    await expect(
      vectors.crossCharacterSearch(query, { characters: ['sage'], weights: { sage: Number.NaN } }),
    ).rejects.toMatchObject({ field: 'weights.sage' });
    await expect(
      vectors.hippoRagMemorySearch({ vectors: { memory_embeddings: axis(E_DIMS) } }),
    ).rejects.toMatchObject({ field: 'query.vectors.character_memories' });
    await expect(vectors.hippoRagMemorySearch(query, { profile: 'nope' })).rejects.toMatchObject({
      field: 'profile',
    });
  });
});
