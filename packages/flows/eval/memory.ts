// `pnpm eval:memory [--dataset DIR] [--json] [--limit N] [--half odd|even] [--lowercase]`: how well the HippoRAG memory recalls the
// gold passages of multi-hop questions. Ingests every passage of a dataset in the musique-dev
// format (with its extracted triples) into a fresh character's memory through the public API, in a
// fresh PostgreSQL database and an in-memory local Qdrant (no Redis: no answer comes from a cache),
// asks every question, and prints recall@2 / recall@5 and retrieve p50 / p95 for:
// - `retrieve`: `memory.retrieve` as callers use it (no `queryEntities`);
// - `retrieve + dictionary entities`: the dataset's entity names found in the question (the
//   memory's own dictionary matcher) passed as `queryEntities` (each linked to its nearest
//   entity and seeded directly, no facts): what a caller's own entity recognition gives;
// - `passage search`: `memory.searchPassages` alone (the passages' own text, no graph);
// - `BM25`: the reference ranking of the dataset README (k1 1.2, b 0.75), over the same passages;
// and the ingest throughput (passages/s and triples/s, side effects included).
// The dataset defaults to `../shared/datasets/musique-dev` (relative to the repository root).
import { parseArgs } from 'node:util';
import { createRelational } from '@monsteros/relational';
import { createTestDatabase } from '@monsteros/schema/testing';
import { createVectors } from '@monsteros/vectors';
import { createEntityDictionary } from '../src/memory/entity-mentions.js';
import { createMemory, type MemoryOptions, type RetrievedPassage } from '../src/memory/memory.js';
import { createBm25Index } from './bm25.js';
import { type DatasetQuestion, loadDataset } from './dataset.js';

const { values: args } = parseArgs({
  options: {
    dataset: { type: 'string', default: '../shared/datasets/musique-dev' },
    json: { type: 'boolean', default: false },
    limit: { type: 'string' },
    /** Only the odd or even questions (1st, 3rd, … or 2nd, 4th, …): a setting must hold on both halves. */
    half: { type: 'string' },
    /** Ask the questions lower-cased, as chat users often type: linking must not depend on case alone. */
    lowercase: { type: 'boolean', default: false },
    /** Memory tuning as JSON (`createMemory` options), for sensitivity runs: `--tuning '{"passageNodeWeight":0}'`. */
    tuning: { type: 'string', default: '{}' },
  },
});
const CHARACTER = 'eval-memory';
const TOP_K = 5;

