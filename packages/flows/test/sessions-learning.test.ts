// Session start preloads the active quests, session end backs the session up to PostgreSQL, and
// quest progress credits the learning value of the interactions that led to it (PostgreSQL and
// the memory's payload in the vector store).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlowError } from '../src/index.js';
import { createWorld, type World } from './fixtures/world.js';

let world: World;
beforeAll(async () => {
  world = await createWorld('flows_sessions', { relayWorker: false, preloadQuests: 2 });
});
afterAll(() => world?.close());

describe('sessionStart', () => {
  it("preloads the definitions of the user's active quests into quest_data, at most preloadQuests", async () => {
    const { data, users, quests } = world;
    const userId = users[0]!;
    for (const questId of [quests.loops, quests.recursion, quests.stoics])
      await data.flows.questProgress({ userId, questId, progress: 10, chapter: 1 });
    const hitsBefore = (await data.cache.stats()).namespaces.quest_data.hits;
    const started = await data.flows.sessionStart({ userId, character: 'sage', sessionId: 'web-1' });
    expect(started.partial).toBe(false);
    expect(started.preloaded).toBe(2);
    expect(started.session).toMatchObject({ activeCharacter: 'sage', sessionData: { session_id: 'web-1' } });
    expect(Object.keys(started.session!.questProgress)).toHaveLength(2);
    const cached = [];
    for (const questId of [quests.loops, quests.recursion, quests.stoics])
      cached.push(await data.cache.policies.quest_data.get({ questId }));
    expect(cached.filter(Boolean)).toHaveLength(2);
    expect(cached.find(Boolean)?.quest_name).toMatch(/Loops|Recursion|Stoics/);
    expect((await data.cache.stats()).namespaces.quest_data.hits).toBe(hitsBefore + 2);
  });

  it('refuses an unknown user and a bad id, touching no store', async () => {
    const { data } = world;
    const unknown = await data.flows
      .sessionStart({ userId: '00000000-0000-4000-8000-000000000000' })
      .catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(FlowError);
    expect((unknown as FlowError).code).toBe('NOT_FOUND');
    const bad = await data.flows.sessionStart({ userId: 'nope' }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: 'VALIDATION', field: 'userId' });
  });
});

describe('sessionEnd', () => {
  it('backs the live session up once, then ends it; a second end finds nothing', async () => {
    const { data, users, quests } = world;
    const userId = users[1]!;
    await data.flows.sessionStart({ userId, character: 'spark' });
    await data.flows.questProgress({ userId, questId: quests.stoics, progress: 35, chapter: 2 });
    const live = await data.cache.sessions.users.get(userId);
    const ended = await data.flows.sessionEnd({ userId });
    expect(ended.ended).toBe(true);
    expect(ended.summary).toMatchObject({
      user_id: userId,
      active_character: 'spark',
      current_quest: quests.stoics,
      quest_progress: { [quests.stoics]: 35 },
      session_key: String(live!.lastActivity.getTime()),
    });
    expect(await data.cache.sessions.users.get(userId)).toBeNull();
    const { rows } = await data.relational.pool.query(
      'select count(*)::int as n from session_summaries where user_id = $1',
      [userId],
    );
    expect(rows[0].n).toBe(1);
    expect(await data.flows.sessionEnd({ userId })).toMatchObject({ ended: false, summary: null });
  });
});

describe('learning value', () => {
  it("credits a quest step to the user's latest interaction with each mentor, in PostgreSQL and the memory", async () => {
    const { data, users, quests } = world;
    const userId = users[2]!;
    await data.relational.pool.query(
      `update quest_definitions set character_mentors = '["sage"]' where id = $1`,
      [quests.recursion],
    );
    const asked = await data.flows.characterInteraction({
      userId,
      character: 'sage',
      message: 'How do I think about a recursive base case?',
    });
    const other = await data.flows.characterInteraction({
      userId,
      character: 'spark',
      message: 'Any tips on staying motivated?',
    });
    const learningOf = async (id: string) =>
      (await data.vectors.memoriesOf(id === asked.interactionId ? 'sage' : 'spark')).find(
        (m) => m.interactionId === id,
      )?.learningValue;
    expect(await learningOf(asked.interactionId)).toBe(0);

    const step = await data.flows.questProgress({
      userId,
      questId: quests.recursion,
      progress: 30,
      chapter: 1,
    });
    expect(step.learning).toEqual([
      { interactionId: asked.interactionId, learningValue: expect.closeTo(0.3, 6) },
    ]);
    expect(await learningOf(asked.interactionId)).toBeCloseTo(0.3, 6);
    // A step backwards (kept at 30) credits nothing; the next step credits its own 25 points.
    expect(
      (await data.flows.questProgress({ userId, questId: quests.recursion, progress: 20, chapter: 1 }))
        .learning,
    ).toEqual([]);
    await data.flows.questProgress({ userId, questId: quests.recursion, progress: 55, chapter: 2 });
    expect(await learningOf(asked.interactionId)).toBeCloseTo(0.55, 6);
    expect(await learningOf(other.interactionId)).toBe(0);
    const { rows } = await data.relational.pool.query(
      'select learning_value from character_interactions where id = $1',
      [asked.interactionId],
    );
    expect(rows[0].learning_value).toBeCloseTo(0.55, 6);
    expect(await data.relational.outbox.backlog()).toMatchObject({ pending: 0, parked: 0 });
  });
});
