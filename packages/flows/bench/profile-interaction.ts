// characterInteraction alone (or its raw store calls with MODE=raw), for a CPU profile:
//   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profile-interaction.ts
// C: calls in flight (default 16), N: calls per round (default 4,000); METRICS=off: recording off;
// CONSOLIDATE=off: no background consolidation.
import { PerformanceObserver } from 'node:perf_hooks';
import { measure } from '@monsteros/bench-kit';
import { closeWorld, ours, rawInteraction } from './world.js';

const concurrency = Number(process.env.C ?? 16);
const iterations = Number(process.env.N ?? 4_000);
const run = process.env.MODE === 'raw' ? rawInteraction : ours;
// Time spent in garbage collection, per round.
let gcMs = 0;
const gc = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMs += entry.duration;
});
gc.observe({ entryTypes: ['gc'] });
try {
  for (let round = 0; round < 3; round++) {
    const before = process.cpuUsage();
    gcMs = 0;
    const s = await measure((i) => run(i + round * iterations), { iterations, concurrency, warmup: 0 });
    const used = process.cpuUsage(before);
    const cpu = (used.user + used.system) / iterations;
    console.log(
      `round ${round + 1}: ${s.opsPerSec.toFixed(0)} calls/s, p50 ${s.p50.toFixed(2)} ms, cpu ${cpu.toFixed(0)} µs/call, gc ${((gcMs * 1000) / iterations).toFixed(0)} µs/call`,
    );
  }
} finally {
  gc.disconnect();
  await closeWorld();
}
