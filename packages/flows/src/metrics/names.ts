// The real-time metrics the data layer records, their labels (in the order the values are
// stored) and the Prometheus names they are exposed under. The README's table is this one.

/** What one real-time metric measures and how it is labelled. */
export interface RealtimeMetricSpec {
  /** Label names, in the order of the stored label values. */
  labels: readonly string[];
  /** The Prometheus histogram (seconds) it is exposed as. */
  prometheus: string;
  help: string;
}

export const REALTIME_METRICS = {
  flow_run: {
    labels: ['flow', 'outcome'],
    prometheus: 'monsteros_flow_run_duration_seconds',
    help: 'Wall time of flow runs, by flow and outcome (ok, partial: a fallback was used, failed).',
  },
  flow_step: {
    labels: ['flow', 'step', 'store', 'outcome'],
    prometheus: 'monsteros_flow_step_duration_seconds',
    help: 'Time of each flow step, by flow, step, store and outcome (ok, degraded, failed).',
  },
  store_call: {
    labels: ['db_system', 'operation', 'target', 'outcome'],
    prometheus: 'monsteros_store_call_duration_seconds',
    help: 'Store calls by class: db_system (postgresql, redis, qdrant, duckdb), operation (query, command, search, upsert), target (collection), outcome (ok, error).',
  },
  relay_round: {
    labels: ['outcome'],
    prometheus: 'monsteros_relay_round_duration_seconds',
    help: 'Outbox relay rounds (claim, apply, complete), by outcome (ok, error).',
  },
  relay_event: {
    labels: ['event_type', 'outcome'],
    prometheus: 'monsteros_relay_event_duration_seconds',
    help: 'Outbox events handled by the relay, by event type and outcome (applied, retried, parked).',
  },
  memory_op: {
    labels: ['operation', 'outcome'],
    prometheus: 'monsteros_memory_operation_duration_seconds',
    help: 'Memory operations (ingest, retrieve, consolidate), by outcome (ok, error).',
  },
} as const satisfies Record<string, RealtimeMetricSpec>;

export type RealtimeMetricName = keyof typeof REALTIME_METRICS;
export const REALTIME_METRIC_NAMES = Object.keys(REALTIME_METRICS) as RealtimeMetricName[];
