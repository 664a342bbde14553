// `pnpm --filter @monsteros/flows bench:scale` (part of the root `pnpm bench:scale`), each size a
// fresh run of an existing bench in its own process and database:
// - characterInteraction throughput at concurrency 16 with BENCH_SCALE_INTERACTIONS interactions
//   already stored (default 40000, the seed's; the 400000 by hand:
//   `BENCH_SCALE_INTERACTIONS=40000,400000`), bench/run.ts; each stored interaction is a row in
//   PostgreSQL and, as the flow writes it, a memory point of its character (12 characters), so
//   both stores grow with the size;
// - memory.retrieve p50 (entity linking + PPR walk + passages, no Redis cache) with
//   BENCH_SCALE_PASSAGES passages per character (default 1000,10000; 50000 by hand), bench/memory.ts
//   with two triples per passage and half as many entities as passages.
import { reportCurve, runAtSizes, smoke } from '@monsteros/bench-kit';

const list = (v: string) => v.split(',').filter(Boolean).map(Number);
const CHARACTERS = 12; // bench/world.ts
const INTERACTIONS = smoke ? [0, 1_000] : list(process.env.BENCH_SCALE_INTERACTIONS ?? '40000');
const PASSAGES = smoke ? [200, 400] : list(process.env.BENCH_SCALE_PASSAGES ?? '1000,10000');

if (INTERACTIONS.length > 0) {
  const runs = await runAtSizes(
    {
      script: 'bench/run.ts',
      env: (n) => ({
        BENCH_INTERACTIONS: String(n),
        BENCH_ITERATIONS: smoke ? '40' : '1000',
        BENCH_MEMORIES: smoke ? '50' : String(Math.max(1_000, Math.round(n / CHARACTERS))),
      }),
      result: 'flows.json',
    },
    INTERACTIONS,
  );
  const at16 = (path: string) =>
    runs.map(({ size, rows }) => ({
      x: Math.max(1, size),
      y: rows.find(
        (r) => r.case === 'characterInteraction' && r.path.startsWith(path) && r.stats.concurrency === 16,
      )!.stats.opsPerSec,
    }));
  reportCurve({
    name: 'scale-flows-interaction',
    title: 'characterInteraction throughput at concurrency 16',
    x: 'interactions stored',
    y: 'flows/s',
    higherIsBetter: true,
    series: [
      { name: 'ours (flow)', points: at16('ours') },
      { name: 'raw store calls', points: at16('raw') },
    ],
  });
}

if (PASSAGES.length > 0) {
  const retrieves = await runAtSizes(
    {
      script: 'bench/memory.ts',
      env: (passages) => ({
        BENCH_EDGES: String(2 * passages),
        BENCH_ENTITIES: String(Math.max(10, Math.round(passages / 2))),
        BENCH_ITERATIONS: smoke ? '3' : '30',
      }),
      result: 'flows-memory.json',
    },
    PASSAGES,
  );
  const retrieveP50 = (path: string) =>
    retrieves.map(({ size, rows }) => ({
      x: size,
      y: rows.find((r) => r.case.startsWith('retrieve (') && r.path.startsWith(path))!.stats.p50,
    }));
  reportCurve({
    name: 'scale-memory-retrieve',
    title: 'memory.retrieve p50 per character',
    x: 'passages per character',
    y: 'p50 ms',
    series: [{ name: 'retrieve, no Redis cache', points: retrieveP50('ours, no Redis cache') }],
  });
}
