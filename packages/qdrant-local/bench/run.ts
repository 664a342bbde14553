// `pnpm --filter @monsteros/qdrant-local bench`: exact top-10 search and upsert throughput of the local
// Qdrant mode at 10k and 100k points × 384 and 768 dimensions, in process and over HTTP (official
// client against our REST server), with the same brute-force loop over a raw Float32Array as the
// baseline. Targets: in-process search within 1.2× of the raw loop; 100k × 384 under 20 ms p50.
// BENCH_SIZES / BENCH_DIMS (comma lists) and BENCH_SEARCHES narrow or widen a run.
// Then filtered search, 12 characters × BENCH_FILTERED (memories per character, default 1000,10000)
// × 384 dimensions, before and after payload-index narrowing (see filtered.ts); BENCH_SIZES=none
// (or BENCH_FILTERED=none) skips a part.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BenchRow, measure, seededRandom as random, report } from '@monsteros/bench-kit';
import { QdrantClient } from '@qdrant/js-client-rest';
import { createMemory, dotKernel } from '../src/engine/dot-kernel.js';
import { LocalQdrant, startLocalQdrantServer } from '../src/index.js';
import { filteredSearchRows } from './filtered.js';

const list = (v: string) => (v === 'none' ? [] : v.split(',').map(Number));
const SIZES = list(process.env.BENCH_SIZES ?? '10000,100000');
const FILTERED = list(process.env.BENCH_FILTERED ?? '1000,10000');
const DIMS = (process.env.BENCH_DIMS ?? '384,768').split(',').map(Number);
const SEARCHES = Number(process.env.BENCH_SEARCHES ?? 200);
const BATCH = 1_000;
const HTTP_UPSERT_POINTS = 10_000;
const DURABLE_UPSERT_POINTS = 10_000;
const K = 10;

function unitVectors(count: number, dim: number, seed: number): Float32Array {
  const next = random(seed);
  const out = new Float32Array(count * dim);
  for (let i = 0; i < count; i++) {
    let sum = 0;
    for (let d = 0; d < dim; d++) {
      const x = next() * 2 - 1;
      out[i * dim + d] = x;
      sum += x * x;
    }
    const inv = 1 / Math.sqrt(sum);
    for (let d = 0; d < dim; d++) out[i * dim + d]! *= inv;
  }
  return out;
}

/** The ceiling: cosine top-k as dot products of pre-normalized rows, kept in a small sorted array. */
function rawTopK(data: Float32Array, count: number, dim: number, q: Float32Array, k: number): number[] {
  const bestScore = new Float64Array(k).fill(Number.NEGATIVE_INFINITY);
  const bestId = new Int32Array(k).fill(-1);
  for (let i = 0; i < count; i++) {
    const off = i * dim;
    let s = 0;
    for (let d = 0; d < dim; d++) s += data[off + d]! * q[d]!;
    if (s <= bestScore[k - 1]!) continue;
    let j = k - 1;
    while (j > 0 && bestScore[j - 1]! < s) {
      bestScore[j] = bestScore[j - 1]!;
      bestId[j] = bestId[j - 1]!;
      j--;
    }
    bestScore[j] = s;
    bestId[j] = i;
  }
  return Array.from(bestId);
}

/** The engine's SIMD kernel alone over a copy of the rows: what the engine adds on top of it is overhead. */
function rawKernel(data: Float32Array, count: number, dim: number) {
  const stride = Math.ceil(dim / 8) * 8;
  const chunk = 4096;
  const rowsAt = stride * 4 + chunk * 4;
  const memory = createMemory(Math.ceil((rowsAt + count * stride * 4) / 65_536));
  const rows = new Float32Array(memory.buffer, rowsAt, count * stride);
  for (let i = 0; i < count; i++) rows.set(data.subarray(i * dim, (i + 1) * dim), i * stride);
  const q = new Float32Array(memory.buffer, 0, stride);
  const scores = new Float32Array(memory.buffer, stride * 4, chunk);
  const dots = dotKernel(memory)!;
  return (query: Float32Array, k: number): number[] => {
    q.set(query);
    const best: Array<[number, number]> = [];
    for (let start = 0; start < count; start += chunk) {
      const n = Math.min(chunk, count - start);
      dots(0, rowsAt + start * stride * 4, stride * 4, n, stride * 4);
      for (let j = 0; j < n; j++) {
        const s = scores[j]!;
        if (best.length === k && s <= best[k - 1]![0]) continue;
        best.push([s, start + j]);
        best.sort((a, b) => b[0] - a[0]);
        if (best.length > k) best.pop();
      }
    }
    return best.map((b) => b[1]);
  };
}

const rows: BenchRow[] = [];
const meta: Record<string, unknown> = { searches: SEARCHES, batch: BATCH, k: K };

