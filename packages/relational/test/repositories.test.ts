import { createTestDatabase, type TestDatabase } from '@monsteros/schema/testing';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConflictError,
  createRelational,
  NotFoundError,
  type Relational,
  RelationalError,
  RelationalValidationError,
} from '../src/index.js';
import { countingPool } from './fixtures/counting-pool.js';

let db: TestDatabase;
let pool: pg.Pool;
let relational: Relational;
let queries: () => number;

beforeAll(async () => {
  db = await createTestDatabase({ label: 'relational_repos' });
  const counted = countingPool(db.url, 5);
  pool = counted.pool;
  queries = counted.queries;
  relational = createRelational({ pool });
});
afterAll(async () => {
  await relational?.close();
  await pool?.end();
  await db?.drop();
});

async function expectNoQuery(fn: () => Promise<unknown>, field: string): Promise<RelationalValidationError> {
  const before = queries();
  const error = await fn().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RelationalValidationError);
  expect((error as RelationalValidationError).field).toBe(field);
  expect(queries()).toBe(before);
  return error as RelationalValidationError;
}

async function newUser(username: string) {
  return relational.users.create({ username });
}

describe('characters', () => {
  it('finds an active character by name, and returns null for unknown or inactive ones', async () => {
    const created = await relational.characters.create({
      name: 'sage',
      display_name: 'Sage',
      role: 'mentor',
      backend_system: 'claude',
      capabilities: ['socratic'],
    });
    expect((await relational.characters.getByName('sage'))?.id).toBe(created.id);
    expect(await relational.characters.getByName('nobody')).toBeNull();
    await relational.characters.setStatus('sage', 'maintenance');
    expect(await relational.characters.getByName('sage')).toBeNull();
    expect((await relational.characters.getById(created.id))?.current_state).toEqual({
      status: 'maintenance',
    });
    await relational.characters.setStatus('sage', 'active');
    expect(await relational.characters.getByName('sage')).not.toBeNull();
  });

  it('reports a duplicate name as a conflict naming the unique constraint, leaving the first intact', async () => {
    await relational.characters.create({
      name: 'ember',
      display_name: 'Ember',
      role: 'motivator',
      backend_system: 'gpt',
    });
    const error = await relational.characters
      .create({ name: 'ember', display_name: 'Other', role: 'x', backend_system: 'y' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).constraint).toBe('character_agents_name_key');
    expect((error as ConflictError).message).toContain('character_agents_name_key');
    expect((await relational.characters.getByName('ember'))?.display_name).toBe('Ember');
  });

  it('merges a metrics patch with ||, bumps updated_at, and returns the merged metrics', async () => {
    await relational.characters.create({
      name: 'glitch',
      display_name: 'Glitch',
      role: 'debugger',
      backend_system: 'claude',
    });
    const before = (await relational.characters.getByName('glitch'))!;
    await relational.characters.updateMetrics('glitch', { avg_ms: 100, calls: 1 });
    const merged = await relational.characters.updateMetrics('glitch', { calls: 2, satisfaction: 4.5 });
    expect(merged?.performance_metrics).toEqual({ avg_ms: 100, calls: 2, satisfaction: 4.5 });
    const after = (await relational.characters.getByName('glitch'))!;
    expect(after.updated_at.getTime()).toBeGreaterThanOrEqual(before.updated_at.getTime());
    expect(await relational.characters.updateMetrics('nobody', { x: 1 })).toBeNull();
  });

  it('rejects bad input naming the field, with no query sent', async () => {
    await expectNoQuery(() => relational.characters.getByName('Robert; DROP TABLE x'), 'name');
    await expectNoQuery(() => relational.characters.updateMetrics('sage', [] as never), 'patch');
    await expectNoQuery(
      () => relational.characters.updateMetrics('sage', { latency: Number.NaN }),
      'patch.latency',
    );
    await expectNoQuery(() => relational.characters.updateMetrics('sage', {}), 'patch');
    await expectNoQuery(() => relational.characters.getById('not-a-uuid'), 'id');
  });
});

