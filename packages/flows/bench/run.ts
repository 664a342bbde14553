// `pnpm --filter @monsteros/flows bench`: characterInteraction (local embedder, template
// responder, in-memory local vector store) at concurrency 1, 16 and 64, beside the same raw store
// calls made directly in the same run (raw pg, raw ioredis, the local Qdrant engine through its
// client, the same embedder; see bench/world.ts): the flow's overhead as a ratio. Targets: ≤ 1.3×;
// ≥ 500 flows/s at 16. The note gives this process's CPU time per call (user + system, µs): on
// a 2-core machine shared with PostgreSQL and Redis it is what bounds throughput.
import { type BenchRow, measure, report, type Stats } from '@monsteros/bench-kit';
import { closeWorld, MEMORIES_PER_CHARACTER, ours, rawInteraction } from './world.js';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 2_000);

/** `measure`, and this process's CPU time per call (µs). */
async function measureCpu(
  fn: (i: number) => Promise<unknown>,
  options: { iterations: number; concurrency: number },
): Promise<{ stats: Stats; cpuUs: number }> {
  const before = process.cpuUsage();
  const stats = await measure(fn, { ...options, warmup: 0 });
  const used = process.cpuUsage(before);
  return { stats, cpuUs: (used.user + used.system) / options.iterations };
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
    const rawRun = await measureCpu(rawInteraction, { iterations, concurrency });
    const oursRun = await measureCpu(
      async (i) => {
        const r = await ours(i + 1_000_000 * concurrency);
        if (r.partial) {
          if (partial++ === 0)
            console.log('first partial run:', JSON.stringify(r.timings.filter((t) => t.outcome !== 'ok')));
        }
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
  report('flows', rows, { iterations: ITERATIONS, memoriesPerCharacter: MEMORIES_PER_CHARACTER, partial });
  if (partial) console.log(`warning: ${partial} runs were partial`);
} finally {
  await closeWorld();
}
