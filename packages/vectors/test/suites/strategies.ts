import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  CharacterMemoryPayload,
  MemoryEmbeddingPayload,
  MemoryReranker,
  Vectors,
} from '../../src/index.js';
import { atCosine, axis, type BackendCase, uniquePrefix } from '../support/backends.js';

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

/** The strategies tests over each of `cases`. */
export function strategiesSuite(cases: readonly BackendCase[]): void {
  describe.each(cases)('search strategies ($name)', ({ make }) => {
    const backend = make();
    let vectors: Vectors;
    // Realistic ids: every point has its own source id. sage's memory graph holds entities E1, E3
    // and a passage P2 ingested from interaction C; sage's character memories are interactions
    // A, C, D. ember has interaction X and a passage PX ingested from it.
    const E1 = randomUUID();
    const P2 = randomUUID();
    const E3 = randomUUID();
    const PX = randomUUID();
    const A = randomUUID();
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
        { vector: atCosine(0.99, E_DIMS), payload: entity(E1, 'sage', { importance_score: 0.1 }) },
        {
          vector: atCosine(0.95, E_DIMS),
          payload: entity(P2, 'sage', { entity_type: 'passage', interaction_id: C, importance_score: 0.9 }),
        },
        { vector: atCosine(0.9, E_DIMS), payload: entity(E3, 'sage', { importance_score: 0.5 }) },
        {
          vector: atCosine(0.999, E_DIMS),
          payload: entity(PX, 'ember', { entity_type: 'passage', interaction_id: X }),
        },
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
      it('fuses the two collections by reciprocal rank on what the hits are about', async () => {
        const hits = await vectors.hippoRagMemorySearch(query, { character: 'sage' });
        // memory_embeddings ranks E1, P2 (about C), E3 (weight 1); character_memories C, D, A (weight 0.5).
        const expected: Record<string, number> = {
          [`entity:${E1}`]: rrf([[1, 1]], 60),
          [`interaction:${C}`]: rrf(
            [
              [1, 2],
              [0.5, 1],
            ],
            60,
          ),
          [`entity:${E3}`]: rrf([[1, 3]], 60),
          [`interaction:${D}`]: rrf([[0.5, 2]], 60),
          [`interaction:${A}`]: rrf([[0.5, 3]], 60),
        };
        expect(hits.map((h) => h.about)).toEqual([
          `interaction:${C}`,
          `entity:${E1}`,
          `entity:${E3}`,
          `interaction:${D}`,
          `interaction:${A}`,
        ]);
        for (const h of hits) expect(h.score).toBeCloseTo(expected[h.about]!, 12);
        expect(hits[0]).toMatchObject({
          collection: 'character_memories',
          sourceId: C,
          rerankScore: null,
          matches: [
            { collection: 'memory_embeddings', pointId: expect.any(String), rank: 2 },
            { collection: 'character_memories', rank: 1 },
          ],
        });
      });

      it('changes the fused order with the list weights', async () => {
        const hits = await vectors.hippoRagMemorySearch(query, {
          character: 'sage',
          weights: { memory_embeddings: 1, character_memories: 3 },
        });
        // C 1/62 + 3/61, D 3/62, A 3/63, E1 1/61, E3 1/63.
        expect(hits.map((h) => h.sourceId)).toEqual([C, D, A, E1, E3]);
      });

      it('takes a pluggable reranker over the top rerankDepth candidates', async () => {
        const byImportance: MemoryReranker = {
          rerank: (_q, candidates) =>
            candidates.map((c) =>
              c.collection === 'memory_embeddings' ? Number(c.payload.importance_score) : 0,
            ),
        };
        const hits = await vectors.hippoRagMemorySearch(query, {
          character: 'sage',
          rerank: byImportance,
          rerankDepth: 3,
          limit: 3,
        });
        // Top 3 fused: C (best ranked in character_memories → 0), E1 0.1, E3 0.5 → E3, E1, C.
        expect(hits.map((h) => h.sourceId)).toEqual([E3, E1, C]);
        expect(hits.map((h) => h.rerankScore)).toEqual([0.5, 0.1, 0]);
      });

      it('applies the profile threshold to the similarity before fusing', async () => {
        const hits = await vectors.hippoRagMemorySearch(query, { character: 'sage', scoreThreshold: 0.96 });
        // Left: memory_embeddings E1 (0.99); character_memories C (0.98), D (0.97).
        expect(hits.map((h) => h.sourceId)).toEqual([E1, C, D]);
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
      // Keyed by the memory: sage C is P2 0.95 + memory 0.98; ember X is PX 0.999 + memory 0.995.
      const opts = { characters: ['sage', 'ember'], limit: 3 };

      it('averages each memory over both collections, absent counting 0', async () => {
        const hits = await vectors.crossCharacterSearch(query, opts);
        // X (0.999+0.995)/2 = 0.997, C (0.95+0.98)/2 = 0.965, E1 0.99/2 = 0.495.
        expect(hits.map((h) => [h.character, h.about])).toEqual([
          ['ember', `interaction:${X}`],
          ['sage', `interaction:${C}`],
          ['sage', `entity:${E1}`],
        ]);
        expect(hits[0]!.score).toBeCloseTo((0.999 + 0.995) / 2, 5);
        expect(hits[0]!.similarities).toEqual({
          memory_embeddings: expect.closeTo(0.999, 5),
          character_memories: expect.closeTo(0.995, 5),
        });
      });

      it('scales by per-character weights normalized to average 1', async () => {
        const hits = await vectors.crossCharacterSearch(query, { ...opts, weights: { sage: 3, ember: 1 } });
        // sage 1.5, ember 0.5: C 1.4475, E1 0.7425, D 0.7275, …, X 0.4985.
        expect(hits.map((h) => h.about)).toEqual([`interaction:${C}`, `entity:${E1}`, `interaction:${D}`]);
        expect(hits[0]!.characterWeight).toBeCloseTo(1.5, 12);
        expect(hits[0]!.score).toBeCloseTo(1.5 * ((0.95 + 0.98) / 2), 5);
      });

      it('adapts the weights from recent usage when given', async () => {
        const hits = await vectors.crossCharacterSearch(query, { ...opts, usage: { sage: 0, ember: 4 } });
        // (usage + 1) shares: ember 5, sage 1 → ember 5/3, sage 1/3: X 1.6617, C 0.3217, E1 0.165.
        expect(hits.map((h) => h.about)).toEqual([`interaction:${X}`, `interaction:${C}`, `entity:${E1}`]);
        // The memory's best point: ember's passage PX (0.999) over its interaction's memory (0.995).
        expect(hits[0]!.sourceId).toBe(PX);
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
}
