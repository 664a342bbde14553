import { createHash } from 'node:crypto';
import type { JsonObject, MemoryEntity, MemoryPassage, MemoryTriple } from '@monsteros/schema';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../db.js';
import { mapDatabaseError } from '../errors.js';
import { check, JsonObject as JsonObjectSchema, NonEmptyText, Uuid } from '../validation.js';

const Context = z.string().regex(/^[a-z][a-z0-9_-]{0,49}$/, 'must be a character name or "global"');
const EntityInput = z.object({
  name: NonEmptyText(200),
  entity_type: NonEmptyText(50),
  importance_score: z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').optional(),
});

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

/** A character's whole memory graph, as the PPR walk loads it. */
export interface MemoryGraph {
  entities: MemoryEntity[];
  triples: MemoryTriple[];
}

/** The HippoRAG memory graph rows: passages, entities, triples (bulk, idempotent). */
export function memoryRepository(db: Db) {
  return {
    /**
     * Stores a passage once per character context (by content hash) and returns its row;
     * re-ingesting the same text returns the existing one.
     * @example
     * const passage = await tx.memory.upsertPassage('sage', 'Sage explained loops…');
     */
    async upsertPassage(context: string, content: string, metadata: JsonObject = {}): Promise<MemoryPassage> {
      const ctx = check(Context, context, 'context');
      const text = check(NonEmptyText(100_000), content, 'content');
      const meta = check(JsonObjectSchema, metadata, 'metadata');
      const hash = createHash('sha256').update(text).digest('hex');
      try {
        const row = await db.kysely
          .insertInto('memory_passages')
          .values({
            character_context: ctx,
            content: text,
            content_hash: hash,
            metadata: JSON.stringify(meta),
          })
          .onConflict((oc) =>
            oc
              .columns(['character_context', 'content_hash'])
              .doUpdateSet({ content_hash: (eb) => eb.ref('excluded.content_hash') }),
          )
          .returningAll()
          .executeTakeFirstOrThrow();
        return row as MemoryPassage;
      } catch (error) {
        throw mapDatabaseError(error, 'upsert memory passage');
      }
    },

    /**
     * Upserts entities by normalized name within the context, keeping the higher importance;
     * returns every row, in input order (duplicates in the input map to one row).
     */
    async upsertEntities(
      context: string,
      entities: Array<z.input<typeof EntityInput>>,
    ): Promise<MemoryEntity[]> {
      const ctx = check(Context, context, 'context');
      const valid = check(z.array(EntityInput).max(10_000, 'at most 10000 at once'), entities, 'entities');
      if (valid.length === 0) return [];
      const unique = new Map<string, (typeof valid)[number]>();
      for (const e of valid)
        if (!unique.has(normalizeEntityName(e.name))) unique.set(normalizeEntityName(e.name), e);
      try {
        const rows = await db.kysely
          .insertInto('memory_entities')
          .values(
            [...unique].map(([normalized, e]) => ({
              character_context: ctx,
              name: e.name,
              normalized_name: normalized,
              entity_type: e.entity_type,
              importance_score: e.importance_score ?? 0.5,
            })),
          )
          .onConflict((oc) =>
            oc.columns(['character_context', 'normalized_name']).doUpdateSet({
              importance_score: sql`greatest(memory_entities.importance_score, excluded.importance_score)`,
            }),
          )
          .returningAll()
          .execute();
        const byName = new Map(rows.map((r) => [r.normalized_name, r as MemoryEntity]));
        return valid.map((e) => byName.get(normalizeEntityName(e.name))!);
      } catch (error) {
        throw mapDatabaseError(error, 'upsert memory entities');
      }
    },

    /** Inserts triples, ignoring ones already stored; returns how many were new. */
    async insertTriples(
      context: string,
      triples: Array<{ subject_id: string; predicate: string; object_id: string; passage_id: string }>,
    ): Promise<number> {
      const ctx = check(Context, context, 'context');
      const valid = check(
        z
          .array(
            z.object({ subject_id: Uuid, predicate: NonEmptyText(200), object_id: Uuid, passage_id: Uuid }),
          )
          .max(10_000),
        triples,
        'triples',
      );
      if (valid.length === 0) return 0;
      try {
        const result = await db.kysely
          .insertInto('memory_triples')
          .values(valid.map((t) => ({ ...t, character_context: ctx })))
          .onConflict((oc) => oc.columns(['subject_id', 'predicate', 'object_id', 'passage_id']).doNothing())
          .executeTakeFirst();
        return Number(result.numInsertedOrUpdatedRows ?? 0);
      } catch (error) {
        throw mapDatabaseError(error, 'insert memory triples');
      }
    },

    /** Every entity and triple of a character context (for the graph walk). */
    async loadGraph(context: string): Promise<MemoryGraph> {
      const ctx = check(Context, context, 'context');
      try {
        const [entities, triples] = await Promise.all([
          db.kysely
            .selectFrom('memory_entities')
            .selectAll()
            .where('character_context', '=', ctx)
            .orderBy('id')
            .execute(),
          db.kysely
            .selectFrom('memory_triples')
            .selectAll()
            .where('character_context', '=', ctx)
            .orderBy('id')
            .execute(),
        ]);
        return { entities: entities as MemoryEntity[], triples: triples as MemoryTriple[] };
      } catch (error) {
        throw mapDatabaseError(error, 'load memory graph');
      }
    },

    /** Passages by id (retrieval results), in no particular order. */
    async passages(ids: string[]): Promise<MemoryPassage[]> {
      const valid = check(z.array(Uuid).max(10_000), ids, 'ids');
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
export type MemoryRepository = ReturnType<typeof memoryRepository>;
