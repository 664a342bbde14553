// Bulk imports: many rows written at once (seeding, migrations from another system), idempotent
// by the caller's deterministic ids, with the outbox events of their side effects in the same
// PostgreSQL transaction. The relay applies those events (one per batch of rows); wait for it
// with `relay.settle()`.
import { interactionRequestHash, type Relational, type TransactionScope } from '@monsteros/relational';
import { JsonObjectSchema } from '@monsteros/schema';
import { z } from 'zod';
import { checkInput, PASSED_THROUGH } from '../boundary.js';
import { FlowError, type FlowErrorCode } from '../errors.js';
import { BULK_EVENT_TYPES, type BulkEventType, embedEvents } from './embed-events.js';

/** Rows accepted by one call (one transaction). */
export const MAX_IMPORT_ROWS = 10_000;
/** Rows per INSERT statement (13 parameters a row, under PostgreSQL's 65,535). */
const INSERT_BATCH = 2_000;

const Uuid = z.uuid({ message: 'must be a UUID' });
const rowsOf = <S extends z.ZodType>(row: S) =>
  z.object({
    rows: z.array(row).max(MAX_IMPORT_ROWS, `must hold at most ${MAX_IMPORT_ROWS} rows per call`),
  });

const InteractionRows = rowsOf(
  z.object({
    id: Uuid,
    character: z.string({ message: 'must be a character name' }).min(1, 'must not be empty'),
    userId: Uuid,
    sessionId: z.string().max(100, 'must be at most 100 characters').nullable().optional(),
    message: z
      .string({ message: 'must be a string' })
      .max(100_000, 'must be at most 100000 characters')
      .refine((m) => m.trim().length > 0, 'must not be empty'),
    response: z.string({ message: 'must be a string' }).max(100_000, 'must be at most 100000 characters'),
    responseTimeMs: z
      .number({ message: 'must be a number' })
      .int('must be a whole number')
      .min(0, 'must not be negative'),
    satisfaction: z
      .number({ message: 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be between 1 and 5')
      .max(5, 'must be between 1 and 5')
      .nullable()
      .optional(),
    success: z.boolean({ message: 'must be true or false' }).optional(),
    idempotencyKey: z
      .string()
      .min(1, 'must not be empty')
      .max(200, 'must be at most 200 characters')
      .nullable()
      .optional(),
    createdAt: z.date({ message: 'must be a Date' }),
  }),
);

const GrantRows = rowsOf(
  z.object({
    id: Uuid,
    userId: Uuid,
    achievementId: Uuid,
    awardedAt: z.date({ message: 'must be a Date' }),
    context: JsonObjectSchema.optional(),
  }),
);

/** One interaction to import; `id` is the caller's deterministic id (a re-import writes nothing). */
export type InteractionImport = z.input<typeof InteractionRows>['rows'][number];
/** One achievement grant to import; `id` is the caller's deterministic id. */
export type AchievementGrantImport = z.input<typeof GrantRows>['rows'][number];

export interface ImportResult {
  /** Rows written by this call. */
  inserted: number;
  /** Rows already there (same id, idempotency key or natural key): left as they were. */
  existing: number;
  /** Outbox events appended for the inserted rows' side effects. */
  events: number;
}

export interface BulkImports {
  /**
   * Imports interactions and, in the same transaction, the outbox events that embed them into
   * `character_memories` (one event per 500). Use it to load history; live traffic goes through
   * `flows.characterInteraction`.
   * @example
   * const { inserted } = await data.bulk.interactions([{ id, character: 'sage', userId, message, response, responseTimeMs: 420, createdAt }]);
   * await data.relay.settle();
   */
  interactions(rows: InteractionImport[]): Promise<ImportResult>;
  /**
   * Imports achievement grants (once per user and achievement) and the outbox events that
   * embed them among the user's memory entities. Live grants come from `flows.questProgress`.
   * @example
   * await data.bulk.achievementGrants([{ id, userId, achievementId, awardedAt: new Date() }]);
   */
  achievementGrants(rows: AchievementGrantImport[]): Promise<ImportResult>;
}

/** A store error as a FlowError with the same code (a missing referenced row is NOT_FOUND). */
function typed(what: string, error: unknown): FlowError {
  if (error instanceof FlowError) return error;
  const code = (error as { code?: unknown }).code;
  const flowCode: FlowErrorCode =
    code === 'FOREIGN_KEY'
      ? 'NOT_FOUND'
      : PASSED_THROUGH.has(code as FlowErrorCode)
        ? (code as FlowErrorCode)
        : 'STEP_FAILED';
  const message = error instanceof Error ? error.message : String(error);
  return new FlowError(flowCode, `${what}: ${message}`, { cause: error });
}

/** The first row whose `field` is not among `known`, as a NOT_FOUND naming it. */
function firstUnknown<R>(rows: readonly R[], field: keyof R & string, known: Set<unknown>, what: string) {
  const i = rows.findIndex((r) => !known.has(r[field]));
  return i === -1
    ? null
    : new FlowError('NOT_FOUND', `rows.${i}.${field}: no ${what} ${JSON.stringify(rows[i]![field])}`);
}

const distinct = <T>(values: readonly T[]): T[] => [...new Set(values)];

/** How one kind of row is imported: what it refers to, its insert, its embed events. */
interface ImportSpec<R> {
  what: string;
  /**
   * Reads what the rows refer to (before the transaction: it must not wait for a second pool
   * connection) and returns the insert of a batch (the ids it wrote; a row already there, by id
   * or natural key, is skipped: no event), or the NOT_FOUND of the first row referring to nothing.
   */
  prepare(
    rows: R[],
  ): Promise<FlowError | ((tx: TransactionScope, batch: R[]) => Promise<Array<{ id: string }>>)>;
  event: BulkEventType;
  field: 'interactionIds' | 'grantIds';
}

export function bulkImports(deps: { relational: Relational; kick(): void }): BulkImports {
  const db = deps.relational.kysely;

  async function knownUsers(ids: string[]): Promise<Set<unknown>> {
    const rows = await db.selectFrom('user_profiles').select('id').where('id', 'in', distinct(ids)).execute();
    return new Set(rows.map((r) => r.id));
  }

  /**
   * Inserts the rows (a statement per INSERT_BATCH) and the embed events of the rows written, in
   * one transaction; then asks the relay to run.
   */
  async function importRows<R>(spec: ImportSpec<R>, rows: R[]): Promise<ImportResult> {
    if (rows.length === 0) return { inserted: 0, existing: 0, events: 0 };
    try {
      const insert = await spec.prepare(rows);
      if (insert instanceof FlowError) throw insert;
      const written = await deps.relational.transaction(async (tx) => {
        const ids: string[] = [];
        for (let i = 0; i < rows.length; i += INSERT_BATCH)
          for (const row of await insert(tx, rows.slice(i, i + INSERT_BATCH))) ids.push(row.id);
        const events = embedEvents(spec.event, spec.field, ids);
        if (events.length) await tx.outbox.append(events);
        return { ids, events: events.length };
      });
      if (written.events) deps.kick();
      return {
        inserted: written.ids.length,
        existing: rows.length - written.ids.length,
        events: written.events,
      };
    } catch (error) {
      throw typed(spec.what, error);
    }
  }

  const interactions: ImportSpec<z.output<typeof InteractionRows>['rows'][number]> = {
    what: 'bulk.interactions',
    event: BULK_EVENT_TYPES.interactionsEmbed,
    field: 'interactionIds',
    async prepare(rows) {
      const characters = new Map(
        (
          await db
            .selectFrom('character_agents')
            .select(['id', 'name'])
            .where('name', 'in', distinct(rows.map((r) => r.character)))
            .execute()
        ).map((c) => [c.name, c.id] as const),
      );
      const unknown =
        firstUnknown(rows, 'character', new Set(characters.keys()), 'character') ??
        firstUnknown(rows, 'userId', await knownUsers(rows.map((r) => r.userId)), 'user');
      return (
        unknown ??
        ((tx, batch) =>
          tx.kysely
            .insertInto('character_interactions')
            .values(
              batch.map((r) => ({
                id: r.id,
                character_id: characters.get(r.character)!,
                user_id: r.userId,
                session_id: r.sessionId ?? null,
                message: r.message,
                response: r.response,
                response_time_ms: r.responseTimeMs,
                user_satisfaction: r.satisfaction ?? null,
                success: r.success ?? true,
                idempotency_key: r.idempotencyKey ?? null,
                // As `interactions.record` stores it: a later live retry with the key is recognised.
                request_hash: r.idempotencyKey ? interactionRequestHash(r) : null,
                created_at: r.createdAt,
              })),
            )
            .onConflict((oc) => oc.doNothing())
            .returning('id')
            .execute())
      );
    },
  };

  const grants: ImportSpec<z.output<typeof GrantRows>['rows'][number]> = {
    what: 'bulk.achievementGrants',
    event: BULK_EVENT_TYPES.achievementGrantsEmbed,
    field: 'grantIds',
    async prepare(rows) {
      const achievements = await db
        .selectFrom('achievements')
        .select('id')
        .where('id', 'in', distinct(rows.map((r) => r.achievementId)))
        .execute();
      const unknown =
        firstUnknown(rows, 'achievementId', new Set(achievements.map((a) => a.id)), 'achievement') ??
        firstUnknown(rows, 'userId', await knownUsers(rows.map((r) => r.userId)), 'user');
      return (
        unknown ??
        ((tx, batch) =>
          tx.kysely
            .insertInto('user_achievements')
            .values(
              batch.map((r) => ({
                id: r.id,
                user_id: r.userId,
                achievement_id: r.achievementId,
                awarded_at: r.awardedAt,
                context: JSON.stringify(r.context ?? {}),
              })),
            )
            // The same user and achievement under another id is the same grant.
            .onConflict((oc) => oc.doNothing())
            .returning('id')
            .execute())
      );
    },
  };

  return {
    interactions: async (input) =>
      importRows(interactions, checkInput(InteractionRows, { rows: input }, 'rows').rows),
    achievementGrants: async (input) =>
      importRows(grants, checkInput(GrantRows, { rows: input }, 'rows').rows),
  };
}
