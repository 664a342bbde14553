// Bulk imports against real PostgreSQL and Redis and the vectors local mode: rows and their
// embed events commit together (or not at all), a re-import writes nothing, the relay applies
// the events into the right points; and data.reset() empties every store.
import { randomUUID } from 'node:crypto';
import { pointIdFor } from '@monsteros/vectors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlowValidationError, type InteractionImport } from '../src/index.js';
import { createWorld, type World } from './fixtures/world.js';

let world: World;
const count = async (sql: string, values: unknown[] = []) =>
  Number((await world.data.relational.pool.query(sql, values)).rows[0].n);

beforeAll(async () => {
  world = await createWorld('flows_bulk', { relayWorker: false });
});
afterAll(() => world?.close());

const DAY = 86_400_000;
function interactions(n: number, character = 'sage'): InteractionImport[] {
  return Array.from({ length: n }, (_, i) => ({
    id: randomUUID(),
    character,
    userId: world.users[i % world.users.length]!,
    sessionId: `s-${i % 7}`,
    message: `question ${i} about recursion`,
    response: `answer ${i}`,
    responseTimeMs: 100 + i,
    satisfaction: i % 3 === 0 ? null : 1 + (i % 5),
    success: i % 11 !== 0,
    idempotencyKey: `bulk-${randomUUID()}`,
    createdAt: new Date(Date.UTC(2026, 0, 1) + i * DAY),
  }));
}

async function memoryPoint(interactionId: string) {
  const store = world.data.vectors.store!;
  const [point] = await store.client.retrieve(store.collectionName('character_memories'), {
    ids: [pointIdFor('character_memories', interactionId)],
    with_payload: true,
  });
  return point;
}

describe('bulk.interactions', () => {
  it('commits the rows with one embed event per 500, which the relay applies into the right points', async () => {
    const { data } = world;
    const rows = interactions(1_203);
    const result = await data.bulk.interactions(rows);
    expect(result).toEqual({ inserted: 1_203, existing: 0, events: 3 });
    const ids = rows.map((r) => r.id);
    expect(await count('select count(*) n from character_interactions where id = any($1)', [ids])).toBe(
      1_203,
    );
    // Three events for the three batches, each naming its rows (the commit kicked the relay,
    // which may have applied some already).
    const { rows: events } = await data.relational.pool.query(
      `select payload from outbox where event_type = 'interactions.embed' order by id`,
    );
    expect(events.map((e) => e.payload.interactionIds.length)).toEqual([500, 500, 203]);
    expect(events.flatMap((e) => e.payload.interactionIds).sort()).toEqual([...ids].sort());

    expect(await data.relay.settle()).toMatchObject({ pending: 0, parked: 0 });

    expect(await data.vectors.memoriesOf('sage')).toHaveLength(1_203);
    const rated = rows[4]!;
    expect((await memoryPoint(rated.id))?.payload).toMatchObject({
      interaction_id: rated.id,
      character_name: 'sage',
      user_context: `user:${rated.userId}`,
      // The row's learning value (no quest progress followed these imports): not the rating.
      learning_value: 0,
      timestamp: '2026-01-05T00:00:00.000Z',
      text: 'question 4 about recursion\nanswer 4',
    });
    // The row as given, with the request hash a live retry under its key is checked against.
    const { rows: stored } = await data.relational.pool.query(
      'select session_id, response_time_ms, user_satisfaction, success, request_hash from character_interactions where id = $1',
      [rows[11]!.id],
    );
    expect(stored[0]).toMatchObject({
      session_id: 's-4',
      response_time_ms: 111,
      user_satisfaction: 2,
      success: false,
    });
    expect(stored[0].request_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('writes nothing on a re-import, and only the new rows (and their events) of a partly new one', async () => {
    const { data } = world;
    const rows = interactions(40, 'spark');
    await data.bulk.interactions(rows);
    await data.relay.settle();
    const outboxBefore = await count('select count(*) n from outbox');
    const checksum = async () =>
      (
        await data.relational.pool.query(
          `select md5(string_agg(t::text, '|' order by t.id)) as d from character_interactions t`,
        )
      ).rows[0].d as string;
    const before = await checksum();

    expect(await data.bulk.interactions(rows)).toEqual({ inserted: 0, existing: 40, events: 0 });
    expect(await checksum()).toBe(before);
    expect(await count('select count(*) n from outbox')).toBe(outboxBefore);

    const more = interactions(5, 'spark');
    expect(await data.bulk.interactions([...rows.slice(0, 10), ...more])).toEqual({
      inserted: 5,
      existing: 10,
      events: 1,
    });
    const [event] = (
      await data.relational.pool.query(
        `select payload from outbox where event_type = 'interactions.embed' order by id desc limit 1`,
      )
    ).rows;
    expect(event.payload.interactionIds.sort()).toEqual(more.map((r) => r.id).sort());
    await data.relay.settle();
    expect(await data.vectors.memoriesOf('spark')).toHaveLength(45);
  });

  it('leaves neither rows nor events when the transaction fails', async () => {
    const { data } = world;
    const pool = data.relational.pool;
    await pool.query(`create function refuse_embeds() returns trigger language plpgsql as $$
      begin raise exception 'outbox refused'; end $$`);
    await pool.query(`create trigger refuse_embeds before insert on outbox for each row
      when (new.event_type = 'interactions.embed') execute function refuse_embeds()`);
    const rows = interactions(30);
    const outboxBefore = await count('select count(*) n from outbox');
    try {
      await expect(data.bulk.interactions(rows)).rejects.toMatchObject({
        message: expect.stringContaining('outbox refused'),
      });
    } finally {
      await pool.query('drop trigger refuse_embeds on outbox');
      await pool.query('drop function refuse_embeds()');
    }
    const ids = rows.map((r) => r.id);
    expect(await count('select count(*) n from character_interactions where id = any($1)', [ids])).toBe(0);
    expect(await count('select count(*) n from outbox')).toBe(outboxBefore);
    // The same import goes through once the failure is gone.
    expect(await data.bulk.interactions(rows)).toMatchObject({ inserted: 30, events: 1 });
  });

  it('rejects bad rows with an error naming the row and field, writing nothing', async () => {
    const { data } = world;
    const rows = interactions(3);
    const before = await count('select count(*) n from character_interactions');
    const bad = [rows[0]!, { ...rows[1]!, userId: 'not-a-uuid' }];
    const error = await data.bulk.interactions(bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlowValidationError);
    expect(error).toMatchObject({ code: 'VALIDATION', field: 'rows.1.userId' });
    await expect(data.bulk.interactions([{ ...rows[0]!, message: '   ' }])).rejects.toMatchObject({
      field: 'rows.0.message',
    });
    await expect(
      data.bulk.interactions([rows[0]!, { ...rows[1]!, character: 'nobody' }]),
    ).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'rows.1.character: no character "nobody"' });
    await expect(data.bulk.interactions([{ ...rows[2]!, userId: randomUUID() }])).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringMatching(/^rows\.0\.userId: no user /),
    });
    expect(await count('select count(*) n from character_interactions')).toBe(before);
    expect(await data.bulk.interactions([])).toEqual({ inserted: 0, existing: 0, events: 0 });
  });
});

