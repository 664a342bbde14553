import type { MemoryEntity } from '@monsteros/schema';
import { z } from 'zod';
import type { Db } from '../../db.js';
import { mapDatabaseError, RelationalValidationError } from '../../errors.js';
import { check, NonEmptyText, Uuid } from '../../validation.js';
import { Context, MAX_BULK } from './inputs.js';
import { type UpsertedRows, withExisting } from './upserted-rows.js';

const EntityInput = z.object({
  name: NonEmptyText(200),
  entity_type: NonEmptyText(50),
  importance_score: z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').optional(),
});
const EntitiesInput = z.array(EntityInput).max(MAX_BULK, `at most ${MAX_BULK} at once`);
const EntityIds = z.array(Uuid).max(MAX_BULK);

/** How entity names are deduplicated: case, accents, punctuation and spacing ignored. */
export function normalizeEntityName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .slice(0, 200);
}

/** Memory entities: stored once per context by normalized name, read back by id. */
export function memoryEntities(db: Db) {
  return {
    /**
     * Stores entities once per context by normalized name (case, accents, punctuation and spacing
     * ignored), leaving existing rows untouched, and says which rows are new: the ingest embeds and
     * links only those. Rows in input order (duplicates map to one row).
     * @example
     * const { rows, insertedIds } = await tx.memory.insertEntities('sage', [{ name: 'Loops', entity_type: 'entity' }]);
     */
    async insertEntities(
      context: string,
      entities: Array<z.input<typeof EntityInput>>,
    ): Promise<UpsertedRows<MemoryEntity>> {
      const ctx = check(Context, context, 'context');
      const valid = check(EntitiesInput, entities, 'entities');
      if (valid.length === 0) return { rows: [], insertedIds: [] };
      const names = valid.map((e) => normalizeEntityName(e.name));
      const emptyAt = names.findIndex((n) => n.length === 0);
      if (emptyAt >= 0)
        throw new RelationalValidationError(`entities.${emptyAt}.name`, 'must contain a letter or a digit');
      const unique = new Map<string, (typeof valid)[number]>();
      valid.forEach((e, i) => {
        if (!unique.has(names[i]!)) unique.set(names[i]!, e);
      });
      try {
        const inserted = await db.runner.query<MemoryEntity>(
          `insert into memory_entities (character_context, name, normalized_name, entity_type, importance_score)
           select $1, u.name, u.normalized_name, u.entity_type, u.importance_score
             from unnest($2::text[], $3::text[], $4::text[], $5::float8[])
               as u(name, normalized_name, entity_type, importance_score)
           on conflict (character_context, normalized_name) do nothing
           returning *`,
          [
            ctx,
            [...unique.values()].map((e) => e.name.slice(0, 200)),
            [...unique.keys()],
            [...unique.values()].map((e) => e.entity_type),
            [...unique.values()].map((e) => e.importance_score ?? 0.5),
          ],
        );
        return await withExisting(
          inserted.rows,
          (r) => r.normalized_name,
          names,
          async (missing) =>
            (
              await db.runner.query<MemoryEntity>(
                'select * from memory_entities where character_context = $1 and normalized_name = any($2::text[])',
                [ctx, missing],
              )
            ).rows,
        );
      } catch (error) {
        throw mapDatabaseError(error, 'insert memory entities');
      }
    },

    /** Entities by id (what the ingest embeds), in no particular order; unknown ids are skipped. */
    async entities(ids: string[]): Promise<MemoryEntity[]> {
      const valid = check(EntityIds, ids, 'ids');
      if (valid.length === 0) return [];
      try {
        const { rows } = await db.runner.query<MemoryEntity>(
          'select * from memory_entities where id = any($1::uuid[])',
          [valid],
        );
        return rows;
      } catch (error) {
        throw mapDatabaseError(error, 'get memory entities');
      }
    },
  };
}
