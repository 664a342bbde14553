// Incremental graph updates: a held graph patched with the rows inserted since its version (the
// change log the version trigger writes) walks exactly as the graph built whole from a snapshot of
// the same version — under random sequences of inserts, and under concurrent ingests and
// retrievals; deletes, similarity updates and emptied tables fall back to a whole load.
import { createRelational, type Relational } from '@monsteros/relational';
import { createTestDatabase, seededRandom, type TestDatabase } from '@monsteros/schema/testing';
import { createVectors, type Vectors } from '@monsteros/vectors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCharacterGraph, type CharacterGraph } from '../src/memory/character-graph.js';
import { createGraphCache, relationalGraphSource } from '../src/memory/graph-cache.js';
import { patchCharacterGraph } from '../src/memory/graph-patch.js';
import { createMemory } from '../src/memory/memory.js';
import { personalizedPageRank } from '../src/memory/ppr.js';

let db: TestDatabase;
let relational: Relational;
let vectors: Vectors;

beforeAll(async () => {
  db = await createTestDatabase({ label: 'flows_memory_patch' });
  relational = createRelational({ databaseUrl: db.url, poolSize: 8 });
  vectors = await createVectors({ qdrant: { local: ':memory:' }, collectionPrefix: 'patchtest_' });
  await vectors.ensureCollections();
});
afterAll(async () => {
  await vectors?.close();
  await relational?.close();
  await db?.drop();
});

const source = () => relationalGraphSource(relational);
const fullGraph = async (character: string) =>
  buildCharacterGraph(character, await source().snapshot(character));

/** A node by what it stands for (entity or passage id), independent of the numbering. */
function nodeName(graph: CharacterGraph, node: number): string {
  const n = graph.entityIds.length;
  return node < n ? `e:${graph.entityIds[node]}` : `p:${graph.passageIds[node - n]}`;
}

/** Everything the walk and the scoring read, keyed by ids: equal for equal graphs. */
function canonical(graph: CharacterGraph) {
  const g = graph.graph;
  const edges = new Map<string, number>();
  for (let v = 0; v < g.nodeCount; v++)
    for (let e = g.inStart[v]!; e < g.inStart[v + 1]!; e++) {
      const key = `${nodeName(graph, g.inSource[e]!)} -> ${nodeName(graph, v)}`;
      edges.set(key, (edges.get(key) ?? 0) + g.inWeight[e]!);
    }
  const out = new Map<string, number>();
  for (let v = 0; v < g.nodeCount; v++) out.set(nodeName(graph, v), g.outWeight[v]!);
  const mentions = new Map<string, string[]>();
  graph.passageIds.forEach((pid, p) => {
    const list: string[] = [];
    for (let e = graph.mentionStart[p]!; e < graph.mentionStart[p + 1]!; e++)
      list.push(graph.entityIds[graph.mentionEntity[e]!]!);
    mentions.set(pid, list.sort());
  });
  const entities = new Map(
    graph.entityIds.map((id, i) => [id, { name: graph.entityNames[i], passages: graph.entityPassages[i] }]),
  );
  for (const [id, i] of graph.indexOf) expect(graph.entityIds[i]).toBe(id);
  for (const [id, p] of graph.passageIndex) expect(graph.passageIds[p]).toBe(id);
  return {
    version: graph.version,
    nodes: g.nodeCount,
    relationEdges: graph.relationEdges,
    synonymEdges: graph.synonymEdges,
    edges,
    out,
    mentions,
    entities,
  };
}

