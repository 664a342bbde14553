// The metrics time series `metrics:{metric_type}:{agent_name}`: the API createCache exposes as
// `cache.metrics`. Every call is checked here, then handed to the backend in use (backend.ts):
// RedisTimeSeries when the module is loaded (timeseries-store.ts), else a sorted set per series
// with the same API, retention and results (core-store.ts; retention relative to the newest
// sample). Every sample is kept: two in one millisecond are two samples (with TS, the second
// moves to the next free millisecond), and the core structures key each sample by an id, so
// recording it again (an outbox event applied twice) is idempotent.
import { type BatchCommand, sendBatch } from '../batch.js';
import type { Availability, ScriptedClient } from '../connection.js';
import type { KeyBuilders } from '../keys.js';
import { type AgentSessionPatch, agentSessionFields } from '../sessions.js';
import { check, KeyPart } from '../validation.js';
import type { Aggregation, MetricBucket, MetricSample } from './aggregate.js';
import { createBackendDetector, type MetricsBackend, type SeriesStore } from './backend.js';
import { createCoreStore } from './core-store.js';
import {
  AggregateQuerySchema,
  ms,
  newSampleId,
  RangeQuerySchema,
  RecordOptions,
  Timestamp,
  UpdateSchema,
  Updates,
  Value,
} from './inputs.js';
import { createTimeSeriesStore } from './timeseries-store.js';

export interface RangeQuery {
  /** Start, inclusive (ms or Date). Default 0. */
  from?: number | Date;
  /** End, inclusive (ms or Date). Default now. */
  to?: number | Date;
}

export interface AggregateQuery extends RangeQuery {
  /** Bucket width in ms (buckets are aligned to the epoch). */
  bucketMs: number;
  aggregation: Aggregation;
}

/** One agent's part of a bulk update: its session fields and one sample per metric. */
export interface AgentMetricsUpdate {
  agent: string;
  /** Metric type → value; each becomes a sample and is merged into the session's metrics. */
  metrics: Record<string, number>;
  /** Other session fields to write (status, current context). */
  session?: Omit<AgentSessionPatch, 'metrics'>;
  /** Sample time (ms or Date). Default now. */
  timestamp?: number | Date;
}

export interface Metrics {
  /**
   * Adds one sample; false when it is older than the retention window (like TS.ADD refusing it).
   * Samples never overwrite each other: `options.id` names this one (default: a new random id),
   * so recording the same id again replaces only it (idempotent re-application).
   * @example await cache.metrics.record('response_time', 'sage', 182, Date.now(), { id: interactionId });
   */
  record(
    metricType: string,
    agent: string,
    value: number,
    timestamp?: number | Date,
    options?: { id?: string },
  ): Promise<boolean>;
  /**
   * Raw samples in a time range, oldest first.
   * @example await cache.metrics.samples('response_time', 'sage', { from: Date.now() - 3_600_000 });
   */
  samples(metricType: string, agent: string, query?: RangeQuery): Promise<MetricSample[]>;
  /**
   * Samples aggregated per bucket (avg, max, min, sum or count), empty buckets left out.
   * @example await cache.metrics.range('response_time', 'sage', { bucketMs: 60_000, aggregation: 'avg' });
   */
  range(metricType: string, agent: string, query: AggregateQuery): Promise<MetricBucket[]>;
  /**
   * Writes many agents' session hashes and metric samples in one pipeline round trip.
   * @example await cache.metrics.updateAgents([{ agent: 'sage', metrics: { response_time: 120 } }]);
   */
  updateAgents(updates: AgentMetricsUpdate[]): Promise<{ agents: number; samples: number }>;
  /** The implementation in use (detected once: `MODULE LIST` lists `timeseries`). */
  backend(): Promise<MetricsBackend>;
}

export interface MetricsDeps {
  client: ScriptedClient;
  availability: Availability;
  keys: KeyBuilders;
  retentionMs: number;
  agentSessionTtlMs: number;
  /** `auto` detects the module. Default `auto`. */
  backend: MetricsBackend | 'auto';
}

/** Builds the metrics API (used by createCache). */
export function createMetrics({
  client,
  availability,
  keys,
  retentionMs,
  agentSessionTtlMs,
  backend,
}: MetricsDeps): Metrics {
  const detect = createBackendDetector(client, availability, backend);
  const stores: Record<MetricsBackend, SeriesStore> = {
    timeseries: createTimeSeriesStore({ client, availability, retentionMs, agentSessionTtlMs }),
    core: createCoreStore({ client, availability, retentionMs, agentSessionTtlMs }),
  };
  const store = async () => stores[await detect()];

  const seriesKey = (metricType: string, agent: string) =>
    keys.metric(check(KeyPart, metricType, 'metricType'), check(KeyPart, agent, 'agent'));

  return {
    async record(metricType, agent, value, timestamp, options = {}) {
      const key = seriesKey(metricType, agent);
      const v = check(Value, value, 'value');
      const t = timestamp === undefined ? Date.now() : ms(check(Timestamp, timestamp, 'timestamp'));
      const id = check(RecordOptions, options, 'options').id ?? newSampleId();
      return (await store()).record(key, t, v, id);
    },
    async samples(metricType, agent, query = {}) {
      const key = seriesKey(metricType, agent);
      const q = check(RangeQuerySchema, query, 'query');
      const from = q.from === undefined ? 0 : ms(q.from);
      const to = q.to === undefined ? Date.now() : ms(q.to);
      return (await store()).samples(key, from, to);
    },
    async range(metricType, agent, query) {
      const q = check(AggregateQuerySchema, query, 'query');
      const series = await store();
      const key = seriesKey(metricType, agent);
      const from = q.from === undefined ? 0 : ms(q.from);
      const to = q.to === undefined ? Date.now() : ms(q.to);
      return series.range(key, from, to, q.bucketMs, q.aggregation);
    },
    async updateAgents(updates) {
      check(Updates, updates, 'updates');
      const now = Date.now();
      const planned = updates.map((u, i) => {
        const parsed = check(UpdateSchema, u, `updates[${i}]`);
        const fields = agentSessionFields(parsed.session, parsed.metrics, now, `updates[${i}].session`);
        return { ...parsed, fields, t: parsed.timestamp === undefined ? now : ms(parsed.timestamp) };
      });
      const series = await store();
      let samplesWritten = 0;
      const commands: BatchCommand[] = [];
      for (const u of planned) {
        const samples = Object.entries(u.metrics).map(([metricType, value]): [string, number] => [
          keys.metric(metricType, u.agent),
          value,
        ]);
        samplesWritten += samples.length;
        commands.push(
          ...series.agentUpdate({
            sessionKey: keys.agentSession(u.agent),
            samples,
            fields: u.fields,
            t: u.t,
          }),
        );
      }
      await sendBatch(client, availability, 'bulk agent metrics update', commands);
      return { agents: planned.length, samples: samplesWritten };
    },
    backend: detect,
  };
}
