// HippoRAG memory end to end against the real stores: PostgreSQL (own database), Redis (own key
// prefix) and the vectors local mode (':memory:'). Multi-hop recall, synonym edges found through
// vector search, idempotent re-ingest, the outbox path and its replay, caching with invalidation,
// the dense fallback, and bad input.
import { randomBytes } from 'node:crypto';
import { type Cache, createCache } from '@monsteros/cache';
import { createRelational, type Relational } from '@monsteros/relational';
import { createTestDatabase, type TestDatabase } from '@monsteros/schema/testing';
import { createVectors, type Vectors } from '@monsteros/vectors';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FlowError, FlowValidationError } from '../src/errors.js';
import { MemoryInputError } from '../src/memory/input.js';
import { createMemory, type Memory, memoryOutboxHandlers } from '../src/memory/memory.js';
import { MEMORY_INGESTED } from '../src/memory/side-effects.js';
import { createRelay, PermanentError } from '../src/outbox/relay.js';

let db: TestDatabase;
let relational: Relational;
let vectors: Vectors;
let cache: Cache;
let memory: Memory;
const prefix = `test:flows-memory:${randomBytes(4).toString('hex')}:`;

beforeAll(async () => {
  db = await createTestDatabase({ label: 'flows_memory' });
  relational = createRelational({ databaseUrl: db.url, poolSize: 6 });
  vectors = await createVectors({ qdrant: { local: ':memory:' }, collectionPrefix: 'memtest_' });
  await vectors.ensureCollections();
  cache = createCache({ prefix });
  memory = createMemory({ relational, vectors, cache });
});
afterAll(async () => {
  if (cache) {
    let cursor = '0';
    do {
      const [next, keys] = await cache.redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await cache.redis.del(...keys);
    } while (cursor !== '0');
    await cache.close();
  }
  await vectors?.close();
  await relational?.close();
  await db?.drop();
});

const STORY = [
  { text: 'Alice mentored Bob in the old tower.', triples: [['Alice', 'mentored', 'Bob']] },
  { text: 'Bob built the Crystal Engine.', triples: [['Bob', 'built', 'Crystal Engine']] },
  { text: 'The Crystal Engine powers Westgate.', triples: [['Crystal Engine', 'powers', 'Westgate']] },
  { text: 'Dana sailed to Eastport.', triples: [['Dana', 'sailed to', 'Eastport']] },
  {
    text: 'Frank cooked soup for the guild.',
    triples: [
      ['Frank', 'cooked', 'Soup'],
      ['Frank', 'cooked for', 'Guild'],
    ],
  },
  { text: 'Gina painted the harbor at dawn.', triples: [['Gina', 'painted', 'Harbor']] },
] satisfies Array<{ text: string; triples: Array<[string, string, string]> }>;

const pointsOf = async (character: string) =>
  (
    await vectors.client.count(vectors.collectionName('memory_embeddings'), {
      filter: { must: [{ key: 'character_context', match: { value: character } }] },
      exact: true,
    })
  ).count;
const synonymRows = async (character: string) =>
  (
    await relational.pool.query(
      `select ea.name a, eb.name b, s.similarity from memory_synonym_edges s
         join memory_entities ea on ea.id = s.entity_a_id join memory_entities eb on eb.id = s.entity_b_id
        where s.character_context = $1 order by 1, 2`,
      [character],
    )
  ).rows as Array<{ a: string; b: string; similarity: number }>;
const factsOf = async (character: string) =>
  (
    await vectors.client.count(vectors.collectionName('knowledge_graph_vectors'), {
      filter: { must: [{ key: 'character_context', match: { value: character } }] },
      exact: true,
    })
  ).count;
const pending = async () =>
  Number((await relational.pool.query('select count(*) n from outbox where processed_at is null')).rows[0].n);

