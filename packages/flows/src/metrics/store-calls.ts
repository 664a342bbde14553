// Store calls, classed (vector search and upsert, DuckDB query, PostgreSQL query, Redis
// command): each is timed into the real-time metrics and runs in an OpenTelemetry client span.
import type { Analytics } from '@monsteros/analytics';
import type { Vectors } from '@monsteros/vectors';
import type { MetricsRecorder } from './recorder.js';
import { type StoreCall, storeCallSpan } from './tracing.js';

/** Times one store call into `metrics` and a span; rethrows its error. */
function timedStoreCall<T>(metrics: MetricsRecorder, call: StoreCall, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  let out: Promise<T>;
  try {
    out = storeCallSpan(call, run);
  } catch (error) {
    out = Promise.reject(error);
  }
  // Settled through `then` rather than an async function: no extra promise per call.
  return out.then(
    (out) => {
      metrics.storeCall(call, performance.now() - started, true);
      return out;
    },
    (error: unknown) => {
      metrics.storeCall(call, performance.now() - started, false);
      throw error;
    },
  );
}

const CLASSES_KEPT = 1_000;

/** The classes of one system, one object per operation and target (their labels are built once); bounded. */
function storeCallClasses(system: StoreCall['system']): (operation: string, target: string) => StoreCall {
  const byOperation = new Map<string, Map<string, StoreCall>>();
  return (operation, target) => {
    let byTarget = byOperation.get(operation);
    if (!byTarget) {
      byTarget = new Map();
      byOperation.set(operation, byTarget);
    }
    let call = byTarget.get(target);
    if (!call) {
      call = { system, operation, target };
      if (byTarget.size >= CLASSES_KEPT) byTarget.clear();
      byTarget.set(target, call);
    }
    return call;
  };
}

/**
 * The same Vectors with its searches (`search`, the strategies) and writes (`upsert`, deletes)
 * timed as `qdrant` store calls, target = the collection (or the strategy's collection).
 */
export function instrumentVectors(vectors: Vectors, metrics: MetricsRecorder): Vectors {
  // Collections are a handful of names (the specs'): their classes are kept.
  const qdrant = storeCallClasses('qdrant');
  return {
    ...vectors,
    // Getters and methods that read `this` keep working: every member is the original's.
    specs: vectors.specs,
    client: vectors.client,
    upsert: (collection, records, options) =>
      timedStoreCall(metrics, qdrant('upsert', collection), () =>
        vectors.upsert(collection, records, options),
      ),
    deleteBySourceIds: (collection, ids) =>
      timedStoreCall(metrics, qdrant('delete', collection), () => vectors.deleteBySourceIds(collection, ids)),
    deleteByFilter: (collection, filter) =>
      timedStoreCall(metrics, qdrant('delete', collection), () => vectors.deleteByFilter(collection, filter)),
    search: (collection, query, options) =>
      timedStoreCall(metrics, qdrant('search', collection), () => vectors.search(collection, query, options)),
    hippoRagMemorySearch: (query, options) =>
      timedStoreCall(metrics, qdrant('search', 'memory_embeddings'), () =>
        vectors.hippoRagMemorySearch(query, options),
      ),
    characterContextSearch: (query, options) =>
      timedStoreCall(metrics, qdrant('search', 'character_memories'), () =>
        vectors.characterContextSearch(query, options),
      ),
    crossCharacterSearch: (query, options) =>
      timedStoreCall(metrics, qdrant('search', 'character_memories'), () =>
        vectors.crossCharacterSearch(query, options),
      ),
  };
}

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * The same Analytics with its queries timed as `duckdb` store calls: ingestion (`ingest`,
 * target the source), the views and analyses (`select`, target the view or analysis in snake
 * case), deletes and exports. Its health and stats (the monitor's reads) are left out.
 * @example
 * const analytics = instrumentAnalytics(await createAnalytics({ path }), metrics);
 * await analytics.characterTrends({ hours: 24 }); // store_call duckdb␟select␟character_trends␟ok
 */
export function instrumentAnalytics(analytics: Analytics, metrics: MetricsRecorder): Analytics {
  const timed = <A extends unknown[], R>(
    operation: string,
    target: string,
    run: (...args: A) => Promise<R>,
  ) => {
    const call: StoreCall = { system: 'duckdb', operation, target };
    return (...args: A) => timedStoreCall(metrics, call, () => run(...args));
  };
  const a = analytics;
  return {
    ...a,
    path: a.path,
    readOnly: a.readOnly,
    ingest: {
      postgres: timed('ingest', 'postgres', a.ingest.postgres),
      metrics: timed('ingest', 'metrics', a.ingest.metrics),
      watermarks: timed('select', 'ingest_watermarks', a.ingest.watermarks),
    },
    views: {
      characterPerformance: timed('select', 'character_performance', a.views.characterPerformance),
      memoryPerformance: timed('select', 'memory_performance', a.views.memoryPerformance),
      learningAnalytics: timed('select', 'learning_analytics', a.views.learningAnalytics),
    },
    characterTrends: timed('select', snake('characterTrends'), a.characterTrends),
    memoryEfficiency: timed('select', snake('memoryEfficiency'), a.memoryEfficiency),
    learningEffectiveness: timed('select', snake('learningEffectiveness'), a.learningEffectiveness),
    metricBuckets: timed('select', snake('metricBuckets'), a.metricBuckets),
    ids: timed('select', 'ids', a.ids),
    deleteIds: timed('delete', 'ids', a.deleteIds),
    similarPairs: timed('select', snake('similarPairs'), a.similarPairs),
    exportParquet: timed('export', 'parquet', a.exportParquet),
    reset: timed('delete', 'all', a.reset),
  };
}
