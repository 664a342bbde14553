import { createHash } from 'node:crypto';
import type { CharacterInteraction } from '@monsteros/schema';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../db.js';
import { ConflictError, ForeignKeyError, mapDatabaseError, NotFoundError } from '../errors.js';
import { run, STATEMENTS } from '../statements.js';
import { CharacterName, check, Limit, NonEmptyText, Uuid } from '../validation.js';

const NewInteractionSchema = z.object({
  character: CharacterName,
  userId: Uuid,
  sessionId: z.string().max(100, 'must be at most 100 characters').nullable().optional(),
  message: NonEmptyText(100_000),
  response: z.string({ message: 'must be a string' }).max(100_000, 'must be at most 100000 characters'),
  responseTimeMs: z.number().int('must be a whole number').min(0, 'must not be negative'),
  satisfaction: z
    .number()
    .int('must be a whole number')
    .min(1, 'must be between 1 and 5')
    .max(5, 'must be between 1 and 5')
    .nullable()
    .optional(),
  success: z.boolean().optional(),
  idempotencyKey: z
    .string()
    .min(1, 'must not be empty')
    .max(200, 'must be at most 200 characters')
    .optional(),
});
export type NewInteraction = z.input<typeof NewInteractionSchema>;

const CreditSchema = z.object({
  userId: Uuid,
  questId: Uuid,
  points: z
    .number({ message: 'must be a number' })
    .refine(Number.isFinite, 'must be a finite number')
    .refine((n) => n >= 0 && n <= 100, 'must be between 0 and 100'),
});

/** The result of recording: the row, and whether it was recorded before under the same key. */
export interface RecordedInteraction {
  interaction: CharacterInteraction;
  /** True when the idempotency key had already recorded this request: nothing was written. */
  replayed: boolean;
}

/**
 * Where an extraction stopped: the last (created_at, id) read. `created_at` is PostgreSQL's
 * exact text of the timestamp: a JS Date keeps milliseconds only, and a cursor rounded to
 * milliseconds would read rows of the same millisecond again, forever.
 */
export interface InteractionCursor {
  created_at: string;
  id: string;
}

/** One page of an extraction and the cursor to pass for the next (null at the end). */
export interface InteractionPage {
  rows: CharacterInteraction[];
  next: InteractionCursor | null;
}

/** The request part of an interaction, hashed to detect a key reused for another request. */
export function interactionRequestHash(input: {
  character: string;
  userId: string;
  message: string;
  sessionId?: string | null;
}): string {
  return createHash('sha256')
    .update(JSON.stringify([input.character, input.userId, input.sessionId ?? null, input.message]))
    .digest('hex');
}

