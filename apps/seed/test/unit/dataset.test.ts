import { createHash } from 'node:crypto';
import {
  AchievementCriteriaSchema,
  CapabilitiesSchema,
  CharacterNameSchema,
  LearningPreferencesSchema,
  PersonalityConfigSchema,
  QuestContentSchema,
} from '@monsteros/schema';
import { describe, expect, it } from 'vitest';
import { buildDataset } from '../../src/generate/dataset.js';
import { SIZES } from '../../src/generate/sizes.js';
import { ROSTER } from '../../src/roster.js';

const anchor = new Date('2026-11-01T00:00:00Z');

function checksum(seed: number): string {
  const data = buildDataset({ seed, size: 'small', anchor });
  const hash = createHash('sha256');
  hash.update(
    JSON.stringify([data.users, data.quests, data.progress, data.grants, data.passages, data.documents]),
  );
  for (const i of data.interactions()) hash.update(JSON.stringify(i));
  return hash.digest('hex');
}

describe('the seed dataset', () => {
  it('is the same for the same seed and different for another', () => {
    expect(checksum(7)).toBe(checksum(7));
    expect(checksum(7)).not.toBe(checksum(8));
  });

  it('has a dozen distinct, valid characters', () => {
    expect(ROSTER.length).toBe(12);
    expect(new Set(ROSTER.map((c) => c.name)).size).toBe(12);
    expect(new Set(ROSTER.map((c) => c.role)).size).toBe(12);
    for (const c of ROSTER) {
      expect(CharacterNameSchema.safeParse(c.name).success).toBe(true);
      expect(PersonalityConfigSchema.safeParse(c.personality_config).success).toBe(true);
      expect(CapabilitiesSchema.safeParse(c.capabilities).success).toBe(true);
      expect(c.categories.length).toBeGreaterThan(0);
    }
  });

  it('gives quest prerequisites that form a DAG (a topological order exists)', () => {
    const { quests } = buildDataset({ seed: 1, size: 'default', anchor });
    const ids = new Set(quests.map((q) => q.id));
    const indegree = new Map(quests.map((q) => [q.id, q.prerequisites.length]));
    for (const q of quests) for (const p of q.prerequisites) expect(ids.has(p)).toBe(true);
    // Kahn's algorithm: every quest gets ordered only if there is no cycle.
    const dependents = new Map<string, string[]>();
    for (const q of quests)
      for (const p of q.prerequisites) dependents.set(p, [...(dependents.get(p) ?? []), q.id]);
    const ready = quests.filter((q) => q.prerequisites.length === 0).map((q) => q.id);
    let ordered = 0;
    while (ready.length > 0) {
      const id = ready.pop()!;
      ordered++;
      for (const d of dependents.get(id) ?? []) {
        indegree.set(d, indegree.get(d)! - 1);
        if (indegree.get(d) === 0) ready.push(d);
      }
    }
    expect(ordered).toBe(quests.length);
    for (const q of quests) expect(QuestContentSchema.safeParse(q.quest_content).success).toBe(true);
  });

  it('only lets users progress in quests whose prerequisites they completed earlier', () => {
    const { progress, quests } = buildDataset({ seed: 3, size: 'default', anchor });
    const byQuest = new Map(quests.map((q) => [q.id, q]));
    const completed = new Set(
      progress.filter((p) => p.completed_at).map((p) => `${p.user_id}:${p.quest_id}`),
    );
    expect(progress.length).toBeGreaterThan(0);
    for (const p of progress) {
      for (const pre of byQuest.get(p.quest_id)!.prerequisites)
        expect(completed.has(`${p.user_id}:${pre}`)).toBe(true);
      expect(p.progress_percentage).toBeGreaterThanOrEqual(0);
      expect(p.progress_percentage).toBeLessThanOrEqual(100);
      expect(p.completed_at === null).toBe(p.progress_percentage < 100);
      if (p.completed_at) expect(p.completed_at.getTime()).toBeGreaterThanOrEqual(p.started_at.getTime());
    }
  });

  it('grants each achievement once, exactly to users who meet its rule', () => {
    const data = buildDataset({ seed: 5, size: 'small', anchor });
    const keys = data.grants.map((g) => `${g.user_id}:${g.achievement_id}`);
    expect(new Set(keys).size).toBe(keys.length);
    const firstSteps = data.achievements.find((a) => a.name === 'First Steps')!;
    const finishers = new Set(data.progress.filter((p) => p.completed_at).map((p) => p.user_id));
    const granted = new Set(
      data.grants.filter((g) => g.achievement_id === firstSteps.id).map((g) => g.user_id),
    );
    expect(granted).toEqual(finishers);
    for (const a of data.achievements)
      expect(AchievementCriteriaSchema.safeParse(a.criteria).success).toBe(true);
  });

  it('spreads interactions over the 30 days before the anchor with valid values', () => {
    const data = buildDataset({ seed: 9, size: 'small', anchor });
    let count = 0;
    const names = new Set(ROSTER.map((c) => c.name));
    for (const i of data.interactions()) {
      count++;
      expect(i.created_at.getTime()).toBeLessThan(anchor.getTime());
      expect(i.created_at.getTime()).toBeGreaterThanOrEqual(anchor.getTime() - 30 * 86_400_000);
      expect(names.has(i.character_name)).toBe(true);
      expect(i.response_time_ms).toBeGreaterThanOrEqual(20);
      if (i.user_satisfaction !== null) expect([1, 2, 3, 4, 5]).toContain(i.user_satisfaction);
    }
    expect(count).toBe(SIZES.small.interactions);
    for (const u of data.users)
      expect(LearningPreferencesSchema.safeParse(u.learning_preferences).success).toBe(true);
  });
});
