import {
  CharacterMentorsSchema,
  LearningObjectivesSchema,
  PrerequisitesSchema,
  type PrismaClient,
  QuestContentSchema,
  type QuestDefinition,
} from '@monsteros/schema';
import { z } from 'zod';
import type { Db } from '../db.js';
import { mapDatabaseError, RelationalValidationError } from '../errors.js';
import { run, STATEMENTS } from '../statements.js';
import { check, NonEmptyText, Uuid } from '../validation.js';

const NewQuestSchema = z.object({
  quest_name: NonEmptyText(100),
  category: NonEmptyText(50),
  difficulty: z
    .number()
    .int('must be a whole number')
    .min(1, 'must be between 1 and 10')
    .max(10, 'must be between 1 and 10'),
  learning_objectives: LearningObjectivesSchema.optional(),
  quest_content: QuestContentSchema.optional(),
  character_mentors: CharacterMentorsSchema.optional(),
  prerequisites: PrerequisitesSchema.optional(),
});
export type NewQuest = z.input<typeof NewQuestSchema>;

/** One of a user's unfinished quests, newest first (the hot `getUserActiveQuests`). */
export interface ActiveQuest {
  quest_id: string;
  quest_name: string;
  category: string;
  difficulty: number;
  character_mentors: string[];
  progress_percentage: number;
  current_chapter: number;
  started_at: Date;
}

/** Quest definitions, and the hot query of a user's active quests. */
export function questsRepository(db: Db, prisma: PrismaClient) {
  return {
    /**
     * Creates a quest. Every prerequisite must be an existing quest (so prerequisites can only
     * point to earlier quests and never form a cycle); otherwise a RelationalValidationError naming
     * `quest.prerequisites`.
     * @example
     * await relational.quests.create({ quest_name: 'Loops', category: 'foundations', difficulty: 2 });
     */
    async create(input: NewQuest): Promise<QuestDefinition> {
      const data = check(NewQuestSchema, input, 'quest');
      try {
        if (data.prerequisites && data.prerequisites.length > 0) {
          const found = await prisma.questDefinition.count({ where: { id: { in: data.prerequisites } } });
          if (found !== new Set(data.prerequisites).size) {
            throw new RelationalValidationError('quest.prerequisites', 'must all be existing quest ids');
          }
        }
        return await prisma.questDefinition.create({ data });
      } catch (error) {
        throw mapDatabaseError(error, `create quest ${data.quest_name}`);
      }
    },

    /** A quest by id, or null. */
    async getById(id: string): Promise<QuestDefinition | null> {
      const valid = check(Uuid, id, 'id');
      try {
        return await prisma.questDefinition.findUnique({ where: { id: valid } });
      } catch (error) {
        throw mapDatabaseError(error, `get quest ${valid}`);
      }
    },

    /** The quests of these ids that exist (at most 1,000 ids), in no particular order. */
    async getByIds(ids: readonly string[]): Promise<QuestDefinition[]> {
      const valid = check(z.array(Uuid).max(1_000, 'must have at most 1000 ids'), ids, 'ids');
      if (valid.length === 0) return [];
      try {
        return await prisma.questDefinition.findMany({ where: { id: { in: valid } } });
      } catch (error) {
        throw mapDatabaseError(error, 'get quests');
      }
    },

    /** Quests of a category by difficulty, then name. */
    async listByCategory(category: string): Promise<QuestDefinition[]> {
      const valid = check(NonEmptyText(50), category, 'category');
      try {
        return await prisma.questDefinition.findMany({
          where: { category: valid },
          orderBy: [{ difficulty: 'asc' }, { quest_name: 'asc' }],
        });
      } catch (error) {
        throw mapDatabaseError(error, `list quests of ${valid}`);
      }
    },

    /**
     * The user's unfinished quests with their progress and chapter, newest first. A named
     * prepared statement on the partial index of unfinished progress rows.
     * @example
     * const active = await relational.quests.getUserActiveQuests(userId);
     */
    async getUserActiveQuests(userId: string): Promise<ActiveQuest[]> {
      const valid = check(Uuid, userId, 'userId');
      try {
        const rows = await run(db.runner, STATEMENTS.getUserActiveQuests, [valid]);
        return rows.map((r) => ({
          ...r,
          character_mentors: r.character_mentors as string[],
          progress_percentage: Number(r.progress_percentage),
        }));
      } catch (error) {
        throw mapDatabaseError(error, `get active quests of user ${valid}`);
      }
    },
  };
}
export type QuestsRepository = ReturnType<typeof questsRepository>;
