// The memory graph repository's bulk ingest, synonym edges, graph versions (kept by triggers) and
// the columnar snapshot the PPR walk is built from, against a real PostgreSQL.
import { createTestDatabase, type TestDatabase } from '@monsteros/schema/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRelational,
  type Relational,
  RelationalError,
  RelationalValidationError,
} from '../src/index.js';

let db: TestDatabase;
let relational: Relational;

beforeAll(async () => {
  db = await createTestDatabase({ label: 'relational_memory' });
  relational = createRelational({ databaseUrl: db.url, poolSize: 4 });
});
afterAll(async () => {
  await relational?.close();
  await db?.drop();
});

const version = async (ctx: string) => (await relational.memory.graphVersion(ctx))?.version ?? 0;

describe('memory graph bulk ingest', () => {
  it('upserts passages in input order, reports only new ones, and rewrites nothing on re-ingest', async () => {
    const first = await relational.memory.upsertPassages('ingest-a', [
      { content: 'Alice met Bob.' },
      { content: 'Bob met Carol.', metadata: { source: 'chapter 2' } },
      { content: 'Alice met Bob.' },
    ]);
    expect(first.rows.map((r) => r.content)).toEqual(['Alice met Bob.', 'Bob met Carol.', 'Alice met Bob.']);
    expect(first.rows[0]!.id).toBe(first.rows[2]!.id);
    expect(first.rows[1]!.metadata).toEqual({ source: 'chapter 2' });
    expect(new Set(first.insertedIds)).toEqual(new Set([first.rows[0]!.id, first.rows[1]!.id]));

    const xminBefore = await relational.pool.query(
      `select xmin::text from memory_passages where character_context = 'ingest-a' order by id`,
    );
    const again = await relational.memory.upsertPassages('ingest-a', [
      { content: 'Bob met Carol.' },
      { content: 'Dave met Erin.' },
    ]);
    expect(again.rows[0]!.id).toBe(first.rows[1]!.id);
    expect(again.insertedIds).toEqual([again.rows[1]!.id]);
    const xminAfter = await relational.pool.query(
      `select xmin::text from memory_passages where character_context = 'ingest-a' and id = any($1::uuid[]) order by id`,
      [first.rows.map((r) => r.id)],
    );
    // The existing rows were not updated (same row versions).
    expect(xminAfter.rows).toEqual(xminBefore.rows);
  });

  it('inserts entities deduplicated by normalized name and says which are new', async () => {
    const first = await relational.memory.insertEntities('ingest-b', [
      { name: 'Alice', entity_type: 'person' },
      { name: '  ALICE! ', entity_type: 'person' },
      { name: 'Bob', entity_type: 'person', importance_score: 0.9 },
    ]);
    expect(first.rows[0]!.id).toBe(first.rows[1]!.id);
    expect(first.rows[2]!.importance_score).toBe(0.9);
    expect(first.insertedIds).toHaveLength(2);
    const again = await relational.memory.insertEntities('ingest-b', [
      { name: 'bob', entity_type: 'person' },
      { name: 'Carol', entity_type: 'person' },
    ]);
    expect(again.rows[0]!.id).toBe(first.rows[2]!.id);
    expect(again.insertedIds).toEqual([again.rows[1]!.id]);
    // Another context has its own entities.
    const other = await relational.memory.insertEntities('ingest-c', [
      { name: 'Alice', entity_type: 'person' },
    ]);
    expect(other.rows[0]!.id).not.toBe(first.rows[0]!.id);
  });

  it('rejects a name without letters or digits and a bad context, naming the field', async () => {
    const bad = await relational.memory
      .insertEntities('ingest-b', [
        { name: 'ok', entity_type: 'x' },
        { name: '?!', entity_type: 'x' },
      ])
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(RelationalValidationError);
    expect((bad as RelationalValidationError).field).toBe('entities.1.name');
    const ctx = await relational.memory
      .upsertPassages('Not A Name', [{ content: 'x' }])
      .catch((e: unknown) => e);
    expect((ctx as RelationalValidationError).field).toBe('context');
    const empty = await relational.memory
      .upsertPassages('ingest-b', [{ content: '' }])
      .catch((e: unknown) => e);
    expect((empty as RelationalValidationError).field).toBe('passages.0.content');
  });

  it('inserts triples in one statement and ignores the ones already stored', async () => {
    const { rows: passages } = await relational.memory.upsertPassages('ingest-d', [{ content: 'p1' }]);
    const { rows: e } = await relational.memory.insertEntities('ingest-d', [
      { name: 'x', entity_type: 'entity' },
      { name: 'y', entity_type: 'entity' },
    ]);
    const triple = {
      subject_id: e[0]!.id,
      predicate: 'knows',
      object_id: e[1]!.id,
      passage_id: passages[0]!.id,
    };
    expect(await relational.memory.insertTripleRows('ingest-d', [triple, triple])).toBe(1);
    expect(await relational.memory.insertTripleRows('ingest-d', [triple])).toBe(0);
  });

  it('returns the ids of the new triples, and reads triples back as facts with their names', async () => {
    const { rows: passages } = await relational.memory.upsertPassages('ingest-f', [{ content: 'p1' }]);
    const { rows: e } = await relational.memory.insertEntities('ingest-f', [
      { name: 'Ada', entity_type: 'entity' },
      { name: 'Alan', entity_type: 'entity' },
    ]);
    const triple = {
      subject_id: e[0]!.id,
      predicate: 'taught',
      object_id: e[1]!.id,
      passage_id: passages[0]!.id,
    };
    const ids = await relational.memory.insertTriples('ingest-f', [triple, { ...triple, predicate: 'met' }]);
    expect(ids).toHaveLength(2);
    expect(await relational.memory.insertTriples('ingest-f', [triple])).toEqual([]);
    const facts = await relational.memory.facts([...ids, '00000000-0000-4000-8000-000000000000']);
    expect(facts.map((f) => [f.subject, f.predicate, f.object, f.passage_id]).sort()).toEqual([
      ['Ada', 'met', 'Alan', passages[0]!.id],
      ['Ada', 'taught', 'Alan', passages[0]!.id],
    ]);
    expect(facts.every((f) => f.character_context === 'ingest-f' && ids.includes(f.id))).toBe(true);
    const bad = await relational.memory.facts(['nope']).catch((error: unknown) => error);
    expect((bad as RelationalValidationError).field).toBe('ids.0');
  });
});