for (const dim of DIMS) {
  for (const size of SIZES) {
    const label = `${size / 1000}k x ${dim}`;
    const data = unitVectors(size, dim, dim * 7 + size);
    const queries = unitVectors(64, dim, 99);
    const query = (i: number) => queries.subarray((i % 64) * dim, ((i % 64) + 1) * dim);
    const points = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, j) => ({
        id: from + j,
        vector: Array.from(data.subarray((from + j) * dim, (from + j + 1) * dim)),
        payload: { n: from + j },
      }));

    // Upserts in process (memory): batches of BATCH points; throughput in points/s in the note.
    const engine = await LocalQdrant.open(':memory:');
    await engine.createCollection('bench', { vectors: { size: dim, distance: 'Cosine' } });
    const batches = Array.from({ length: size / BATCH }, (_, b) => points(b * BATCH, (b + 1) * BATCH));
    const upsertMem = await measure((i) => engine.upsertPoints('bench', { points: batches[i]! }), {
      iterations: batches.length,
      warmup: 0,
    });
    rows.push({
      case: `upsert ${label}`,
      path: 'in-process :memory:',
      stats: upsertMem,
      note: `${Math.round(upsertMem.opsPerSec * BATCH)} points/s (batches of ${BATCH})`,
    });

    // Upserts in process, durable (append-only log with fsync per batch).
    const dir = await mkdtemp(join(tmpdir(), 'qdrant-local-bench-'));
    const durable = await LocalQdrant.open(dir);
    await durable.createCollection('bench', { vectors: { size: dim, distance: 'Cosine' } });
    const durableBatches = batches.slice(0, DURABLE_UPSERT_POINTS / BATCH);
    const upsertDisk = await measure((i) => durable.upsertPoints('bench', { points: durableBatches[i]! }), {
      iterations: durableBatches.length,
      warmup: 0,
    });
    rows.push({
      case: `upsert ${label}`,
      path: 'in-process directory',
      stats: upsertDisk,
      note: `${Math.round(upsertDisk.opsPerSec * BATCH)} points/s, fsync per batch, first ${DURABLE_UPSERT_POINTS}`,
    });
    await durable.close();
    await rm(dir, { recursive: true, force: true });

    // Search: the raw loop, the engine in process, and the engine over HTTP (same engine).
    const raw = await measure((i) => rawTopK(data, size, dim, query(i), K), { iterations: SEARCHES });
    rows.push({ case: `search top-${K} ${label}`, path: 'raw Float32Array loop', stats: raw });
    const kernel = rawKernel(data, size, dim);
    const rawSimd = await measure((i) => kernel(query(i), K), { iterations: SEARCHES });
    rows.push({
      case: `search top-${K} ${label}`,
      path: 'raw wasm SIMD kernel',
      stats: rawSimd,
      baseline: raw,
    });
    const ours = await measure(
      (i) => engine.queryPoints('bench', { query: Array.from(query(i)), limit: K }),
      {
        iterations: SEARCHES,
      },
    );
    rows.push({
      case: `search top-${K} ${label}`,
      path: 'in-process',
      stats: ours,
      baseline: raw,
      note: `${(ours.p50 / rawSimd.p50).toFixed(2)}x the raw SIMD kernel; target <= 1.2x raw${size === 100_000 && dim === 384 ? ', < 20 ms' : ''}`,
    });

    const server = await startLocalQdrantServer({ engine, port: 0 });
    const client = new QdrantClient({ url: server.url, checkCompatibility: false });
    const http = await measure((i) => client.query('bench', { query: Array.from(query(i)), limit: K }), {
      iterations: SEARCHES,
    });
    rows.push({
      case: `search top-${K} ${label}`,
      path: 'http (official client)',
      stats: http,
      baseline: raw,
    });

    await client.createCollection('bench_http', { vectors: { size: dim, distance: 'Cosine' } });
    const httpBatches = batches.slice(0, HTTP_UPSERT_POINTS / BATCH);
    const upsertHttp = await measure((i) => client.upsert('bench_http', { points: httpBatches[i]! }), {
      iterations: httpBatches.length,
      warmup: 0,
    });
    rows.push({
      case: `upsert ${label}`,
      path: 'http (official client)',
      stats: upsertHttp,
      baseline: upsertMem,
      note: `${Math.round(upsertHttp.opsPerSec * BATCH)} points/s, first ${HTTP_UPSERT_POINTS}`,
    });
    await server.close();
    await engine.close();
    console.log(`done ${label}`);
  }
}

for (const perGroup of FILTERED) {
  rows.push(...(await filteredSearchRows({ perGroup, dim: 384, searches: SEARCHES, k: K, unitVectors })));
  console.log(`done filtered 12 x ${perGroup}`);
}

report('qdrant-local', rows, meta);