describe('users and injection attempts', () => {
  it('stores SQL injection attempts verbatim and harmlessly', async () => {
    const evil = "rob'); DROP TABLE user_profiles;--";
    const user = await newUser(evil);
    expect((await relational.users.getByUsername(evil))?.id).toBe(user.id);
    const character = await relational.characters.create({
      name: 'quill',
      display_name: 'Quill',
      role: 'writer',
      backend_system: 'x',
    });
    const message = "'; DELETE FROM character_interactions; SELECT '";
    const { interaction } = await relational.interactions.record({
      character: character.name,
      userId: user.id,
      message,
      response: '$1 $2 \\x00',
      responseTimeMs: 5,
    });
    expect(interaction.message).toBe(message);
    expect(interaction.response).toBe('$1 $2 \\x00');
    const [count] = (await pool.query('select count(*)::int as n from user_profiles')).rows as Array<{
      n: number;
    }>;
    expect(count!.n).toBeGreaterThanOrEqual(1);
  });

  it('loads a user with progress, quests and achievements in one call', async () => {
    const user = await newUser('overview_user');
    const quest = await relational.quests.create({
      quest_name: 'Overview quest',
      category: 'basics',
      difficulty: 1,
    });
    await relational.progress.upsert({ userId: user.id, questId: quest.id, progress: 40, chapter: 2 });
    const overview = await relational.users.overview(user.id);
    expect(overview?.quest_progress_rows).toHaveLength(1);
    expect(overview?.quest_progress_rows[0]?.quest.quest_name).toBe('Overview quest');
    expect(await relational.users.overview('00000000-0000-4000-8000-000000000000')).toBeNull();
  });
});

describe('quests and progress', () => {
  it('refuses prerequisites that are not existing quests', async () => {
    const error = await relational.quests
      .create({
        quest_name: 'Orphan',
        category: 'x',
        difficulty: 1,
        prerequisites: ['00000000-0000-4000-8000-000000000001'],
      })
      .catch((e: unknown) => e);
    expect((error as RelationalValidationError).field).toBe('quest.prerequisites');
  });

  it('never moves progress backwards and completes exactly once', async () => {
    const user = await newUser('progress_user');
    const quest = await relational.quests.create({
      quest_name: 'Loops',
      category: 'foundations',
      difficulty: 2,
    });
    const first = await relational.progress.upsert({
      userId: user.id,
      questId: quest.id,
      progress: 60,
      chapter: 3,
    });
    expect(first.started).toBe(true);
    expect(first.progress.progress_percentage).toBe(60);
    const lower = await relational.progress.upsert({
      userId: user.id,
      questId: quest.id,
      progress: 30,
      chapter: 1,
    });
    expect(lower.progress.progress_percentage).toBe(60);
    expect(lower.progress.current_chapter).toBe(3);
    expect(lower.started).toBe(false);
    const done = await relational.progress.upsert({
      userId: user.id,
      questId: quest.id,
      progress: 100,
      chapter: 5,
      completionData: { final_score: 91 },
    });
    expect(done.completedNow).toBe(true);
    expect(done.progress.completed_at).toBeInstanceOf(Date);
    const again = await relational.progress.upsert({
      userId: user.id,
      questId: quest.id,
      progress: 100,
      chapter: 5,
    });
    expect(again.completedNow).toBe(false);
    expect(again.progress.completed_at?.getTime()).toBe(done.progress.completed_at?.getTime());
    expect(again.progress.completion_data).toEqual({ final_score: 91 });
    // the hot query lists unfinished quests only
    const other = await relational.quests.create({
      quest_name: 'Functions',
      category: 'foundations',
      difficulty: 3,
    });
    await relational.progress.upsert({ userId: user.id, questId: other.id, progress: 10.5, chapter: 1 });
    const active = await relational.quests.getUserActiveQuests(user.id);
    expect(active.map((a) => [a.quest_name, a.progress_percentage, a.current_chapter])).toEqual([
      ['Functions', 10.5, 1],
    ]);
  });

  it('rejects out-of-range progress before any query, and names unknown users and quests', async () => {
    const user = await newUser('bad_progress');
    const quest = await relational.quests.create({ quest_name: 'Range', category: 'x', difficulty: 1 });
    await expectNoQuery(
      () => relational.progress.upsert({ userId: user.id, questId: quest.id, progress: -1, chapter: 1 }),
      'progress',
    );
    await expectNoQuery(
      () => relational.progress.upsert({ userId: user.id, questId: quest.id, progress: 100.5, chapter: 1 }),
      'progress',
    );
    await expectNoQuery(
      () => relational.progress.upsert({ userId: 'x', questId: quest.id, progress: 5, chapter: 1 }),
      'userId',
    );
    await expectNoQuery(
      () => relational.progress.upsert({ userId: user.id, questId: quest.id, progress: 5, chapter: 0 }),
      'chapter',
    );
    const missing = '00000000-0000-4000-8000-0000000000aa';
    const unknownQuest = await relational.progress
      .upsert({ userId: user.id, questId: missing, progress: 5, chapter: 1 })
      .catch((e) => e);
    expect(unknownQuest).toBeInstanceOf(NotFoundError);
    expect((unknownQuest as NotFoundError).entity).toBe('quest');
    const unknownUser = await relational.progress
      .upsert({ userId: missing, questId: quest.id, progress: 5, chapter: 1 })
      .catch((e) => e);
    expect((unknownUser as NotFoundError).entity).toBe('user');
  });
});

