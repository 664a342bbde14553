import type { JsonObject } from '@monsteros/schema';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../db.js';
import { mapDatabaseError, RelationalValidationError } from '../errors.js';
import { run, STATEMENTS } from '../statements.js';
import { check, JsonObject as JsonObjectSchema, NonEmptyText } from '../validation.js';

const OperationSchema = z.object({
  operationType: NonEmptyText(50),
  character: z.string().max(50, 'must be at most 50 characters').nullable().optional(),
  latencyMs: z
    .number({ message: 'must be a number' })
    .min(0, 'must not be negative')
    .refine(Number.isFinite, 'must be finite'),
  quality: z
    .number()
    .min(0, 'must be between 0 and 1')
    .max(1, 'must be between 0 and 1')
    .nullable()
    .optional(),
  metadata: JsonObjectSchema.optional(),
});
export type MemoryOperationInput = z.input<typeof OperationSchema>;

/** The timing log of memory operations (search, ingest, consolidation) the analytics read. */
export function operationsRepository(db: Db) {
  return {
    /**
     * Takes the character's consolidation lock until the transaction ends: consolidations of one
     * character (in any process) write their merged memories one after the other, each re-reading
     * the memories under the lock. Only inside `relational.transaction()`.
     * @example
     * await relational.transaction(async (tx) => { await tx.operations.lockConsolidation('sage'); … });
     */
    async lockConsolidation(character: string): Promise<void> {
      const name = check(NonEmptyText(50), character, 'character');
      if (!db.inTransaction) {
        throw new RelationalValidationError(
          'operations.lockConsolidation',
          'must be called inside relational.transaction()',
        );
      }
      try {
        await db.runner.query(
          `select pg_advisory_xact_lock(hashtext('monsteros:consolidation'), hashtext($1))`,
          [name],
        );
      } catch (error) {
        throw mapDatabaseError(error, 'lock consolidation');
      }
    },

    /**
     * Records one memory operation's latency and quality; an unknown character is stored as null.
     * @example
     * await tx.operations.record({ operationType: 'search', character: 'sage', latencyMs: 12.5, quality: 0.82 });
     */
    async record(input: MemoryOperationInput): Promise<string> {
      const op = check(OperationSchema, input, 'operation');
      try {
        const [row] = await run(db.runner, STATEMENTS.recordMemoryOperation, [
          op.operationType,
          op.character ?? null,
          op.latencyMs,
          op.quality ?? null,
          JSON.stringify((op.metadata ?? {}) as JsonObject),
        ]);
        return row!.id;
      } catch (error) {
        throw mapDatabaseError(error, 'record memory operation');
      }
    },

    /**
     * Characters with at least `minNew` interactions (each one memory) recorded since their last
     * consolidation (of that character or of all), with the count: the consolidation trigger's check.
     * @example
     * await relational.operations.dueForConsolidation(500); // [{ character: 'sage', newMemories: 512 }]
     */
    async dueForConsolidation(minNew: number): Promise<Array<{ character: string; newMemories: number }>> {
      const min = check(
        z.number().int('must be a whole number').min(1, 'must be at least 1'),
        minNew,
        'minNew',
      );
      try {
        const { rows } = await sql<{ character: string; new_memories: number }>`
          select a.name as character, count(i.id)::int as new_memories
            from character_agents a
            join character_interactions i on i.character_id = a.id
             and i.created_at > coalesce(
                   (select max(o.created_at) from memory_operations o
                     where o.operation_type = 'consolidation'
                       and (o.character_id = a.id or o.character_id is null)),
                   '-infinity')
           group by a.name
          having count(i.id) >= ${min}
           order by a.name`.execute(db.kysely);
        return rows.map((r) => ({ character: r.character, newMemories: r.new_memories }));
      } catch (error) {
        throw mapDatabaseError(error, 'check consolidation due');
      }
    },
  };
}
export type OperationsRepository = ReturnType<typeof operationsRepository>;