/** Asserts two graphs are the same graph (weights to 1e-9) and walk to the same PPR scores. */
function expectSameGraph(patched: CharacterGraph, full: CharacterGraph, random: () => number) {
  const a = canonical(patched);
  const b = canonical(full);
  expect({ ...a, edges: null, out: null }).toEqual({ ...b, edges: null, out: null });
  expect([...a.edges.keys()].sort()).toEqual([...b.edges.keys()].sort());
  for (const [key, w] of b.edges) expect(Math.abs(a.edges.get(key)! - w), key).toBeLessThan(1e-9);
  for (const [key, w] of b.out) expect(Math.abs(a.out.get(key)! - w), key).toBeLessThan(1e-9);
  if (full.entityIds.length === 0) return;
  // The names dictionary (extended along the patches) finds the same names as one built whole.
  const query = Array.from(
    { length: 6 },
    () => full.entityNames[Math.floor(random() * full.entityNames.length)],
  ).join(' and ');
  const mentions = (graph: CharacterGraph) =>
    graph
      .dictionary()
      .find(query)
      .map((m) => [m.name, m.word, m.values.map((node) => graph.entityIds[node]).sort()]);
  expect(mentions(patched)).toEqual(mentions(full));
  expect(patched.dictionary().size).toBe(full.dictionary().size);
  // PPR from a few random entities (and a passage node), compared node by node.
  const seeds = Array.from(
    { length: 3 },
    () => full.entityIds[Math.floor(random() * full.entityIds.length)]!,
  );
  const personalization = (graph: CharacterGraph) => {
    const p = new Map<number, number>();
    seeds.forEach((id, i) => {
      p.set(graph.indexOf.get(id)!, 1 + i);
    });
    if (full.passageIds.length > 0)
      p.set(graph.entityIds.length + graph.passageIndex.get(full.passageIds[0]!)!, 0.05);
    return p;
  };
  const pa = personalizedPageRank(patched.graph, personalization(patched), { damping: 0.5 });
  const pb = personalizedPageRank(full.graph, personalization(full), { damping: 0.5 });
  for (let v = 0; v < full.graph.nodeCount; v++) {
    const name = nodeName(full, v);
    const w = name.startsWith('e:')
      ? patched.indexOf.get(name.slice(2))!
      : patched.entityIds.length + patched.passageIndex.get(name.slice(2))!;
    expect(Math.abs(pa.scores[w]! - pb.scores[v]!), name).toBeLessThan(1e-9);
  }
}