describe('memory ingest and multi-hop retrieval', () => {
  it('ranks the passage one hop beyond the query entity above unrelated passages', async () => {
    const ingested = await memory.ingest({ character: 'sage', passages: STORY });
    expect(ingested).toMatchObject({
      passages: { received: 6, inserted: 6 },
      entities: { received: 11, inserted: 11 },
      triples: { received: 7, inserted: 7 },
      sideEffects: 'applied',
    });
    expect(ingested.eventIds).toHaveLength(1);
    // 11 entities + 6 passages embedded, 7 facts; the event was applied inline and completed.
    expect(await pointsOf('sage')).toBe(17);
    expect(await factsOf('sage')).toBe(7);
    expect(await pending()).toBe(0);

    const answer = await memory.retrieve({
      character: 'sage',
      query: 'What did the person Alice mentored go on to make?',
      queryEntities: ['Alice'],
      topK: 4,
    });
    expect(answer.mode).toBe('graph');
    expect(answer.fallbackReason).toBeNull();
    expect(answer.linked).toHaveLength(1);
    expect(answer.linked[0]).toMatchObject({ query: 'Alice', name: 'Alice' });
    expect(answer.linked[0]!.similarity).toBeCloseTo(1, 5);
    const texts = answer.results.map((r) => r.passage.content);
    // A–B first, then B–C (multi-hop), then C–D; an unrelated passage gets mass only from its
    // own text match to the query, below the chain.
    expect(texts.slice(0, 3)).toEqual([
      'Alice mentored Bob in the old tower.',
      'Bob built the Crystal Engine.',
      'The Crystal Engine powers Westgate.',
    ]);
    const bc = answer.results[1]!;
    expect(bc.entities.map((e) => e.name)).toEqual(['Bob', 'Crystal Engine']);
    expect(bc.entities[0]!.mass).toBeGreaterThan(bc.entities[1]!.mass);
    expect(answer.results[0]!.score).toBeGreaterThan(bc.score);
    expect(bc.score).toBeGreaterThan(answer.results[2]!.score);
    expect(answer.iterations).toBeGreaterThan(0);
  });

  it('links the entities of the best-matching facts by default, each fact once, weighted by its score', async () => {
    const answer = await memory.retrieve({
      character: 'sage',
      query: 'Who built the Crystal Engine?',
      topK: 2,
    });
    expect(answer.mode).toBe('graph');
    expect(answer.linking).toBe('facts');
    // "Bob built Crystal Engine" matches best (both its words): its entities at 1; the other
    // facts naming the Crystal Engine below, and the engine in two facts gets their mean.
    const byName = new Map(answer.linked.map((l) => [l.name, l]));
    expect(byName.get('Bob')).toMatchObject({ query: 'Bob built Crystal Engine', similarity: 1 });
    expect(byName.get('Crystal Engine')!.similarity).toBeLessThan(1);
    expect(byName.get('Westgate')!.similarity).toBeLessThan(1);
    expect(byName.has('Alice')).toBe(false);
    expect(answer.results.map((r) => r.passage.content)).toContain('Bob built the Crystal Engine.');
    // No fact shares a word with the query: the names found in it link instead (none here: embeddings).
    const none = await memory.retrieve({ character: 'sage', query: 'Where is the lighthouse?', topK: 2 });
    expect(none.linking).not.toBe('facts');
  });

  it("anchors fact linking on the query's named entities, each one's best facts in turn", async () => {
    await memory.ingest({
      character: 'reader',
      passages: [
        {
          text: 'Brand is a play written by Henrik Ibsen; it premiered in Stockholm.',
          triples: [
            ['Brand', 'written by', 'Henrik Ibsen'],
            ['Brand', 'premiered in', 'Stockholm'],
          ],
        },
        {
          text: 'Henrik Ibsen was a citizen of Norway.',
          triples: [['Henrik Ibsen', 'citizen of', 'Norway']],
        },
        { text: 'KXYZ broadcasts country music.', triples: [['KXYZ', 'broadcasts', 'country music']] },
        {
          text: 'Canadian citizens can visit many countries.',
          triples: [['Canadian citizens', 'can visit', 'many countries']],
        },
      ],
    });
    // "Brand" is written capitalized (a named entity): only its facts link, not the facts that
    // share more of the question's common words ("country", "citizen").
    const query = 'What country was the author of Brand a citizen of?';
    const anchored = await memory.retrieve({ character: 'reader', query, topK: 2 });
    expect(anchored.linking).toBe('facts');
    expect(anchored.linked.map((l) => l.name).sort()).toEqual(['Brand', 'Henrik Ibsen', 'Stockholm']);
    expect(anchored.results[0]!.passage.content).toMatch(/^Brand is a play/);
    // Typed without case: the names found in it that the graph writes capitalized anchor instead.
    const lower = await memory.retrieve({ character: 'reader', query: query.toLowerCase(), topK: 2 });
    expect(lower.linked.map((l) => l.name).sort()).toEqual(['Brand', 'Henrik Ibsen', 'Stockholm']);
    const unanchored = await createMemory({ relational, vectors, factAnchoring: 'none' }).retrieve({
      character: 'reader',
      query,
      topK: 2,
    });
    expect(unanchored.linked.map((l) => l.name)).toEqual(
      expect.arrayContaining(['KXYZ', 'Canadian citizens']),
    );
    // Two named entities, two facts: each gets its best, though Brand's second outscores KXYZ's.
    const two = await createMemory({ relational, vectors, factTopK: 2 }).retrieve({
      character: 'reader',
      query: 'Was Brand, written in Stockholm, about KXYZ?',
      topK: 2,
    });
    expect(two.linked.map((l) => l.name)).toContain('KXYZ');
    expect(two.linked).toHaveLength(4);
    // A long query naming many entities searches the facts of its first 32 only (and all facts once).
    const counting: typeof vectors = Object.create(vectors);
    let factSearches = 0;
    counting.search = ((collection: string, ...rest: unknown[]) => {
      if (collection === 'knowledge_graph_vectors') factSearches++;
      return (vectors.search as (...args: unknown[]) => unknown)(collection, ...rest);
    }) as typeof vectors.search;
    const people = Array.from({ length: 40 }, (_, i) => `Person ${i + 1}`);
    await memory.ingest({
      character: 'crowd',
      passages: [{ text: 'Everyone lives in Town.', triples: people.map((p) => [p, 'lives in', 'Town']) }],
    });
    const crowd = await createMemory({ relational, vectors: counting }).retrieve({
      character: 'crowd',
      query: `Where do ${people.join(', ')} live?`,
    });
    expect(crowd.linking).toBe('facts');
    expect(factSearches).toBe(33);
  });

  it('links the entity names found in the query when no query entities are given, else the whole query by embedding', async () => {
    const memory = createMemory({ relational, vectors, cache, queryLinking: 'dictionary' });
    const answer = await memory.retrieve({
      character: 'sage',
      query: 'What did Alice help create?',
      topK: 2,
    });
    expect(answer.mode).toBe('graph');
    expect(answer.linking).toBe('dictionary');
    expect(answer.linked.map((l) => [l.query, l.name, l.similarity])).toEqual([['alice', 'Alice', 1]]);
    expect(answer.results.map((r) => r.passage.content)).toEqual([
      'Alice mentored Bob in the old tower.',
      'Bob built the Crystal Engine.',
    ]);
    // No entity name in the query (a misspelling): the whole query links to its nearest entities.
    const misspelt = await memory.retrieve({ character: 'sage', query: 'the crystal engines', topK: 2 });
    expect(misspelt.linking).toBe('embedding');
    expect(misspelt.linked[0]).toMatchObject({ query: 'the crystal engines', name: 'Crystal Engine' });
  });

  it('is idempotent: re-ingesting the same passages writes, embeds and invalidates nothing', async () => {
    const version = (await relational.memory.graphVersion('sage'))!.version;
    const points = await pointsOf('sage');
    const again = await memory.ingest({ character: 'sage', passages: STORY });
    expect(again).toMatchObject({
      passages: { received: 6, inserted: 0 },
      entities: { received: 11, inserted: 0 },
      triples: { received: 7, inserted: 0 },
      eventIds: [],
      sideEffects: 'none',
    });
    expect((await relational.memory.graphVersion('sage'))!.version).toBe(version);
    expect(await pointsOf('sage')).toBe(points);
  });

  it('adds synonym edges between similar entities through vector search, and walks them', async () => {
    const character = 'archivist';
    await memory.ingest({
      character,
      passages: [
        { text: 'Alice studied the Crystal Engine.', triples: [['Alice', 'studied', 'the Crystal Engine']] },
        { text: 'Dana met Frank.', triples: [['Dana', 'met', 'Frank']] },
      ],
    });
    const second = await memory.ingest({
      character,
      passages: [
        {
          text: 'Crystal Engine schematics are in vault 7.',
          triples: [['Crystal Engine', 'stored in', 'Vault 7']],
        },
      ],
    });
    expect(second.synonymEdges).toBe(1);
    const rows = await synonymRows(character);
    expect(rows.map((r) => [r.a, r.b].sort())).toEqual([['Crystal Engine', 'the Crystal Engine']]);
    expect(rows[0]!.similarity).toBeGreaterThanOrEqual(0.8);

    const answer = await memory.retrieve({
      character,
      query: 'What do we know through Alice?',
      queryEntities: ['Alice'],
    });
    // Only the synonym edge connects Alice's passage to the schematics.
    expect(answer.results.map((r) => r.passage.content)).toEqual([
      'Alice studied the Crystal Engine.',
      'Crystal Engine schematics are in vault 7.',
    ]);
  });
});