describe('bulk.achievementGrants', () => {
  it('grants once per user and achievement and embeds the grants through the relay', async () => {
    const { data, users } = world;
    const [first, coder] = (await data.relational.achievements.list()).sort((a, b) => a.points - b.points);
    const grants = users.map((userId, i) => ({
      id: randomUUID(),
      userId,
      achievementId: first!.id,
      awardedAt: new Date(Date.UTC(2026, 1, 1 + i)),
      context: { imported: true },
    }));
    expect(await data.bulk.achievementGrants(grants)).toEqual({ inserted: 3, existing: 0, events: 1 });
    // The same user and achievement under another id is the same grant.
    expect(
      await data.bulk.achievementGrants([
        { ...grants[0]!, id: randomUUID() },
        { id: randomUUID(), userId: users[0]!, achievementId: coder!.id, awardedAt: new Date() },
      ]),
    ).toEqual({ inserted: 1, existing: 1, events: 1 });
    await data.relay.settle();
    expect(await data.vectors.storedAchievementIds()).toEqual(
      new Set([...grants.map((g) => g.id), expect.any(String)]),
    );
    const store = data.vectors.store!;
    const [point] = await store.client.retrieve(store.collectionName('memory_embeddings'), {
      ids: [pointIdFor('memory_embeddings', grants[1]!.id)],
      with_payload: true,
    });
    expect(point?.payload).toMatchObject({
      entity_id: grants[1]!.id,
      entity_type: 'achievement',
      character_context: `user:${users[1]}`,
      name: first!.name,
      importance_score: first!.points / 100,
      timestamp: '2026-02-02T00:00:00.000Z',
    });
    await expect(
      data.bulk.achievementGrants([{ ...grants[0]!, achievementId: randomUUID() }]),
    ).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/^rows\.0\.achievementId/) });
  });
});

describe('reset', () => {
  it('empties every store of MonsterOS data and keeps the configuration', async () => {
    const { data, users } = world;
    await data.flows.characterInteraction({ userId: users[0]!, character: 'sage', message: 'Hello again' });
    await data.relational.config.set('monsteros.environment', 'development', 0);
    await data.syncAnalytics();
    expect((await data.analytics!.stats()).rows.character_interactions).toBeGreaterThan(0);

    const result = await data.reset();

    expect(result.tables).toContain('character_interactions');
    expect(result.redisKeys).toBeGreaterThan(0);
    expect(result.vectorPoints.character_memories).toBeGreaterThan(1_000);
    for (const table of ['character_interactions', 'user_achievements', 'character_agents', 'outbox'])
      expect(await count(`select count(*) n from ${table}`)).toBe(0);
    expect(await data.cache.sessions.users.get(users[0]!)).toBeNull();
    expect(await data.vectors.storedInteractionIds()).toEqual(new Set());
    expect(await data.vectors.storedAchievementIds()).toEqual(new Set());
    expect(Object.values((await data.analytics!.stats()).rows).every((n) => n === 0)).toBe(true);
    expect((await data.relational.config.get('monsteros.environment'))?.value).toBe('development');
  });
});