describe('achievements and config', () => {
  it('grants an achievement once per user', async () => {
    const user = await newUser('achiever');
    const achievement = await relational.achievements.create({
      name: 'First Steps',
      description: 'Complete a quest',
      category: 'quests',
      criteria: { kind: 'quests_completed_count', threshold: 1 },
    });
    expect(await relational.achievements.grant(user.id, achievement.id, { via: 'test' })).not.toBeNull();
    expect(await relational.achievements.grant(user.id, achievement.id)).toBeNull();
    expect(await relational.achievements.ofUser(user.id)).toHaveLength(1);
  });

  it('grants the achievements whose rules a user meets, each once, and never manual ones', async () => {
    const user = await newUser('ruled');
    const quests = await Promise.all(
      ['Loops', 'Recursion', 'Stoics'].map((name, i) =>
        relational.quests.create({
          quest_name: `rule ${name}`,
          category: i < 2 ? 'rulecode' : 'rulephil',
          difficulty: 2,
        }),
      ),
    );
    const make = (name: string, criteria: Record<string, unknown>) =>
      relational.achievements.create({
        name,
        description: name,
        category: 'rules',
        criteria: criteria as never,
      });
    const [loops, two, mastery, talk, manual] = await Promise.all([
      make('rule: loops done', { kind: 'quest_completed', quest_id: quests[0]!.id }),
      make('rule: two quests', { kind: 'quests_completed_count', threshold: 2 }),
      make('rule: code mastery', { kind: 'category_mastery', category: 'rulecode' }),
      make('rule: chatty', { kind: 'interactions_count', threshold: 1 }),
      make('rule: manual', { kind: 'manual' }),
    ]);
    // Other tests' achievements live in the same database: only this test's rules are compared.
    const mine = [loops, two, mastery, talk, manual];
    const names = (grants: Array<{ achievement_id: string }>) =>
      grants
        .map((g) => mine.find((a) => a!.id === g.achievement_id)?.name)
        .filter((n) => n !== undefined)
        .sort();

    expect(await relational.achievements.grantEarned(user.id)).toEqual([]);
    await relational.progress.upsert({ userId: user.id, questId: quests[0]!.id, progress: 100, chapter: 1 });
    expect(names(await relational.achievements.grantEarned(user.id, { quest_id: quests[0]!.id }))).toEqual([
      'rule: loops done',
    ]);
    await relational.progress.upsert({ userId: user.id, questId: quests[1]!.id, progress: 100, chapter: 1 });
    expect(names(await relational.achievements.grantEarned(user.id))).toEqual([
      'rule: code mastery',
      'rule: two quests',
    ]);
    // Nothing twice.
    expect(names(await relational.achievements.grantEarned(user.id))).toEqual([]);
    const grants = await relational.achievements.ofUser(user.id);
    expect(grants.find((g) => g.achievement_id === loops!.id)!.context).toEqual({ quest_id: quests[0]!.id });
    expect(grants.map((g) => g.achievement_id)).not.toContain(manual!.id);
    await expect(relational.achievements.grantEarned('nope')).rejects.toMatchObject({ field: 'userId' });
  });

  it('records memory operations with the character resolved by name', async () => {
    await relational.characters.create({
      name: 'opsy',
      display_name: 'Opsy',
      role: 'mentor',
      backend_system: 'claude',
    });
    const id = await relational.operations.record({
      operationType: 'search',
      character: 'opsy',
      latencyMs: 12.5,
      quality: 0.8,
    });
    const unknown = await relational.operations.record({
      operationType: 'ingest',
      character: 'nobody',
      latencyMs: 3,
    });
    const { rows } = await pool.query(
      `select m.id, m.operation_type, c.name, m.latency_ms, m.result_quality_score from memory_operations m
         left join character_agents c on c.id = m.character_id where m.id = any($1::uuid[]) order by m.latency_ms`,
      [[id, unknown]],
    );
    expect(rows).toEqual([
      { id: unknown, operation_type: 'ingest', name: null, latency_ms: 3, result_quality_score: null },
      { id, operation_type: 'search', name: 'opsy', latency_ms: 12.5, result_quality_score: 0.8 },
    ]);
    await expect(
      relational.operations.record({ operationType: 'search', latencyMs: -1 }),
    ).rejects.toMatchObject({
      field: 'operation.latencyMs',
    });
  });

  it('writes config with optimistic versions and refuses a stale one, naming the key', async () => {
    const first = await relational.config.set('memory.threshold', 0.8, 0);
    expect(first.version).toBe(1);
    const second = await relational.config.set('memory.threshold', 0.85, 1);
    expect(second.version).toBe(2);
    const stale = await relational.config.set('memory.threshold', 0.9, 1).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(ConflictError);
    expect((stale as Error).message).toContain('memory.threshold');
    const exists = await relational.config.set('memory.threshold', 1, 0).catch((e: unknown) => e);
    expect(exists).toBeInstanceOf(ConflictError);
    expect((await relational.config.get('memory.threshold'))?.value).toBe(0.85);
    await expectNoQuery(() => relational.config.set('Bad Key', 1, 0), 'key');
  });
});

