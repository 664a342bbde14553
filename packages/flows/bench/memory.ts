// `pnpm --filter @monsteros/flows exec tsx bench/memory.ts`: the HippoRAG graph walk for one
// character with 50k entities and 200k relation edges (plus synonym edges), seeded in a fresh
// PostgreSQL database. Cases:
// - graph walk: PPR (damping 0.5) + passage scoring on the cached graph, ours (CSR, typed arrays)
//   against a raw baseline (the same power iteration over an array of edge objects). Target p50 < 200 ms.
// - graph load: snapshot in one repeatable-read transaction + CSR build (paid once per version).
// - version check: the one indexed read every retrieval makes to validate the cached graph.
// - retrieve: the whole `memory.retrieve` (entity linking by vector search in the local mode over
//   the 50k entity embeddings, version check, PPR, scoring, passage rows), warm graph; without a
//   Redis cache, and a repeated query answered from Redis.
// - names dictionary of a new version: built whole, or the previous one extended by 5 names.
// - first retrieve after an ingest of 5 passages: the held graph patched with the changes since
//   its version, against the graph built whole (BENCH_INGESTS rounds, default 30).
// BENCH_ENTITIES, BENCH_EDGES, BENCH_ITERATIONS, BENCH_INGESTS narrow a run.
import { type BenchRow, measure, report, seededRandom as rng, summarize } from '@monsteros/bench-kit';
import { createCache } from '@monsteros/cache';
import { createRelational } from '@monsteros/relational';
import { createTestDatabase } from '@monsteros/schema/testing';
import { createVectors } from '@monsteros/vectors';
import { buildCharacterGraph, scorePassages } from '../src/memory/character-graph.js';
import { createEntityDictionary } from '../src/memory/entity-mentions.js';
import { createGraphCache, relationalGraphSource } from '../src/memory/graph-cache.js';
import { createMemory } from '../src/memory/memory.js';
import { personalizedPageRank } from '../src/memory/ppr.js';

const ENTITIES = Number(process.env.BENCH_ENTITIES ?? 50_000);
const EDGES = Number(process.env.BENCH_EDGES ?? 200_000);
const SYNONYMS = Math.round(ENTITIES / 10);
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 50);
const INGESTS = Number(process.env.BENCH_INGESTS ?? 30);
const TOP_K = 10;
const CHARACTER = 'bench-sage';