describe('memory graph versions', () => {
  it('starts at none, moves on every insert and delete of the graph, and not on a no-op re-ingest', async () => {
    const ctx = 'version-a';
    expect(await relational.memory.graphVersion(ctx)).toBeNull();
    const { rows: passages } = await relational.memory.upsertPassages(ctx, [{ content: 'A knows B.' }]);
    const v1 = await version(ctx);
    expect(v1).toBe(1);
    const { rows: e } = await relational.memory.insertEntities(ctx, [
      { name: 'A', entity_type: 'entity' },
      { name: 'B', entity_type: 'entity' },
    ]);
    expect(await version(ctx)).toBe(v1 + 1);
    await relational.memory.insertTripleRows(ctx, [
      { subject_id: e[0]!.id, predicate: 'knows', object_id: e[1]!.id, passage_id: passages[0]!.id },
    ]);
    const v3 = await version(ctx);
    expect(v3).toBe(v1 + 2);

    // Re-ingesting the same rows changes nothing.
    await relational.memory.upsertPassages(ctx, [{ content: 'A knows B.' }]);
    await relational.memory.insertEntities(ctx, [{ name: 'a', entity_type: 'entity' }]);
    await relational.memory.insertTripleRows(ctx, [
      { subject_id: e[0]!.id, predicate: 'knows', object_id: e[1]!.id, passage_id: passages[0]!.id },
    ]);
    // An entity's importance is not part of the graph's shape: updating it moves nothing.
    await relational.pool.query('update memory_entities set importance_score = 0.99 where id = $1', [
      e[0]!.id,
    ]);
    expect(await version(ctx)).toBe(v3);

    // A synonym edge, a changed weight, the same weight again.
    await relational.memory.upsertSynonymEdges(ctx, [
      { entity_a_id: e[0]!.id, entity_b_id: e[1]!.id, similarity: 0.85 },
    ]);
    expect(await version(ctx)).toBe(v3 + 1);
    await relational.memory.upsertSynonymEdges(ctx, [
      { entity_a_id: e[1]!.id, entity_b_id: e[0]!.id, similarity: 0.9 },
    ]);
    expect(await version(ctx)).toBe(v3 + 2);
    await relational.memory.upsertSynonymEdges(ctx, [
      { entity_a_id: e[0]!.id, entity_b_id: e[1]!.id, similarity: 0.9 },
    ]);
    expect(await version(ctx)).toBe(v3 + 2);

    // A delete through plain SQL (cascading to triples and synonym edges) moves it too.
    const before = await relational.memory.graphVersion(ctx);
    await relational.pool.query('delete from memory_entities where id = $1', [e[0]!.id]);
    const after = await relational.memory.graphVersion(ctx);
    expect(after!.version).toBeGreaterThan(before!.version);
    expect(after!.changedAt.getTime()).toBeGreaterThanOrEqual(before!.changedAt.getTime());
    // Other contexts keep theirs.
    expect(await relational.memory.graphVersion('version-untouched')).toBeNull();
  });

  it('keeps each context its own version when one statement writes two contexts', async () => {
    await relational.pool.query(
      `insert into memory_passages (character_context, content, content_hash)
       values ('version-b', 'x', 'hx'), ('version-c', 'y', 'hy'), ('version-c', 'z', 'hz')`,
    );
    expect(await version('version-b')).toBe(1);
    expect(await version('version-c')).toBe(1);
  });
});