describe('interactions', () => {
  it('records once per idempotency key, returns the first row on retry, and refuses the key for another request', async () => {
    const user = await newUser('retrying_user');
    await relational.characters.create({
      name: 'atlas',
      display_name: 'Atlas',
      role: 'architect',
      backend_system: 'x',
    });
    const input = {
      character: 'atlas',
      userId: user.id,
      message: 'hi',
      response: 'hello',
      responseTimeMs: 12,
      idempotencyKey: 'req-1',
    };
    const first = await relational.interactions.record(input);
    const retry = await relational.interactions.record({
      ...input,
      response: 'a different generated answer',
    });
    expect(retry.replayed).toBe(true);
    expect(retry.interaction.id).toBe(first.interaction.id);
    expect(retry.interaction.response).toBe('hello');
    const reused = await relational.interactions
      .record({ ...input, message: 'something else' })
      .catch((e: unknown) => e);
    expect(reused).toBeInstanceOf(ConflictError);
    const [row] = (
      await pool.query(
        `select count(*)::int as n from character_interactions where idempotency_key = 'req-1'`,
      )
    ).rows;
    expect(row.n).toBe(1);
  });

  it('names an unknown character or user and writes nothing', async () => {
    const user = await newUser('lonely_user');
    const before = (await pool.query('select count(*)::int as n from character_interactions')).rows[0].n;
    const noCharacter = await relational.interactions
      .record({ character: 'nobody', userId: user.id, message: 'hi', response: '', responseTimeMs: 1 })
      .catch((e: unknown) => e);
    expect((noCharacter as NotFoundError).entity).toBe('character');
    await relational.characters.create({
      name: 'bolt',
      display_name: 'Bolt',
      role: 'ops',
      backend_system: 'x',
    });
    const noUser = await relational.interactions
      .record({
        character: 'bolt',
        userId: '00000000-0000-4000-8000-0000000000bb',
        message: 'hi',
        response: '',
        responseTimeMs: 1,
      })
      .catch((e: unknown) => e);
    expect((noUser as NotFoundError).entity).toBe('user');
    expect((await pool.query('select count(*)::int as n from character_interactions')).rows[0].n).toBe(
      before,
    );
    await expectNoQuery(
      () =>
        relational.interactions.record({
          character: 'bolt',
          userId: user.id,
          message: '',
          response: '',
          responseTimeMs: 1,
        }),
      'interaction.message',
    );
  });

  it('returns the latest interactions first and extracts all rows in keyset order without gaps or repeats', async () => {
    const user = await newUser('chatty');
    await relational.characters.create({
      name: 'nova',
      display_name: 'Nova',
      role: 'scientist',
      backend_system: 'x',
    });
    for (let i = 0; i < 25; i++) {
      await relational.interactions.record({
        character: 'nova',
        userId: user.id,
        message: `m${i}`,
        response: 'r',
        responseTimeMs: i,
      });
    }
    const latest = await relational.interactions.latest(user.id, 'nova', 3);
    expect(latest.map((l) => l.message)).toEqual(['m24', 'm23', 'm22']);
    const all = (await pool.query('select id from character_interactions order by created_at, id')).rows.map(
      (r) => r.id,
    );
    const seen: string[] = [];
    let cursor = null as null | { created_at: string; id: string };
    do {
      const page = await relational.interactions.extractSince(cursor, 7);
      seen.push(...page.rows.map((p) => p.id));
      cursor = page.next;
    } while (cursor);
    expect(seen).toEqual(all);
  });
});

