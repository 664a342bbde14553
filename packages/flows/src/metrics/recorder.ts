// Records what the data layer does into the cache's real-time metrics (per-minute aggregates in
// Redis, shared by every process): flow runs and steps, store calls, relay rounds and events,
// memory operations. Each call is an in-memory update; the cache sends them in batches.
import type { RealtimeMetrics, RealtimeSeriesRecorder } from '@monsteros/cache';
import type { StepTiming } from '../pipeline.js';
import type { RealtimeMetricName } from './names.js';
import type { StoreCall } from './tracing.js';

/** The recording side of the data layer's metrics. */
export interface MetricsRecorder {
  /** False when recording is off (`metrics: false`): every method is then a no-op. */
  readonly enabled: boolean;
  /** One flow run: its wall time and each step's timing. */
  flowRun(flow: string, timings: readonly StepTiming[], totalMs: number): void;
  /** One store call of a class (db system and operation), with its outcome. */
  storeCall(call: StoreCall, ms: number, ok: boolean): void;
  /** One relay round (claim, apply, complete). */
  relayRound(ms: number, ok: boolean): void;
  /** One outbox event handled by the relay. */
  relayEvent(eventType: string, outcome: 'applied' | 'retried' | 'parked', ms: number): void;
  /** One memory operation (ingest, retrieve, consolidate). */
  memoryOp(operation: string, ms: number, ok: boolean): void;
}

const NOOP: MetricsRecorder = {
  enabled: false,
  flowRun() {},
  storeCall() {},
  relayRound() {},
  relayEvent() {},
  memoryOp() {},
};

function runOutcome(timings: readonly StepTiming[]): 'ok' | 'partial' | 'failed' {
  let outcome: 'ok' | 'partial' | 'failed' = 'ok';
  for (const t of timings) {
    if (t.outcome === 'failed') return 'failed';
    if (t.outcome === 'degraded') outcome = 'partial';
  }
  return outcome;
}

/**
 * The recorder over the cache's real-time metrics, or a no-op one (`null`).
 * @example
 * const metrics = createMetricsRecorder(cache.realtime);
 * metrics.storeCall({ system: 'qdrant', operation: 'search', target: 'character_memories' }, 4.2, true);
 * // → mos:rtm:{store_call}:m:<minute> gains qdrant␟search␟character_memories␟ok: count +1, sum +4.2, …
 */
export function createMetricsRecorder(realtime: RealtimeMetrics | null): MetricsRecorder {
  if (!realtime) return NOOP;
  // Recording never fails what it measures (a bad label would be our own bug, not the caller's).
  const record = (metric: RealtimeMetricName, labels: string[], ms: number) => {
    try {
      realtime.record(metric, labels, ms);
    } catch {}
  };
  const series = (metric: RealtimeMetricName, labels: string[]): RealtimeSeriesRecorder => {
    try {
      return realtime.series(metric, labels);
    } catch {
      return NOOP_SERIES;
    }
  };
  // The hot path resolves each label set once: a store call class's two outcomes (by the class
  // object, which the instrumentations reuse), a flow's outcomes, a flow step's outcomes.
  const storeCalls = new WeakMap<StoreCall, readonly [RealtimeSeriesRecorder, RealtimeSeriesRecorder]>();
  const flows = new Map<string, FlowSeries>();
  const flowSeries = (flow: string): FlowSeries => {
    let found = flows.get(flow);
    if (!found) {
      found = { labels: [flow], runs: new Map(), steps: new Map() };
      flows.set(flow, found);
    }
    return found;
  };
  /** The series of one outcome (the labels before it, then the outcome), resolved on first use. */
  const outcomeSeries = (
    cache: Map<string, RealtimeSeriesRecorder>,
    outcome: string,
    metric: RealtimeMetricName,
    labels: readonly string[],
  ) => {
    let found = cache.get(outcome);
    if (!found) {
      found = series(metric, [...labels, outcome]);
      cache.set(outcome, found);
    }
    return found;
  };
  return {
    enabled: true,
    flowRun(flow, timings, totalMs) {
      recordFlowRun(flow, timings, totalMs);
    },
    storeCall(call, ms, ok) {
      let pair = storeCalls.get(call);
      if (!pair) {
        const base = [call.system, call.operation, call.target ?? ''];
        pair = [series('store_call', [...base, 'ok']), series('store_call', [...base, 'error'])];
        storeCalls.set(call, pair);
      }
      recordTo(pair[ok ? 0 : 1], ms);
    },
    relayRound(ms, ok) {
      record('relay_round', [ok ? 'ok' : 'error'], ms);
    },
    relayEvent(eventType, outcome, ms) {
      record('relay_event', [eventType, outcome], ms);
    },
    memoryOp(operation, ms, ok) {
      record('memory_op', [operation, ok ? 'ok' : 'error'], ms);
    },
  };

  function recordFlowRun(flow: string, timings: readonly StepTiming[], totalMs: number): void {
    const f = flowSeries(flow);
    recordTo(outcomeSeries(f.runs, runOutcome(timings), 'flow_run', f.labels), totalMs);
    for (const t of timings) {
      let step = f.steps.get(t.step);
      if (!step) {
        step = { store: t.store, labels: [flow, t.step, t.store], outcomes: new Map() };
        f.steps.set(t.step, step);
      }
      // One step name with another store (not in our flows): recorded without a cached series.
      if (step.store !== t.store) record('flow_step', [flow, t.step, t.store, t.outcome], t.ms);
      else recordTo(outcomeSeries(step.outcomes, t.outcome, 'flow_step', step.labels), t.ms);
    }
  }
}

const NOOP_SERIES: RealtimeSeriesRecorder = { record() {} };

/** Records one value; a value that is not a latency (our own bug) is dropped, never thrown. */
function recordTo(series: RealtimeSeriesRecorder, ms: number): void {
  try {
    series.record(ms);
  } catch {}
}

/** A flow's resolved series: its runs by outcome, its steps (with their store) by outcome. */
interface FlowSeries {
  labels: readonly string[];
  runs: Map<string, RealtimeSeriesRecorder>;
  steps: Map<
    string,
    { store: string; labels: readonly string[]; outcomes: Map<string, RealtimeSeriesRecorder> }
  >;
}