const db = await createTestDatabase({ label: 'flows_memory_bench' });
const relational = createRelational({ databaseUrl: db.url, poolSize: 4, statementTimeoutMs: 600_000 });
const vectors = await createVectors({ qdrant: { local: ':memory:' }, collectionPrefix: 'bench_' });
const cachePrefix = `bench:flows-memory:${process.pid}:`;
const cache = createCache({ prefix: cachePrefix });
try {
  // --- seed: entities, then passages of 2 triples each; endpoints skewed (a few hub entities,
  // a long tail), as extracted knowledge graphs are.
  const random = rng(7);
  const seedStarted = performance.now();
  const names = Array.from({ length: ENTITIES }, (_, i) => `entity ${i}`);
  const ids: string[] = [];
  for (let i = 0; i < ENTITIES; i += 50_000) {
    const { rows } = await relational.memory.insertEntities(
      CHARACTER,
      names.slice(i, i + 50_000).map((name) => ({ name, entity_type: 'entity' })),
    );
    ids.push(...rows.map((r) => r.id));
  }
  const pick = () => Math.floor(ENTITIES * random() ** 2);
  const passageCount = Math.ceil(EDGES / 2);
  for (let start = 0; start < passageCount; start += 25_000) {
    const count = Math.min(25_000, passageCount - start);
    const { rows: passages } = await relational.memory.upsertPassages(
      CHARACTER,
      Array.from({ length: count }, (_, i) => ({ content: `passage ${start + i}` })),
    );
    const triples = [];
    for (const passage of passages) {
      const a = pick();
      let b = pick();
      let c = pick();
      if (b === a) b = (a + 1) % ENTITIES;
      if (c === b) c = (b + 1) % ENTITIES;
      triples.push(
        { subject_id: ids[a]!, predicate: 'relates to', object_id: ids[b]!, passage_id: passage.id },
        { subject_id: ids[b]!, predicate: 'leads to', object_id: ids[c]!, passage_id: passage.id },
      );
    }
    await relational.memory.insertTripleRows(CHARACTER, triples);
  }
  const synonyms = Array.from({ length: SYNONYMS }, () => {
    const a = Math.floor(random() * ENTITIES);
    const b = (a + 1 + Math.floor(random() * (ENTITIES - 1))) % ENTITIES;
    return { entity_a_id: ids[a]!, entity_b_id: ids[b]!, similarity: 0.8 + random() * 0.2 };
  });
  await relational.memory.upsertSynonymEdges(CHARACTER, synonyms);
  await relational.pool.query('analyze');
  console.log(`seeded in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);

  const source = relationalGraphSource(relational);
  const snapshot = await source.snapshot(CHARACTER);
  const graph = buildCharacterGraph(CHARACTER, snapshot);
  console.log(
    `graph: ${graph.entityIds.length} entities, ${graph.relationEdges} relation edges, ${graph.synonymEdges} synonym edges, ` +
      `${graph.graph.entryCount} CSR entries, ${graph.passageIds.length} passages`,
  );

  // Queries: 1-3 linked entities each, weighted like the linker does (similarity / specificity).
  const queries = Array.from({ length: 64 }, () => {
    const seeds = new Map<number, number>();
    const k = 1 + Math.floor(random() * 3);
    for (let i = 0; i < k; i++) {
      const node = Math.floor(random() * ENTITIES);
      seeds.set(node, (0.8 + random() * 0.2) / Math.max(1, graph.entityPassages[node]!));
    }
    return seeds;
  });

  let iterationsSeen = 0;
  const walk = (i: number) => {
    const ppr = personalizedPageRank(graph.graph, queries[i % queries.length]!);
    iterationsSeen = Math.max(iterationsSeen, ppr.iterations);
    return scorePassages(graph, ppr.scores, TOP_K);
  };

  // Raw baseline: the same walk over edge objects, push-style, with passage scores by a full sort.
  const edgeObjects: Array<{ u: number; v: number; w: number }> = [];
  for (let v = 0; v < graph.graph.nodeCount; v++)
    for (let e = graph.graph.inStart[v]!; e < graph.graph.inStart[v + 1]!; e++)
      edgeObjects.push({ u: graph.graph.inSource[e]!, v, w: graph.graph.inWeight[e]! });
  const rawWalk = (i: number) => {
    const n = graph.graph.nodeCount;
    const seeds = queries[i % queries.length]!;
    let total = 0;
    for (const w of seeds.values()) total += w;
    const p: number[] = new Array(n).fill(0);
    for (const [node, w] of seeds) p[node] = w / total;
    const out: number[] = new Array(n).fill(0);
    for (const e of edgeObjects) out[e.u] = out[e.u]! + e.w;
    let r = [...p];
    for (let iter = 0; iter < 100; iter++) {
      const next: number[] = new Array(n).fill(0);
      let dangling = 0;
      for (let u = 0; u < n; u++) if (out[u] === 0) dangling += r[u]!;
      for (const e of edgeObjects) next[e.v] = next[e.v]! + (0.5 * r[e.u]! * e.w) / out[e.u]!;
      let change = 0;
      for (let v = 0; v < n; v++) {
        next[v] = next[v]! + (0.5 + 0.5 * dangling) * p[v]!;
        change += Math.abs(next[v]! - r[v]!);
      }
      r = next;
      if (change < 1e-10) break;
    }
    // Passages are nodes of the graph (after the entities): ranked by their own mass, ties by id.
    const entityCount = graph.entityIds.length;
    return graph.passageIds
      .map((id, idx) => ({ idx, id, score: r[entityCount + idx]! }))
      .filter((x) => x.score > 0)
      .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .slice(0, TOP_K);
  };

  // The two must agree before their speed means anything.
  const a = walk(0).map((x) => graph.passageIds[x.passage]);
  const b = rawWalk(0).map((x) => graph.passageIds[x.idx]);
  if (a.slice(0, 3).join() !== b.slice(0, 3).join()) throw new Error('ours and the baseline disagree');

  const rows: BenchRow[] = [];
  const rawStats = await measure(rawWalk, { iterations: Math.max(5, Math.round(ITERATIONS / 5)), warmup: 2 });
  rows.push({ case: 'graph walk (PPR + top-10 passages)', path: 'raw edge objects', stats: rawStats });
  const walkStats = await measure(walk, { iterations: ITERATIONS * 4, warmup: 10 });
  rows.push({
    case: 'graph walk (PPR + top-10 passages)',
    path: 'ours (CSR typed arrays)',
    stats: walkStats,
    baseline: rawStats,
    note: `target p50 < 200 ms; ≤ ${iterationsSeen} iterations`,
  });

  const graphCache = createGraphCache(source);
  await graphCache.get(CHARACTER);
  rows.push({
    case: 'graph version check (cached graph)',
    path: 'ours',
    stats: await measure(() => graphCache.get(CHARACTER), { iterations: 2_000 }),
    note: 'one indexed read per retrieval',
  });
  rows.push({
    case: 'graph load (snapshot + CSR build)',
    path: 'ours',
    stats: await measure(async () => buildCharacterGraph(CHARACTER, await source.snapshot(CHARACTER)), {
      iterations: 5,
      warmup: 1,
    }),
    note: 'once per graph version',
  });
  // The names dictionary a new version needs (fact linking finds the query's named entities
  // with it on every retrieval): built whole, or the previous version's extended by 5 names.
  const dictionaryStats = await measure(
    () => createEntityDictionary(graph.entityNames.map((name, node) => [name, node] as const)),
    { iterations: 5, warmup: 1 },
  );
  rows.push({ case: 'names dictionary of a new version', path: 'built whole', stats: dictionaryStats });
  let dictionary = graph.dictionary();
  rows.push({
    case: 'names dictionary of a new version',
    path: 'ours (extended by 5 names)',
    stats: await measure(
      (i) => {
        dictionary = dictionary.extend(
          Array.from({ length: 5 }, (_, j) => [`added name ${i} ${j}`, ENTITIES + 5 * i + j] as const),
        );
      },
      { iterations: 200, warmup: 0 },
    ),
    baseline: dictionaryStats,
  });
  // End to end: entity embeddings straight into the vectors local mode (the ingest path would also
  // search synonyms per entity: 50k searches, not what this bench measures).
  await vectors.ensureCollections();
  const embedStarted = performance.now();
  for (let i = 0; i < ENTITIES; i += 5_000) {
    await vectors.upsert(
      'memory_embeddings',
      ids.slice(i, i + 5_000).map((id, j) => ({
        text: names[i + j]!,
        payload: {
          entity_id: id,
          entity_type: 'entity',
          character_context: CHARACTER,
          timestamp: new Date(0).toISOString(),
          importance_score: 0.5,
          name: names[i + j]!,
        },
      })),
    );
  }
  console.log(`embedded ${ENTITIES} entities in ${((performance.now() - embedStarted) / 1000).toFixed(1)} s`);
  const uncached = createMemory({ relational, vectors });
  const cached = createMemory({ relational, vectors, cache });
  const askAbout = (i: number) => {
    const a = names[Math.floor(ENTITIES * ((i * 0.6180339887) % 1))]!;
    const b = names[Math.floor(ENTITIES * ((i * 0.7548776662) % 1))]!;
    return { character: CHARACTER, query: `what links ${a} and ${b}?`, queryEntities: [a, b], topK: TOP_K };
  };
  const probe = await uncached.retrieve(askAbout(1));
  if (probe.mode !== 'graph' || probe.linked.length !== 2)
    throw new Error(`retrieve did not link: ${probe.mode}`);
  rows.push({
    case: 'retrieve (link 2 entities + walk + passages)',
    path: 'ours, no Redis cache',
    stats: await measure((i) => uncached.retrieve(askAbout(i)), { iterations: ITERATIONS * 2, warmup: 5 }),
    note: `vector search over ${ENTITIES} points (local mode, exact)`,
  });
  await cached.retrieve(askAbout(1));
  rows.push({
    case: 'retrieve, repeated query',
    path: 'ours, Redis hit',
    stats: await measure(() => cached.retrieve(askAbout(1)), { iterations: 2_000 }),
    note: 'version check + one GET',
  });

  // Ingest 5 passages (10 triples, 5 new entities), then the first retrieve of the new version:
  // the held graph patched with the changes (the default) against the graph built whole, on the
  // same versions, in alternating order. Only the retrieve is timed.
  const patching = createMemory({ relational, vectors });
  const rebuilding = createMemory({ relational, vectors, incrementalGraphs: false });
  await patching.retrieve(askAbout(2));
  await rebuilding.retrieve(askAbout(2));
  const patchedMs: number[] = [];
  const rebuiltMs: number[] = [];
  const loadMs = { patched: [] as number[], rebuilt: [] as number[] };
  for (let i = 0; i < INGESTS; i++) {
    await patching.ingest({
      character: CHARACTER,
      passages: Array.from({ length: 5 }, (_, j) => {
        const fresh = `new entity ${i}-${j}`;
        return {
          text: `passage after ingest ${i}-${j}`,
          triples: [
            [names[pick()]!, 'relates to', fresh],
            [fresh, 'leads to', names[pick()]!],
          ] as Array<[string, string, string]>,
        };
      }),
    });
    const paths = [
      { memory: patching, ms: patchedMs, load: loadMs.patched },
      { memory: rebuilding, ms: rebuiltMs, load: loadMs.rebuilt },
    ];
    for (const { memory, ms, load } of i % 2 === 0 ? paths : paths.reverse()) {
      const started = performance.now();
      await memory.retrieve(askAbout(100 + i));
      ms.push(performance.now() - started);
      load.push(memory.graphStats().lastLoadMs);
    }
  }
  if (patching.graphStats().patches !== INGESTS || rebuilding.graphStats().patches !== 0)
    throw new Error(`expected ${INGESTS} patched loads: ${JSON.stringify(patching.graphStats())}`);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const rebuiltStats = summarize(rebuiltMs);
  rows.push({
    case: 'first retrieve after ingesting 5 passages',
    path: 'graph built whole',
    stats: rebuiltStats,
    note: `graph load p50 ${median(loadMs.rebuilt).toFixed(1)} ms`,
  });
  rows.push({
    case: 'first retrieve after ingesting 5 passages',
    path: 'ours (graph patched)',
    stats: summarize(patchedMs),
    baseline: rebuiltStats,
    note: `graph load p50 ${median(loadMs.patched).toFixed(1)} ms`,
  });

  report('flows-memory', rows, {
    entities: graph.entityIds.length,
    relationEdges: graph.relationEdges,
    synonymEdges: graph.synonymEdges,
    passages: graph.passageIds.length,
    csrEntries: graph.graph.entryCount,
  });
  if (walkStats.p50 >= 200) {
    console.error(`graph walk p50 ${walkStats.p50.toFixed(1)} ms is over the 200 ms target`);
    process.exitCode = 1;
  }
} finally {
  await cache.policies.memory_search_results.clear().catch(() => {});
  let cursor = '0';
  do {
    const [next, keys] = await cache.redis.scan(cursor, 'MATCH', `${cachePrefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await cache.redis.del(...keys);
  } while (cursor !== '0');
  await cache.close();
  await vectors.close();
  await relational.close();
  await db.drop();
}
