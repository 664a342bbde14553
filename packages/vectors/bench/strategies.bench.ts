// `pnpm --filter @monsteros/vectors bench` (after bench/run.ts) or `bench:strategies` alone: latency of
// each search strategy on the local mode in process, with BENCH_MEMORIES memories per character
// (default 10,000) in both memory collections (768 and 384 dimensions, the built-in local embedder),
// against the raw baseline in the same run: one filtered nearest query through the client with a
// precomputed vector. Score thresholds are off so every case does its full work on synthetic text.
// BENCH_CHARACTERS (default 3) and BENCH_STRATEGY_SEARCHES (default 200) resize a run.
import { randomUUID } from 'node:crypto';
import { type BenchRow, measure, seededRandom as random, report } from '@monsteros/bench-kit';
import {
  type CharacterMemoryPayload,
  createLocalEmbedder,
  createVectors,
  type MemoryEmbeddingPayload,
} from '../src/index.js';

const PER_CHARACTER = Number(process.env.BENCH_MEMORIES ?? 10_000);
const CHARACTER_COUNT = Number(process.env.BENCH_CHARACTERS ?? 3);
const SEARCHES = Number(process.env.BENCH_STRATEGY_SEARCHES ?? 200);
const QUERIES = 100;
const LIMIT = 10;
const CHARACTERS = ['sage', 'ember', 'frost', 'moss', 'quill', 'tide'].slice(0, CHARACTER_COUNT);

const WORDS = (
  'dragon pass tower river forest quest riddle sword shield map lantern crystal village elder ' +
  'storm bridge cave potion spell rune library garden harbor ship star moon sun frost ember ' +
  'lesson practice patience courage trust memory friend mentor student chapter journey key ' +
  'door mountain valley wolf owl raven song story secret promise gift treasure puzzle trial'
).split(' ');
const rng = random(42);
const sentence = (n: number) =>
  Array.from({ length: n }, () => WORDS[Math.floor(rng() * WORDS.length)]).join(' ');
const NOW = Date.parse('2025-06-01T00:00:00Z');

const vectors = await createVectors({
  qdrant: { local: ':memory:' },
  write: { batchSize: 1_000, concurrency: 4 },
});
await vectors.ensureCollections();
const loadStarted = performance.now();
for (const character of CHARACTERS) {
  const entities: Array<{ text: string; payload: MemoryEmbeddingPayload }> = [];
  const memories: Array<{ text: string; payload: CharacterMemoryPayload }> = [];
  for (let i = 0; i < PER_CHARACTER; i++) {
    const timestamp = new Date(NOW - Math.floor(rng() * 60 * 86_400_000)).toISOString();
    entities.push({
      text: sentence(6 + Math.floor(rng() * 6)),
      payload: {
        entity_id: randomUUID(),
        entity_type: 'concept',
        character_context: character,
        timestamp,
        importance_score: rng(),
      },
    });
    memories.push({
      text: sentence(8 + Math.floor(rng() * 8)),
      payload: {
        interaction_id: randomUUID(),
        character_name: character,
        memory_type: 'fact',
        user_context: 'bench',
        learning_value: rng(),
        timestamp,
      },
    });
  }
  await vectors.upsert('memory_embeddings', entities);
  await vectors.upsert('character_memories', memories);
}
const loadSeconds = (performance.now() - loadStarted) / 1000;

const queries = Array.from({ length: QUERIES }, () => sentence(4));
const e768 = createLocalEmbedder({ dims: 768 });
const e384 = createLocalEmbedder({ dims: 384 });
const q768 = (await e768.embed(queries)).map((v) => Array.from(v));
const q384 = (await e384.embed(queries)).map((v) => Array.from(v));
const characterOf = (i: number) => CHARACTERS[i % CHARACTERS.length]!;
const filterOn = (key: string, i: number) => ({ must: [{ key, match: { value: characterOf(i) } }] });
const options = { iterations: SEARCHES, warmup: QUERIES };

