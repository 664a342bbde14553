import type { JsonObject, SessionSummary } from '@monsteros/schema';
import { z } from 'zod';
import type { Db } from '../db.js';
import { mapDatabaseError } from '../errors.js';
import { check, JsonObject as JsonObjectSchema, Limit, Uuid } from '../validation.js';

const SummarySchema = z.object({
  userId: Uuid,
  sessionKey: z
    .string({ message: 'must be a string' })
    .min(1, 'must not be empty')
    .max(100, 'must be at most 100 characters'),
  activeCharacter: z.string().max(50, 'must be at most 50 characters').nullable(),
  currentQuest: z.string().max(100, 'must be at most 100 characters').nullable(),
  questProgress: z.record(
    z.string(),
    z
      .number({ message: 'must be a number' })
      .refine((n) => Number.isFinite(n) && n >= 0 && n <= 100, 'must be between 0 and 100'),
  ),
  sessionData: JsonObjectSchema,
  lastActivityAt: z.date({ message: 'must be a Date' }),
});
export type SessionSummaryInput = z.input<typeof SummarySchema>;

/** Summaries of ended user sessions (the Redis session's backup in PostgreSQL). */
export function sessionsRepository(db: Db) {
  return {
    /**
     * Stores an ended session's summary once: a second backup of the same (user, session key)
     * changes nothing and returns `created: false`.
     * @example
     * await relational.sessions.backup({ userId, sessionKey: 's-1', activeCharacter: 'sage', currentQuest: null, questProgress: { [questId]: 40 }, sessionData: {}, lastActivityAt: new Date() });
     * // { summary: { id, user_id, session_key: 's-1', … }, created: true }
     */
    async backup(input: SessionSummaryInput): Promise<{ summary: SessionSummary; created: boolean }> {
      const s = check(SummarySchema, input, 'summary');
      try {
        const inserted = await db.kysely
          .insertInto('session_summaries')
          .values({
            user_id: s.userId,
            session_key: s.sessionKey,
            active_character: s.activeCharacter,
            current_quest: s.currentQuest,
            quest_progress: JSON.stringify(s.questProgress),
            session_data: JSON.stringify(s.sessionData as JsonObject),
            last_activity_at: s.lastActivityAt,
          })
          .onConflict((oc) => oc.columns(['user_id', 'session_key']).doNothing())
          .returningAll()
          .executeTakeFirst();
        if (inserted) return { summary: inserted as unknown as SessionSummary, created: true };
        const existing = await db.kysely
          .selectFrom('session_summaries')
          .selectAll()
          .where('user_id', '=', s.userId)
          .where('session_key', '=', s.sessionKey)
          .executeTakeFirstOrThrow();
        return { summary: existing as unknown as SessionSummary, created: false };
      } catch (error) {
        throw mapDatabaseError(error, 'back up session summary');
      }
    },

    /** The user's latest session summaries, newest first. */
    async ofUser(userId: string, limit = 20): Promise<SessionSummary[]> {
      check(Uuid, userId, 'userId');
      check(Limit, limit, 'limit');
      try {
        const rows = await db.kysely
          .selectFrom('session_summaries')
          .selectAll()
          .where('user_id', '=', userId)
          .orderBy('ended_at', 'desc')
          .limit(limit)
          .execute();
        return rows as unknown as SessionSummary[];
      } catch (error) {
        throw mapDatabaseError(error, 'read session summaries');
      }
    },
  };
}
export type SessionsRepository = ReturnType<typeof sessionsRepository>;
