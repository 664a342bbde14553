import { createHash } from 'node:crypto';
import type { MemoryPassage } from '@monsteros/schema';
import { z } from 'zod';
import type { Db } from '../../db.js';
import { mapDatabaseError } from '../../errors.js';
import { check, JsonObject as JsonObjectSchema, NonEmptyText, Uuid } from '../../validation.js';
import { Context, MAX_BULK } from './inputs.js';
import { type UpsertedRows, withExisting } from './upserted-rows.js';

const PassageInput = z.object({
  content: NonEmptyText(100_000),
  metadata: JsonObjectSchema.optional(),
});
const PassagesInput = z.array(PassageInput).max(MAX_BULK, `at most ${MAX_BULK} at once`);
const PassageIds = z.array(Uuid).max(10_000);

/** Memory passages: stored once per context by content hash, read back by id. */
export function memoryPassages(db: Db) {
  return {
    /**
     * Stores passages once per context (by content hash) in one statement; returns every row in
     * input order (the same text twice maps to one row) and the ids that are new. Existing rows are
     * not rewritten, so a re-ingest leaves no dead tuples and does not move the graph version.
     * @example
     * const { rows, insertedIds } = await tx.memory.upsertPassages('sage', [{ content: 'Loops repeat work.' }]);
     */
    async upsertPassages(
      context: string,
      passages: Array<z.input<typeof PassageInput>>,
    ): Promise<UpsertedRows<MemoryPassage>> {
      const ctx = check(Context, context, 'context');
      const valid = check(PassagesInput, passages, 'passages');
      if (valid.length === 0) return { rows: [], insertedIds: [] };
      const hashes = valid.map((p) => createHash('sha256').update(p.content).digest('hex'));
      const unique = new Map<string, (typeof valid)[number]>();
      valid.forEach((p, i) => {
        if (!unique.has(hashes[i]!)) unique.set(hashes[i]!, p);
      });
      try {
        const inserted = await db.runner.query<MemoryPassage>(
          `insert into memory_passages (character_context, content, content_hash, metadata)
           select $1, u.content, u.content_hash, u.metadata::jsonb
             from unnest($2::text[], $3::text[], $4::text[]) as u(content, content_hash, metadata)
           on conflict (character_context, content_hash) do nothing
           returning *`,
          [
            ctx,
            [...unique.values()].map((p) => p.content),
            [...unique.keys()],
            [...unique.values()].map((p) => JSON.stringify(p.metadata ?? {})),
          ],
        );
        return await withExisting(
          inserted.rows,
          (r) => r.content_hash,
          hashes,
          async (missing) =>
            (
              await db.runner.query<MemoryPassage>(
                'select * from memory_passages where character_context = $1 and content_hash = any($2::text[])',
                [ctx, missing],
              )
            ).rows,
        );
      } catch (error) {
        throw mapDatabaseError(error, 'upsert memory passages');
      }
    },

    /** Passages by id (retrieval results), in no particular order. */
    async passages(ids: string[]): Promise<MemoryPassage[]> {
      const valid = check(PassageIds, ids, 'ids');
      if (valid.length === 0) return [];
      try {
        return (await db.kysely
          .selectFrom('memory_passages')
          .selectAll()
          .where('id', 'in', valid)
          .execute()) as MemoryPassage[];
      } catch (error) {
        throw mapDatabaseError(error, 'get memory passages');
      }
    },
  };
}
