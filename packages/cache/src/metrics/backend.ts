// Which implementation stores the metrics series, and what every implementation does with one
// series key: RedisTimeSeries (TS.*, timeseries-store.ts) when the module is loaded, else a
// sorted set per series written by a script (core-store.ts), with the same API and results.
import type { BatchCommand } from '../batch.js';
import type { Availability, ScriptedClient } from '../connection.js';
import type { Aggregation, MetricBucket, MetricSample } from './aggregate.js';

/** Which implementation stores the series. */
export type MetricsBackend = 'timeseries' | 'core';

/** One agent's part of `updateAgents`, checked: its session fields and one sample per metric. */
interface PlannedAgentUpdate {
  sessionKey: string;
  /** Series key → value, one sample each. */
  samples: Array<[key: string, value: number]>;
  /** The session hash's fields and values, flat. */
  fields: string[];
  /** Sample time (ms). */
  t: number;
}

/** The commands of one backend on series keys (inputs already checked by createMetrics). */
export interface SeriesStore {
  /** Adds one sample; false when it is older than the retention window. */
  record(key: string, t: number, value: number, id: string): Promise<boolean>;
  /** Raw samples in [from, to], oldest first. */
  samples(key: string, from: number, to: number): Promise<MetricSample[]>;
  /** Samples aggregated per bucket aligned to the epoch, empty buckets left out. */
  range(
    key: string,
    from: number,
    to: number,
    bucketMs: number,
    aggregation: Aggregation,
  ): Promise<MetricBucket[]>;
  /** The batch commands that write one agent's session hash and its samples. */
  agentUpdate(update: PlannedAgentUpdate): BatchCommand[];
}

/**
 * The backend in use: `backend` itself unless `auto`, else detected once (`MODULE LIST` lists
 * `timeseries`); a failed detection is tried again by the next call.
 */
export function createBackendDetector(
  client: ScriptedClient,
  availability: Availability,
  backend: MetricsBackend | 'auto',
): () => Promise<MetricsBackend> {
  let detected: Promise<MetricsBackend> | undefined;
  return function detect(): Promise<MetricsBackend> {
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
  };
}
