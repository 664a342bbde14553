import type { Db } from '../../db.js';
import { mapDatabaseError, RelationalValidationError } from '../../errors.js';
import { check } from '../../validation.js';
import { Context } from './inputs.js';

/** The context's graph lock: one ingest per character context at a time. */
export function memoryGraphLock(db: Db) {
  return {
    /**
     * Takes the context's graph lock until the transaction ends: ingests of one character run one
     * after the other (no deadlock between two ingests inserting the same new entities), ingests of
     * different characters in parallel. Only inside `relational.transaction()`.
     * @example
     * await relational.transaction(async (tx) => { await tx.memory.lockGraph('sage'); … });
     */
    async lockGraph(context: string): Promise<void> {
      const ctx = check(Context, context, 'context');
      if (!db.inTransaction) {
        throw new RelationalValidationError(
          'memory.lockGraph',
          'must be called inside relational.transaction()',
        );
      }
      try {
        await db.runner.query(
          `select pg_advisory_xact_lock(hashtext('monsteros:memory-graph'), hashtext($1))`,
          [ctx],
        );
      } catch (error) {
        throw mapDatabaseError(error, 'lock memory graph');
      }
    },
  };
}
