// Who took which quest, how far they got, and when.
import type { CompletionData } from '@monsteros/schema';
import { DAY_MS } from './anchor.js';
import type { SeedQuest } from './quests.js';
import type { Random } from './random.js';
import type { SeedUser } from './users.js';

export interface SeedProgress {
  user_id: string;
  quest_id: string;
  progress_percentage: number;
  current_chapter: number;
  completion_data: CompletionData;
  started_at: Date;
  completed_at: Date | null;
}

/** Users take quests whose prerequisites they completed; some finish, some are under way. */
export function makeProgress(
  rng: Random,
  users: SeedUser[],
  quests: SeedQuest[],
  anchor: Date,
): SeedProgress[] {
  const rows: SeedProgress[] = [];
  const byId = new Map(quests.map((q) => [q.id, q]));
  for (const user of users) {
    const completed = new Set<string>();
    const attempts = rng.int(0, Math.min(12, quests.length));
    let taken = 0;
    for (const quest of quests) {
      if (taken >= attempts) break;
      if (!quest.prerequisites.every((p) => completed.has(p))) continue;
      if (!rng.chance(0.6)) continue;
      taken++;
      const started_at = new Date(anchor.getTime() - rng.int(1, 29) * DAY_MS - rng.int(0, DAY_MS - 1));
      const chapters = byId.get(quest.id)!.quest_content.chapters.length;
      const finishes = rng.chance(0.65);
      if (finishes) {
        completed.add(quest.id);
        const minutes = Math.round(rng.logNormal(45 * quest.difficulty, 0.4));
        const completed_at = new Date(
          Math.min(anchor.getTime() - 60_000, started_at.getTime() + minutes * 60_000 * rng.int(2, 20)),
        );
        rows.push({
          user_id: user.id,
          quest_id: quest.id,
          progress_percentage: 100,
          current_chapter: chapters,
          completion_data: {
            final_score:
              Math.round(Math.min(100, Math.max(35, rng.normal(82 - quest.difficulty * 2, 10))) * 10) / 10,
            completion_time_minutes: minutes,
            chapters_completed: Array.from({ length: chapters }, (_, i) => i + 1),
          },
          started_at,
          completed_at,
        });
      } else {
        const percentage = rng.int(5, 95);
        rows.push({
          user_id: user.id,
          quest_id: quest.id,
          progress_percentage: percentage,
          current_chapter: Math.max(1, Math.ceil((percentage / 100) * chapters)),
          completion_data: {},
          started_at,
          completed_at: null,
        });
      }
    }
  }
  return rows;
}
