// The measurement both the quantization bench and the scale curve use: one float32 store in
// memory (exact scan) and one int8 store with its originals on disk, the same n unit vectors × 384
// (mulberry32, seeded by n), the same queries run on both back to back.
import { seededRandom } from '@monsteros/bench-kit';
import { VectorStore } from '../src/engine/vector-store.js';

export const DIM = 384;
const K = 10;

function unitVector(next: () => number, out: Float32Array): Float32Array {
  let sum = 0;
  for (let d = 0; d < DIM; d++) {
    const x = next() * 2 - 1;
    out[d] = x;
    sum += x * x;
  }
  const inv = 1 / Math.sqrt(sum);
  for (let d = 0; d < DIM; d++) out[d]! *= inv;
  return out;
}

export interface StoreMeasurement {
  exactMs: number[];
  quantMs: number[];
  estimateMs: number[];
  /** recall@10 of int8 + rescoring, and of the int8 estimates alone, against the exact answer. */
  recall: number;
  recallEstimate: number;
  exactBytes: number;
  quantBytes: number;
  /** n × dim × 4: the float32 originals. */
  floatBytes: number;
  loadMs: number;
  calibrateMs: number;
}

/** Loads n vectors into both stores and runs `searches` top-10 queries on each. */
export function measureStores(n: number, searches: number, oversampling: number): StoreMeasurement {
  const exact = new VectorStore(DIM, 'Cosine');
  const quantized = new VectorStore(DIM, 'Cosine', { onDisk: true, int8: { quantile: 0.99 } });
  const next = seededRandom(n);
  const v = new Float32Array(DIM);
  const loadStarted = performance.now();
  for (let slot = 0; slot < n; slot++) {
    unitVector(next, v);
    exact.set(slot, v);
    quantized.set(slot, v);
  }
  const loadMs = performance.now() - loadStarted;
  const queries = Array.from({ length: searches }, () => unitVector(next, new Float32Array(DIM)));
  const calibrateStarted = performance.now();
  quantized.searchQuantized(queries[0]!, K, { rescore: true, oversampling }, n, null, -Infinity);
  const calibrateMs = performance.now() - calibrateStarted;
  const exactMs: number[] = [];
  const quantMs: number[] = [];
  const estimateMs: number[] = [];
  let found = 0;
  let foundEstimate = 0;
  for (const q of queries) {
    let t = performance.now();
    const truth = exact.search(q, K, n, null, -Infinity).sorted();
    exactMs.push(performance.now() - t);
    t = performance.now();
    const got = quantized.searchQuantized(q, K, { rescore: true, oversampling }, n, null, -Infinity);
    quantMs.push(performance.now() - t);
    t = performance.now();
    const estimate = quantized.searchQuantized(q, K, { rescore: false, oversampling: 1 }, n, null, -Infinity);
    estimateMs.push(performance.now() - t);
    const expected = new Set(truth.map((h) => h.slot));
    found += got.sorted().filter((h) => expected.has(h.slot)).length;
    foundEstimate += estimate.sorted().filter((h) => expected.has(h.slot)).length;
  }
  return {
    exactMs,
    quantMs,
    estimateMs,
    recall: found / (searches * K),
    recallEstimate: foundEstimate / (searches * K),
    exactBytes: exact.memoryBytes,
    quantBytes: quantized.memoryBytes,
    floatBytes: n * DIM * 4,
    loadMs,
    calibrateMs,
  };
}
