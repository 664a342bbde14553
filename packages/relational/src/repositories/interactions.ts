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
  };
}
export type InteractionsRepository = ReturnType<typeof interactionsRepository>;
