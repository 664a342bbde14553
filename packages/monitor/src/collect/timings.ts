// Flow step timings: a bounded buffer that a pipeline's TimingRecorder fills, and the summary
// per flow and per step that the monitor reports.
import type { StepStore, StepTiming, TimingRecorder } from '@monsteros/flows';
import type { FlowRun, FlowSummary, FlowsReading, StepSummary } from '../types.js';
import { summarize } from './latency.js';

/** A ring of the most recent flow runs. */
export interface TimingBuffer {
  /** Pass this to `flow.run(input, recorder)` (or call it from your own recorder). */
  record: TimingRecorder;
  /** The runs still held, oldest first: pass `() => buffer.recent()` to `createMonitor({ timings })`. */
  recent(): FlowRun[];
}

/**
 * Creates a buffer of the last `size` flow runs (default 2,000) for the monitor's step timings.
 * @example
 * const timings = createTimingBuffer();
 * await questProgress.run(input, timings.record);
 * const monitor = createMonitor({ ...stores, timings: timings.recent });
 */
export function createTimingBuffer(size = 2_000): TimingBuffer {
  if (!Number.isInteger(size) || size < 1) throw new RangeError('size: must be a whole number of at least 1');
  const runs: FlowRun[] = [];
  let next = 0;
  return {
    record(flow, timings) {
      const run: FlowRun = { flow, timings: [...timings], at: Date.now() };
      if (runs.length < size) runs.push(run);
      else runs[next] = run;
      next = (next + 1) % size;
    },
    recent() {
      return runs.length < size ? [...runs] : [...runs.slice(next), ...runs.slice(0, next)];
    },
  };
}

/** Per-flow and per-step figures of a set of runs. */
export function summarizeRuns(runs: Iterable<FlowRun>): FlowsReading {
  const byFlow = new Map<
    string,
    { totals: number[]; failed: number; partial: number; byStore: Map<StepStore, number> }
  >();
  const bySteps = new Map<
    string,
    { flow: string; step: string; store: StepStore; ms: number[]; failed: number; degraded: number }
  >();
  let count = 0;
  for (const run of runs) {
    count++;
    const flow = byFlow.get(run.flow) ?? {
      totals: [] as number[],
      failed: 0,
      partial: 0,
      byStore: new Map<StepStore, number>(),
    };
    byFlow.set(run.flow, flow);
    let total = 0;
    for (const t of run.timings) {
      total += t.ms;
      flow.byStore.set(t.store, (flow.byStore.get(t.store) ?? 0) + t.ms);
      const key = `${run.flow}\u0000${t.step}\u0000${t.store}`;
      const step = bySteps.get(key) ?? {
        flow: run.flow,
        step: t.step,
        store: t.store,
        ms: [],
        failed: 0,
        degraded: 0,
      };
      bySteps.set(key, step);
      step.ms.push(t.ms);
      if (t.outcome === 'failed') step.failed++;
      if (t.outcome === 'degraded') step.degraded++;
    }
    flow.totals.push(total);
    if (run.timings.some((t: StepTiming) => t.outcome === 'failed')) flow.failed++;
    else if (run.timings.some((t) => t.outcome === 'degraded')) flow.partial++;
  }
  const flows: FlowSummary[] = [...byFlow.entries()]
    .map(([name, f]) => {
      const all = [...f.byStore.values()].reduce((s, v) => s + v, 0);
      const { values: _values, ...summary } = summarize(f.totals);
      return {
        flow: name,
        ...summary,
        failed: f.failed,
        partial: f.partial,
        timeByStore: Object.fromEntries(
          [...f.byStore.entries()].map(([store, ms]) => [store, all ? ms / all : 0]),
        ),
      };
    })
    .sort((a, b) => a.flow.localeCompare(b.flow));
  const steps: StepSummary[] = [...bySteps.values()]
    .map((s) => {
      const { values: _values, ...summary } = summarize(s.ms);
      return {
        flow: s.flow,
        step: s.step,
        store: s.store,
        ...summary,
        failed: s.failed,
        degraded: s.degraded,
      };
    })
    .sort((a, b) => a.flow.localeCompare(b.flow) || b.meanMs - a.meanMs);
  return { runs: count, flows, steps };
}
