import { createHash } from 'node:crypto';
import type { MemoryEntity, MemoryPassage } from '@monsteros/schema';
import { z } from 'zod';
import type { Db } from '../db.js';
import { mapDatabaseError, RelationalValidationError } from '../errors.js';
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

/** Rows of a bulk upsert, in input order, and the ids this call inserted (the rest existed). */
export interface UpsertedRows<Row> {
  rows: Row[];
  insertedIds: string[];
}

/** A synonym edge between two entities of one context (stored once, `entity_a_id < entity_b_id`). */
export interface SynonymEdgeInput {
  entity_a_id: string;
  entity_b_id: string;
  /** Cosine similarity, 0 to 1: the edge weight. */
  similarity: number;
}

/** The version of a context's memory graph (bumped by the database on every graph change). */
export interface MemoryGraphVersionRow {
  version: number;
  changedAt: Date;
}

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

const MAX_BULK = 50_000;

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
const PassageInput = z.object({
  content: NonEmptyText(100_000),
  metadata: JsonObjectSchema.optional(),
});
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

/** Column arrays of `rows` (rowMode 'array'), by position. */
function column<T>(rows: unknown[][], index: number): T[] {
  const out = new Array<T>(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = rows[i]![index] as T;
  return out;
}

/**
 * The tail of an insert-new-only bulk write: `inserted` are the rows the `on conflict do nothing`
 * insert returned; the keys it skipped are read back, and every input key maps to its row.
 */
async function withExisting<Row extends { id: string }>(
  inserted: Row[],
  keyOf: (row: Row) => string,
  inputKeys: string[],
  fetchExisting: (missing: string[]) => Promise<Row[]>,
): Promise<UpsertedRows<Row>> {
  const byKey = new Map(inserted.map((r) => [keyOf(r), r]));
  const missing = [...new Set(inputKeys)].filter((k) => !byKey.has(k));
  if (missing.length > 0) for (const r of await fetchExisting(missing)) byKey.set(keyOf(r), r);
  return { rows: inputKeys.map((k) => byKey.get(k)!), insertedIds: inserted.map((r) => r.id) };
}

/**
 * The HippoRAG memory graph rows of each character context: passages, entities, triples and
 * synonym edges written in bulk and idempotently, the graph version, and the columnar snapshot
 * the PPR walk is built from.
 */
export function memoryRepository(db: Db) {
  async function insertTriples(context: string, triples: TripleRowInput[]): Promise<string[]> {
    const ctx = check(Context, context, 'context');
    const valid = check(
      z
        .array(
          z.object({ subject_id: Uuid, predicate: NonEmptyText(200), object_id: Uuid, passage_id: Uuid }),
        )
        .max(MAX_BULK, `at most ${MAX_BULK} at once`),
      triples,
      'triples',
    );
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
      const valid = check(
        z.array(PassageInput).max(MAX_BULK, `at most ${MAX_BULK} at once`),
        passages,
        'passages',
      );
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
      const valid = check(
        z.array(EntityInput).max(MAX_BULK, `at most ${MAX_BULK} at once`),
        entities,
        'entities',
      );
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
      const valid = check(z.array(Uuid).max(MAX_BULK, `at most ${MAX_BULK} at once`), ids, 'ids');
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

    /**
     * Stores synonym edges (each unordered pair once; a changed similarity is updated, an equal
     * one left alone). Both entities must belong to `context`. Returns how many rows changed.
     * @example
     * await relational.memory.upsertSynonymEdges('sage', [{ entity_a_id, entity_b_id, similarity: 0.91 }]);
     */
    async upsertSynonymEdges(context: string, edges: SynonymEdgeInput[]): Promise<number> {
      const ctx = check(Context, context, 'context');
      const valid = check(z.array(SynonymInput).max(MAX_BULK, `at most ${MAX_BULK} at once`), edges, 'edges');
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
      const from = check(
        z.number().int('must be a whole number').min(0, 'must be 0 or more'),
        since,
        'since',
      );
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

    /** Entities by id (what the ingest embeds), in no particular order; unknown ids are skipped. */
    async entities(ids: string[]): Promise<MemoryEntity[]> {
      const valid = check(z.array(Uuid).max(MAX_BULK), ids, 'ids');
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
