// The in-process graph cache invalidated by the graph version PostgreSQL keeps. Building the
// character graph and scoring passages (pure code) are in unit/memory-graph.test.ts.
import { createRelational, type Relational } from '@monsteros/relational';
import { createTestDatabase, type TestDatabase } from '@monsteros/schema/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGraphCache, relationalGraphSource } from '../src/memory/graph-cache.js';

describe('graph cache', () => {
  let db: TestDatabase;
  let relational: Relational;
  beforeAll(async () => {
    db = await createTestDatabase({ label: 'flows_memory_graph' });
    relational = createRelational({ databaseUrl: db.url, poolSize: 4 });
  });
  afterAll(async () => {
    await relational?.close();
    await db?.drop();
  });

  async function addTriple(character: string, s: string, o: string, text: string) {
    await relational.transaction(async (tx) => {
      const { rows: passages } = await tx.memory.upsertPassages(character, [{ content: text }]);
      const { rows: e } = await tx.memory.insertEntities(character, [
        { name: s, entity_type: 'entity' },
        { name: o, entity_type: 'entity' },
      ]);
      await tx.memory.insertTripleRows(character, [
        { subject_id: e[0]!.id, predicate: 'knows', object_id: e[1]!.id, passage_id: passages[0]!.id },
      ]);
    });
  }

  it('returns null for a character without memory, reuses the graph while the version stands, reloads when it moves', async () => {
    const cache = createGraphCache(relationalGraphSource(relational));
    expect(await cache.get('nobody')).toBeNull();
    await addTriple('cache-a', 'Alice', 'Bob', 'Alice knows Bob.');
    const first = await cache.get('cache-a');
    expect(first!.entityNames.sort()).toEqual(['Alice', 'Bob']);
    expect(await cache.get('cache-a')).toBe(first);
    expect(cache.stats()).toMatchObject({ loads: 1, hits: 1, entries: 1 });

    await addTriple('cache-a', 'Bob', 'Carol', 'Bob knows Carol.');
    const second = await cache.get('cache-a');
    expect(second).not.toBe(first);
    expect(second!.version).toBeGreaterThan(first!.version);
    expect(second!.entityNames.sort()).toEqual(['Alice', 'Bob', 'Carol']);
    expect(cache.stats().loads).toBe(2);

    // A change by plain SQL (not through our code) is seen too.
    await relational.pool.query(`delete from memory_passages where content = 'Bob knows Carol.'`);
    const third = await cache.get('cache-a');
    expect(third!.passageIds).toHaveLength(1);
  });

  it('shares one load between concurrent misses and holds at most maxCharacters graphs', async () => {
    await addTriple('cache-b', 'x', 'y', 'x knows y.');
    await addTriple('cache-c', 'x', 'y', 'x knows y.');
    const cache = createGraphCache(relationalGraphSource(relational), { maxCharacters: 1 });
    const graphs = await Promise.all(Array.from({ length: 8 }, () => cache.get('cache-b')));
    expect(new Set(graphs).size).toBe(1);
    expect(cache.stats().loads).toBe(1);
    await cache.get('cache-c');
    expect(cache.stats().entries).toBe(1);
    await cache.get('cache-b');
    expect(cache.stats().loads).toBe(3);
    cache.invalidate();
    expect(cache.stats().entries).toBe(0);
  });
});
