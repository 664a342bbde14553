import {
  type Achievement,
  AchievementCriteriaSchema,
  type JsonObject,
  type PrismaClient,
  type UserAchievement,
} from '@monsteros/schema';
import { z } from 'zod';
import type { Db } from '../db.js';
import { ForeignKeyError, mapDatabaseError, NotFoundError } from '../errors.js';
import { run, STATEMENTS } from '../statements.js';
import { check, JsonObject as JsonObjectSchema, NonEmptyText, Uuid } from '../validation.js';

const NewAchievementSchema = z.object({
  name: NonEmptyText(100),
  description: NonEmptyText(2000),
  category: NonEmptyText(50),
  criteria: AchievementCriteriaSchema,
  points: z.number().int('must be a whole number').min(0, 'must not be negative').optional(),
});
export type NewAchievement = z.input<typeof NewAchievementSchema>;

/** Achievements and their grants: each is granted to a user at most once. */
export function achievementsRepository(db: Db, prisma: PrismaClient) {
  return {
    /** Creates an achievement; a taken name is a ConflictError. */
    async create(input: NewAchievement): Promise<Achievement> {
      const data = check(NewAchievementSchema, input, 'achievement');
      try {
        return await prisma.achievement.create({ data });
      } catch (error) {
        throw mapDatabaseError(error, `create achievement ${data.name}`);
      }
    },

    /** All achievements, by name. */
    async list(): Promise<Achievement[]> {
      try {
        return await prisma.achievement.findMany({ orderBy: { name: 'asc' } });
      } catch (error) {
        throw mapDatabaseError(error, 'list achievements');
      }
    },

    /**
     * Grants the achievement to the user unless they already have it. Returns the grant
     * made now, or null when it existed (so callers emit "granted" events exactly once).
     * @example
     * const grant = await tx.achievements.grant(userId, achievementId, { quest_id });
     */
    async grant(
      userId: string,
      achievementId: string,
      context: JsonObject = {},
    ): Promise<UserAchievement | null> {
      const u = check(Uuid, userId, 'userId');
      const a = check(Uuid, achievementId, 'achievementId');
      const ctx = check(JsonObjectSchema, context, 'context');
      try {
        const [row] = await run(db.runner, STATEMENTS.grantAchievement, [u, a, JSON.stringify(ctx)]);
        return (row as UserAchievement | undefined) ?? null;
      } catch (error) {
        const mapped = mapDatabaseError(error, 'grant achievement');
        if (mapped instanceof ForeignKeyError) {
          throw mapped.constraint === 'user_achievements_achievement_id_fkey'
            ? new NotFoundError('achievement', a)
            : new NotFoundError('user', u);
        }
        throw mapped;
      }
    },

    /**
     * Grants every achievement whose rule the user meets now (quest completed, completed
     * count, interactions count, category mastery; manual ones never) and returns the grants
     * made by this call: each achievement is granted once, so callers emit events once.
     * Inside a transaction it first takes a per-user lock held until commit, then decides in a
     * fresh statement: of two concurrent transactions completing the last two quests of a
     * category, the second decides after the first committed and sees both completions (in
     * read committed, the transactions' default; a repeatable read snapshot would not).
     * @example
     * const grants = await tx.achievements.grantEarned(userId, { quest_id: questId });
     */
    async grantEarned(userId: string, context: JsonObject = {}): Promise<UserAchievement[]> {
      const u = check(Uuid, userId, 'userId');
      const ctx = check(JsonObjectSchema, context, 'context');
      try {
        if (db.inTransaction) await run(db.runner, STATEMENTS.lockUserAchievements, [u]);
        return (await run(db.runner, STATEMENTS.grantEarnedAchievements, [
          u,
          JSON.stringify(ctx),
        ])) as UserAchievement[];
      } catch (error) {
        const mapped = mapDatabaseError(error, 'grant earned achievements');
        if (mapped instanceof ForeignKeyError) throw new NotFoundError('user', u);
        throw mapped;
      }
    },

    /** The user's achievements, oldest grant first. */
    async ofUser(userId: string): Promise<UserAchievement[]> {
      const u = check(Uuid, userId, 'userId');
      try {
        return (await db.kysely
          .selectFrom('user_achievements')
          .selectAll()
          .where('user_id', '=', u)
          .orderBy('awarded_at')
          .execute()) as UserAchievement[];
      } catch (error) {
        throw mapDatabaseError(error, 'list achievements of user');
      }
    },
  };
}
export type AchievementsRepository = ReturnType<typeof achievementsRepository>;