describe('transactions and the outbox', () => {
  it('commits rows and outbox events together, and rolls both back when the callback throws', async () => {
    const user = await newUser('tx_user');
    await relational.characters.create({
      name: 'pixel',
      display_name: 'Pixel',
      role: 'designer',
      backend_system: 'x',
    });
    const id = await relational.transaction(async (tx) => {
      const { interaction } = await tx.interactions.record({
        character: 'pixel',
        userId: user.id,
        message: 'a',
        response: 'b',
        responseTimeMs: 1,
      });
      await tx.outbox.append([
        {
          aggregate_type: 'interaction',
          aggregate_id: interaction.id,
          event_type: 'interaction.recorded',
          payload: { n: 1 },
        },
      ]);
      return interaction.id;
    });
    const events = (await pool.query('select * from outbox where aggregate_id = $1', [id])).rows;
    expect(events).toHaveLength(1);

    const failed = await relational
      .transaction(async (tx) => {
        const { interaction } = await tx.interactions.record({
          character: 'pixel',
          userId: user.id,
          message: 'c',
          response: 'd',
          responseTimeMs: 1,
        });
        await tx.outbox.append([
          {
            aggregate_type: 'interaction',
            aggregate_id: interaction.id,
            event_type: 'interaction.recorded',
            payload: {},
          },
        ]);
        throw new Error('responder crashed');
      })
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(RelationalError);
    expect(
      (await pool.query(`select count(*)::int as n from character_interactions where message = 'c'`)).rows[0]
        .n,
    ).toBe(0);
    expect((await pool.query(`select count(*)::int as n from outbox`)).rows[0].n).toBe(1);
  });

  it('refuses to append outbox events outside a transaction', async () => {
    const error = await relational.outbox
      .append([{ aggregate_type: 'x', aggregate_id: 'y', event_type: 'z', payload: {} }])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RelationalValidationError);
    expect((error as RelationalValidationError).field).toBe('outbox.append');
    expect((error as RelationalValidationError).rule).toMatch(/inside relational\.transaction\(\)/);
    await expectNoQuery(() => relational.outbox.fail('1', undefined as never, 1_000), 'error');
    await expectNoQuery(() => relational.outbox.park('1', { message: 'x' } as never), 'error');
  });

  it('lets two workers claim disjoint events, keeps order per aggregate, and parks and releases failures', async () => {
    await pool.query('delete from outbox');
    await relational.transaction(async (tx) => {
      await tx.outbox.append(
        ['a', 'b', 'c', 'd'].flatMap((aggregate) =>
          [1, 2].map((n) => ({
            aggregate_type: 'test',
            aggregate_id: aggregate,
            event_type: `step${n}`,
            payload: { n },
          })),
        ),
      );
    });
    const [one, two] = await Promise.all([
      relational.outbox.claim(3, 60_000),
      relational.outbox.claim(3, 60_000),
    ]);
    const claimed = [...one, ...two];
    expect(new Set(claimed.map((e) => e.id)).size).toBe(claimed.length);
    // only the first event of each aggregate is due while its predecessor is pending
    expect(claimed.every((e) => e.event_type === 'step1')).toBe(true);
    expect(claimed.length).toBe(4);
    await relational.outbox.complete(claimed.filter((e) => e.aggregate_id !== 'd').map((e) => e.id));
    const d = claimed.find((e) => e.aggregate_id === 'd')!;
    await relational.outbox.park(d.id, 'qdrant down');
    const next = await relational.outbox.claim(10, 60_000);
    expect(next.map((e) => `${e.aggregate_id}:${e.event_type}`).sort()).toEqual([
      'a:step2',
      'b:step2',
      'c:step2',
      'd:step2',
    ]);
    const backlog = await relational.outbox.backlog();
    expect(backlog).toMatchObject({ pending: 4, parked: 1 });
    expect(await relational.outbox.retryParked([d.id])).toBe(1);
    expect((await relational.outbox.backlog()).parked).toBe(0);
  });

  it('refuses an isolation level or retry options it does not know, before any SQL', async () => {
    const evil = 'serializable; drop table outbox; --' as never;
    await expectNoQuery(() => relational.transaction(async () => 1, { isolation: evil }), 'isolation');
    await expectNoQuery(() => relational.serializable(async () => 1, { attempts: 0 }), 'options.attempts');
    await expectNoQuery(
      () => relational.serializable(async () => 1, { baseDelayMs: Number.NaN }),
      'options.baseDelayMs',
    );
    await expectNoQuery(() => relational.health(-5), 'timeoutMs');
    expect((await pool.query(`select to_regclass('outbox') as t`)).rows[0].t).toBe('outbox');
  });

  it('retries a serializable transaction that lost a conflict', async () => {
    await relational.config.set('counter', 0, 0);
    let attempts = 0;
    const increment = () =>
      relational.serializable(async (tx) => {
        attempts++;
        const current = await tx.config.get<number>('counter');
        await tx.kysely
          .updateTable('system_config')
          .set({ value: JSON.stringify((current!.value as number) + 1) })
          .where('key', '=', 'counter')
          .execute();
      });
    await Promise.all(Array.from({ length: 6 }, increment));
    expect((await relational.config.get<number>('counter'))?.value).toBe(6);
    expect(attempts).toBeGreaterThanOrEqual(6);
  });
});

