// `pnpm --filter @monsteros/flows bench`: characterInteraction (local embedder, template
// responder, in-memory local vector store) at concurrency 1, 16 and 64, beside the same raw store
// calls made directly in the same run (raw pg, raw ioredis, the local Qdrant engine through its
// client, the same embedder; see bench/world.ts): the flow's overhead as a ratio. Targets: ≤ 1.3×;
// ≥ 500 flows/s at 16. The two paths run in alternating rounds (measurePair). The note gives this
// process's CPU time per call (user + system, µs): on a 2-core machine shared with PostgreSQL and
// Redis it is what bounds throughput.
import { type BenchRow, measure, report, type Stats } from '@monsteros/bench-kit';
import { closeWorld, MEMORIES_PER_CHARACTER, ours, rawInteraction, STORED_INTERACTIONS } from './world.js';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 2_000);

const ROUNDS = 4;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * Both paths in alternating rounds (raw, ours, ours, raw, …), so that neither always runs on the
 * other's leftovers (the memories each call adds, warm or cold connections, the load of this
 * shared machine at the time): the percentiles are the medians of the rounds', the throughput
 * and the CPU time per call (this process, user + system) over all rounds.
 */
async function measurePair(
  paths: { raw: (i: number) => Promise<unknown>; ours: (i: number) => Promise<unknown> },
  options: { iterations: number; concurrency: number },
): Promise<Record<'raw' | 'ours', { stats: Stats; cpuUs: number }>> {
  const perRound = Math.ceil(options.iterations / ROUNDS);
  const runs = { raw: [] as Stats[], ours: [] as Stats[] };
  const cpu = { raw: 0, ours: 0 };
  let offset = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? (['raw', 'ours'] as const) : (['ours', 'raw'] as const);
    for (const path of order) {
      const start = offset;
      offset += perRound;
      const before = process.cpuUsage();
      runs[path].push(
        await measure((i) => paths[path](start + i), {
          iterations: perRound,
          concurrency: options.concurrency,
          warmup: 0,
        }),
      );
      const used = process.cpuUsage(before);
      cpu[path] += used.user + used.system;
    }
  }
  const combine = (list: Stats[]): Stats => {
    const iterations = list.reduce((n, s) => n + s.iterations, 0);
    const seconds = list.reduce((t, s) => t + s.iterations / s.opsPerSec, 0);
    return {
      iterations,
      concurrency: options.concurrency,
      p50: median(list.map((s) => s.p50)),
      p99: median(list.map((s) => s.p99)),
      mean: list.reduce((t, s) => t + s.mean * s.iterations, 0) / iterations,
      max: Math.max(...list.map((s) => s.max)),
      opsPerSec: iterations / seconds,
    };
  };
  const total = perRound * ROUNDS;
  return {
    raw: { stats: combine(runs.raw), cpuUs: cpu.raw / total },
    ours: { stats: combine(runs.ours), cpuUs: cpu.ours / total },
  };
}

const rows: BenchRow[] = [];
try {
  // Warm both paths (prepared statements, pools, JIT).
  for (let i = 0; i < 200; i++) {
    await ours(i);
    await rawInteraction(i);
  }
  let partial = 0;
  for (const concurrency of [1, 16, 64]) {
    const iterations = concurrency === 1 ? Math.ceil(ITERATIONS / 4) : ITERATIONS;
    const { raw: rawRun, ours: oursRun } = await measurePair(
      {
        raw: (i) => rawInteraction(i + 1_000_000 * concurrency),
        ours: async (i) => {
          const r = await ours(i + 1_000_000 * concurrency);
          if (r.partial) {
            if (partial++ === 0)
              console.log('first partial run:', JSON.stringify(r.timings.filter((t) => t.outcome !== 'ok')));
          }
        },
      },
      { iterations, concurrency },
    );
    const target =
      concurrency === 16 ? `; ${oursRun.stats.opsPerSec >= 500 ? 'meets' : 'BELOW'} 500/s target` : '';
    rows.push({
      case: 'characterInteraction',
      path: 'raw store calls (sum)',
      stats: rawRun.stats,
      note: `cpu ${rawRun.cpuUs.toFixed(0)} µs/call`,
    });
    rows.push({
      case: 'characterInteraction',
      path: 'ours (flow)',
      stats: oursRun.stats,
      baseline: rawRun.stats,
      note: `cpu ${oursRun.cpuUs.toFixed(0)} µs/call (${(oursRun.cpuUs / rawRun.cpuUs).toFixed(2)}x)${target}`,
    });
  }
  report('flows', rows, {
    iterations: ITERATIONS,
    memoriesPerCharacter: MEMORIES_PER_CHARACTER,
    storedInteractions: STORED_INTERACTIONS,
    partial,
  });
  if (partial) console.log(`warning: ${partial} runs were partial`);
} finally {
  await closeWorld();
}