describe('synonym edges', () => {
  it('stores each unordered pair once, keeps the highest similarity given, and skips entities of another context', async () => {
    const { rows: e } = await relational.memory.insertEntities('syn-a', [
      { name: 'dragon', entity_type: 'entity' },
      { name: 'dragons', entity_type: 'entity' },
      { name: 'wyrm', entity_type: 'entity' },
    ]);
    const { rows: foreign } = await relational.memory.insertEntities('syn-b', [
      { name: 'dragon', entity_type: 'entity' },
    ]);
    const changed = await relational.memory.upsertSynonymEdges('syn-a', [
      { entity_a_id: e[1]!.id, entity_b_id: e[0]!.id, similarity: 0.82 },
      { entity_a_id: e[0]!.id, entity_b_id: e[1]!.id, similarity: 0.93 },
      { entity_a_id: e[0]!.id, entity_b_id: e[2]!.id, similarity: 0.81 },
      { entity_a_id: e[0]!.id, entity_b_id: foreign[0]!.id, similarity: 0.99 },
    ]);
    expect(changed).toBe(2);
    const { rows } = await relational.pool.query(
      `select entity_a_id, entity_b_id, similarity from memory_synonym_edges where character_context = 'syn-a' order by similarity`,
    );
    expect(rows).toHaveLength(2);
    for (const r of rows) expect(r.entity_a_id < r.entity_b_id).toBe(true);
    expect(rows.map((r) => r.similarity)).toEqual([0.81, 0.93]);
  });

  it('rejects a self edge and a similarity outside 0..1', async () => {
    const id = '00000000-0000-4000-8000-000000000001';
    const self = await relational.memory
      .upsertSynonymEdges('syn-a', [{ entity_a_id: id, entity_b_id: id, similarity: 0.9 }])
      .catch((e: unknown) => e);
    expect((self as RelationalValidationError).field).toBe('edges.0');
    const range = await relational.memory
      .upsertSynonymEdges('syn-a', [
        { entity_a_id: id, entity_b_id: '00000000-0000-4000-8000-000000000002', similarity: 1.2 },
      ])
      .catch((e: unknown) => e);
    expect((range as RelationalValidationError).field).toBe('edges.0.similarity');
  });
});

