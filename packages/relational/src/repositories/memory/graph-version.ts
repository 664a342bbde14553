import type { Db } from '../../db.js';
import { mapDatabaseError } from '../../errors.js';
import { check } from '../../validation.js';
import { Context } from './inputs.js';

/** The version of a context's memory graph (bumped by the database on every graph change). */
export interface MemoryGraphVersionRow {
  version: number;
  changedAt: Date;
}

/** A context's graph version: one indexed read, bumped by the database on every graph change. */
export function memoryGraphVersion(db: Db) {
  return {
    /**
     * The context's graph version, or null when it never had memory. One indexed read: the graph
     * cache asks it on every retrieval.
     * @example
     * const v = await relational.memory.graphVersion('sage'); // { version: 7, changedAt }
     */
    async graphVersion(context: string): Promise<MemoryGraphVersionRow | null> {
      const ctx = check(Context, context, 'context');
      try {
        const { rows } = await db.runner.query<{ version: string; changed_at: Date }>({
          name: 'mos_memory_graph_version',
          text: 'select version, changed_at from memory_graph_versions where character_context = $1',
          values: [ctx],
        });
        const row = rows[0];
        return row ? { version: Number(row.version), changedAt: row.changed_at } : null;
      } catch (error) {
        throw mapDatabaseError(error, 'read memory graph version');
      }
    },
  };
}
