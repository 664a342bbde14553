import {
  CharacterRelationshipsSchema,
  LearningPreferencesSchema,
  type Prisma,
  type PrismaClient,
  SkillProgressionSchema,
  type UserProfile,
} from '@monsteros/schema';
import { z } from 'zod';
import { mapDatabaseError, NotFoundError } from '../errors.js';
import { check, Uuid } from '../validation.js';

const Username = z
  .string({ message: 'must be a string' })
  .min(1, 'must not be empty')
  .max(50, 'must be at most 50 characters')
  .refine((s) => s.trim().length > 0, 'must not be blank');

const NewUserSchema = z.object({
  username: Username,
  learning_preferences: LearningPreferencesSchema.optional(),
  skill_progression: SkillProgressionSchema.optional(),
  character_relationships: CharacterRelationshipsSchema.optional(),
});
export type NewUser = z.input<typeof NewUserSchema>;

const OVERVIEW_INCLUDE = {
  quest_progress_rows: { include: { quest: true }, orderBy: { started_at: 'desc' } },
  user_achievements: { include: { achievement: true }, orderBy: { awarded_at: 'asc' } },
} as const satisfies Prisma.UserProfileInclude;

/** A user with their quest progress (and quests) and achievements: one Prisma query with relations. */
export type UserOverview = Prisma.UserProfileGetPayload<{ include: typeof OVERVIEW_INCLUDE }>;

/** User profiles: ordinary CRUD and relations through Prisma. */
export function usersRepository(prisma: PrismaClient) {
  return {
    /**
     * Creates a user. A taken username is a ConflictError naming `user_profiles_username_key`.
     * @example
     * const ada = await relational.users.create({ username: 'ada' });
     */
    async create(input: NewUser): Promise<UserProfile> {
      const data = check(NewUserSchema, input, 'user');
      try {
        return await prisma.userProfile.create({ data });
      } catch (error) {
        throw mapDatabaseError(error, `create user ${data.username}`);
      }
    },

    /** A user by id, or null. */
    async getById(id: string): Promise<UserProfile | null> {
      const valid = check(Uuid, id, 'id');
      try {
        return await prisma.userProfile.findUnique({ where: { id: valid } });
      } catch (error) {
        throw mapDatabaseError(error, `get user ${valid}`);
      }
    },

    /** A user by username, or null. */
    async getByUsername(username: string): Promise<UserProfile | null> {
      const valid = check(Username, username, 'username');
      try {
        return await prisma.userProfile.findUnique({ where: { username: valid } });
      } catch (error) {
        throw mapDatabaseError(error, `get user ${valid}`);
      }
    },

    /**
     * Replaces the user's learning preferences. Throws NotFoundError for an unknown id.
     * @example
     * await relational.users.updatePreferences(id, { pace: 'fast' });
     */
    async updatePreferences(
      id: string,
      preferences: z.input<typeof LearningPreferencesSchema>,
    ): Promise<UserProfile> {
      const validId = check(Uuid, id, 'id');
      const data = check(LearningPreferencesSchema, preferences, 'learning_preferences');
      try {
        const updated = await prisma.userProfile.updateMany({
          where: { id: validId },
          data: { learning_preferences: data },
        });
        if (updated.count === 0) throw new NotFoundError('user', validId);
        return (await prisma.userProfile.findUnique({ where: { id: validId } }))!;
      } catch (error) {
        throw mapDatabaseError(error, `update preferences of user ${validId}`);
      }
    },

    /**
     * The user with every quest progress row (and its quest) and achievement: what a profile
     * page shows. Null for an unknown id.
     */
    async overview(id: string): Promise<UserOverview | null> {
      const valid = check(Uuid, id, 'id');
      try {
        return await prisma.userProfile.findUnique({
          where: { id: valid },
          include: OVERVIEW_INCLUDE,
        });
      } catch (error) {
        throw mapDatabaseError(error, `get overview of user ${valid}`);
      }
    },

    /** Deletes a user; their progress, achievements and interactions go with them. */
    async delete(id: string): Promise<boolean> {
      const valid = check(Uuid, id, 'id');
      try {
        return (await prisma.userProfile.deleteMany({ where: { id: valid } })).count === 1;
      } catch (error) {
        throw mapDatabaseError(error, `delete user ${valid}`);
      }
    },
  };
}
export type UsersRepository = ReturnType<typeof usersRepository>;
