// Learning values credited from quest progress, and session summaries backed up once.
import { createTestDatabase, type TestDatabase } from '@monsteros/schema/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRelational, type Relational, RelationalValidationError } from '../src/index.js';

let db: TestDatabase;
let relational: Relational;

beforeAll(async () => {
  db = await createTestDatabase({ label: 'relational_learning' });
  relational = createRelational({ databaseUrl: db.url });
  for (const name of ['sage', 'spark', 'echo'])
    await relational.characters.create({ name, display_name: name, role: 'mentor', backend_system: 'x' });
});
afterAll(async () => {
  await relational?.close();
  await db?.drop();
});

const learningOf = async (id: string) =>
  Number(
    (await relational.pool.query('select learning_value from character_interactions where id = $1', [id]))
      .rows[0].learning_value,
  );

async function interaction(userId: string, character: string, at: string) {
  const { interaction: row } = await relational.interactions.record({
    character,
    userId,
    message: `${character} ${at}`,
    response: 'ok',
    responseTimeMs: 1,
  });
  await relational.pool.query('update character_interactions set created_at = $2 where id = $1', [
    row.id,
    at,
  ]);
  return row.id;
}

describe('learning value', () => {
  it("credits a quest step to the user's latest interaction with each mentor of the quest, capped at 1", async () => {
    const user = await relational.users.create({ username: 'learner' });
    const other = await relational.users.create({ username: 'someone_else' });
    const quest = await relational.quests.create({
      quest_name: 'Recursion',
      category: 'cs',
      difficulty: 1,
      character_mentors: ['sage', 'spark'],
    });
    const oldSage = await interaction(user.id, 'sage', '2026-01-01T00:00:00Z');
    const newSage = await interaction(user.id, 'sage', '2026-01-02T00:00:00Z');
    const spark = await interaction(user.id, 'spark', '2026-01-01T00:00:00Z');
    const echo = await interaction(user.id, 'echo', '2026-01-03T00:00:00Z');
    const othersSage = await interaction(other.id, 'sage', '2026-01-03T00:00:00Z');

    const credited = await relational.interactions.creditLearning({
      userId: user.id,
      questId: quest.id,
      points: 40,
    });
    expect(credited.map((c) => [c.id, c.character, c.learningValue]).sort()).toEqual(
      [
        [newSage, 'sage', 0.4],
        [spark, 'spark', 0.4],
      ].sort(),
    );
    // Not a mentor, an older interaction, another user: nothing.
    for (const id of [oldSage, echo, othersSage]) expect(await learningOf(id)).toBe(0);
    await relational.interactions.creditLearning({ userId: user.id, questId: quest.id, points: 70 });
    expect(await learningOf(newSage)).toBe(1);
  });

  it('refuses points outside 0..100 naming the field', async () => {
    const error = await relational.interactions
      .creditLearning({ userId: crypto.randomUUID(), questId: crypto.randomUUID(), points: -1 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RelationalValidationError);
    expect((error as RelationalValidationError).field).toBe('credit.points');
  });

  it('backfills from progress rows: the latest interaction before each row gets its percentage; a rerun changes nothing', async () => {
    const user = await relational.users.create({ username: 'history' });
    const quest = await relational.quests.create({
      quest_name: 'Graphs',
      category: 'cs',
      difficulty: 2,
      character_mentors: ['echo'],
    });
    const before = await interaction(user.id, 'echo', '2026-02-01T00:00:00Z');
    const after = await interaction(user.id, 'echo', '2026-03-01T00:00:00Z');
    await relational.progress.upsert({ userId: user.id, questId: quest.id, progress: 100, chapter: 3 });
    await relational.pool.query(
      `update user_quest_progress set completed_at = '2026-02-15T00:00:00Z' where user_id = $1`,
      [user.id],
    );
    expect(await relational.interactions.backfillLearningValues()).toBeGreaterThan(0);
    expect(await learningOf(before)).toBe(1);
    expect(await learningOf(after)).toBe(0);
    expect(await relational.interactions.backfillLearningValues()).toBe(0);
  });
});

describe('session summaries', () => {
  it('backs up a session once per (user, session key), and lists them newest first', async () => {
    const user = await relational.users.create({ username: 'sessioned' });
    const summary = {
      userId: user.id,
      sessionKey: 's-1',
      activeCharacter: 'sage',
      currentQuest: null,
      questProgress: { q1: 40 },
      sessionData: { last_interaction_id: 'x' },
      lastActivityAt: new Date('2026-01-01T00:00:00Z'),
    };
    const first = await relational.sessions.backup(summary);
    expect(first.created).toBe(true);
    expect(first.summary).toMatchObject({ session_key: 's-1', quest_progress: { q1: 40 } });
    const again = await relational.sessions.backup({ ...summary, activeCharacter: 'spark' });
    expect(again).toMatchObject({
      created: false,
      summary: { id: first.summary.id, active_character: 'sage' },
    });
    await relational.sessions.backup({ ...summary, sessionKey: 's-2' });
    expect((await relational.sessions.ofUser(user.id)).map((s) => s.session_key)).toEqual(['s-2', 's-1']);
  });

  it('refuses a bad summary naming the field, writing nothing', async () => {
    const user = await relational.users.create({ username: 'bad_session' });
    const error = await relational.sessions
      .backup({
        userId: user.id,
        sessionKey: '',
        activeCharacter: null,
        currentQuest: null,
        questProgress: {},
        sessionData: {},
        lastActivityAt: new Date(),
      })
      .catch((e: unknown) => e);
    expect((error as RelationalValidationError).field).toBe('summary.sessionKey');
    expect(await relational.sessions.ofUser(user.id)).toEqual([]);
  });
});
