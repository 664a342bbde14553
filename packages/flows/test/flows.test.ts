// The three flows end to end against real PostgreSQL and Redis, the vectors local mode and a
// DuckDB file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlowError, formatReconcile } from '../src/index.js';
import { createWorld, type World } from './fixtures/world.js';

let world: World;
const count = async (sql: string, values: unknown[] = []) =>
  Number((await world.data.relational.pool.query(sql, values)).rows[0].n);

beforeAll(async () => {
  world = await createWorld('flows_e2e', { relayWorker: false });
});
afterAll(() => world?.close());

describe('characterInteraction', () => {
  it('answers with recalled memories, records everything once, and applies its cache and memory effects', async () => {
    const { data, users } = world;
    const first = await data.flows.characterInteraction({
      userId: users[0]!,
      character: 'sage',
      message: 'How does recursion work in Python functions?',
    });
    expect(first.partial).toBe(false);
    expect(first.replayed).toBe(false);
    expect(first.response).toContain('Sage (mentor) here.');
    expect(first.timings.map((t) => `${t.store}:${t.step}:${t.outcome}`)).toEqual([
      'postgres:load character:ok',
      'redis:session context:ok',
      'qdrant:recall memories:ok',
      'redis:cached response:ok',
      'responder:respond:ok',
      'postgres:record interaction:ok',
      'redis:cache response and session:ok',
      'qdrant:store memory:ok',
      'postgres:mark effects applied:ok',
    ]);
    // PostgreSQL: the interaction, its memory-search timing, and both outbox events done.
    expect(
      await count('select count(*) n from character_interactions where id = $1', [first.interactionId]),
    ).toBe(1);
    expect(
      await count(`select count(*) n from memory_operations where metadata ->> 'interaction_id' = $1`, [
        first.interactionId,
      ]),
    ).toBe(1);
    expect(await data.relational.outbox.backlog()).toMatchObject({ pending: 0, parked: 0 });
    // Redis: the session and the response-time sample.
    expect(await data.cache.sessions.users.get(users[0]!)).toMatchObject({ activeCharacter: 'sage' });
    expect((await data.cache.metrics.samples('response_time', 'sage')).length).toBe(1);
    // Qdrant: the memory, found by the next related question.
    expect(await data.vectors.memoriesOf('sage')).toHaveLength(1);
    const second = await data.flows.characterInteraction({
      userId: users[0]!,
      character: 'sage',
      message: 'Can you explain recursion in Python again?',
    });
    expect(second.memories.map((m) => m.interactionId)).toEqual([first.interactionId]);
    expect(second.response).toContain('I remember');
    expect(second.response).toContain('Picking up where we left off');
    // Another character's memories stay its own.
    const other = await data.flows.characterInteraction({
      userId: users[1]!,
      character: 'spark',
      message: 'How does recursion work in Python functions?',
    });
    expect(other.memories).toEqual([]);
  });

  it('answers a question pattern asked before from the response cache without the responder, and flags it', async () => {
    const { data, users } = world;
    const character = 'sage';
    const first = await data.flows.characterInteraction({
      userId: users[0]!,
      character,
      message: 'What is a Big-O bound, exactly?',
    });
    expect(first.cached).toBe(false);
    const before = (await data.cache.stats()).namespaces.character_responses.hits;
    // Another user, another wording of the same pattern (case, spacing, punctuation).
    const again = await data.flows.characterInteraction({
      userId: users[1]!,
      character,
      message: '  what is a big-o   BOUND exactly ',
    });
    expect(again.cached).toBe(true);
    expect(again.response).toBe(first.response);
    expect(again.timings.find((t) => t.step === 'cached response')?.outcome).toBe('ok');
    // Recorded like any interaction (the log and its memory), with the cache's response time.
    const row = (
      await data.relational.pool.query('select response, user_id from character_interactions where id = $1', [
        again.interactionId,
      ])
    ).rows[0];
    expect(row).toEqual({ response: first.response, user_id: users[1] });
    expect((await data.cache.stats()).namespaces.character_responses.hits).toBe(before + 1);
    // Another character does not get sage's answer.
    const spark = await data.flows.characterInteraction({
      userId: users[1]!,
      character: 'spark',
      message: 'What is a Big-O bound, exactly?',
    });
    expect(spark.cached).toBe(false);
    expect(spark.response).not.toBe(first.response);
  });

  it('records a retried request once and returns the first result; a reused key for another message is a conflict', async () => {
    const { data, users } = world;
    const input = {
      userId: users[1]!,
      character: 'sage',
      message: 'What is a closure?',
      idempotencyKey: 'req-42',
    };
    const before = await count('select count(*) n from outbox');
    const first = await data.flows.characterInteraction(input);
    const again = await data.flows.characterInteraction(input);
    expect(again).toMatchObject({
      replayed: true,
      interactionId: first.interactionId,
      response: first.response,
    });
    expect(
      await count('select count(*) n from character_interactions where idempotency_key = $1', ['req-42']),
    ).toBe(1);
    expect(await count('select count(*) n from outbox')).toBe(before + 2);
    const memories = (await data.vectors.memoriesOf('sage')).filter(
      (m) => m.interactionId === first.interactionId,
    );
    expect(memories).toHaveLength(1);
    const error = await data.flows
      .characterInteraction({ ...input, message: 'Something else' })
      .catch((e) => e);
    expect(error).toBeInstanceOf(FlowError);
    expect(error.code).toBe('CONFLICT');
  });

  it('refuses bad input with typed errors and touches no store', async () => {
    const { data, users } = world;
    const rows = await count('select count(*) n from character_interactions');
    const keys = (await (data.cache.redis as import('ioredis').Redis).keys(`${world.prefix}*`)).length;
    const memories = (await data.vectors.storedInteractionIds()).size;
    const attempts: Array<[object, string, string | undefined]> = [
      [{ userId: users[0], character: 'nobody', message: 'hi' }, 'NOT_FOUND', undefined],
      [
        { userId: '00000000-0000-4000-8000-000000000000', character: 'sage', message: 'hi' },
        'NOT_FOUND',
        undefined,
      ],
      [{ userId: users[0], character: 'sage', message: '   ' }, 'VALIDATION', 'message'],
      [{ userId: users[0], character: 'sage', message: 'x'.repeat(4_001) }, 'VALIDATION', 'message'],
      [{ userId: 'not-a-uuid', character: 'sage', message: 'hi' }, 'VALIDATION', 'userId'],
    ];
    for (const [input, code, field] of attempts) {
      const error = await data.flows.characterInteraction(input as never).catch((e) => e);
      expect(error, JSON.stringify(input).slice(0, 80)).toBeInstanceOf(FlowError);
      expect(error.code).toBe(code);
      if (field) expect(error.field).toBe(field);
    }
    expect(await count('select count(*) n from character_interactions')).toBe(rows);
    expect((await (data.cache.redis as import('ioredis').Redis).keys(`${world.prefix}*`)).length).toBe(keys);
    expect((await data.vectors.storedInteractionIds()).size).toBe(memories);
  });
});

