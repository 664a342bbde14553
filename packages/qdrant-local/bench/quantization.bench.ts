// `pnpm --filter @monsteros/qdrant-local bench:quantization`: int8 scalar quantization of the local
// mode's dense store against the float32 exact scan, same data, same queries, same run:
// search p50/p99 (top 10, Cosine), recall@10 against the exact answer, and the memory each store
// holds. The quantized store keeps its float32 originals on disk (`on_disk: true`) and rescores
// `10 × oversampling` candidates with them, as Qdrant does with `always_ram` codes.
// BENCH_QUANT_SIZES (default 10000,100000; 1000000 by hand), BENCH_QUANT_SEARCHES (default 50),
// BENCH_OVERSAMPLING (default 3); `--smoke` runs 2,000 points and 5 searches.
import { type BenchRow, report, smoke, summarize } from '@monsteros/bench-kit';
import { DIM, measureStores } from './quantized-stores.js';

const SIZES = smoke ? [2_000] : (process.env.BENCH_QUANT_SIZES ?? '10000,100000').split(',').map(Number);
const SEARCHES = smoke ? 5 : Number(process.env.BENCH_QUANT_SEARCHES ?? 50);
const OVERSAMPLING = Number(process.env.BENCH_OVERSAMPLING ?? 3);

const rows: BenchRow[] = [];
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
for (const n of SIZES) {
  const m = measureStores(n, SEARCHES, OVERSAMPLING);
  const baseline = summarize(m.exactMs);
  rows.push({
    case: `search top 10, ${n} x ${DIM} Cosine`,
    path: 'float32 exact scan (in memory)',
    stats: baseline,
    note: `holds ${mb(m.exactBytes)} (float32 rows ${mb(m.floatBytes)}); load ${(m.loadMs / 1000).toFixed(1)} s both stores`,
  });
  rows.push({
    case: `search top 10, ${n} x ${DIM} Cosine`,
    path: `int8 + rescore ${OVERSAMPLING}x oversampled (originals on disk)`,
    stats: summarize(m.quantMs),
    baseline,
    note: `recall@10 ${m.recall.toFixed(3)}; holds ${mb(m.quantBytes)} = ${((100 * m.quantBytes) / m.floatBytes).toFixed(1)} % of float32; codes calibrated in ${m.calibrateMs.toFixed(0)} ms`,
  });
  rows.push({
    case: `search top 10, ${n} x ${DIM} Cosine`,
    path: 'int8 estimates only (rescore: false)',
    stats: summarize(m.estimateMs),
    baseline,
    note: `recall@10 ${m.recallEstimate.toFixed(3)}`,
  });
}
report('qdrant-local-quantization', rows, { dim: DIM, searches: SEARCHES, oversampling: OVERSAMPLING });
