// `pnpm --filter @monsteros/vectors eval`: retrieval quality of dense, sparse and hybrid search on
// the generated MonsterOS-like set (eval/dataset.ts), with the default (built-in lexical) embedder
// unless EMBEDDINGS_URL (+ EMBEDDINGS_MODEL, EMBEDDINGS_API_KEY) names a model for the 384-dim
// collection. Prints recall@5 and nDCG@10 per mode and per query kind, the dense similarity of
// related and unrelated pairs (what a threshold must separate), and writes the same as JSON to
// bench-results/vectors-eval.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createLocalEmbedder,
  createOpenAIEmbeddings,
  createVectors,
  type EmbeddingProvider,
  type FusionMethod,
  type RetrievalMode,
} from '../src/index.js';
import { buildDataset, type EvalQuery } from './dataset.js';

const { memories, queries } = buildDataset();
const uuidOf = (id: number) => `00000000-0000-4000-8000-${id.toString(16).padStart(12, '0')}`;
const idOf = (uuid: string) => Number.parseInt(uuid.slice(-12), 16);

const url = process.env.EMBEDDINGS_URL;
const embedder: EmbeddingProvider = url
  ? createOpenAIEmbeddings({
      url,
      model: process.env.EMBEDDINGS_MODEL ?? 'nomic-embed-text',
      dims: 384,
      sendDimensions: true,
      ...(process.env.EMBEDDINGS_API_KEY ? { apiKey: process.env.EMBEDDINGS_API_KEY } : {}),
    })
  : createLocalEmbedder({ dims: 384 });

const vectors = await createVectors({
  qdrant: { local: ':memory:' },
  embeddings: { providers: { character_memories: embedder } },
});
await vectors.ensureCollections();
const records = memories.map((m) => ({
  text: m.text,
  payload: {
    interaction_id: uuidOf(m.id),
    character_name: m.character,
    memory_type: m.topic ?? 'chatter',
    user_context: 'eval',
    learning_value: 0.5,
    timestamp: '2025-06-01T00:00:00Z',
  },
}));
await vectors.upsert('character_memories', records);

/** DCG with gains 2 (the memory asked about) and 1 (same topic), positions from 1. */
function ndcg10(ranked: number[], q: EvalQuery): number {
  const gain = (id: number) => (id === q.target ? 2 : q.related.includes(id) ? 1 : 0);
  const dcg = ranked.slice(0, 10).reduce((s, id, i) => s + gain(id) / Math.log2(i + 2), 0);
  const ideal = [2, ...q.related.map(() => 1)].slice(0, 10).reduce((s, g, i) => s + g / Math.log2(i + 2), 0);
  return dcg / ideal;
}