describe('health, stats and replicas', () => {
  it('reports health, pool counters, cache hit ratio, table sizes, and says when pg_stat_statements is missing', async () => {
    expect((await relational.health()).ok).toBe(true);
    const stats = await relational.stats();
    expect(stats.pool.total).toBeGreaterThan(0);
    expect(stats.cacheHitRatio).toBeGreaterThan(0);
    expect(stats.tables.map((t) => t.table)).toContain('character_interactions');
    const installed =
      (await pool.query(`select 1 from pg_extension where extname = 'pg_stat_statements'`)).rowCount === 1;
    expect(stats.slowStatements.available).toBe(installed);
    if (!stats.slowStatements.available) expect(stats.slowStatements.reason).toContain('pg_stat_statements');
  });

  it('serves lag-tolerant reads from the replica pool, never the primary', async () => {
    // The "replica" is the same database under another application name, so the server can
    // tell which pool a connection belongs to.
    const replicaUrl = new URL(db.url);
    replicaUrl.searchParams.set('application_name', 'mos-replica-test-r');
    const withReplica = createRelational({
      databaseUrl: db.url,
      replicaUrls: [replicaUrl.toString()],
      applicationName: 'mos-replica-test-p',
    });
    try {
      expect(await withReplica.reads.characterByName('sage')).not.toBeNull();
      expect(await withReplica.reads.userActiveQuests('00000000-0000-4000-8000-000000000000')).toEqual([]);
      const { rows } = await pool.query(
        `select application_name as name, count(*)::int as n from pg_stat_activity
          where application_name like 'mos-replica-test-%' group by 1`,
      );
      expect(rows).toEqual([{ name: 'mos-replica-test-r', n: 1 }]);
      expect(withReplica.pool.totalCount).toBe(0);
    } finally {
      await withReplica.close();
    }
  });

  it('reports an unreachable server as UNAVAILABLE without the password', async () => {
    const down = createRelational({
      databaseUrl: 'postgresql://u:secret-pw@127.0.0.1:1/x',
      connectionTimeoutMs: 500,
    });
    try {
      const error = await down.characters.getByName('sage').catch((e: unknown) => e);
      expect((error as RelationalError).code).toBe('UNAVAILABLE');
      expect((error as Error).message).not.toContain('secret-pw');
      expect((await down.health(1000)).ok).toBe(false);
    } finally {
      await down.close();
    }
  });

  it('stops a statement at the statement timeout with a TIMEOUT error', async () => {
    const slow = createRelational({ databaseUrl: db.url, statementTimeoutMs: 50 });
    try {
      const error = await slow
        .transaction(async (tx) => {
          await tx.kysely.selectNoFrom((eb) => eb.fn('pg_sleep', [eb.val(1)]).as('x')).execute();
        })
        .catch((e: unknown) => e);
      expect((error as RelationalError).code).toBe('TIMEOUT');
    } finally {
      await slow.close();
    }
  });
});

