import type { Db } from '../../db.js';
import { mapDatabaseError } from '../../errors.js';
import { check } from '../../validation.js';
import { Context, column } from './inputs.js';

/**
 * A character's memory graph in the compact form the PPR walk is built from. Row arrays are
 * columnar (one array per column) so a 50k-entity / 200k-edge graph costs no object per row.
 */
export interface MemoryGraphSnapshot {
  /** 0 when the context has no memory. */
  version: number;
  /** Entities ordered by id. */
  entityIds: string[];
  entityNames: string[];
  /** Every triple's subject, object and passage (the predicate plays no part in the walk). */
  triples: { subject: string[]; object: string[]; passage: string[] };
  /** Synonym edges, weighted by similarity. */
  synonyms: { a: string[]; b: string[]; similarity: number[] };
}

/** A context's whole graph, read in columnar form. */
export function memoryGraphSnapshots(db: Db) {
  return {
    /**
     * The context's whole graph in columnar form, for building the PPR walk. Its reads are one
     * consistent snapshot only inside a `repeatable read` transaction — that is how to call it.
     * @example
     * const snap = await relational.transaction((tx) => tx.memory.loadGraphSnapshot('sage'), { isolation: 'repeatable read' });
     */
    async loadGraphSnapshot(context: string): Promise<MemoryGraphSnapshot> {
      const ctx = check(Context, context, 'context');
      const q = (text: string) => db.runner.query<unknown[]>({ text, values: [ctx], rowMode: 'array' });
      try {
        const version = await q('select version from memory_graph_versions where character_context = $1');
        const entities = await q(
          'select id, name from memory_entities where character_context = $1 order by id',
        );
        const triples = await q(
          'select subject_id, object_id, passage_id from memory_triples where character_context = $1',
        );
        const synonyms = await q(
          'select entity_a_id, entity_b_id, similarity from memory_synonym_edges where character_context = $1',
        );
        const v = version.rows[0] as unknown[] | undefined;
        return {
          version: v ? Number(v[0]) : 0,
          entityIds: column(entities.rows, 0),
          entityNames: column(entities.rows, 1),
          triples: {
            subject: column(triples.rows, 0),
            object: column(triples.rows, 1),
            passage: column(triples.rows, 2),
          },
          synonyms: {
            a: column(synonyms.rows, 0),
            b: column(synonyms.rows, 1),
            similarity: column(synonyms.rows, 2),
          },
        };
      } catch (error) {
        throw mapDatabaseError(error, 'load memory graph snapshot');
      }
    },
  };
}