/** The interaction log: idempotent recording, a user's latest, and extraction by keyset. */
export function interactionsRepository(db: Db) {
  const byKey = async (key: string) =>
    (await run(db.runner, STATEMENTS.interactionByIdempotencyKey, [key]))[0];

  return {
    /**
     * Records an interaction. With an `idempotencyKey`, a retried request records once and
     * returns the first row (`replayed: true`); the same key with a different request is a
     * ConflictError. Unknown character or user is a NotFoundError, and nothing is written.
     * @example
     * const { interaction } = await tx.interactions.record({ character: 'sage', userId, message, response, responseTimeMs: 420, idempotencyKey });
     */
    async record(input: NewInteraction): Promise<RecordedInteraction> {
      const data = check(NewInteractionSchema, input, 'interaction');
      const hash = interactionRequestHash(data);
      try {
        const [row] = await run(db.runner, STATEMENTS.recordInteraction, [
          data.character,
          data.userId,
          data.sessionId ?? null,
          data.message,
          data.response,
          data.responseTimeMs,
          data.satisfaction ?? null,
          data.success ?? true,
          data.idempotencyKey ?? null,
          hash,
        ]);
        if (row) return { interaction: row as CharacterInteraction, replayed: false };
        const existing = data.idempotencyKey ? await byKey(data.idempotencyKey) : undefined;
        if (!existing) throw new NotFoundError('character', data.character);
        if (existing.request_hash !== hash) {
          throw new ConflictError(
            `interaction: idempotency key "${data.idempotencyKey}" was already used for a different request`,
            'character_interactions_idempotency_key_key',
          );
        }
        return { interaction: existing as CharacterInteraction, replayed: true };
      } catch (error) {
        const mapped = mapDatabaseError(error, 'record interaction');
        if (mapped instanceof ForeignKeyError) throw new NotFoundError('user', data.userId);
        throw mapped;
      }
    },

    /** The interaction first recorded under this idempotency key, or null. */
    async byIdempotencyKey(key: string): Promise<CharacterInteraction | null> {
      const k = check(NonEmptyText(200), key, 'idempotencyKey');
      try {
        return ((await byKey(k)) as CharacterInteraction | undefined) ?? null;
      } catch (error) {
        throw mapDatabaseError(error, 'get interaction by idempotency key');
      }
    },

    /**
     * The user's latest interactions with a character, newest first (conversation context).
     * @example
     * const recent = await relational.interactions.latest(userId, 'sage', 10);
     */
    async latest(userId: string, character: string, limit = 20): Promise<CharacterInteraction[]> {
      const u = check(Uuid, userId, 'userId');
      const c = check(CharacterName, character, 'character');
      const n = check(Limit, limit, 'limit');
      try {
        return (await run(db.runner, STATEMENTS.latestInteractions, [u, c, n])) as CharacterInteraction[];
      } catch (error) {
        throw mapDatabaseError(error, 'get latest interactions');
      }
    },

    /**
     * Interactions after `cursor` in (created_at, id) order, at most `limit`, and the cursor
     * of the next page: keyset pagination for extraction (analytics ingestion, exports).
     * @example
     * let cursor = null;
     * do { const page = await relational.interactions.extractSince(cursor, 5000); consume(page.rows); cursor = page.next; } while (cursor);
     */
    async extractSince(cursor: InteractionCursor | null, limit = 5_000): Promise<InteractionPage> {
      const n = check(Limit, limit, 'limit');
      try {
        let query = db.kysely
          .selectFrom('character_interactions')
          .selectAll()
          .select(sql<string>`created_at::text`.as('cursor_at'));
        if (cursor) {
          const id = check(Uuid, cursor.id, 'cursor.id');
          const at = check(
            z.string().min(1, 'must be the created_at text of a previous page'),
            cursor.created_at,
            'cursor.created_at',
          );
          query = query.where(sql<boolean>`(created_at, id) > (${at}::timestamptz, ${id}::uuid)`);
        }
        const rows = await query.orderBy('created_at').orderBy('id').limit(n).execute();
        const last = rows[rows.length - 1];
        return {
          rows: rows.map(({ cursor_at: _, ...row }) => row as CharacterInteraction),
          next: last && rows.length === n ? { created_at: last.cursor_at, id: last.id } : null,
        };
      } catch (error) {
        throw mapDatabaseError(error, 'extract interactions');
      }
    },

    /**
     * Credits a quest step to the interactions that led to it: for each character mentoring the
     * quest, the user's latest interaction with that character gains `points / 100` of learning
     * value (capped at 1). Run it in the transaction that records the progress, so a step is
     * credited exactly once. Returns the interactions credited with their new values.
     * @example
     * await tx.interactions.creditLearning({ userId, questId, points: 25 }); // [{ id, character: 'sage', learningValue: 0.25 }]
     */
    async creditLearning(input: {
      userId: string;
      questId: string;
      points: number;
    }): Promise<Array<{ id: string; character: string; learningValue: number }>> {
      const c = check(CreditSchema, input, 'credit');
      if (c.points === 0) return [];
      try {
        const { rows } = await sql<{ id: string; character: string; learning_value: number }>`
          update character_interactions ci
             set learning_value = least(1, ci.learning_value + ${c.points}::real / 100)
            from (
              select latest.id, a.name
                from quest_definitions q
                cross join lateral jsonb_array_elements_text(q.character_mentors) as m(name)
                join character_agents a on a.name = m.name
                cross join lateral (
                  select i.id from character_interactions i
                   where i.user_id = ${c.userId} and i.character_id = a.id
                   order by i.created_at desc limit 1
                ) latest
               where q.id = ${c.questId}
            ) credited
           where ci.id = credited.id
          returning ci.id, credited.name as character, ci.learning_value`.execute(db.kysely);
        return rows.map((r) => ({ id: r.id, character: r.character, learningValue: r.learning_value }));
      } catch (error) {
        throw mapDatabaseError(error, 'credit learning value');
      }
    },

    /**
     * Recomputes every interaction's learning value from the progress rows as they stand, each
     * row one step of its whole percentage at its completion (else last update) time, credited to
     * the user's latest interaction before it with each mentor. For imported history (the seed),
     * where the steps themselves were not recorded; idempotent. Returns the rows changed.
     */
    async backfillLearningValues(): Promise<number> {
      try {
        const { numAffectedRows } = await sql`
          with credits as (
            select latest.id, least(1, sum(p.progress_percentage) / 100)::real as value
              from user_quest_progress p
              join quest_definitions q on q.id = p.quest_id
              cross join lateral jsonb_array_elements_text(q.character_mentors) as m(name)
              join character_agents a on a.name = m.name
              cross join lateral (
                select i.id from character_interactions i
                 where i.user_id = p.user_id and i.character_id = a.id
                   and i.created_at <= coalesce(p.completed_at, p.updated_at)
                 order by i.created_at desc limit 1
              ) latest
             group by latest.id
          )
          update character_interactions ci
             set learning_value = coalesce(credits.value, 0)
            from character_interactions x left join credits on credits.id = x.id
           where ci.id = x.id and ci.learning_value is distinct from coalesce(credits.value, 0)`.execute(
          db.kysely,
        );
        return Number(numAffectedRows ?? 0);
      } catch (error) {
        throw mapDatabaseError(error, 'backfill learning values');
      }
    },
  };
}
export type InteractionsRepository = ReturnType<typeof interactionsRepository>;