describe('questProgress', () => {
  it('keeps progress monotonic, completes once, grants achievements once, and reaches Redis, DuckDB and Qdrant', async () => {
    const { data, users, quests } = world;
    const user = users[2]!;
    const half = await data.flows.questProgress({
      userId: user,
      questId: quests.loops,
      progress: 50,
      chapter: 2,
    });
    expect(half).toMatchObject({ completedNow: false, achievements: [], partial: false });
    expect(await data.cache.sessions.users.get(user)).toMatchObject({ currentQuest: quests.loops });

    const done = await data.flows.questProgress({
      userId: user,
      questId: quests.loops,
      progress: 100,
      chapter: 5,
      completionData: { final_score: 88 },
    });
    expect(done.completedNow).toBe(true);
    expect(done.achievements.map((a) => a.name)).toEqual(['First Steps']);
    expect(await data.cache.sessions.users.get(user)).toMatchObject({ currentQuest: null });
    const learning = await data.analytics!.learningEffectiveness();
    expect(learning).toEqual([expect.objectContaining({ category: 'coding', completions: 1, avgScore: 88 })]);

    const again = await data.flows.questProgress({
      userId: user,
      questId: quests.loops,
      progress: 100,
      chapter: 5,
    });
    expect(again).toMatchObject({ completedNow: false, achievements: [] });
    const back = await data.flows.questProgress({
      userId: user,
      questId: quests.loops,
      progress: 30,
      chapter: 1,
    });
    expect(back.progress.progress_percentage).toBe(100);

    const mastery = await data.flows.questProgress({
      userId: user,
      questId: quests.recursion,
      progress: 100,
      chapter: 3,
    });
    expect(mastery.achievements.map((a) => a.name)).toEqual(['Coder']);
    expect(await count('select count(*) n from user_achievements where user_id = $1', [user])).toBe(2);
    const achievements = await data.vectors.store!.search(
      'memory_embeddings',
      'Completed every coding quest',
      {
        scoreThreshold: null,
        filter: { must: [{ key: 'character_context', match: { value: `user:${user}` } }] },
      },
    );
    expect(achievements.map((h) => h.payload.name).sort()).toEqual(['Coder', 'First Steps']);
    expect(await data.relational.outbox.backlog()).toMatchObject({ pending: 0, parked: 0 });
    await expect(
      data.flows.questProgress({ userId: user, questId: quests.stoics, progress: 101, chapter: 1 }),
    ).rejects.toMatchObject({ code: 'VALIDATION', field: 'progress' });
    await expect(
      data.flows.questProgress({
        userId: user,
        questId: '00000000-0000-4000-8000-000000000000',
        progress: 10,
        chapter: 1,
      }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('memoryConsolidation', () => {
  it('merges near-duplicate memories of one character, removes orphans, and invalidates its cached searches', async () => {
    const { data, users } = world;
    const a = await data.flows.characterInteraction({
      userId: users[0]!,
      character: 'spark',
      message: 'What is a monad, really?',
    });
    const b = await data.flows.characterInteraction({
      userId: users[1]!,
      character: 'spark',
      message: 'What is a monad, really?',
    });
    const gone = await data.flows.characterInteraction({
      userId: users[2]!,
      character: 'spark',
      message: 'Teach me about stoic ethics',
    });
    await data.relational.pool.query('delete from character_interactions where id = $1', [
      gone.interactionId,
    ]);
    const search = data.cache.policies.memory_search_results;
    await search.set(
      { queryHash: 'spark-monads' },
      { character: 'spark', results: [] },
      { tags: ['character:spark'] },
    );
    await search.set(
      { queryHash: 'sage-loops' },
      { character: 'sage', results: [] },
      { tags: ['character:sage'] },
    );
    const before = await data.vectors.memoriesOf('spark');

    const result = await data.flows.memoryConsolidation({ character: 'spark' });
    expect(result.partial).toBe(false);
    expect(result.merged).toEqual([
      { character: 'spark', interactionIds: [a.interactionId, b.interactionId].sort() },
    ]);
    expect(result.orphansRemoved).toBe(1);
    expect(result.memoriesAfter).toBe(before.length - 2);
    const after = await data.vectors.memoriesOf('spark');
    expect(after).toHaveLength(before.length - 2);
    const consolidated = after.find((m) => m.mergedFrom.length === 2)!;
    expect(consolidated.mergedFrom).toEqual([a.interactionId, b.interactionId].sort());
    expect(after.some((m) => m.mergedFrom.includes(gone.interactionId))).toBe(false);
    // Its cached searches are gone, another character's stay.
    expect(await search.get({ queryHash: 'spark-monads' })).toBeUndefined();
    expect(await search.get({ queryHash: 'sage-loops' })).toBeDefined();
    // The consolidated memory is still recalled, once.
    const next = await data.flows.characterInteraction({
      userId: users[0]!,
      character: 'spark',
      message: 'What is a monad, again?',
    });
    expect(
      next.memories.filter((m) => [a.interactionId, b.interactionId].includes(m.interactionId)),
    ).toHaveLength(1);
    // Running it again merges nothing new.
    expect((await data.flows.memoryConsolidation({ character: 'spark' })).merged).toEqual([]);
    await expect(data.flows.memoryConsolidation({ character: 'nobody' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(
      await count(`select count(*) n from memory_operations where operation_type = 'consolidation'`),
    ).toBe(2);
  });
});

describe('reconcile', () => {
  it('finds injected drift in Qdrant and DuckDB and repairs it', async () => {
    const { data, users } = world;
    await data.relay.drain();
    expect((await data.reconcile()).ok).toBe(true);

    // Drift: a memory lost from Qdrant, an orphan memory, an orphan analytics row, a memory-graph
    // passage whose point was lost and an orphan memory-graph point.
    await data.memory!.ingest({
      character: 'sage',
      passages: [
        { text: 'Grace wrote the first compiler.', triples: [['Grace', 'wrote', 'compiler']] },
        { text: 'Compilers translate code.', triples: [['compiler', 'translates', 'code']] },
      ],
    });
    await data.relay.drain();
    const { rows: graphIds } = await data.relational.pool.query<{ id: string }>(
      `select id::text from memory_passages where content = 'Compilers translate code.'`,
    );
    const lostPassage = graphIds[0]!.id;
    await data.vectors.forgetMemoryGraph([lostPassage]);
    // A fact whose point was lost, and an orphan fact point.
    const { rows: tripleIds } = await data.relational.pool.query<{ id: string }>(
      `select t.id::text from memory_triples t join memory_passages p on p.id = t.passage_id
        where p.content = 'Grace wrote the first compiler.'`,
    );
    const lostFact = tripleIds[0]!.id;
    expect(await data.vectors.storedMemoryFactIds()).toContain(lostFact);
    await data.vectors.forgetMemoryFacts([lostFact]);
    const orphanFact = '4a2b3c4d-5e6f-4789-8abc-def012345678';
    await data.vectors.store!.upsert('knowledge_graph_vectors', [
      {
        text: 'Nobody invented nothing',
        payload: {
          triple_id: orphanFact,
          character_context: 'sage',
          subject_id: lostPassage,
          object_id: lostPassage,
          passage_id: lostPassage,
          predicate: 'invented',
        },
      },
    ]);
    const orphanPoint = '3f1e2d4c-5b6a-4789-8abc-def012345678';
    await data.vectors.store!.upsert('memory_embeddings', [
      {
        text: 'a passage PostgreSQL never had',
        payload: {
          entity_id: orphanPoint,
          entity_type: 'passage',
          character_context: 'sage',
          timestamp: new Date().toISOString(),
          importance_score: 0.5,
        },
      },
    ]);
    const lost = await data.flows.characterInteraction({
      userId: users[0]!,
      character: 'sage',
      message: 'What are generators?',
    });
    await data.vectors.forget([lost.interactionId]);
    const orphan = await data.flows.characterInteraction({
      userId: users[1]!,
      character: 'sage',
      message: 'What is currying?',
    });
    await data.syncAnalytics();
    await data.relational.pool.query('delete from character_interactions where id = $1', [
      orphan.interactionId,
    ]);

    const report = await data.reconcile();
    const row = (r: typeof report, aggregate: string) =>
      r.rows.find((x) => x.aggregate.startsWith(aggregate))!;
    expect(report.ok).toBe(false);
    const byStore = Object.fromEntries(report.rows.map((r) => [r.aggregate, [r.missing, r.orphans]]));
    expect(byStore).toEqual({
      'interactions → qdrant character_memories': [1, 1],
      'achievement grants → qdrant memory_embeddings': [0, 0],
      'memory entities and passages → qdrant memory_embeddings': [1, 1],
      'memory facts (triples) → qdrant knowledge_graph_vectors': [1, 1],
      'interactions → duckdb character_interactions': [0, 1],
      'interactions → redis response_time samples (23 h)': [0, 0],
    });
    expect(row(report, 'memory facts').sample).toEqual({ missing: [lostFact], orphans: [orphanFact] });
    expect(row(report, 'interactions → qdrant').sample).toEqual({
      missing: [lost.interactionId],
      orphans: [orphan.interactionId],
    });
    expect(row(report, 'memory').sample).toEqual({ missing: [lostPassage], orphans: [orphanPoint] });

    const repaired = await data.reconcile({ repair: true });
    expect(row(repaired, 'interactions → qdrant').repaired).toEqual({ reemitted: 1, removed: 1 });
    expect(row(repaired, 'memory').repaired).toEqual({ reemitted: 1, removed: 1 });
    expect(row(repaired, 'memory facts').repaired).toEqual({ reemitted: 1, removed: 1 });
    expect(row(repaired, 'interactions → duckdb').repaired).toEqual({ reemitted: 0, removed: 1 });
    // settle, not drain: a drain kicked by the re-emitted events may hold their leases, and a
    // second drain then finds nothing to claim and returns before they are applied.
    await data.relay.settle();
    const after = await data.reconcile();
    expect(after.ok).toBe(true);
    expect(await data.vectors.storedMemoryGraphIds()).toContain(lostPassage);
    const facts = await data.vectors.storedMemoryFactIds();
    expect(facts).toContain(lostFact);
    expect(facts).not.toContain(orphanFact);
    expect(await data.vectors.storedInteractionIds()).toContain(lost.interactionId);
    expect(formatReconcile(after)).toContain('no drift');
  });
});

describe('memory and monitor port through the data layer', () => {
  it('ingests and retrieves a character memory multi-hop, and hands its live stores to a monitor', async () => {
    const { data } = world;
    await data.memory!.ingest({
      character: 'sage',
      passages: [
        { text: 'Ada mentored Babbage on engines.', triples: [['Ada', 'mentored', 'Babbage']] },
        {
          text: 'Babbage designed the Analytical Engine.',
          triples: [['Babbage', 'designed', 'Analytical Engine']],
        },
        { text: 'Turing wrote about machines.', triples: [['Turing', 'wrote about', 'machines']] },
      ],
    });
    const found = await data.memory!.retrieve({
      character: 'sage',
      query: 'What did Ada do?',
      queryEntities: ['Ada'],
      topK: 3,
    });
    expect(found.mode).toBe('graph');
    const texts = found.results.map((r) => r.passage.content);
    // Multi-hop: Babbage's passage is reached through Ada; the unrelated one gets no mass.
    expect(texts.slice(0, 2)).toEqual([
      'Ada mentored Babbage on engines.',
      'Babbage designed the Analytical Engine.',
    ]);
    expect(texts).not.toContain('Turing wrote about machines.');

    // What @monsteros/monitor reads: this data layer's own stores, relay and flow timings.
    const stores = data.monitorStores();
    expect(stores.relational).toBe(data.relational);
    expect(stores.cache).toBe(data.cache);
    expect(stores.realtime).toBe(data.cache.realtime);
    expect(stores.vectors).toBe(data.vectors.store);
    expect(stores.relay).toBe(data.relay);
    expect((await stores.relational.health()).ok).toBe(true);
    expect(stores.timings()).toEqual(data.recentTimings(1_000));
  });
});