describe('incremental graph updates', () => {
  it('patches to the same graph as a full build over random sequences of inserts (and falls back on the rest)', async () => {
    const random = seededRandom(16);
    const character = 'patch-random';
    const cache = createGraphCache(source());
    const names = Array.from({ length: 40 }, (_, i) => `Name ${i}`);
    let texts = 0;
    const passages: string[] = [];
    const kinds = new Map<string, number>();
    for (let step = 0; step < 60; step++) {
      const ops = 1 + Math.floor(random() * 3);
      for (let o = 0; o < ops; o++) {
        const roll = random();
        if (roll < 0.55) {
          // Passage with triples (sometimes an existing passage gains triples, or a self-loop).
          await relational.transaction(async (tx) => {
            const text =
              passages.length > 0 && random() < 0.25
                ? passages[Math.floor(random() * passages.length)]!
                : `text ${texts++}`;
            const { rows } = await tx.memory.upsertPassages(character, [{ content: text }]);
            if (!passages.includes(text)) passages.push(text);
            const count = 1 + Math.floor(random() * 4);
            const picked = Array.from(
              { length: count * 2 },
              () => names[Math.floor(random() * names.length)]!,
            );
            const { rows: entities } = await tx.memory.insertEntities(
              character,
              picked.map((name) => ({ name, entity_type: 'entity' })),
            );
            await tx.memory.insertTripleRows(
              character,
              Array.from({ length: count }, (_, i) => ({
                subject_id: entities[2 * i]!.id,
                predicate: random() < 0.5 ? 'knows' : 'met',
                object_id: entities[2 * i + 1]!.id,
                passage_id: rows[0]!.id,
              })),
            );
          });
        } else if (roll < 0.65) {
          // A passage without triples: a version without a graph change.
          await relational.memory.upsertPassages(character, [{ content: `lone ${texts++}` }]);
        } else if (roll < 0.9) {
          const ids = (await fullGraph(character)).entityIds;
          if (ids.length < 2) continue;
          const a = ids[Math.floor(random() * ids.length)]!;
          const b = ids[Math.floor(random() * ids.length)]!;
          if (a === b) continue;
          // New pairs, a pair again (unchanged), sometimes a changed similarity (an update).
          const similarity = random() < 0.8 ? 0.9 : 0.8 + Math.floor(random() * 20) / 100;
          await relational.memory.upsertSynonymEdges(character, [
            { entity_a_id: a, entity_b_id: b, similarity },
          ]);
        } else if (roll < 0.95) {
          // Entities only (no triple yet): nodes without edges.
          await relational.memory.insertEntities(character, [
            { name: `Loner ${Math.floor(random() * 1000)}`, entity_type: 'entity' },
          ]);
        } else {
          // A delete (forget): the next load is whole.
          const ids = (await fullGraph(character)).entityIds;
          if (ids.length > 5)
            await relational.pool.query('delete from memory_entities where id = $1', [
              ids[Math.floor(random() * ids.length)],
            ]);
        }
      }
      const held = await cache.get(character);
      if (!held) continue;
      kinds.set(cache.stats().lastLoad ?? 'none', (kinds.get(cache.stats().lastLoad ?? 'none') ?? 0) + 1);
      expectSameGraph(held, await fullGraph(character), random);
    }
    expect(kinds.get('patch')).toBeGreaterThan(20);
    expect(kinds.get('not-insert-only')).toBeGreaterThan(0);
    expect(cache.stats().patches).toBe(kinds.get('patch'));
  });

  it('gives the same graph as a full build under concurrent ingests and retrievals', async () => {
    const random = seededRandom(7);
    const character = 'patch-concurrent';
    const memory = createMemory({ relational, vectors, synonymThreshold: 0.6 });
    const reader = createGraphCache(source());
    const names = Array.from({ length: 60 }, (_, i) => `Person ${i % 30} ${i < 30 ? 'Smith' : 'Smyth'}`);
    const passage = (w: number, i: number) => {
      const triples = Array.from({ length: 1 + Math.floor(random() * 3) }, () => [
        names[Math.floor(random() * names.length)]!,
        'met',
        names[Math.floor(random() * names.length)]!,
      ]) as Array<[string, string, string]>;
      return { text: `writer ${w} passage ${i} ${triples.flat().join(' ')}`, triples };
    };
    await memory.ingest({ character, passages: [passage(0, -1)] });
    // Rounds: in each, 4 ingests, raw synonym writes (no graph lock: new entities and an edge
    // between them) and retrievals all at once; between rounds, the reader's graph (patched
    // while the writes went on) is compared with a full build of the same version.
    let compared = 0;
    for (let round = 0; round < 10; round++) {
      const ingests = Array.from({ length: 4 }, (_, w) =>
        memory.ingest({
          character,
          passages: Array.from({ length: 1 + ((round + w) % 3) }, (_, j) => passage(w, round * 10 + j)),
        }),
      );
      const synonyms = (async () => {
        const { rows } = await relational.memory.insertEntities(character, [
          { name: `Alias ${round} a`, entity_type: 'entity' },
          { name: `Alias ${round} b`, entity_type: 'entity' },
        ]);
        await relational.memory.upsertSynonymEdges(character, [
          { entity_a_id: rows[0]!.id, entity_b_id: rows[1]!.id, similarity: 0.85 },
        ]);
      })();
      const reads = Array.from({ length: 3 }, async () => {
        const [held, retrieved] = await Promise.all([
          reader.get(character),
          memory.retrieve({ character, query: 'Who met Person 3 Smith?' }),
        ]);
        expect(retrieved.mode).not.toBe('empty');
        expect(held).not.toBeNull();
      });
      await Promise.all([...ingests, synonyms, ...reads]);
      const held = await reader.get(character);
      expectSameGraph(held!, await fullGraph(character), random);
      compared++;
    }
    expect(compared).toBe(10);
    expect(reader.stats().patches).toBeGreaterThan(0);
  });

  it('loads whole when the log no longer covers the held version, or the tables were emptied', async () => {
    const character = 'patch-history';
    const cache = createGraphCache(source());
    await relational.transaction(async (tx) => {
      const { rows } = await tx.memory.upsertPassages(character, [{ content: 'Ada taught Alan.' }]);
      const { rows: e } = await tx.memory.insertEntities(character, [
        { name: 'Ada', entity_type: 'entity' },
        { name: 'Alan', entity_type: 'entity' },
      ]);
      await tx.memory.insertTripleRows(character, [
        { subject_id: e[0]!.id, predicate: 'taught', object_id: e[1]!.id, passage_id: rows[0]!.id },
      ]);
    });
    const first = (await cache.get(character))!;
    // The log pruned (or written before the log existed): a gap in the versions.
    await relational.memory.insertEntities(character, [{ name: 'Grace', entity_type: 'entity' }]);
    await relational.pool.query('delete from memory_graph_changes where character_context = $1', [character]);
    await relational.memory.insertEntities(character, [{ name: 'Edsger', entity_type: 'entity' }]);
    const second = (await cache.get(character))!;
    expect(cache.stats().lastLoad).toBe('history');
    expect(second.entityNames.sort()).toEqual(['Ada', 'Alan', 'Edsger', 'Grace']);
    // Emptied by TRUNCATE (a reset) and refilled up to past the held version: no delete was
    // logged, the versions restarted; the held graph's anchor entity is gone.
    await relational.pool.query(
      'truncate memory_triples, memory_synonym_edges, memory_entities, memory_passages, memory_graph_versions, memory_graph_changes',
    );
    for (let i = 0; i < second.version + 2; i++)
      await relational.memory.insertEntities(character, [{ name: `Fresh ${i}`, entity_type: 'entity' }]);
    const third = (await cache.get(character))!;
    expect(cache.stats().lastLoad).toBe('history');
    expectSameGraph(third, await fullGraph(character), seededRandom(1));
    expect(first.version).toBeLessThan(second.version);
  });

  it('reloads whole with incrementalGraphs: false, and refuses a value that is not a boolean', async () => {
    const character = 'patch-off';
    const memories = [
      createMemory({ relational, vectors }),
      createMemory({ relational, vectors, incrementalGraphs: false }),
    ];
    for (let i = 0; i < 3; i++) {
      await memories[0]!.ingest({
        character,
        passages: [{ text: `Ada met Alan ${i}.`, triples: [['Ada', 'met', `Alan ${i}`]] }],
      });
      for (const memory of memories)
        expect((await memory.retrieve({ character, query: 'Who did Ada meet?' })).mode).toBe('graph');
    }
    expect(memories.map((m) => m.graphStats().patches)).toEqual([2, 0]);
    expect(memories.map((m) => m.graphStats().loads)).toEqual([3, 3]);
    expect(() =>
      createMemory({ relational, vectors, incrementalGraphs: 'yes' as unknown as boolean }),
    ).toThrow(
      expect.objectContaining({
        field: 'options.incrementalGraphs',
        message: expect.stringMatching(/true or false/),
      }),
    );
  });

  it('refuses changes that do not start at the graph, or name entities it does not hold', async () => {
    const character = 'patch-mismatch';
    await relational.transaction(async (tx) => {
      const { rows } = await tx.memory.upsertPassages(character, [{ content: 'Ada met Alan.' }]);
      const { rows: e } = await tx.memory.insertEntities(character, [
        { name: 'Ada', entity_type: 'entity' },
        { name: 'Alan', entity_type: 'entity' },
      ]);
      await tx.memory.insertTripleRows(character, [
        { subject_id: e[0]!.id, predicate: 'met', object_id: e[1]!.id, passage_id: rows[0]!.id },
      ]);
    });
    const graph = await fullGraph(character);
    const empty = { ids: [], names: [] };
    const none = { subject: [], object: [], passage: [] };
    const base = {
      since: graph.version,
      version: graph.version + 1,
      entities: empty,
      triples: none,
      pairTriples: { ...none, added: [] },
      synonyms: { a: [], b: [], similarity: [] },
    };
    expect(patchCharacterGraph(graph, { ...base, since: graph.version - 1 })).toBeNull();
    expect(
      patchCharacterGraph(graph, { ...base, entities: { ids: [graph.entityIds[0]!], names: ['Ada'] } }),
    ).toBeNull();
    const stranger = '00000000-0000-4000-8000-000000000999';
    expect(
      patchCharacterGraph(graph, {
        ...base,
        synonyms: { a: [graph.entityIds[0]!], b: [stranger], similarity: [0.9] },
      }),
    ).toBeNull();
    // Nothing that reaches the graph (a passage without triples): the same graph, the new version.
    const same = patchCharacterGraph(graph, base)!;
    expect(same.version).toBe(graph.version + 1);
    expect(same.graph).toBe(graph.graph);
  });
});
