// The four stores opened for a data layer, each instrumented into the real-time metrics.
import { type Analytics, createAnalytics } from '@monsteros/analytics';
import { type Cache, createCache } from '@monsteros/cache';
import { createRelational, type Relational } from '@monsteros/relational';
import { type DataLayerConfig, DEFAULT_POOL_SIZE } from '../data-layer-config.js';
import type { DataLayerOptions } from '../data-layer-types.js';
import { instrumentPostgresPool } from '../metrics/instrument-postgres.js';
import { instrumentRedis } from '../metrics/instrument-redis.js';
import { createMetricsRecorder, type MetricsRecorder } from '../metrics/recorder.js';
import { instrumentAnalytics, instrumentVectors } from '../metrics/store-calls.js';
import type { VectorsPort } from '../ports.js';
import { createVectorsPort } from '../vectors-port.js';

/** The stores of one data layer and the recorder their calls are measured into. */
export interface OpenedStores {
  relational: Relational;
  cache: Cache;
  metrics: MetricsRecorder;
  vectors: VectorsPort;
  /** null with `analytics: false`. */
  analytics: Analytics | null;
}

/**
 * Opens PostgreSQL, Redis, the vector store (or takes `options.vectors`) and DuckDB (unless
 * `analytics: false`); when one fails to open, closes the ones already open and rethrows.
 */
export async function openStores(
  config: DataLayerConfig,
  options: Pick<DataLayerOptions, 'poolSize' | 'vectors' | 'analytics' | 'metrics'>,
): Promise<OpenedStores> {
  const relational = createRelational({
    databaseUrl: config.databaseUrl,
    poolSize: options.poolSize ?? DEFAULT_POOL_SIZE,
  });
  const cache = createCache({ redis: config.redisUrl, prefix: config.keyPrefix });
  let vectors: VectorsPort | undefined;
  let analytics: Analytics | null = null;
  const metrics = createMetricsRecorder(options.metrics === false ? null : cache.realtime);
  // Every statement, connection wait and hold of the pool becomes a `postgresql` store call, every
  // command a `redis` one (DuckDB queries and vector calls below are wrapped the same way).
  instrumentPostgresPool(relational.pool, metrics);
  instrumentRedis(cache.redis, metrics, config.keyPrefix);
  try {
    vectors =
      options.vectors ??
      (await createVectorsPort(
        config,
        metrics.enabled ? { instrument: (s) => instrumentVectors(s, metrics) } : {},
      ));
    if (options.analytics !== false) {
      const opened = await createAnalytics({ path: config.duckdbPath });
      analytics = metrics.enabled ? instrumentAnalytics(opened, metrics) : opened;
    }
  } catch (error) {
    await vectors?.close().catch(() => {});
    await cache.close().catch(() => {});
    await relational.close().catch(() => {});
    throw error;
  }
  return { relational, cache, metrics, vectors, analytics };
}