describe('memory ingest at volume', () => {
  it('splits a large ingest into outbox events of at most 1000 rows, and applies them all', async () => {
    const character = 'bulk-sage';
    const passages = Array.from({ length: 600 }, (_, i) => ({
      text: `Record ${i}: keeper ${i} guards relic ${i}.`,
      triples: [[`keeper ${i}`, 'guards', `relic ${i}`]] as Array<[string, string, string]>,
    }));
    const result = await memory.ingest({ character, passages });
    // 1200 entities + 600 passages + 600 triples = 2400 new rows.
    expect(result.entities.inserted).toBe(1200);
    expect(result.eventIds).toHaveLength(3);
    expect(result.sideEffects).toBe('applied');
    const payloads = (
      await relational.pool.query(
        `select payload from outbox where aggregate_id = $1 and processed_at is not null order by id`,
        [character],
      )
    ).rows.map((r) => r.payload as { entityIds: string[]; passageIds: string[]; tripleIds: string[] });
    expect(payloads.map((p) => p.entityIds.length + p.passageIds.length + p.tripleIds.length)).toEqual([
      1000, 1000, 400,
    ]);
    expect(await pointsOf(character)).toBe(1800);
    expect(await factsOf(character)).toBe(600);
    const answer = await memory.retrieve({
      character,
      query: 'keeper 417',
      queryEntities: ['keeper 417'],
      topK: 1,
    });
    expect(answer.results[0]!.passage.content).toBe('Record 417: keeper 417 guards relic 417.');
  });
});

