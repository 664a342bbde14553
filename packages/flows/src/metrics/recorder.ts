// Records what the data layer does into the cache's real-time metrics (per-minute aggregates in
// Redis, shared by every process): flow runs and steps, store calls, relay rounds and events,
// memory operations. Each call is an in-memory update; the cache sends them in batches.
import type { RealtimeMetrics } from '@monsteros/cache';
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

const labelsOf = new WeakMap<StoreCall, readonly [string[], string[]]>();

/** The label values of a store call class and outcome, built once per class object (hot path). */
function storeCallLabels(call: StoreCall, ok: boolean): string[] {
  let pair = labelsOf.get(call);
  if (!pair) {
    const base = [call.system, call.operation, call.target ?? ''];
    pair = [
      [...base, 'ok'],
      [...base, 'error'],
    ];
    labelsOf.set(call, pair);
  }
  return pair[ok ? 0 : 1];
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
  return {
    enabled: true,
    flowRun(flow, timings, totalMs) {
      record('flow_run', [flow, runOutcome(timings)], totalMs);
      for (const t of timings) record('flow_step', [flow, t.step, t.store, t.outcome], t.ms);
    },
    storeCall(call, ms, ok) {
      record('store_call', storeCallLabels(call, ok), ms);
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
}
