import { z } from 'zod';
import type { Db } from '../../db.js';
import { mapDatabaseError } from '../../errors.js';
import { check, Uuid } from '../../validation.js';
import { Context, MAX_BULK } from './inputs.js';

/** A synonym edge between two entities of one context (stored once, `entity_a_id < entity_b_id`). */
export interface SynonymEdgeInput {
  entity_a_id: string;
  entity_b_id: string;
  /** Cosine similarity, 0 to 1: the edge weight. */
  similarity: number;
}

const SynonymInput = z
  .object({
    entity_a_id: Uuid,
    entity_b_id: Uuid,
    similarity: z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1'),
  })
  .refine(
    (e) => e.entity_a_id.toLowerCase() !== e.entity_b_id.toLowerCase(),
    'must join two different entities',
  );
const SynonymsInput = z.array(SynonymInput).max(MAX_BULK, `at most ${MAX_BULK} at once`);

/** Synonym edges between entities of one context, weighted by similarity. */
export function memorySynonymEdges(db: Db) {
  return {
    /**
     * Stores synonym edges (each unordered pair once; a changed similarity is updated, an equal
     * one left alone). Both entities must belong to `context`. Returns how many rows changed.
     * @example
     * await relational.memory.upsertSynonymEdges('sage', [{ entity_a_id, entity_b_id, similarity: 0.91 }]);
     */
    async upsertSynonymEdges(context: string, edges: SynonymEdgeInput[]): Promise<number> {
      const ctx = check(Context, context, 'context');
      const valid = check(SynonymsInput, edges, 'edges');
      if (valid.length === 0) return 0;
      // Canonical order, and one row per pair (the highest similarity) so one statement never
      // touches the same row twice.
      const pairs = new Map<string, { a: string; b: string; similarity: number }>();
      for (const e of valid) {
        const [x, y] = [e.entity_a_id.toLowerCase(), e.entity_b_id.toLowerCase()];
        const [a, b] = x < y ? [x, y] : [y, x];
        const key = `${a}|${b}`;
        const prev = pairs.get(key);
        if (!prev || prev.similarity < e.similarity) pairs.set(key, { a, b, similarity: e.similarity });
      }
      const rows = [...pairs.values()];
      try {
        const result = await db.runner.query(
          `insert into memory_synonym_edges (character_context, entity_a_id, entity_b_id, similarity)
           select $1, u.a, u.b, u.similarity
             from unnest($2::uuid[], $3::uuid[], $4::float8[]) as u(a, b, similarity)
             join memory_entities ea on ea.id = u.a and ea.character_context = $1
             join memory_entities eb on eb.id = u.b and eb.character_context = $1
           on conflict (entity_a_id, entity_b_id) do update set similarity = excluded.similarity
             where memory_synonym_edges.similarity is distinct from excluded.similarity`,
          [ctx, rows.map((r) => r.a), rows.map((r) => r.b), rows.map((r) => r.similarity)],
        );
        return result.rowCount ?? 0;
      } catch (error) {
        throw mapDatabaseError(error, 'upsert memory synonym edges');
      }
    },
  };
}