describe('memory through the outbox', () => {
  it('leaves side effects to the relay, which applies them (twice changes nothing) and invalidates cached answers', async () => {
    const queued = createMemory({ relational, vectors, cache, sideEffects: 'outbox' });
    const character = 'relay-sage';
    const result = await queued.ingest({ character, passages: STORY.slice(0, 2) });
    expect(result.sideEffects).toBe('queued');
    expect(await pointsOf(character)).toBe(0);
    expect(await factsOf(character)).toBe(0);

    // Nothing is embedded yet: no entity links, and the dense fallback finds no passage either.
    const before = await queued.retrieve({ character, query: 'Alice?', queryEntities: ['Alice'] });
    expect(before).toMatchObject({ mode: 'dense', fallbackReason: 'no linkable entity', results: [] });
    expect((await queued.retrieve({ character, query: 'Alice?', queryEntities: ['Alice'] })).cached).toBe(
      true,
    );

    const relay = createRelay({
      outbox: relational.outbox,
      handlers: memoryOutboxHandlers({ relational, vectors, cache }),
    });
    expect(await relay.drain()).toMatchObject({ applied: 1, parked: 0 });
    expect(await pointsOf(character)).toBe(5);
    // The facts are kept in step by the same event: one point per triple, ids in the payload.
    expect(await factsOf(character)).toBe(2);
    const facts = await vectors.client.scroll(vectors.collectionName('knowledge_graph_vectors'), {
      filter: { must: [{ key: 'character_context', match: { value: character } }] },
      with_payload: true,
    });
    const { rows: tripleRows } = await relational.pool.query(
      `select t.id::text, t.passage_id::text, t.subject_id::text, t.object_id::text
         from memory_triples t where t.character_context = $1`,
      [character],
    );
    expect(
      facts.points
        .map((p) => {
          const f = p.payload as Record<string, string>;
          return [f.triple_id, f.passage_id, f.subject_id, f.object_id].join(' ');
        })
        .sort(),
    ).toEqual(tripleRows.map((t) => [t.id, t.passage_id, t.subject_id, t.object_id].join(' ')).sort());
    expect(facts.points.map((p) => (p.payload as { text: string }).text).sort()).toEqual([
      'Alice mentored Bob',
      'Bob built Crystal Engine',
    ]);

    // The cached fallback answer was invalidated with the side effects (the graph version did not move).
    const after = await queued.retrieve({ character, query: 'Alice?', queryEntities: ['Alice'] });
    expect(after.cached).toBe(false);
    expect(after.mode).toBe('graph');
    expect(after.results.map((r) => r.passage.content)).toEqual([
      'Alice mentored Bob in the old tower.',
      'Bob built the Crystal Engine.',
    ]);

    // Replaying the event (a worker died before completing it) changes nothing.
    const event = (
      await relational.pool.query(`select * from outbox where event_type = $1 and aggregate_id = $2`, [
        MEMORY_INGESTED,
        character,
      ])
    ).rows[0];
    const version = (await relational.memory.graphVersion(character))!.version;
    await queued.outboxHandlers()[MEMORY_INGESTED]!(event);
    expect(await pointsOf(character)).toBe(5);
    expect(await factsOf(character)).toBe(2);
    expect((await relational.memory.graphVersion(character))!.version).toBe(version);
  });

  it('keeps the event for the relay when the inline side effects fail', async () => {
    // A vectors instance whose collections were never created: every upsert fails.
    const broken = await createVectors({ qdrant: { local: ':memory:' }, collectionPrefix: 'missing_' });
    const errors: unknown[] = [];
    const fragile = createMemory({
      relational,
      vectors: broken,
      cache,
      onSideEffectError: (e) => errors.push(e),
    });
    const character = 'fragile-sage';
    const result = await fragile.ingest({ character, passages: STORY.slice(3, 4) });
    expect(result.sideEffects).toBe('queued');
    expect(errors).toHaveLength(1);
    expect(await pending()).toBe(1);
    // The rows are committed.
    expect((await relational.memory.graphVersion(character))!.version).toBeGreaterThan(0);
    const relay = createRelay({
      outbox: relational.outbox,
      handlers: memoryOutboxHandlers({ relational, vectors }),
    });
    expect(await relay.drain()).toMatchObject({ applied: 1 });
    expect(await pointsOf(character)).toBe(3);
    await broken.close();
  });

  it('parks an event whose payload can never be applied', async () => {
    const handler = memoryOutboxHandlers({ relational, vectors })[MEMORY_INGESTED]!;
    const apply = (payload: Record<string, unknown>) =>
      handler({
        id: '1',
        aggregate_type: 'memory',
        aggregate_id: 'x',
        event_type: MEMORY_INGESTED,
        payload,
        created_at: new Date(),
        available_at: new Date(),
        attempts: 1,
        last_error: null,
        processed_at: null,
        parked_at: null,
      }).catch((e: unknown) => e);
    const error = await apply({ character: 'x', entityIds: ['not-a-uuid'], passageIds: [] });
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as Error).message).toContain('entityIds.0');
    const badFact = await apply({ character: 'x', entityIds: [], passageIds: [], tripleIds: [42] });
    expect(badFact).toBeInstanceOf(PermanentError);
    expect((badFact as Error).message).toContain('tripleIds.0');
    // An event of an older release (no tripleIds) still applies.
    expect(await apply({ character: 'x', entityIds: [], passageIds: [] })).toBeUndefined();
  });
});

