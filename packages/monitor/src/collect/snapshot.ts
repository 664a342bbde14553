// Reads every store in parallel. A store that is down or slow gives an `unavailable` reading
// with the reason, never a failed collection: the report is most needed when something is down.
import type {
  DuckdbReading,
  FlowsReading,
  MonitorSnapshot,
  MonitorStores,
  OutboxReading,
  Reading,
} from '../types.js';
import { absentReason, notConfigured } from './absent.js';
import { readDuckdb } from './duckdb.js';
import { postgresRoundTrip, readPostgres } from './postgres.js';
import { readPublishedQdrant, readQdrant, withSharedSearch } from './qdrant.js';
import { type CollectSettings, reading, redact, sampleRoundTrips, withTimeout } from './read.js';
import { readRedis, redisRoundTrip } from './redis.js';
import { readSharedFigures, type SharedFigures, type SharedReading } from './shared-metrics.js';
import { summarizeRuns } from './timings.js';

async function readOutbox(stores: MonitorStores): Promise<OutboxReading> {
  return {
    backlog: await stores.relational.outbox.backlog(),
    relay: stores.relay ? stores.relay.stats() : null,
    relayAbsent: stores.relay ? null : absentReason(stores, 'relay'),
  };
}

async function readFlows(timings: NonNullable<MonitorStores['timings']>): Promise<FlowsReading> {
  return summarizeRuns(await timings());
}

/** Reads every store at once; see MonitorSnapshot. */
export async function collectSnapshot(
  stores: MonitorStores,
  settings: CollectSettings,
): Promise<MonitorSnapshot> {
  const started = performance.now();
  const takenAt = new Date().toISOString();
  const { timeoutMs } = settings;
  // The round trips run one after another, so their limit covers all of them.
  const sampled = timeoutMs * (settings.latencySamples + 2);
  const pgSamples = await withTimeout('PostgreSQL', sampled, () =>
    sampleRoundTrips(settings.latencySamples, () => postgresRoundTrip(stores.relational, timeoutMs)),
  ).catch((error: unknown) => error as Error);
  const redisSamples = await withTimeout('Redis', sampled, () =>
    sampleRoundTrips(settings.latencySamples, () => redisRoundTrip(stores.cache)),
  ).catch((error: unknown) => error as Error);
  const shared: SharedFigures | Error | null = stores.realtime
    ? await withTimeout('real-time metrics', timeoutMs, () =>
        readSharedFigures(stores.realtime!, settings.windowMinutes),
      ).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))))
    : null;
  const figures = shared instanceof Error ? null : shared;
  const [postgres, redis, qdrantOwn, duckdb, outbox, flowsOwn] = await Promise.all([
    reading('PostgreSQL', timeoutMs, () =>
      pgSamples instanceof Error
        ? Promise.reject(pgSamples)
        : readPostgres(stores.relational, pgSamples, stores.appPoolSize),
    ),
    reading('Redis', timeoutMs, () =>
      redisSamples instanceof Error ? Promise.reject(redisSamples) : readRedis(stores.cache, redisSamples),
    ),
    stores.vectors
      ? reading('vector store', timeoutMs, () => readQdrant(stores.vectors!))
      : readPublishedQdrant(stores, timeoutMs),
    stores.analytics
      ? reading('DuckDB', timeoutMs, () => readDuckdb(stores.analytics!))
      : notConfigured<DuckdbReading>(stores, 'analytics'),
    reading('outbox', timeoutMs, () => readOutbox(stores)),
    stores.timings
      ? reading('flow timings', timeoutMs, () => readFlows(stores.timings!))
      : notConfigured<FlowsReading>(stores, 'timings'),
  ]);
  const qdrant = withSharedSearch(qdrantOwn, figures);
  const flows: Reading<FlowsReading> = figures?.flows
    ? { status: 'ok', source: 'shared', ...figures.flows }
    : flowsOwn.status === 'ok'
      ? { ...flowsOwn, source: 'process' }
      : flowsOwn.status === 'not-configured' && stores.realtime
        ? {
            status: 'not-configured',
            reason: `no flow ran in the last ${settings.windowMinutes} minutes (real-time metrics in Redis, every process)`,
          }
        : flowsOwn;
  const sharedReading: Reading<SharedReading> =
    shared instanceof Error
      ? { status: 'unavailable', error: redact(shared.message) }
      : shared
        ? { status: 'ok', ...shared.reading }
        : { status: 'not-configured', reason: absentReason(stores, 'realtime') };
  return {
    takenAt,
    collectMs: performance.now() - started,
    postgres,
    redis,
    qdrant,
    duckdb,
    outbox,
    flows,
    shared: sharedReading,
  };
}
