// `pnpm --filter @monsteros/qdrant-local bench:scale` (and `pnpm bench:scale` at the root): local search
// p50 and the memory a store holds as the collection grows, float32 exact scan against int8 codes
// with rescoring (originals on disk). BENCH_SCALE_SIZES (default 10000,100000; add 1000000 by
// hand: about 3 GB of memory and minutes of loading), BENCH_SCALE_SEARCHES (default 30).
import { reportCurve, smoke, summarize } from '@monsteros/bench-kit';
import { DIM, measureStores } from './quantized-stores.js';

const SIZES = smoke
  ? [1_000, 2_000]
  : (process.env.BENCH_SCALE_SIZES ?? '10000,100000').split(',').map(Number);
const SEARCHES = smoke ? 3 : Number(process.env.BENCH_SCALE_SEARCHES ?? 30);

const search = { exact: [] as Array<{ x: number; y: number }>, int8: [] as Array<{ x: number; y: number }> };
const memory = { exact: [] as Array<{ x: number; y: number }>, int8: [] as Array<{ x: number; y: number }> };
for (const n of SIZES) {
  const m = measureStores(n, SEARCHES, 3);
  search.exact.push({ x: n, y: summarize(m.exactMs).p50 });
  search.int8.push({ x: n, y: summarize(m.quantMs).p50 });
  memory.exact.push({ x: n, y: m.exactBytes / 2 ** 20 });
  memory.int8.push({ x: n, y: m.quantBytes / 2 ** 20 });
  console.log(`${n}: recall@10 ${m.recall.toFixed(3)} (int8 + rescore 3x)`);
}
reportCurve({
  name: 'scale-vector-search',
  title: `Local search p50, top 10, ${DIM} dims (in process)`,
  x: 'points',
  y: 'p50 ms',
  series: [
    { name: 'float32 exact', points: search.exact },
    { name: 'int8 + rescore 3x', points: search.int8 },
  ],
});
reportCurve({
  name: 'scale-vector-memory',
  title: `Local store memory, ${DIM} dims`,
  x: 'points',
  y: 'MiB held',
  series: [
    { name: 'float32 in memory', points: memory.exact },
    { name: 'int8 codes, originals on disk', points: memory.int8 },
  ],
});