describe('copy out', () => {
  it('streams COPY output, returns the connection to the pool, and refuses anything but COPY … TO STDOUT', async () => {
    const relational = createRelational({ databaseUrl: db.url, poolSize: 2 });
    try {
      for (let round = 0; round < 3; round++) {
        const stream = await relational.copyOut(
          'copy (select i, \'a,"b"\' as t from generate_series(1, 1000) i) to stdout with (format csv)',
        );
        let text = '';
        for await (const chunk of stream) text += chunk.toString();
        const lines = text.trim().split('\n');
        expect(lines).toHaveLength(1000);
        expect(lines[0]).toBe('1,"a,""b"""');
      }
      // A reader that stops early does not leak its connection.
      const early = await relational.copyOut('copy (select generate_series(1, 1000000)) to stdout');
      for await (const _ of early) break;
      // Bounded wait for the stream's close to hand the connection back (or discard it).
      for (let i = 0; i < 100 && relational.pool.totalCount !== relational.pool.idleCount; i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(relational.pool.totalCount - relational.pool.idleCount).toBe(0);
      await expect(relational.copyOut('copy user_profiles from stdin')).rejects.toMatchObject({
        field: 'statement',
      });
      await expect(relational.copyOut("copy (select 1) to '/tmp/x'")).rejects.toBeInstanceOf(
        RelationalValidationError,
      );
      await expect(relational.copyOut("copy (select 1) to program 'id'")).rejects.toBeInstanceOf(
        RelationalValidationError,
      );
    } finally {
      await relational.close();
    }
  });

  it('writes nothing: a second statement is refused and a writing query fails in its read-only transaction', async () => {
    const relational = createRelational({ databaseUrl: db.url, poolSize: 2 });
    const drain = async (statement: string) => {
      let text = '';
      for await (const chunk of await relational.copyOut(statement)) text += chunk.toString();
      return text;
    };
    try {
      await relational.pool.query(
        `insert into system_config (key, value) values ('copy-out-test', '{}') on conflict do nothing`,
      );
      const before = await relational.pool.query<{ n: number }>(
        'select count(*)::int as n from system_config',
      );
      await expect(drain('copy (select 1) to stdout; drop table system_config')).rejects.toMatchObject({
        field: 'statement',
      });
      await expect(
        drain('copy (select 1) to stdout; commit; delete from system_config'),
      ).rejects.toMatchObject({
        field: 'statement',
      });
      await expect(drain('copy (delete from system_config returning key) to stdout')).rejects.toMatchObject({
        code: 'VALIDATION',
      });
      // Semicolons inside literals, quoted names and comments are not statement ends.
      expect(await drain(`copy (select ';' as "a;b", $x$;$x$ /* ; */) to stdout -- ;\n`)).toBe(';\t;\n');
      const after = await relational.pool.query<{ n: number }>(
        'select count(*)::int as n from system_config',
      );
      expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
      expect(relational.pool.totalCount - relational.pool.idleCount).toBe(0);
    } finally {
      await relational.close();
    }
  });
});