interface Scores {
  recall5: number;
  ndcg10: number;
  n: number;
}
type Baseline = 'v1' | 'v2';
const modes: Array<{ label: string; mode: RetrievalMode; fusion?: FusionMethod; baseline?: Baseline }> = [
  ...(url
    ? []
    : [
        { label: 'dense, v1 embedder', mode: 'dense' as const, baseline: 'v1' as const },
        { label: 'dense, v2 embedder', mode: 'dense' as const, baseline: 'v2' as const },
        {
          label: 'hybrid RRF, v2 embedder',
          mode: 'hybrid' as const,
          fusion: 'rrf' as const,
          baseline: 'v2' as const,
        },
      ]),
  { label: 'dense', mode: 'dense' },
  { label: 'sparse (BM25)', mode: 'sparse' },
  { label: 'hybrid RRF (default)', mode: 'hybrid', fusion: 'rrf' },
  { label: 'hybrid DBSF', mode: 'hybrid', fusion: 'dbsf' },
];
const kinds = [...new Set(queries.map((q) => q.kind))];
// The earlier built-in embedders, each in a store of its own, for the "before" rows: v1 kept stop
// words, v2 had no concepts (WordNet synsets and hypernyms).
const baselines = {} as Record<Baseline, typeof vectors>;
if (!url) {
  for (const [name, options] of [
    ['v1', { stopWords: false, concepts: false }],
    ['v2', { concepts: false }],
  ] as const) {
    baselines[name] = await createVectors({
      qdrant: { local: ':memory:' },
      embeddings: { providers: { character_memories: createLocalEmbedder({ dims: 384, ...options }) } },
    });
    await baselines[name].ensureCollections();
    await baselines[name].upsert('character_memories', records);
  }
}
const results: Record<string, { all: Scores; byKind: Record<string, Scores> }> = {};
for (const m of modes) {
  const per: Array<{ kind: string; recall: number; ndcg: number }> = [];
  for (const q of queries) {
    const hits = await (m.baseline ? baselines[m.baseline] : vectors).search('character_memories', q.text, {
      character: q.character,
      limit: 10,
      scoreThreshold: null,
      mode: m.mode,
      ...(m.fusion ? { fusion: m.fusion } : {}),
    });
    const ranked = hits.map((h) => idOf(h.sourceId));
    per.push({
      kind: q.kind,
      recall: ranked.slice(0, 5).includes(q.target) ? 1 : 0,
      ndcg: ndcg10(ranked, q),
    });
  }
  const summarize = (rows: typeof per): Scores => ({
    recall5: rows.reduce((s, r) => s + r.recall, 0) / rows.length,
    ndcg10: rows.reduce((s, r) => s + r.ndcg, 0) / rows.length,
    n: rows.length,
  });
  results[m.label] = {
    all: summarize(per),
    byKind: Object.fromEntries(kinds.map((k) => [k, summarize(per.filter((r) => r.kind === k))])),
  };
}

// Dense similarity of each query to the memory it is about, and to a memory of another topic of
// the same character: the distributions a recall threshold has to separate.
const cos = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);
const qv = await embedder.embed(queries.map((q) => q.text));
const mv = await embedder.embed(memories.map((m) => m.text));
const related: number[] = [];
const unrelated: number[] = [];
queries.forEach((q, i) => {
  related.push(cos(qv[i]!, mv[q.target]!));
  const topic = memories[q.target]!.topic;
  const others = memories.filter((m) => m.character === q.character && m.topic !== topic);
  unrelated.push(cos(qv[i]!, mv[others[(i * 7919) % others.length]!.id]!));
});
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
};
const dist = (xs: number[]) =>
  Object.fromEntries([5, 10, 25, 50, 75, 90, 95].map((p) => [`p${p}`, pct(xs, p)]));
const distributions = { related: dist(related), unrelated: dist(unrelated) };

const f = (x: number) => x.toFixed(3);
console.log(
  `\nvectors-eval: ${queries.length} queries, ${memories.length} memories, embedder ${embedder.id}`,
);
console.log(
  `${'mode'.padEnd(22)} ${'recall@5'.padStart(8)} ${'nDCG@10'.padStart(8)}   ${kinds.map((k) => `${k} r@5`.padStart(20)).join(' ')}`,
);
for (const [label, r] of Object.entries(results))
  console.log(
    `${label.padEnd(22)} ${f(r.all.recall5).padStart(8)} ${f(r.all.ndcg10).padStart(8)}   ${kinds.map((k) => `${f(r.byKind[k]!.recall5)} (n=${r.byKind[k]!.n})`.padStart(20)).join(' ')}`,
  );
console.log('\ndense similarity (query vs memory), percentiles:');
for (const [name, d] of Object.entries(distributions))
  console.log(
    `${name.padEnd(10)} ${Object.entries(d)
      .map(([k, v]) => `${k} ${f(v)}`)
      .join('  ')}`,
  );

const dir = join(import.meta.dirname, '..', 'bench-results');
mkdirSync(dir, { recursive: true });
writeFileSync(
  join(dir, 'vectors-eval.json'),
  `${JSON.stringify({ embedder: embedder.id, queries: queries.length, memories: memories.length, results, distributions }, null, 2)}\n`,
);
console.log(`\nwritten ${join(dir, 'vectors-eval.json')}`);
await vectors.close();
for (const store of Object.values(baselines)) await store.close();
