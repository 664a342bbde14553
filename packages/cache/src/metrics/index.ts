// Metrics time series `metrics:{metric_type}:{agent_name}`: RedisTimeSeries (TS.*) when the
// module is loaded, else a sorted set per series with the same API, retention and results
// (retention relative to the newest sample). Every sample is kept: two in one millisecond are two
// samples (with TS, the second moves to the next free millisecond), and the core structures key
// each sample by an id, so recording it again (an outbox event applied twice) is idempotent.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { type BatchCommand, sendBatch } from '../batch.js';
import type { Availability, ScriptedClient, ScriptedPipeline } from '../connection.js';
import { CacheError } from '../errors.js';
import type { KeyBuilders } from '../keys.js';
import { type AgentSessionPatch, agentSessionFields } from '../sessions.js';
import { check, KeyPart, PositiveInt } from '../validation.js';
import { type Aggregation, aggregate, type MetricBucket, type MetricSample } from './aggregate.js';

export type { Aggregation, MetricBucket, MetricSample } from './aggregate.js';

/** Which implementation stores the series. */
export type MetricsBackend = 'timeseries' | 'core';

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

const Value = z.number({ message: 'must be a number' }).refine(Number.isFinite, 'must be a finite number');
const Timestamp = z.union([
  z
    .number({ message: 'must be milliseconds or a Date' })
    .int('must be whole milliseconds')
    .min(0, 'must not be negative'),
  z.date({ message: 'must be milliseconds or a Date' }),
]);
const ms = (t: number | Date) => (t instanceof Date ? t.getTime() : t);
const RecordOptions = z.object(
  { id: KeyPart.max(200, 'must be at most 200 characters').optional() },
  { message: 'must be an object' },
);
/** A sample id of 16 hex characters: unique enough among one series' samples of one millisecond. */
const newSampleId = () => randomBytes(8).toString('hex');
/** Tries of the next millisecond when RedisTimeSeries already holds a sample at the timestamp. */
const TS_SHIFTS = 1_000;
const AggregateQuerySchema = z.object({
  from: Timestamp.optional(),
  to: Timestamp.optional(),
  bucketMs: PositiveInt,
  aggregation: z.enum(['avg', 'max', 'min', 'sum', 'count'], {
    message: 'must be avg, max, min, sum or count',
  }),
});
const RangeQuerySchema = z.object({ from: Timestamp.optional(), to: Timestamp.optional() });
const UpdateSchema = z.object({
  agent: KeyPart,
  // Each name is a metric type and a session metric (at most 100 characters there).
  metrics: z.record(KeyPart.max(100, 'must be at most 100 characters'), Value),
  // Validated by agentSessionFields (status, current context; no metrics: those are `metrics`).
  session: z.unknown().optional(),
  timestamp: Timestamp.optional(),
});

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
  let detected: Promise<MetricsBackend> | undefined;
  function detect(): Promise<MetricsBackend> {
    if (backend !== 'auto') return Promise.resolve(backend);
    detected ??= availability
      .run('detect RedisTimeSeries', async () => {
        const modules = (await client.call('MODULE', 'LIST')) as unknown[];
        const text = JSON.stringify(modules, (_k, v) =>
          Buffer.isBuffer(v) ? v.toString() : v,
        ).toLowerCase();
        return text.includes('"timeseries"') ? 'timeseries' : 'core';
      })
      .catch((error) => {
        detected = undefined;
        throw error;
      });
    return detected;
  }

  const seriesKey = (metricType: string, agent: string) =>
    keys.metric(check(KeyPart, metricType, 'metricType'), check(KeyPart, agent, 'agent'));

  async function samples(metricType: string, agent: string, query: RangeQuery = {}): Promise<MetricSample[]> {
    const key = seriesKey(metricType, agent);
    const q = check(RangeQuerySchema, query, 'query');
    const from = q.from === undefined ? 0 : ms(q.from);
    const to = q.to === undefined ? Date.now() : ms(q.to);
    const kind = await detect();
    if (kind === 'timeseries') {
      const reply = (await availability.run('read metric samples', () =>
        client.call('TS.RANGE', key, String(from), String(to)).catch((error: Error) => {
          if (/key does not exist/i.test(error.message)) return [];
          throw error;
        }),
      )) as Array<[number, string]>;
      return reply.map(([t, v]) => ({ timestamp: Number(t), value: Number(v) }));
    }
    const members = (await availability.run('read metric samples', () =>
      client.zrangebyscore(key, from, to),
    )) as string[];
    // `ts:value:id` (`ts:value` before sample ids existed).
    return members.map((m) => {
      const colon = m.indexOf(':');
      const second = m.indexOf(':', colon + 1);
      const timestamp = Number(m.slice(0, colon));
      if (second < 0) return { timestamp, value: Number(m.slice(colon + 1)) };
      return { timestamp, value: Number(m.slice(colon + 1, second)), id: m.slice(second + 1) };
    });
  }

  function addTo(
    pipeline: ScriptedPipeline | ScriptedClient,
    kind: MetricsBackend,
    key: string,
    t: number,
    value: number,
    id: string,
    onDuplicate: 'LAST' | 'BLOCK' = 'LAST',
  ) {
    if (kind === 'timeseries') {
      return pipeline.call(
        'TS.ADD',
        key,
        String(t),
        String(value),
        'RETENTION',
        String(retentionMs),
        'ON_DUPLICATE',
        onDuplicate,
      );
    }
    return pipeline.mosMetricAdd(key, String(t), String(value), String(retentionMs), id);
  }

  return {
    async record(metricType, agent, value, timestamp, options = {}) {
      const key = seriesKey(metricType, agent);
      const v = check(Value, value, 'value');
      const t = timestamp === undefined ? Date.now() : ms(check(Timestamp, timestamp, 'timestamp'));
      const id = check(RecordOptions, options, 'options').id ?? newSampleId();
      const kind = await detect();
      if (kind === 'core') {
        const reply = await availability.run(
          'record metric',
          () => addTo(client, kind, key, t, v, id) as Promise<unknown>,
        );
        return reply === 1;
      }
      // RedisTimeSeries keys samples by timestamp: a taken millisecond moves the sample to the next.
      for (let shift = 0; shift < TS_SHIFTS; shift++) {
        try {
          await availability.run(
            'record metric',
            () => addTo(client, kind, key, t + shift, v, id, 'BLOCK') as Promise<unknown>,
          );
          return true;
        } catch (error) {
          const text = String((error as Error).cause ?? error);
          if (/older than (the )?retention/i.test(text)) return false;
          if (!/BLOCK|duplicate/i.test(text)) throw error;
        }
      }
      throw new CacheError('CONFLICT', `record metric: ${TS_SHIFTS} samples already at ${t} ms and after`);
    },
    samples,
    async range(metricType, agent, query) {
      const q = check(AggregateQuerySchema, query, 'query');
      const kind = await detect();
      if (kind === 'timeseries') {
        const key = seriesKey(metricType, agent);
        const from = q.from === undefined ? 0 : ms(q.from);
        const to = q.to === undefined ? Date.now() : ms(q.to);
        const reply = (await availability.run('aggregate metric', () =>
          client
            .call('TS.RANGE', key, String(from), String(to), 'AGGREGATION', q.aggregation, String(q.bucketMs))
            .catch((error: Error) => {
              if (/key does not exist/i.test(error.message)) return [];
              throw error;
            }),
        )) as Array<[number, string]>;
        return reply.map(([t, v]) => ({ timestamp: Number(t), value: Number(v) }));
      }
      return aggregate(
        await samples(metricType, agent, { from: q.from, to: q.to }),
        q.bucketMs,
        q.aggregation,
      );
    },
    async updateAgents(updates) {
      check(z.array(z.unknown(), { message: 'must be an array' }), updates, 'updates');
      const now = Date.now();
      const planned = updates.map((u, i) => {
        const parsed = check(UpdateSchema, u, `updates[${i}]`);
        const fields = agentSessionFields(parsed.session, parsed.metrics, now, `updates[${i}].session`);
        return { ...parsed, fields, t: parsed.timestamp === undefined ? now : ms(parsed.timestamp) };
      });
      const kind = await detect();
      let samplesWritten = 0;
      const commands: BatchCommand[] = [];
      const ttl = String(agentSessionTtlMs);
      const retention = String(retentionMs);
      for (const u of planned) {
        const sessionKey = keys.agentSession(u.agent);
        const metrics = Object.entries(u.metrics);
        samplesWritten += metrics.length;
        if (kind === 'core') {
          // One script per agent (its keys share the agent's slot): the session and its samples.
          const args = [String(1 + metrics.length), sessionKey];
          for (const [metricType] of metrics) args.push(keys.metric(metricType, u.agent));
          args.push(ttl, retention, String(u.t), String(u.fields.length / 2), ...u.fields);
          for (const [, value] of metrics) args.push(String(value));
          args.push(newSampleId());
          commands.push((p) => p.mosAgentUpdate(...args));
          continue;
        }
        commands.push((p) => p.mosSessionWrite(sessionKey, ttl, 'upsert', ...u.fields));
        for (const [metricType, value] of metrics) {
          const key = keys.metric(metricType, u.agent);
          commands.push((p) => addTo(p, kind, key, u.t, value, ''));
        }
      }
      await sendBatch(client, availability, 'bulk agent metrics update', commands);
      return { agents: planned.length, samples: samplesWritten };
    },
    backend: detect,
  };
}