// Baselines: one filtered nearest query through the client, vector precomputed.
const rawEntities = await measure(
  (i) =>
    vectors.client.query(vectors.collectionName('memory_embeddings'), {
      query: q768[i % QUERIES]!,
      filter: filterOn('character_context', i),
      limit: LIMIT,
      with_payload: true,
    }),
  options,
);
const rawMemories = await measure(
  (i) =>
    vectors.client.query(vectors.collectionName('character_memories'), {
      query: q384[i % QUERIES]!,
      filter: filterOn('character_name', i),
      limit: LIMIT,
      with_payload: true,
    }),
  options,
);

// Ours: text in (embedded through the LRU, warm after the warmup pass), typed hits out.
const search = await measure(
  (i) =>
    vectors.search('memory_embeddings', queries[i % QUERIES]!, {
      character: characterOf(i),
      limit: LIMIT,
      scoreThreshold: null,
    }),
  options,
);
const hippoDense = await measure(
  (i) =>
    vectors.hippoRagMemorySearch(queries[i % QUERIES]!, {
      character: characterOf(i),
      limit: LIMIT,
      mode: 'dense',
      scoreThreshold: null,
    }),
  options,
);
const hippo = await measure(
  (i) =>
    vectors.hippoRagMemorySearch(queries[i % QUERIES]!, {
      character: characterOf(i),
      limit: LIMIT,
      scoreThreshold: null,
    }),
  options,
);
const contextDense = await measure(
  (i) =>
    vectors.characterContextSearch(queries[i % QUERIES]!, {
      character: characterOf(i),
      limit: LIMIT,
      now: new Date(NOW),
      mode: 'dense',
      scoreThreshold: null,
    }),
  options,
);
const context = await measure(
  (i) =>
    vectors.characterContextSearch(queries[i % QUERIES]!, {
      character: characterOf(i),
      limit: LIMIT,
      now: new Date(NOW),
      scoreThreshold: null,
    }),
  options,
);
const cross = await measure(
  (i) =>
    vectors.crossCharacterSearch(queries[i % QUERIES]!, {
      characters: CHARACTERS,
      usage: Object.fromEntries(CHARACTERS.map((c, j) => [c, j * 10])),
      limit: LIMIT,
      scoreThreshold: null,
    }),
  options,
);
// What an uncached query costs on top: the local embedder itself at both sizes.
const embedBoth = await measure(async (i) => {
  await e768.embed([`${queries[i % QUERIES]} ${i}`]);
  await e384.embed([`${queries[i % QUERIES]} ${i}`]);
}, options);

const note = `${PER_CHARACTER} per character × ${CHARACTERS.length}`;
const rows: BenchRow[] = [
  { case: 'nearest memory_embeddings 768', path: 'raw client query', stats: rawEntities, note },
  {
    case: 'nearest memory_embeddings 768',
    path: 'vectors.search',
    stats: search,
    baseline: rawEntities,
    note,
  },
  {
    case: 'hippoRagMemorySearch',
    path: 'dense per collection',
    stats: hippoDense,
    baseline: rawEntities,
    note: '2 queries + RRF across',
  },
  {
    case: 'hippoRagMemorySearch',
    path: 'hybrid per collection (default)',
    stats: hippo,
    baseline: rawEntities,
    note: '2 hybrid queries + RRF across',
  },
  { case: 'nearest character_memories 384', path: 'raw client query', stats: rawMemories, note },
  {
    case: 'characterContextSearch',
    path: 'dense + decay (server)',
    stats: contextDense,
    baseline: rawMemories,
    note: 'prefetch 50 + exp_decay',
  },
  {
    case: 'characterContextSearch',
    path: 'hybrid + decay (default)',
    stats: context,
    baseline: rawMemories,
    note: 'dense 50 + BM25 50, RRF, exp_decay',
  },
  {
    case: 'crossCharacterSearch',
    path: `${CHARACTERS.length} characters, usage weights`,
    stats: cross,
    baseline: rawEntities,
    note: '2 queries + weighting',
  },
  {
    case: 'local embedder 768 + 384',
    path: 'uncached query embedding',
    stats: embedBoth,
    note: 'added per new query text',
  },
];
report('vectors-strategies', rows, {
  perCharacter: PER_CHARACTER,
  characters: CHARACTERS.length,
  points: PER_CHARACTER * CHARACTERS.length * 2,
  loadSeconds,
  searches: SEARCHES,
  limit: LIMIT,
  mode: 'local in process, exact search',
});
await vectors.close();