describe('graph snapshot and lock', () => {
  it('loads entities, triples and synonym edges as columns of one snapshot', async () => {
    const ctx = 'snap-a';
    const { rows: p } = await relational.memory.upsertPassages(ctx, [
      { content: 'A knows B. B knows A.' },
      { content: 'A likes B.' },
      { content: 'B meets C. C meets C.' },
    ]);
    const { rows: e } = await relational.memory.insertEntities(ctx, [
      { name: 'A', entity_type: 'entity' },
      { name: 'B', entity_type: 'entity' },
      { name: 'C', entity_type: 'entity' },
      { name: 'Lonely', entity_type: 'entity' },
    ]);
    const [A, B, C, L] = e.map((x) => x.id) as [string, string, string, string];
    await relational.memory.insertTripleRows(ctx, [
      { subject_id: A, predicate: 'knows', object_id: B, passage_id: p[0]!.id },
      { subject_id: B, predicate: 'knows', object_id: A, passage_id: p[0]!.id },
      { subject_id: A, predicate: 'likes', object_id: B, passage_id: p[1]!.id },
      { subject_id: B, predicate: 'meets', object_id: C, passage_id: p[2]!.id },
      { subject_id: C, predicate: 'meets', object_id: C, passage_id: p[2]!.id },
    ]);
    await relational.memory.upsertSynonymEdges(ctx, [{ entity_a_id: C, entity_b_id: L, similarity: 0.8 }]);
    const snap = await relational.transaction((tx) => tx.memory.loadGraphSnapshot(ctx), {
      isolation: 'repeatable read',
    });
    expect(snap.version).toBe(await version(ctx));
    expect(snap.entityIds).toEqual([...e.map((x) => x.id)].sort());
    expect(snap.entityNames[snap.entityIds.indexOf(L)]).toBe('Lonely');
    const triples = snap.triples.subject.map(
      (sub, i) =>
        `${e.findIndex((x) => x.id === sub)}>${e.findIndex((x) => x.id === snap.triples.object[i])}@${p.findIndex((x) => x.id === snap.triples.passage[i])}`,
    );
    expect(triples.sort()).toEqual(['0>1@0', '0>1@1', '1>0@0', '1>2@2', '2>2@2']);
    expect(snap.synonyms).toEqual({ a: [[C, L].sort()[0]], b: [[C, L].sort()[1]], similarity: [0.8] });

    const none = await relational.memory.loadGraphSnapshot('snap-empty');
    expect(none).toMatchObject({
      version: 0,
      entityIds: [],
      triples: { subject: [], object: [], passage: [] },
    });
  });

  it('serializes two ingests of one character on the graph lock, and refuses the lock outside a transaction', async () => {
    const outside = await relational.memory.lockGraph('lock-a').catch((e: unknown) => e);
    expect(outside).toMatchObject({ field: 'memory.lockGraph', code: 'VALIDATION' });
    expect(outside).toBeInstanceOf(RelationalError);
    const order: string[] = [];
    let releaseFirst!: () => void;
    const firstHolds = new Promise<void>((r) => {
      releaseFirst = r;
    });
    let firstLocked!: () => void;
    const locked = new Promise<void>((r) => {
      firstLocked = r;
    });
    const first = relational.transaction(async (tx) => {
      await tx.memory.lockGraph('lock-a');
      order.push('first locked');
      firstLocked();
      await firstHolds;
      order.push('first done');
    });
    await locked;
    const second = relational.transaction(async (tx) => {
      await tx.memory.lockGraph('lock-a');
      order.push('second locked');
    });
    // Wait (bounded) until the second transaction is blocked on the advisory lock.
    for (let i = 0; i < 200; i++) {
      const { rowCount } = await relational.pool.query(
        `select 1 from pg_locks where locktype = 'advisory' and not granted and database = (select oid from pg_database where datname = current_database())`,
      );
      if (rowCount) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    // Another character is not blocked.
    await relational.transaction((tx) => tx.memory.lockGraph('lock-b'));
    releaseFirst();
    await Promise.all([first, second]);
    expect(order).toEqual(['first locked', 'first done', 'second locked']);
  });
});

describe('graph changes (the log the version trigger writes)', () => {
  const changes = (ctx: string, since: number, anchor: string, maxRows?: number) =>
    relational.transaction(
      (tx) => tx.memory.loadGraphChanges(ctx, since, anchor, maxRows === undefined ? {} : { maxRows }),
      { isolation: 'repeatable read' },
    );

  it('gives the rows inserted since a version, and refuses deletes, similarity updates, gaps and big ranges', async () => {
    const ctx = 'changes-a';
    const { rows: p } = await relational.memory.upsertPassages(ctx, [{ content: 'A knows B.' }]);
    const { rows: e } = await relational.memory.insertEntities(ctx, [
      { name: 'A', entity_type: 'entity' },
      { name: 'B', entity_type: 'entity' },
    ]);
    const [A, B] = e.map((x) => x.id) as [string, string];
    await relational.memory.insertTripleRows(ctx, [
      { subject_id: A, predicate: 'knows', object_id: B, passage_id: p[0]!.id },
    ]);
    const since = await version(ctx);
    // Since `since`: a passage, an entity, two triples (one on the old pair), a synonym edge.
    const { rows: p2 } = await relational.memory.upsertPassages(ctx, [{ content: 'B met C; A knows B.' }]);
    const { rows: e2 } = await relational.memory.insertEntities(ctx, [{ name: 'C', entity_type: 'entity' }]);
    const C = e2[0]!.id;
    await relational.memory.insertTripleRows(ctx, [
      { subject_id: B, predicate: 'met', object_id: C, passage_id: p2[0]!.id },
      { subject_id: A, predicate: 'knows', object_id: B, passage_id: p2[0]!.id },
    ]);
    await relational.memory.upsertSynonymEdges(ctx, [{ entity_a_id: A, entity_b_id: C, similarity: 0.9 }]);
    const delta = await changes(ctx, since, A);
    if (!('changes' in delta)) throw new Error(`refused: ${delta.refused}`);
    const c = delta.changes;
    expect(c).toMatchObject({ since, version: since + 4, entities: { ids: [C], names: ['C'] } });
    const name = (id: string) => ({ [A]: 'A', [B]: 'B', [C]: 'C' })[id];
    expect(c.triples.subject.map((s, i) => `${name(s)}>${name(c.triples.object[i]!)}`).sort()).toEqual([
      'A>B',
      'B>C',
    ]);
    // Every triple of the new triples' pairs, the old one flagged as not added.
    const pairs = c.pairTriples.subject.map(
      (s, i) =>
        `${name(s)}>${name(c.pairTriples.object[i]!)}@${c.pairTriples.passage[i] === p[0]!.id ? 0 : 1}:${c.pairTriples.added[i]}`,
    );
    expect(pairs.sort()).toEqual(['A>B@0:false', 'A>B@1:true', 'B>C@1:true']);
    expect(c.synonyms).toEqual({ a: [[A, C].sort()[0]], b: [[A, C].sort()[1]], similarity: [0.9] });
    // Nothing since the current version: empty changes.
    const now = await changes(ctx, since + 4, A);
    expect('changes' in now && now.changes.triples.subject.length).toBe(0);
    expect(await changes(ctx, since, A, 2)).toEqual({ refused: 'too-large', version: since + 4 });

    await relational.memory.upsertSynonymEdges(ctx, [{ entity_a_id: A, entity_b_id: C, similarity: 0.95 }]);
    expect(await changes(ctx, since + 4, A)).toEqual({ refused: 'not-insert-only', version: since + 5 });
    await relational.pool.query('delete from memory_triples where passage_id = $1', [p2[0]!.id]);
    expect(await changes(ctx, since + 5, A)).toEqual({ refused: 'not-insert-only', version: since + 6 });
    // A gap (the log pruned) or an anchor that is gone (tables emptied): history.
    await relational.pool.query(
      'delete from memory_graph_changes where character_context = $1 and version = $2',
      [ctx, since + 6],
    );
    expect(await changes(ctx, since + 5, A)).toEqual({ refused: 'history', version: since + 6 });
    expect(await changes(ctx, since + 6, '00000000-0000-4000-8000-000000000001')).toEqual({
      refused: 'history',
      version: since + 6,
    });
  });

  it('rejects a bad context, version or anchor, naming the field', async () => {
    const anchor = '00000000-0000-4000-8000-000000000001';
    for (const [args, field] of [
      [['Not A Name', 0, anchor], 'context'],
      [['changes-b', -1, anchor], 'since'],
      [['changes-b', 1.5, anchor], 'since'],
      [['changes-b', 0, 'nope'], 'anchorEntityId'],
    ] as const) {
      const error = await relational.memory
        .loadGraphChanges(args[0], args[1], args[2])
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RelationalValidationError);
      expect((error as RelationalValidationError).field).toBe(field);
    }
  });
});
