// Characters, users, quests, achievements, quest progress and achievement grants in PostgreSQL
// (the grants through the bulk import, with the events that embed them).
import type { DataLayer } from '@monsteros/flows';
import type { SeedDataset } from '../generate/dataset.js';
import { stableUuid } from '../generate/random.js';
import type { SeedRunOptions } from '../seed.js';
import { chunks } from './chunks.js';

export async function seedRelational(
  data: DataLayer,
  set: SeedDataset,
  options: SeedRunOptions,
): Promise<void> {
  const db = data.relational.kysely;
  const characters = options.progress.phase('characters', set.characters.length);
  await db
    .insertInto('character_agents')
    .values(
      set.characters.map((c) => ({
        name: c.name,
        display_name: c.display_name,
        role: c.role,
        backend_system: c.backend_system,
        personality_config: JSON.stringify(c.personality_config),
        capabilities: JSON.stringify(c.capabilities),
        performance_metrics: JSON.stringify({ avg_response_ms: c.latency_ms, quality: c.quality }),
      })),
    )
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  characters.tick(set.characters.length);
  characters.done();

  const users = options.progress.phase('users', set.users.length);
  for (const batch of chunks(set.users)) {
    await db
      .insertInto('user_profiles')
      .values(
        batch.map((u) => ({
          id: u.id,
          username: u.username,
          learning_preferences: JSON.stringify(u.learning_preferences),
          skill_progression: JSON.stringify(u.skill_progression),
        })),
      )
      .onConflict((oc) => oc.doNothing())
      .execute();
    users.tick(batch.length);
  }
  users.done();

  const quests = options.progress.phase('quests', set.quests.length + set.achievements.length);
  await db
    .insertInto('quest_definitions')
    .values(
      set.quests.map((q) => ({
        id: q.id,
        quest_name: q.quest_name,
        category: q.category,
        difficulty: q.difficulty,
        learning_objectives: JSON.stringify(q.learning_objectives),
        quest_content: JSON.stringify(q.quest_content),
        character_mentors: JSON.stringify(q.character_mentors),
        prerequisites: JSON.stringify(q.prerequisites),
      })),
    )
    .onConflict((oc) => oc.doNothing())
    .execute();
  await db
    .insertInto('achievements')
    .values(
      set.achievements.map((a) => ({
        id: a.id,
        name: a.name,
        description: a.description,
        category: a.category,
        criteria: JSON.stringify(a.criteria),
        points: a.points,
      })),
    )
    .onConflict((oc) => oc.doNothing())
    .execute();
  quests.tick(set.quests.length + set.achievements.length);
  quests.done();

  const progress = options.progress.phase('progress', set.progress.length + set.grants.length);
  for (const batch of chunks(set.progress)) {
    await db
      .insertInto('user_quest_progress')
      .values(
        batch.map((p) => ({
          id: stableUuid('progress', `${p.user_id}:${p.quest_id}`),
          user_id: p.user_id,
          quest_id: p.quest_id,
          progress_percentage: String(p.progress_percentage),
          current_chapter: p.current_chapter,
          completion_data: JSON.stringify(p.completion_data),
          started_at: p.started_at,
          completed_at: p.completed_at,
        })),
      )
      .onConflict((oc) => oc.doNothing())
      .execute();
    progress.tick(batch.length);
  }
  // Grants through the bulk import: the rows and the events embedding them (what questProgress
  // does live) commit together; the relay writes the embeddings.
  for (const batch of chunks(set.grants)) {
    await data.bulk.achievementGrants(
      batch.map((g) => ({
        id: stableUuid('grant', `${g.user_id}:${g.achievement_id}`),
        userId: g.user_id,
        achievementId: g.achievement_id,
        awardedAt: g.awarded_at,
        context: { seeded: true },
      })),
    );
    progress.tick(batch.length);
  }
  progress.done(
    `${set.progress.filter((p) => p.completed_at).length} completions, ${set.grants.length} achievements`,
  );
}
