import type { Tables } from '@monsteros/schema';
import { type OutboxEventInput, OutboxEventInputSchema } from '@monsteros/schema';
import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { Db } from '../db.js';
import { mapDatabaseError, RelationalValidationError } from '../errors.js';
import { run, STATEMENTS } from '../statements.js';
import { check } from '../validation.js';

/** An outbox event as the relay sees it (`id` is a bigint, as a string). */
export type OutboxRow = Selectable<Tables.OutboxEvent>;

const Events = z.array(OutboxEventInputSchema).min(1, 'must not be empty');
const Ids = z.array(z.string().regex(/^\d+$/, 'must be outbox ids')).max(10_000, 'at most 10000 at once');
/** A handler's error text, kept to its first 4,000 characters. */
const ErrorText = z.string({ message: 'must be a string' }).transform((text) => text.slice(0, 4000));
const Ms = z
  .number()
  .int('must be a whole number')
  .min(0, 'must not be negative')
  .max(7 * 86_400_000, 'must be at most 7 days');

/** The backlog the monitor watches. */
export interface OutboxBacklog {
  pending: number;
  parked: number;
  /** Age of the oldest unprocessed, unparked event; 0 when there is none. */
  oldestPendingMs: number;
}

/**
 * The transactional outbox: `append` inside the caller's transaction (rows and events commit
 * together); claim / complete / fail / park for the relay.
 */
export function outboxRepository(db: Db) {
  return {
    /**
     * Appends events in one statement. Call it on the transaction scope, so the events commit
     * with the rows they describe; on the root it refuses (an event without its rows is a lie).
     * @example
     * await relational.transaction(async (tx) => { …; await tx.outbox.append([{ aggregate_type: 'interaction', aggregate_id: id, event_type: 'interaction.recorded', payload }]); });
     */
    async append(events: OutboxEventInput[]): Promise<string[]> {
      const valid = check(Events, events, 'events');
      if (!db.inTransaction) {
        throw new RelationalValidationError(
          'outbox.append',
          'must be called inside relational.transaction(), with the rows it describes',
        );
      }
      try {
        const rows = await run(db.runner, STATEMENTS.appendOutbox, [
          valid.map((e) => e.aggregate_type),
          valid.map((e) => e.aggregate_id),
          valid.map((e) => e.event_type),
          valid.map((e) => JSON.stringify(e.payload)),
          valid.map((e) => e.available_at ?? new Date()),
        ]);
        return rows.map((r) => r.id);
      } catch (error) {
        throw mapDatabaseError(error, 'append outbox events');
      }
    },

    /**
     * Claims up to `limit` due events for this worker, leased for `leaseMs` (invisible to
     * other workers until then; a crashed worker's events come back when it ends). Skips
     * rows other workers hold and keeps the order within each aggregate.
     * @example
     * const batch = await relational.outbox.claim(100, 30_000);
     */
    async claim(limit: number, leaseMs: number): Promise<OutboxRow[]> {
      const n = check(
        z.number().int().min(1, 'must be at least 1').max(10_000, 'must be at most 10000'),
        limit,
        'limit',
      );
      const lease = check(Ms, leaseMs, 'leaseMs');
      try {
        const rows = await run(db.runner, STATEMENTS.claimOutbox, [n, lease]);
        return rows.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
      } catch (error) {
        throw mapDatabaseError(error, 'claim outbox events');
      }
    },

    /**
     * Renews the lease of events this worker claimed and still works on, so a handler that runs
     * longer than one lease is not handed to another worker. An event counts as still held while
     * its `attempts` is the value this claim gave it (another claim would have raised it).
     * Returns the ids whose lease was renewed.
     */
    async extendLease(
      events: ReadonlyArray<Pick<OutboxRow, 'id' | 'attempts'>>,
      leaseMs: number,
    ): Promise<string[]> {
      const ids = check(
        Ids,
        events.map((e) => e.id),
        'events.id',
      );
      const lease = check(Ms, leaseMs, 'leaseMs');
      if (ids.length === 0) return [];
      try {
        const rows = await run(db.runner, STATEMENTS.extendOutboxLease, [
          ids,
          events.map((e) => e.attempts),
          lease,
        ]);
        return rows.map((r) => String(r.id));
      } catch (error) {
        throw mapDatabaseError(error, 'extend outbox leases');
      }
    },

    /** Marks events applied. */
    async complete(ids: string[]): Promise<number> {
      const valid = check(Ids, ids, 'ids');
      if (valid.length === 0) return 0;
      try {
        return (await run(db.runner, STATEMENTS.completeOutbox, [valid])).length;
      } catch (error) {
        throw mapDatabaseError(error, 'complete outbox events');
      }
    },

    /** Records a failed attempt; the event becomes due again after `retryInMs` (backoff). */
    async fail(id: string, error: string, retryInMs: number): Promise<void> {
      const [valid] = check(Ids, [id], 'id');
      const text = check(ErrorText, error, 'error');
      const delay = check(Ms, retryInMs, 'retryInMs');
      try {
        await run(db.runner, STATEMENTS.failOutbox, [valid, text, delay]);
      } catch (e) {
        throw mapDatabaseError(e, 'record outbox failure');
      }
    },

    /** Parks an event that keeps failing: kept with its last error, not retried until released. */
    async park(id: string, error: string): Promise<void> {
      const [valid] = check(Ids, [id], 'id');
      const text = check(ErrorText, error, 'error');
      try {
        await run(db.runner, STATEMENTS.parkOutbox, [valid, text]);
      } catch (e) {
        throw mapDatabaseError(e, 'park outbox event');
      }
    },

    /** Releases parked events (all, or the given ids) for another round of attempts. */
    async retryParked(ids?: string[]): Promise<number> {
      const valid = ids === undefined ? undefined : check(Ids, ids, 'ids');
      try {
        let query = db.kysely
          .updateTable('outbox')
          .set({ parked_at: null, attempts: 0, available_at: new Date() })
          .where('parked_at', 'is not', null)
          .where('processed_at', 'is', null);
        if (valid) query = query.where('id', 'in', valid.length ? valid : ['-1']);
        const result = await query.executeTakeFirst();
        return Number(result.numUpdatedRows);
      } catch (error) {
        throw mapDatabaseError(error, 'retry parked outbox events');
      }
    },

    /** Pending and parked counts and the oldest pending event's age. */
    async backlog(): Promise<OutboxBacklog> {
      try {
        const row = await db.kysely
          .selectFrom('outbox')
          .select((eb) => [
            eb.fn.countAll<string>().filterWhere('parked_at', 'is', null).as('pending'),
            eb.fn.countAll<string>().filterWhere('parked_at', 'is not', null).as('parked'),
            eb.fn.min('created_at').filterWhere('parked_at', 'is', null).as('oldest'),
          ])
          .where('processed_at', 'is', null)
          .executeTakeFirstOrThrow();
        const oldest = row.oldest as Date | null;
        return {
          pending: Number(row.pending),
          parked: Number(row.parked),
          oldestPendingMs: oldest ? Math.max(0, Date.now() - oldest.getTime()) : 0,
        };
      } catch (error) {
        throw mapDatabaseError(error, 'read outbox backlog');
      }
    },
  };
}
export type OutboxRepository = ReturnType<typeof outboxRepository>;