describe('memory retrieval cache and fallbacks', () => {
  beforeEach(async () => {
    await cache.policies.memory_search_results.clear();
  });

  it('serves a repeated query from Redis, and a graph change makes the next one fresh', async () => {
    const character = 'cache-sage';
    await memory.ingest({ character, passages: STORY.slice(0, 2) });
    const query = { character, query: 'Alice', queryEntities: ['Alice'], topK: 5 };
    const first = await memory.retrieve(query);
    const second = await memory.retrieve(query);
    expect(first.cached).toBe(false);
    expect(second.cached).toBe(true);
    expect({ ...second, cached: false }).toEqual(first);

    await memory.ingest({ character, passages: STORY.slice(2, 3) });
    const third = await memory.retrieve(query);
    expect(third.cached).toBe(false);
    expect(third.graphVersion).toBeGreaterThan(first.graphVersion);
    expect(third.results.map((r) => r.passage.content)).toContain('The Crystal Engine powers Westgate.');
  });

  it('records every ingest, retrieve and passage search in memory_operations, with the character and a quality signal', async () => {
    const owl = await relational.characters.create({
      name: 'owl',
      display_name: 'Owl',
      role: 'mentor',
      backend_system: 'claude',
    });
    const rows = async () =>
      (
        await relational.pool.query(
          `select operation_type, character_id, latency_ms, result_quality_score, metadata
             from memory_operations where character_id = $1 order by recorded_at, id`,
          [owl.id],
        )
      ).rows as Array<{
        operation_type: string;
        character_id: string;
        latency_ms: number;
        result_quality_score: number | null;
        metadata: Record<string, unknown>;
      }>;
    await memory.ingest({
      character: 'owl',
      passages: [
        { text: 'Quill wrote the Moon Atlas.', triples: [['Quill', 'wrote', 'Moon Atlas']] },
        { text: 'A passage without facts.', triples: [] },
      ],
    });
    await memory.retrieve({ character: 'owl', query: 'Who wrote the Moon Atlas?', topK: 1 });
    await memory.searchPassages({ character: 'owl', query: 'Moon Atlas', topK: 1 });
    const recorded = await rows();
    expect(recorded.map((r) => r.operation_type)).toEqual(['ingest', 'hipporag_retrieve', 'passage_search']);
    for (const r of recorded) expect(r.latency_ms).toBeGreaterThanOrEqual(0);
    const [ingest, retrieve, search] = recorded;
    expect(ingest!.result_quality_score).toBe(0.5); // one passage of two reaches the graph
    expect(ingest!.metadata).toMatchObject({
      passages: { received: 2, inserted: 2 },
      side_effects: 'applied',
    });
    expect(retrieve!.result_quality_score).toBe(1); // linked by the one matching fact (its score over the best's)
    expect(retrieve!.metadata).toMatchObject({
      mode: 'graph',
      linking: 'facts',
      results: 1,
      cached: false,
    });
    expect(search!.metadata).toMatchObject({ results: 1 });
  });

  it('returns empty results, not an error, for a character without memory', async () => {
    const answer = await memory.retrieve({
      character: 'nobody',
      query: 'anything at all',
      queryEntities: ['Alice'],
    });
    expect(answer).toMatchObject({
      mode: 'empty',
      fallbackReason: 'no memory',
      results: [],
      linked: [],
      graphVersion: 0,
    });
  });

  it('links query entities by exact name while the vector store fails, flags the answer and does not cache it', async () => {
    const broken = await createVectors({ qdrant: { local: ':memory:' }, collectionPrefix: 'down_' });
    const degraded = createMemory({ relational, vectors: broken, cache });
    const query = {
      character: 'sage',
      query: 'Who did alice mentor?',
      queryEntities: ['ALICE', 'Nobody Known'],
    };
    for (let i = 0; i < 2; i++) {
      const answer = await degraded.retrieve(query);
      expect(answer).toMatchObject({ mode: 'graph', linking: 'exact-name', cached: false });
      expect(answer.linked).toEqual([
        expect.objectContaining({ query: 'ALICE', name: 'Alice', similarity: 1 }),
      ]);
      expect(answer.results[0]!.passage.content).toBe('Alice mentored Bob in the old tower.');
    }
    // Nothing names a node: the vector store's failure is the answer.
    const error = await degraded
      .retrieve({ character: 'sage', query: 'x', queryEntities: ['Zanzibar'] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain('down_memory_embeddings');
    await broken.close();
  });

  it('links the names found in the query when the fact search fails, flags the answer and does not cache it', async () => {
    // The fact collection failing, the passages' side still up.
    const factsDown: typeof vectors = Object.create(vectors);
    factsDown.search = ((collection: string, ...rest: unknown[]) =>
      collection === 'knowledge_graph_vectors'
        ? Promise.reject(new Error('knowledge_graph_vectors unreachable'))
        : (vectors.search as (...args: unknown[]) => unknown)(collection, ...rest)) as typeof vectors.search;
    const degraded = createMemory({ relational, vectors: factsDown, cache });
    for (let i = 0; i < 2; i++) {
      const answer = await degraded.retrieve({ character: 'sage', query: 'Who did Alice mentor?', topK: 2 });
      expect(answer).toMatchObject({ mode: 'graph', linking: 'dictionary', degraded: true, cached: false });
      expect(answer.linked.map((l) => l.name)).toEqual(['Alice']);
      expect(answer.results[0]!.passage.content).toBe('Alice mentored Bob in the old tower.');
    }
  });

  it('falls back to dense passage search, and says so, when no query entity links', async () => {
    const answer = await memory.retrieve({
      character: 'sage',
      query: 'Eastport sailing voyage',
      queryEntities: ['Zanzibar'],
      topK: 3,
    });
    expect(answer.mode).toBe('dense');
    expect(answer.fallbackReason).toBe('no linkable entity');
    expect(answer.linked).toEqual([]);
    expect(answer.results[0]!.passage.content).toBe('Dana sailed to Eastport.');
    expect(answer.results[0]!.entities).toEqual([]);
    for (const r of answer.results) expect(r.score).toBeGreaterThanOrEqual(0.1);
  });
});

describe('memory input', () => {
  it('rejects bad input with a typed error naming the field, before touching a store', async () => {
    const before = await pending();
    const cases: Array<[() => Promise<unknown>, string]> = [
      [() => memory.retrieve({ character: 'Not A Name', query: 'x' }), 'input.character'],
      [() => memory.retrieve({ character: 'sage', query: '' }), 'input.query'],
      [() => memory.retrieve({ character: 'sage', query: 'x', topK: 0 }), 'input.topK'],
      [
        () => memory.retrieve({ character: 'sage', query: 'x', queryEntities: [''] }),
        'input.queryEntities.0',
      ],
      [
        () =>
          memory.ingest({ character: 'sage', passages: [{ text: 'ok', triples: [['A', 'knows', '?!']] }] }),
        'input.passages.0.triples.0.2',
      ],
      [
        () => memory.ingest({ character: 'sage', passages: [{ text: '', triples: [] }] }),
        'input.passages.0.text',
      ],
      [
        () =>
          memory.ingest({ character: 'sage', passages: [{ text: 'x', triples: [['A', 'knows'] as never] }] }),
        'input.passages.0.triples.0',
      ],
    ];
    for (const [run, field] of cases) {
      const error = await run().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MemoryInputError);
      expect(error).toBeInstanceOf(FlowValidationError);
      expect((error as MemoryInputError).field.startsWith(field)).toBe(true);
      expect((error as FlowError).code).toBe('VALIDATION');
    }
    expect(await pending()).toBe(before);
    expect(() => createMemory({ relational, vectors, damping: 1 })).toThrow(/options\.damping/);
    expect(() => createMemory({ relational, vectors, synonymThreshold: 1.5 })).toThrow(
      /options\.synonymThreshold/,
    );
    const linking = 'names' as unknown as 'facts';
    expect(() => createMemory({ relational, vectors, queryLinking: linking })).toThrow(
      expect.objectContaining({
        field: 'options.queryLinking',
        message: expect.stringMatching(/facts or dictionary/),
      }),
    );
    expect(() => createMemory({ relational, vectors, factTopK: 0 })).toThrow(/options\.factTopK/);
    const anchoring = 'all' as unknown as 'named';
    expect(() => createMemory({ relational, vectors, factAnchoring: anchoring })).toThrow(
      expect.objectContaining({
        field: 'options.factAnchoring',
        message: expect.stringMatching(/named or none/),
      }),
    );
    expect(() => createMemory({ relational, vectors, factSearch: 'exact' as unknown as 'sparse' })).toThrow(
      MemoryInputError,
    );
  });
});
