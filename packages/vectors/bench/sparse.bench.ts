// `pnpm --filter @monsteros/vectors bench:sparse`: sparse (BM25) search on the local mode in process
// over BENCH_SPARSE_DOCS documents (default 100,000) of 8–16 words drawn from a Zipf vocabulary of
// 5,000 words (so common words have long postings, as in real text), collection with modifier idf.
// Baseline in the same run: a brute-force dot product of the weighted query with every stored sparse
// vector. BENCH_SPARSE_SEARCHES (default 300) resizes a run.
import { type BenchRow, measure, seededRandom as random, report } from '@monsteros/bench-kit';
import { createLocalQdrantClient, LocalQdrant } from '@monsteros/qdrant-local';
import { createBm25Encoder, type SparseVector } from '../src/index.js';

const DOCS = Number(process.env.BENCH_SPARSE_DOCS ?? 100_000);
const SEARCHES = Number(process.env.BENCH_SPARSE_SEARCHES ?? 300);
const VOCABULARY = 5_000;

const rng = random(7);
// Word i has Zipf weight 1/(i+1): word 0 is in about 1 text in 8 of 12 words.
const cumulative: number[] = [];
let total = 0;
for (let i = 0; i < VOCABULARY; i++) {
  total += 1 / (i + 1);
  cumulative.push(total);
}
const word = () => {
  const x = rng() * total;
  let lo = 0;
  let hi = VOCABULARY - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return `w${lo.toString(36)}x`;
};
const text = (n: number) => Array.from({ length: n }, word).join(' ');

const bm25 = createBm25Encoder();
const engine = await LocalQdrant.open(':memory:');
const client = createLocalQdrantClient(engine);
await client.createCollection('docs', { sparse_vectors: { bm25: { modifier: 'idf' } } });
const stored: SparseVector[] = [];
const loadStarted = performance.now();
for (let start = 0; start < DOCS; start += 1_000) {
  const points = [];
  for (let i = start; i < Math.min(DOCS, start + 1_000); i++) {
    const v = bm25.encodeDocument(text(8 + Math.floor(rng() * 9)));
    stored.push(v);
    points.push({ id: i + 1, vector: { bm25: v } });
  }
  await client.upsert('docs', { points });
}
const loadSeconds = (performance.now() - loadStarted) / 1000;

const queries = Array.from({ length: 100 }, () => bm25.encodeQuery(text(3)));
const options = { iterations: SEARCHES, warmup: 50 };

const engineStats = await measure(
  (i) => client.query('docs', { query: queries[i % queries.length]!, using: 'bm25', limit: 10 }),
  options,
);

// Raw: the IDF-weighted query against every stored vector (merge of sorted indices), top 10.
const df = new Map<number, number>();
for (const v of stored) for (const i of v.indices) df.set(i, (df.get(i) ?? 0) + 1);
const raw = await measure((n) => {
  const q = queries[n % queries.length]!;
  const w = q.values.map((x, j) => {
    const d = df.get(q.indices[j]!) ?? 0;
    return x * Math.log((DOCS - d + 0.5) / (d + 0.5) + 1);
  });
  const top: number[] = [];
  for (let s = 0; s < stored.length; s++) {
    const v = stored[s]!;
    let score = 0;
    let a = 0;
    let b = 0;
    while (a < v.indices.length && b < q.indices.length) {
      const x = v.indices[a]!;
      const y = q.indices[b]!;
      if (x === y) score += v.values[a++]! * w[b++]!;
      else if (x < y) a++;
      else b++;
    }
    if (score > 0) {
      top.push(score);
      if (top.length > 10) {
        top.sort((p, r) => r - p);
        top.pop();
      }
    }
  }
  return top;
}, options);

const note = `${DOCS} docs, Zipf vocabulary of ${VOCABULARY}, 3-word queries`;
const rows: BenchRow[] = [
  { case: 'sparse top-10 (BM25, idf)', path: 'raw brute force over every vector', stats: raw, note },
  {
    case: 'sparse top-10 (BM25, idf)',
    path: 'engine (inverted index)',
    stats: engineStats,
    baseline: raw,
    note,
  },
];
report('vectors-sparse', rows, { docs: DOCS, vocabulary: VOCABULARY, loadSeconds, searches: SEARCHES });
await engine.close();
