import { z } from 'zod';
import type { Db } from '../../db.js';
import { mapDatabaseError } from '../../errors.js';
import { check, Uuid } from '../../validation.js';
import { Context, column } from './inputs.js';

/**
 * What changed in a context's graph from one version to the current one, when every change was an
 * insert (`loadGraphChanges`): enough to patch a graph built at `since` into the graph of `version`.
 */
export interface MemoryGraphChanges {
  since: number;
  /** The context's version in the snapshot: the graph the changes lead to. */
  version: number;
  /** The entities inserted, ordered by id. */
  entities: { ids: string[]; names: string[] };
  /** The triples inserted: subject, object, passage. */
  triples: { subject: string[]; object: string[]; passage: string[] };
  /**
   * Every triple, old or new, whose unordered (subject, object) pair is one of the new triples'
   * pairs (self-loops aside), `added` telling the new ones: how each relation edge's weight (the
   * distinct passages of its pair) was and is.
   */
  pairTriples: { subject: string[]; object: string[]; passage: string[]; added: boolean[] };
  /** The synonym edges inserted. */
  synonyms: { a: string[]; b: string[]; similarity: number[] };
}

/** Why `loadGraphChanges` gave no changes: the graph must be loaded whole. */
export type MemoryGraphChangesRefusal =
  /** The log does not cover every version since (pruned, older than the log, or a reset). */
  | 'history'
  /** A delete (forget, consolidation) or a synonym weight update in the range. */
  | 'not-insert-only'
  /** More rows changed than `maxRows`. */
  | 'too-large';

const Since = z.number().int('must be a whole number').min(0, 'must be 0 or more');

/** The rows inserted into a context's graph since a version, from the change log. */
export function memoryGraphChangeLog(db: Db) {
  return {
    /**
     * The rows inserted into the context's graph since version `since` (from the change log the
     * version trigger writes: `memory_graph_changes`), or why they cannot patch a graph of that
     * version. `anchorEntityId`, an entity of the graph being patched, must still exist: tables
     * emptied by TRUNCATE (a reset) restart the versions without logging a delete. Consistent only
     * inside a `repeatable read` transaction, like `loadGraphSnapshot`.
     * @example
     * const delta = await relational.transaction((tx) => tx.memory.loadGraphChanges('sage', 7, anchorId), { isolation: 'repeatable read' });
     */
    async loadGraphChanges(
      context: string,
      since: number,
      anchorEntityId: string,
      options: { maxRows?: number } = {},
    ): Promise<{ changes: MemoryGraphChanges } | { refused: MemoryGraphChangesRefusal; version: number }> {
      const ctx = check(Context, context, 'context');
      const from = check(Since, since, 'since');
      const anchor = check(Uuid, anchorEntityId, 'anchorEntityId');
      const maxRows = options.maxRows ?? Number.POSITIVE_INFINITY;
      const q = (text: string, values: unknown[]) =>
        db.runner.query<unknown[]>({ text, values, rowMode: 'array' });
      try {
        const v = (await q('select version from memory_graph_versions where character_context = $1', [ctx]))
          .rows[0];
        const version = v ? Number(v[0]) : 0;
        const log = await q(
          `select count(*)::int,
                  count(*) filter (where operation <> 'insert')::int,
                  coalesce(sum(cardinality(ids)), 0)::int,
                  exists (select 1 from memory_entities where id = $4 and character_context = $1)
             from memory_graph_changes
            where character_context = $1 and version > $2 and version <= $3`,
          [ctx, from, version, anchor],
        );
        const [entries, other, rows, anchored] = log.rows[0] as [number, number, number, boolean];
        if (!anchored || version < from || entries !== version - from) return { refused: 'history', version };
        if (other > 0) return { refused: 'not-insert-only', version };
        if (rows > maxRows) return { refused: 'too-large', version };
        const range = [ctx, from, version];
        const entities = await q(
          `select e.id, e.name
             from memory_graph_changes c cross join unnest(c.ids) as u(id)
             join memory_entities e on e.id = u.id
            where c.character_context = $1 and c.version > $2 and c.version <= $3
              and c.table_name = 'memory_entities'
            order by e.id`,
          range,
        );
        const triples = await q(
          `select t.id, t.subject_id, t.object_id, t.passage_id
             from memory_graph_changes c cross join unnest(c.ids) as u(id)
             join memory_triples t on t.id = u.id
            where c.character_context = $1 and c.version > $2 and c.version <= $3
              and c.table_name = 'memory_triples'`,
          range,
        );
        const tripleIds = column<string>(triples.rows, 0);
        // Both orientations of each new pair, through the (subject_id, …) unique index.
        const pairTriples =
          tripleIds.length === 0
            ? { rows: [] as unknown[][] }
            : await q(
                `with added as (select unnest($1::uuid[]) as id),
                      pairs as (
                        select distinct t.subject_id as x, t.object_id as y
                          from memory_triples t join added a on a.id = t.id
                         where t.subject_id <> t.object_id)
                 select t.subject_id, t.object_id, t.passage_id, t.id in (select id from added)
                   from pairs p join memory_triples t on t.subject_id = p.x and t.object_id = p.y
                 union
                 select t.subject_id, t.object_id, t.passage_id, t.id in (select id from added)
                   from pairs p join memory_triples t on t.subject_id = p.y and t.object_id = p.x`,
                [tripleIds],
              );
        const synonyms = await q(
          `select s.entity_a_id, s.entity_b_id, s.similarity
             from memory_graph_changes c cross join unnest(c.ids, c.ids_b) as u(a, b)
             join memory_synonym_edges s on s.entity_a_id = u.a and s.entity_b_id = u.b
            where c.character_context = $1 and c.version > $2 and c.version <= $3
              and c.table_name = 'memory_synonym_edges'`,
          range,
        );
        return {
          changes: {
            since: from,
            version,
            entities: { ids: column(entities.rows, 0), names: column(entities.rows, 1) },
            triples: {
              subject: column(triples.rows, 1),
              object: column(triples.rows, 2),
              passage: column(triples.rows, 3),
            },
            pairTriples: {
              subject: column(pairTriples.rows, 0),
              object: column(pairTriples.rows, 1),
              passage: column(pairTriples.rows, 2),
              added: column(pairTriples.rows, 3),
            },
            synonyms: {
              a: column(synonyms.rows, 0),
              b: column(synonyms.rows, 1),
              similarity: column(synonyms.rows, 2),
            },
          },
        };
      } catch (error) {
        throw mapDatabaseError(error, 'load memory graph changes');
      }
    },
  };
}
