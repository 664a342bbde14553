// health(): each store's own health check, at the same time, in one shape.
import type { Analytics } from '@monsteros/analytics';
import type { Cache } from '@monsteros/cache';
import type { Relational } from '@monsteros/relational';
import type { DataLayerHealth } from '../data-layer-types.js';
import type { VectorsPort } from '../ports.js';

/** PostgreSQL, Redis, Qdrant and DuckDB checked at once; ok when all four are (no DuckDB counts as ok). */
export async function storesHealth(stores: {
  relational: Relational;
  cache: Cache;
  vectors: VectorsPort;
  analytics: Analytics | null;
}): Promise<DataLayerHealth> {
  const { relational, cache, vectors, analytics } = stores;
  const [postgres, redis, qdrant, duckdb] = await Promise.all([
    relational.health(),
    cache
      .health()
      .then((h) => ({ ok: h.ok, latencyMs: h.roundTripMs ?? 0, ...(h.error ? { error: h.error } : {}) })),
    vectors.health(),
    analytics ? analytics.health() : Promise.resolve({ ok: true, latencyMs: 0 }),
  ]);
  const byStore = { postgres, redis, qdrant, duckdb };
  return { ok: Object.values(byStore).every((s) => s.ok), stores: byStore };
}
