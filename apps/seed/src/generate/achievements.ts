// The achievements and their rules, and the grants those rules give on the generated history.
import type { AchievementCriteria } from '@monsteros/schema';
import { CATEGORIES } from '../roster.js';
import type { SeedProgress } from './quest-progress.js';
import type { SeedQuest } from './quests.js';
import { stableUuid } from './random.js';
import { title } from './words.js';

export interface SeedAchievement {
  id: string;
  name: string;
  description: string;
  category: string;
  criteria: AchievementCriteria;
  points: number;
}

export interface SeedGrant {
  user_id: string;
  achievement_id: string;
  awarded_at: Date;
}

export function makeAchievements(): SeedAchievement[] {
  const list: Array<Omit<SeedAchievement, 'id'>> = [
    {
      name: 'First Steps',
      description: 'Complete your first quest.',
      category: 'quests',
      criteria: { kind: 'quests_completed_count', threshold: 1 },
      points: 10,
    },
    {
      name: 'Quest Adept',
      description: 'Complete five quests.',
      category: 'quests',
      criteria: { kind: 'quests_completed_count', threshold: 5 },
      points: 50,
    },
    {
      name: 'Quest Master',
      description: 'Complete fifteen quests.',
      category: 'quests',
      criteria: { kind: 'quests_completed_count', threshold: 15 },
      points: 150,
    },
    {
      name: 'Chatty',
      description: 'Talk with mentors 25 times.',
      category: 'social',
      criteria: { kind: 'interactions_count', threshold: 25 },
      points: 20,
    },
    {
      name: 'Regular',
      description: 'Talk with mentors 100 times.',
      category: 'social',
      criteria: { kind: 'interactions_count', threshold: 100 },
      points: 60,
    },
    ...CATEGORIES.map((category) => ({
      name: `${title(category)} Mastery`,
      description: `Complete every ${category} quest.`,
      category: 'mastery',
      criteria: { kind: 'category_mastery' as const, category },
      points: 100,
    })),
  ];
  return list.map((a) => ({ ...a, id: stableUuid('achievement', a.name) }));
}

/** Achievements follow their criteria exactly; awarded at the moment the rule was met. */
export function grantAchievements(
  achievements: SeedAchievement[],
  progress: SeedProgress[],
  quests: SeedQuest[],
  interactionsPerUser: Map<string, number>,
  anchor: Date,
): SeedGrant[] {
  const grants: SeedGrant[] = [];
  const categoryOf = new Map(quests.map((q) => [q.id, q.category]));
  const questsPerCategory = new Map<string, number>();
  for (const q of quests) questsPerCategory.set(q.category, (questsPerCategory.get(q.category) ?? 0) + 1);
  const completedByUser = new Map<string, SeedProgress[]>();
  for (const p of progress) {
    if (!p.completed_at) continue;
    const list = completedByUser.get(p.user_id) ?? [];
    list.push(p);
    completedByUser.set(p.user_id, list);
  }
  const users = new Set([...completedByUser.keys(), ...interactionsPerUser.keys()]);
  for (const user_id of [...users].sort()) {
    const done = (completedByUser.get(user_id) ?? []).sort(
      (a, b) => a.completed_at!.getTime() - b.completed_at!.getTime(),
    );
    for (const achievement of achievements) {
      const { kind, threshold, category } = achievement.criteria;
      let awarded_at: Date | null = null;
      if (kind === 'quests_completed_count' && threshold && done.length >= threshold) {
        awarded_at = done[threshold - 1]!.completed_at;
      } else if (
        kind === 'interactions_count' &&
        threshold &&
        (interactionsPerUser.get(user_id) ?? 0) >= threshold
      ) {
        awarded_at = anchor;
      } else if (kind === 'category_mastery' && category) {
        const inCategory = done.filter((p) => categoryOf.get(p.quest_id) === category);
        if (inCategory.length > 0 && inCategory.length === questsPerCategory.get(category)) {
          awarded_at = inCategory[inCategory.length - 1]!.completed_at;
        }
      }
      if (awarded_at) grants.push({ user_id, achievement_id: achievement.id, awarded_at });
    }
  }
  return grants;
}
