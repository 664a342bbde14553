import { z } from 'zod';
import type { Db } from '../../db.js';
import { mapDatabaseError } from '../../errors.js';
import { check, NonEmptyText, Uuid } from '../../validation.js';
import { Context, MAX_BULK } from './inputs.js';

/** A triple to insert: entity ids, the predicate, and the passage it was extracted from. */
export interface TripleRowInput {
  subject_id: string;
  predicate: string;
  object_id: string;
  passage_id: string;
}

/** A triple read back as a fact: ids with the subject's and object's names. */
export interface MemoryFact {
  id: string;
  character_context: string;
  subject_id: string;
  subject: string;
  predicate: string;
  object_id: string;
  object: string;
  passage_id: string;
  created_at: Date;
}

const TriplesInput = z
  .array(z.object({ subject_id: Uuid, predicate: NonEmptyText(200), object_id: Uuid, passage_id: Uuid }))
  .max(MAX_BULK, `at most ${MAX_BULK} at once`);
const TripleIds = z.array(Uuid).max(MAX_BULK, `at most ${MAX_BULK} at once`);

/** Memory triples (subject, predicate, object, passage): inserted in bulk, read back as facts. */
export function memoryTriples(db: Db) {
  async function insertTriples(context: string, triples: TripleRowInput[]): Promise<string[]> {
    const ctx = check(Context, context, 'context');
    const valid = check(TriplesInput, triples, 'triples');
    if (valid.length === 0) return [];
    try {
      const result = await db.runner.query<{ id: string }>(
        `insert into memory_triples (character_context, subject_id, predicate, object_id, passage_id)
         select $1, u.s, u.p, u.o, u.passage
           from unnest($2::uuid[], $3::text[], $4::uuid[], $5::uuid[]) as u(s, p, o, passage)
         on conflict (subject_id, predicate, object_id, passage_id) do nothing
         returning id`,
        [
          ctx,
          valid.map((t) => t.subject_id),
          valid.map((t) => t.predicate),
          valid.map((t) => t.object_id),
          valid.map((t) => t.passage_id),
        ],
      );
      return result.rows.map((r) => r.id);
    } catch (error) {
      throw mapDatabaseError(error, 'insert memory triples');
    }
  }

  return {
    /**
     * Inserts triples in one statement (any number up to 50,000), ignoring ones already stored;
     * returns how many were new.
     * @example
     * await tx.memory.insertTripleRows('sage', [{ subject_id, predicate: 'teaches', object_id, passage_id }]);
     */
    async insertTripleRows(context: string, triples: TripleRowInput[]): Promise<number> {
      return (await insertTriples(context, triples)).length;
    },

    /**
     * `insertTripleRows` returning the ids of the triples this call inserted (the rest existed):
     * what the memory's outbox event carries to embed the new facts.
     * @example
     * const newIds = await tx.memory.insertTriples('sage', [{ subject_id, predicate: 'teaches', object_id, passage_id }]);
     */
    insertTriples,

    /**
     * Triples by id as facts, with their subject's and object's names (what the fact embeddings
     * of `knowledge_graph_vectors` are made of), in no particular order; ids not found are absent.
     * @example
     * const facts = await relational.memory.facts([tripleId]); // [{ subject: 'Ada', predicate: 'taught', object: 'Alan', … }]
     */
    async facts(ids: string[]): Promise<MemoryFact[]> {
      const valid = check(TripleIds, ids, 'ids');
      if (valid.length === 0) return [];
      try {
        const { rows } = await db.runner.query<MemoryFact>(
          `select t.id, t.character_context, t.subject_id, s.name as subject, t.predicate,
                  t.object_id, o.name as object, t.passage_id, t.created_at
             from memory_triples t
             join memory_entities s on s.id = t.subject_id
             join memory_entities o on o.id = t.object_id
            where t.id = any($1::uuid[])`,
          [valid],
        );
        return rows;
      } catch (error) {
        throw mapDatabaseError(error, 'get memory facts');
      }
    },
  };
}