interface MethodRow {
  method: string;
  recallAt2: number;
  recallAt5: number;
  p50Ms: number;
  p95Ms: number;
  /** How the answers were produced (mode / linking), with counts. */
  modes: Record<string, number>;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

const recall = (ranked: string[], gold: string[], k: number) =>
  gold.length === 0 ? 0 : gold.filter((g) => ranked.slice(0, k).includes(g)).length / gold.length;

async function evaluate(
  method: string,
  questions: DatasetQuestion[],
  rank: (q: DatasetQuestion) => Promise<{ texts: string[]; mode: string }>,
): Promise<MethodRow> {
  const latencies: number[] = [];
  const modes: Record<string, number> = {};
  let r2 = 0;
  let r5 = 0;
  for (const q of questions) {
    const started = performance.now();
    const { texts, mode } = await rank(q);
    latencies.push(performance.now() - started);
    modes[mode] = (modes[mode] ?? 0) + 1;
    r2 += recall(texts, q.gold, 2);
    r5 += recall(texts, q.gold, 5);
  }
  return {
    method,
    recallAt2: (100 * r2) / questions.length,
    recallAt5: (100 * r5) / questions.length,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    modes,
  };
}

const textsOf = (results: RetrievedPassage[]) => results.map((r) => r.passage.content);

const dataset = await loadDataset(args.dataset);
if (args.half !== undefined && args.half !== 'odd' && args.half !== 'even')
  throw new Error('--half must be odd or even');
const halved =
  args.half === undefined
    ? dataset.questions
    : dataset.questions.filter((_, i) => i % 2 === (args.half === 'odd' ? 0 : 1));
const cased = args.lowercase ? halved.map((q) => ({ ...q, question: q.question.toLowerCase() })) : halved;
const questions = args.limit ? cased.slice(0, Number(args.limit)) : cased;
const db = await createTestDatabase({ label: 'memory_eval' });
const relational = createRelational({ databaseUrl: db.url, poolSize: 4 });
const vectors = await createVectors({ qdrant: { local: ':memory:' }, collectionPrefix: 'eval_' });
try {
  await vectors.ensureCollections();
  const tuning = JSON.parse(args.tuning) as Partial<MemoryOptions>;
  const memory = createMemory({ ...tuning, relational, vectors });

  const triples = dataset.passages.reduce((n, p) => n + p.triples.length, 0);
  const ingestStarted = performance.now();
  const ingestCpu = process.cpuUsage();
  const ingested = await memory.ingest({
    character: CHARACTER,
    passages: dataset.passages.map((p) => ({ text: p.text, triples: p.triples })),
  });
  const ingestSeconds = (performance.now() - ingestStarted) / 1000;
  // This process's CPU for the ingest (PostgreSQL's work aside): what a loaded machine distorts least.
  const cpu = process.cpuUsage(ingestCpu);
  const ingestCpuSeconds = (cpu.user + cpu.system) / 1e6;
  // The first retrieval builds the graph of the new version: paid once, reported apart.
  const loadStarted = performance.now();
  await memory.retrieve({ character: CHARACTER, query: questions[0]!.question, topK: TOP_K });
  const firstRetrieveMs = performance.now() - loadStarted;

  const dictionary = createEntityDictionary(
    dataset.passages.flatMap((p) =>
      [...p.entities, ...p.triples.flatMap(([s, , o]) => [s, o])].map((n) => [n, n] as const),
    ),
  );
  const bm25 = createBm25Index(dataset.passages.map((p) => p.text));
  const rows: MethodRow[] = [
    await evaluate('retrieve', questions, async (q) => {
      const answer = await memory.retrieve({ character: CHARACTER, query: q.question, topK: TOP_K });
      return { texts: textsOf(answer.results), mode: `${answer.mode}/${answer.linking}` };
    }),
    await evaluate('retrieve + dictionary entities', questions, async (q) => {
      const entities = [...new Set(dictionary.find(q.question).map((m) => m.values[0]!))].slice(0, 32);
      const answer = await memory.retrieve({
        character: CHARACTER,
        query: q.question,
        ...(entities.length > 0 ? { queryEntities: entities } : {}),
        topK: TOP_K,
      });
      return { texts: textsOf(answer.results), mode: `${answer.mode}/${answer.linking}` };
    }),
    await evaluate('passage search', questions, async (q) => {
      const results = await memory.searchPassages({ character: CHARACTER, query: q.question, topK: TOP_K });
      return { texts: textsOf(results), mode: 'passages' };
    }),
    await evaluate('BM25 (reference)', questions, async (q) => ({
      texts: bm25.rank(q.question, TOP_K).map((i) => dataset.passages[i]!.text),
      mode: 'bm25',
    })),
  ];

  const report = {
    dataset: args.dataset,
    half: args.half ?? null,
    lowercase: args.lowercase,
    tuning,
    questions: questions.length,
    ingest: {
      passages: dataset.passages.length,
      triples,
      skippedTriples: dataset.skippedTriples,
      entities: ingested.entities.inserted,
      synonymEdges: ingested.synonymEdges,
      seconds: ingestSeconds,
      cpuSeconds: ingestCpuSeconds,
      passagesPerSecond: dataset.passages.length / ingestSeconds,
      triplesPerSecond: triples / ingestSeconds,
    },
    firstRetrieveMs,
    methods: rows,
  };
  if (args.json) console.log(JSON.stringify(report, null, 2));
  else {
    const i = report.ingest;
    console.log(
      `memory eval: ${args.dataset} (${questions.length}${args.half ? ` ${args.half}` : ''}${args.lowercase ? ' lower-cased' : ''} questions, ${i.passages} passages)${args.tuning === '{}' ? '' : `, tuning ${args.tuning}`}`,
    );
    console.log(
      `ingest: ${i.passages} passages, ${i.triples} triples (${i.skippedTriples} malformed skipped), ${i.entities} entities, ${i.synonymEdges} synonym edges in ${i.seconds.toFixed(2)} s (${i.cpuSeconds.toFixed(2)} s CPU in this process): ${i.passagesPerSecond.toFixed(0)} passages/s, ${i.triplesPerSecond.toFixed(0)} triples/s`,
    );
    console.log(`first retrieve (graph load): ${firstRetrieveMs.toFixed(0)} ms`);
    const header = ['method', 'recall@2', 'recall@5', 'p50 ms', 'p95 ms', 'answers'];
    const table = rows.map((r) => [
      r.method,
      r.recallAt2.toFixed(1),
      r.recallAt5.toFixed(1),
      r.p50Ms.toFixed(1),
      r.p95Ms.toFixed(1),
      Object.entries(r.modes)
        .map(([m, n]) => `${m} ${n}`)
        .join(', '),
    ]);
    const widths = header.map((h, c) => Math.max(h.length, ...table.map((row) => row[c]!.length)));
    const line = (cells: string[]) => `| ${cells.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`;
    console.log(line(header));
    console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
    for (const row of table) console.log(line(row));
  }
} finally {
  await vectors.close();
  await relational.close();
  await db.drop();
}
