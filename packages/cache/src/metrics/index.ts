// The cache's metrics: time series per agent and metric type (series.ts, on the backends of
// backend.ts) and the real-time per-minute aggregates every process shares (realtime.ts).
export type { Aggregation, MetricBucket, MetricSample } from './aggregate.js';
export type { MetricsBackend } from './backend.js';
export { REALTIME_BUCKETS_MS } from './realtime-hash.js';
export type {
  RealtimeBucket,
  RealtimeMetrics,
  RealtimeMinute,
  RealtimeRange,
  RealtimeSeries,
  RealtimeSeriesRecorder,
} from './realtime-types.js';
export type { AgentMetricsUpdate, AggregateQuery, Metrics, RangeQuery } from './series.js';
