// "Integration Recommendations": cross-store observations from the snapshot.
import type { StepStore } from '@monsteros/flows';
import { count, ms, pct } from '../render/format.js';
import type { MonitoredStore, MonitorSnapshot } from '../types.js';
import { STORE_LABELS } from './status.js';
import type { IntegrationRecommendation } from './types.js';

export function integration(s: MonitorSnapshot): IntegrationRecommendation[] {
  const out: IntegrationRecommendation[] = [];
  const o = s.outbox;
  if (o.status === 'ok') {
    const { pending, parked, oldestPendingMs } = o.backlog;
    const drained = pending === 0 && parked === 0;
    out.push({
      title: 'Outbox → Redis, Qdrant, DuckDB',
      state: drained ? 'good' : 'attention',
      basis: `${count(pending)} pending${pending ? ` (oldest ${ms(oldestPendingMs)})` : ''}, ${count(parked)} parked; ${o.relay ? `relay ${o.relay.running ? 'running' : 'stopped'}, ${count(o.relay.applied)} applied, ${count(o.relay.retried)} retried` : (o.relayAbsent ?? 'no relay')}`,
      recommendation: drained
        ? 'Side effects keep up with commits. Keep at least one relay worker per deployment; add workers before the backlog grows, not after.'
        : parked > 0
          ? 'Parked events are side effects that never happened: fix their handler, then retryParked(); until then caches and vectors miss those changes.'
          : 'Events wait to be applied: run relay.start() in a long-lived process (or more of them: claims are SKIP LOCKED) and kick() it after each commit.',
    });
  }
  const r = s.redis;
  if (r.status === 'ok') {
    const judged = r.namespaces.filter((n) => n.hits + n.misses > 0);
    const low = judged.filter((n) => (n.hitRate ?? 1) < 0.8);
    out.push({
      title: 'Redis caches ↔ PostgreSQL',
      state: judged.length === 0 ? 'unknown' : low.length ? 'attention' : 'good',
      basis: judged.length
        ? judged.map((n) => `${n.name} ${pct(n.hitRate)} of ${count(n.hits + n.misses)} reads`).join('; ')
        : 'no cache reads yet',
      recommendation: judged.length
        ? `Every miss is a PostgreSQL read (${pct(r.hitRate === null ? null : 1 - r.hitRate)} of cache reads now). Keep invalidation event-driven (outbox handlers call invalidateTag) so TTLs can be long${low.length ? `; raise TTL/maxSize of ${low.map((n) => n.name).join(', ')}` : ''}.`
        : 'No traffic through the caches yet: route hot reads (character responses, quest data, preferences) through getOrSet so PostgreSQL is read once per change.',
    });
  }
  const pg = s.postgres;
  const d = s.duckdb;
  if (d.status === 'ok') {
    const pgRows =
      pg.status === 'ok' ? pg.tables.find((t) => t.table === 'character_interactions')?.rows : undefined;
    const duckRows = d.rows.character_interactions;
    const oldest = d.ingestion.reduce((m, w) => Math.max(m, w.ageMs), 0);
    out.push({
      title: 'PostgreSQL → DuckDB analytics',
      state: d.ingestion.length === 0 ? 'attention' : oldest > 3_600_000 ? 'attention' : 'good',
      basis: d.ingestion.length
        ? `${d.ingestion.length} sources, last ingested ${ms(oldest)} ago at worst; interactions: ${count(duckRows ?? 0)} in DuckDB${pgRows !== undefined ? ` vs ~${count(pgRows)} in PostgreSQL` : ''}`
        : 'nothing ingested yet',
      recommendation: d.ingestion.length
        ? 'Ingestion is incremental by (updated_at, id): run it every few minutes (cheap when little changed) so the views stay fresh; export days older than a month to Parquet.'
        : 'Run analytics.ingest.postgres() on a schedule (and ingest.metrics() for the Redis series) so the performance and learning views have data.',
    });
  }
  const q = s.qdrant;
  out.push(
    q.status === 'ok'
      ? {
          title: 'PostgreSQL → Qdrant memory',
          state: q.collections.some((c) => c.status !== 'green') ? 'attention' : 'good',
          basis:
            q.collections.map((c) => `${c.name} ${count(c.points)} points (${c.status})`).join('; ') ||
            'no collections',
          recommendation:
            'Vectors are written from the outbox with deterministic ids: run reconcile after an outage to repair drift between memory rows and points.',
        }
      : {
          title: 'PostgreSQL → Qdrant memory',
          state: 'unknown',
          basis: q.status === 'unavailable' ? q.error : q.reason,
          recommendation:
            'Hand the vector store to the monitor (createMonitor({ vectors })) to watch collection sizes, indexing and search latency.',
        },
  );
  const f = s.flows;
  if (f.status === 'ok') {
    for (const flow of f.flows) {
      const [store, share] = (Object.entries(flow.timeByStore) as Array<[StepStore, number]>).sort(
        (a, b) => b[1] - a[1],
      )[0] ?? ['compute', 0];
      out.push({
        title: `Flow ${flow.flow}`,
        state: flow.failed > 0 || flow.partial > 0 ? 'attention' : 'good',
        basis: `${count(flow.count)} runs (${flow.failed} failed, ${flow.partial} fell back), p50 ${ms(flow.p50Ms)}, p95 ${ms(flow.p95Ms)}; ${pct(share)} of its time in ${store}`,
        recommendation:
          share > 0.5
            ? `${STORE_LABELS[store as MonitoredStore] ?? store} dominates this flow: start there (${store === 'postgres' ? 'hot statements, replica reads' : store === 'redis' ? 'pipelining, smaller values' : store === 'qdrant' ? 'HNSW ef, payload indexes' : 'cache or precompute'}).`
            : 'Time is spread over its stores; no single store to tune first.',
      });
    }
  }
  return out;
}

/** The tuning rules' inputs from a snapshot: each store that answered. */
