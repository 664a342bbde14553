// The vector store as the monitor reads it: its own stats, the searches every process recorded,
// or the figures the app on the embedded engine published to Redis.
import { LOCAL_VECTORS_DOC, type PublishedVectorsStats } from '@monsteros/flows/metrics';
import type { MonitorStores, QdrantReading, Reading } from '../types.js';
import { absentReason } from './absent.js';
import { withTimeout } from './read.js';
import type { SharedFigures } from './shared-metrics.js';

export async function readQdrant(vectors: NonNullable<MonitorStores['vectors']>): Promise<QdrantReading> {
  const stats = await vectors.stats();
  const search = Object.entries(stats.latency)
    .map(([name, l]) => ({ name, count: l.count, p50Ms: l.p50, p99Ms: l.p99, meanMs: l.mean }))
    .sort((a, b) => a.name.localeCompare(b.name));
  // The average search is over the Qdrant queries themselves, not the strategies wrapping them.
  const queries = search.filter((s) => !s.name.startsWith('strategy:') && s.count > 0);
  const calls = queries.reduce((sum, s) => sum + s.count, 0);
  return {
    local: stats.local ? { ...stats.local, publishedAt: null } : null,
    collections: stats.collections.map((c) => ({
      name: c.name,
      points: c.points,
      indexedVectors: c.indexedVectors,
      status: c.status,
      optimizerStatus: c.optimizerStatus ?? null,
      segments: c.segments ?? null,
    })),
    search,
    avgSearchMs: calls ? queries.reduce((sum, s) => sum + s.meanMs * s.count, 0) / calls : null,
  };
}

/**
 * The Qdrant reading with the searches every process recorded (when there are any): the
 * vector store of this process, or none at all (the report in another shell), sees only its own.
 */
export function withSharedSearch(
  own: Reading<QdrantReading>,
  figures: SharedFigures | null,
): Reading<QdrantReading> {
  if (!figures || figures.search.length === 0)
    return own.status === 'ok' ? { ...own, searchSource: 'process' } : own;
  const calls = figures.search.reduce((n, s) => n + s.count, 0);
  const avgSearchMs = calls ? figures.search.reduce((n, s) => n + s.meanMs * s.count, 0) / calls : null;
  if (own.status !== 'ok')
    // The searches are known, the collections are not: never shown as "0 collections".
    return {
      status: 'ok',
      collections: [],
      collectionsAbsent: own.status === 'unavailable' ? own.error : own.reason,
      search: figures.search,
      avgSearchMs,
      searchSource: 'shared',
      local: null,
    };
  // Per-strategy latencies of this process stay beside the shared per-collection searches.
  const strategies = own.search.filter((s) => s.name.startsWith('strategy:'));
  return {
    status: 'ok',
    collections: own.collections,
    search: [...figures.search, ...strategies],
    avgSearchMs,
    searchSource: 'shared',
    local: own.local ?? null,
  };
}

/**
 * Without a vector store of its own (the report beside an app on the embedded engine, whose
 * directory the app holds), the collections and engine figures the app published to Redis.
 */
export async function readPublishedQdrant(
  stores: MonitorStores,
  timeoutMs: number,
): Promise<Reading<QdrantReading>> {
  const published = stores.realtime?.published
    ? await withTimeout('published vector stats', timeoutMs, () =>
        stores.realtime!.published!(LOCAL_VECTORS_DOC),
      ).catch(() => null)
    : null;
  if (!published) return { status: 'not-configured', reason: absentReason(stores, 'vectors') };
  const doc = published.doc as PublishedVectorsStats;
  return {
    status: 'ok',
    collections: doc.collections,
    search: [],
    avgSearchMs: null,
    local: { ...doc.local, publishedAt: published.at },
  };
}
