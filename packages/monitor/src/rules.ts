// The bottleneck rules: each reads one part of a snapshot, compares it with its threshold and,
// when crossed, says what was measured and what to do about it.
import type { StepStore } from '@monsteros/flows';
import { THRESHOLD_SPECS, type ThresholdName, type Thresholds } from './thresholds.js';
import type { MonitoredStore, MonitorSnapshot } from './types.js';

/** A threshold crossed: where, what, by how much, and what to do. */
export interface Finding {
  /** Stable rule id, e.g. `postgres.cacheHitRatio`. */
  rule: string;
  store: MonitoredStore;
  /** Twice as far past the limit (or more) is critical. */
  severity: 'critical' | 'warning';
  /** The namespace, statement, collection, source or step concerned, when there is one. */
  subject?: string;
  issue: string;
  measured: number;
  /** The limit crossed; null for a rule on a state rather than a figure (a failed collection). */
  threshold: number | null;
  thresholdName: ThresholdName | null;
  unit: 'ratio' | 'ms' | 'count';
  action: string;
}

type Limit = 'max' | 'min';

/** How far past its limit a value is: 1 at the limit, 2 when twice as far (min ratios use the shortfall). */
function excess(measured: number, threshold: number, limit: Limit): number {
  if (limit === 'min') return threshold >= 1 ? Number.POSITIVE_INFINITY : (1 - measured) / (1 - threshold);
  return threshold === 0 ? 1 : measured / threshold;
}

function crossed(measured: number, threshold: number, limit: Limit): boolean {
  return limit === 'max' ? measured > threshold : measured < threshold;
}

const STEP_ACTIONS: Record<StepStore, string> = {
  postgres:
    'EXPLAIN ANALYZE its statement; use the prepared hot statements or a covering index, and route lag-tolerant reads to a replica',
  redis:
    'check for large values or multi-key scripts on the hot path; pipeline its commands and keep values compressed',
  qdrant: 'lower the search limit, add a payload index for its filter, or tune the HNSW ef for that profile',
  duckdb: 'move it off the request path (precompute in the analytics ingestion) or narrow its time window',
  responder: 'the responder dominates: cache responses by request hash (character_responses) and stream them',
  compute: 'profile the step; cache its result or move it off the request path',
};

const pct = (v: number) => `${(v * 100).toFixed(1)} %`;
const ms = (v: number) => (v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${v.toFixed(v < 10 ? 2 : 0)} ms`);

/**
 * Applies every rule to a snapshot. Stores that could not be read give no finding (the report
 * shows them as down); rules that need a minimum of data wait for it.
 * @example
 * const findings = findBottlenecks(await monitor.collect(), parseThresholds({ cacheHitRateMin: 0.9 }));
 */
export function findBottlenecks(snapshot: MonitorSnapshot, t: Thresholds): Finding[] {
  const findings: Finding[] = [];
  const check = (
    f: Omit<Finding, 'severity' | 'threshold' | 'thresholdName' | 'unit'> & {
      thresholdName: ThresholdName;
      limit: Limit;
    },
  ): void => {
    const threshold = t[f.thresholdName];
    if (!crossed(f.measured, threshold, f.limit)) return;
    const { limit, ...rest } = f;
    findings.push({
      ...rest,
      threshold,
      unit: THRESHOLD_SPECS[f.thresholdName].unit,
      severity: excess(f.measured, threshold, limit) >= 2 ? 'critical' : 'warning',
    });
  };

  const pg = snapshot.postgres;
  if (pg.status === 'ok') {
    if (pg.cacheHitRatio !== null) {
      check({
        rule: 'postgres.cacheHitRatio',
        store: 'postgres',
        limit: 'min',
        thresholdName: 'postgresCacheHitRatioMin',
        measured: pg.cacheHitRatio,
        issue: `buffer cache hit ratio ${pct(pg.cacheHitRatio)} is under ${pct(t.postgresCacheHitRatioMin)}: reads go to disk`,
        action: `raise shared_buffers (now ${pg.database.settings.sharedBuffers}; about 25 % of RAM) and effective_cache_size, or add indexes so scans touch fewer pages`,
      });
    }
    if (pg.slowStatements.available) {
      for (const s of pg.slowStatements.rows) {
        check({
          rule: 'postgres.slowStatement',
          store: 'postgres',
          limit: 'max',
          thresholdName: 'postgresSlowStatementMeanMs',
          measured: s.meanMs,
          subject: s.query.replace(/\s+/g, ' ').slice(0, 160),
          issue: `statement averages ${ms(s.meanMs)} over ${s.calls} calls`,
          action:
            'EXPLAIN (ANALYZE, BUFFERS) it; add the index its filter and order need, or make it one of the prepared hot statements',
        });
      }
    }
    for (const w of pg.lockWaits) {
      check({
        rule: 'postgres.lockWait',
        store: 'postgres',
        limit: 'max',
        thresholdName: 'postgresLockWaitMs',
        measured: w.waitingForMs,
        // A row lock is a wait on the holder's transaction (no relation): the query says which.
        subject: `pid ${w.pid} ${w.mode}${w.relation ? ` on ${w.relation}` : ''}: ${w.query.replace(/\s+/g, ' ').slice(0, 120)}`,
        issue: `a session has waited ${ms(w.waitingForMs)} for a lock`,
        action:
          'find the blocker (pg_blocking_pids) and shorten its transaction; take row locks in one order; keep outbox claims on SKIP LOCKED',
      });
    }
    check({
      rule: 'postgres.connections',
      store: 'postgres',
      limit: 'max',
      thresholdName: 'postgresConnectionUsageMax',
      measured: pg.connections.usage,
      issue: `${pg.connections.serverTotal} of ${pg.connections.max} server connections in use (${pct(pg.connections.usage)})`,
      action:
        'put PgBouncer (transaction pooling) in front, lower each process poolSize, or raise max_connections with the memory it needs',
    });
    check({
      rule: 'postgres.poolWaiting',
      store: 'postgres',
      limit: 'max',
      thresholdName: 'postgresPoolWaitingMax',
      measured: pg.connections.pool.waiting,
      issue: `${pg.connections.pool.waiting} queries are waiting for a pool connection (pool of ${pg.connections.pool.total})`,
      action: 'raise the relational poolSize, or find the long transactions holding connections',
    });
  }

  const redis = snapshot.redis;
  if (redis.status === 'ok') {
    if (redis.memory.usedRatio !== null) {
      check({
        rule: 'redis.memory',
        store: 'redis',
        limit: 'max',
        thresholdName: 'redisMemoryUsageMax',
        measured: redis.memory.usedRatio,
        issue: `memory at ${pct(redis.memory.usedRatio)} of maxmemory (policy ${redis.memory.evictionPolicy || 'unknown'})`,
        action: `set an expiration policy: maxmemory-policy ${redis.memory.evictionPolicy === 'noeviction' ? 'allkeys-lfu (now noeviction: writes will fail when full)' : 'allkeys-lfu or volatile-ttl'}, shorten namespace TTLs and maxSize, trim agent streams`,
      });
    }
    check({
      rule: 'redis.latency',
      store: 'redis',
      limit: 'max',
      thresholdName: 'redisLatencyP99Ms',
      measured: redis.latency.p99Ms,
      issue: `round trip p99 ${ms(redis.latency.p99Ms)} (p50 ${ms(redis.latency.p50Ms)})`,
      action:
        'check SLOWLOG GET and LATENCY DOCTOR for blocking commands (KEYS, large Lua scripts), and the network between app and Redis',
    });
    for (const n of redis.namespaces) {
      if (n.hitRate === null || n.hits + n.misses < t.cacheMinReads) continue;
      check({
        rule: 'cache.hitRate',
        store: 'redis',
        limit: 'min',
        thresholdName: 'cacheHitRateMin',
        measured: n.hitRate,
        subject: n.name,
        issue: `namespace ${n.name} hits ${pct(n.hitRate)} of ${n.hits + n.misses} reads (${n.evictions} evictions)`,
        action:
          n.evictions > n.sets * 0.2
            ? `raise ${n.name} maxSize (now ${n.maxSize}): entries are evicted before they are read again`
            : `lengthen ${n.name} TTL or warm it after invalidation events; check that its key (hash) is stable across requests`,
      });
    }
  }

  const q = snapshot.qdrant;
  if (q.status === 'ok') {
    if (q.avgSearchMs !== null) {
      check({
        rule: 'qdrant.searchLatency',
        store: 'qdrant',
        limit: 'max',
        thresholdName: 'qdrantSearchMeanMs',
        measured: q.avgSearchMs,
        issue: `vector searches average ${ms(q.avgSearchMs)}`,
        action:
          'tune HNSW: lower hnsw_ef at search (or m / ef_construct at build), enable scalar quantization, add payload indexes for the filters',
      });
    }
    for (const c of q.collections.filter((c) => c.status === 'red')) {
      findings.push({
        rule: 'qdrant.collectionFailed',
        store: 'qdrant',
        severity: 'critical',
        subject: c.name,
        issue: `collection ${c.name} is red (optimizer: ${c.optimizerStatus ?? 'unknown'})`,
        measured: c.points,
        threshold: null,
        thresholdName: null,
        unit: 'count',
        action:
          'read the optimizer error in the collection info; re-provision the collection from PostgreSQL (reconcile)',
      });
    }
  }

  const o = snapshot.outbox;
  if (o.status === 'ok') {
    const relayNote = o.relay
      ? o.relay.running
        ? 'the relay runs'
        : 'the relay is stopped'
      : (o.relayAbsent ?? 'no relay');
    check({
      rule: 'outbox.backlog',
      store: 'outbox',
      limit: 'max',
      thresholdName: 'outboxBacklogMax',
      measured: o.backlog.pending,
      issue: `${o.backlog.pending} outbox events pending (${relayNote})`,
      action:
        'start more relay workers (claims are SKIP LOCKED, so they share the work) or raise batchSize; check the slowest handler store',
    });
    check({
      rule: 'outbox.oldestPending',
      store: 'outbox',
      limit: 'max',
      thresholdName: 'outboxOldestPendingMs',
      measured: o.backlog.oldestPendingMs,
      issue: `the oldest pending outbox event is ${ms(o.backlog.oldestPendingMs)} old (${relayNote})`,
      action: o.relay?.lastError
        ? `the relay loop fails (${o.relay.lastError}): restore its PostgreSQL access`
        : 'make sure a relay runs (relay.start()) and that the stores its handlers write to are up',
    });
    check({
      rule: 'outbox.parked',
      store: 'outbox',
      limit: 'max',
      thresholdName: 'outboxParkedMax',
      measured: o.backlog.parked,
      issue: `${o.backlog.parked} outbox ${o.backlog.parked === 1 ? 'event is' : 'events are'} parked after failing repeatedly`,
      action:
        'read their last_error in the outbox table, fix the handler or the payload, then relay.retryParked()',
    });
  }

  const d = snapshot.duckdb;
  if (d.status === 'ok') {
    for (const query of d.queries) {
      check({
        rule: 'duckdb.queryLatency',
        store: 'duckdb',
        limit: 'max',
        thresholdName: 'duckdbQueryP99Ms',
        measured: query.p99Ms,
        subject: query.name,
        issue: `analytics query ${query.name} p99 ${ms(query.p99Ms)} over ${query.calls} calls`,
        action:
          'narrow its window, export old days to Parquet and drop them from the live tables, or give DuckDB more threads',
      });
    }
    if (d.memoryUsage !== null) {
      check({
        rule: 'duckdb.memory',
        store: 'duckdb',
        limit: 'max',
        thresholdName: 'duckdbMemoryUsageMax',
        measured: d.memoryUsage,
        issue: `DuckDB uses ${pct(d.memoryUsage)} of its memory_limit (${d.memoryLimit})`,
        action:
          'raise memoryLimit, set a tempDirectory so large queries spill, or lower the ingestion batchSize',
      });
    }
    for (const source of d.ingestion) {
      check({
        rule: 'duckdb.ingestLag',
        store: 'duckdb',
        limit: 'max',
        thresholdName: 'analyticsIngestLagMs',
        measured: source.ageMs,
        subject: source.source,
        issue: `${source.source} was last ingested ${ms(source.ageMs)} ago: the analytics views are stale`,
        action:
          'schedule the analytics ingestion (it is incremental: each run copies only rows changed since its watermark)',
      });
    }
  }

  const f = snapshot.flows;
  if (f.status === 'ok') {
    for (const s of f.steps) {
      if (s.count < t.flowMinRuns) continue;
      check({
        rule: 'flows.stepLatency',
        store: 'flows',
        limit: 'max',
        thresholdName: 'flowStepP95Ms',
        measured: s.p95Ms,
        subject: `${s.flow} › ${s.step} (${s.store})`,
        issue: `step "${s.step}" of ${s.flow} has p95 ${ms(s.p95Ms)} over ${s.count} runs`,
        action: STEP_ACTIONS[s.store],
      });
      check({
        rule: 'flows.stepFailures',
        store: 'flows',
        limit: 'max',
        thresholdName: 'flowFailureRateMax',
        measured: (s.failed + s.degraded) / s.count,
        subject: `${s.flow} › ${s.step} (${s.store})`,
        issue: `step "${s.step}" of ${s.flow} ${[s.failed ? `failed ${s.failed}` : '', s.degraded ? `fell back ${s.degraded}` : ''].filter(Boolean).join(' and ')} times in ${s.count} runs`,
        action: `check ${s.store === 'compute' ? 'the step' : `the ${s.store} store`}: its errors are in the step timings (outcome failed/degraded)`,
      });
    }
  }

  const order = { critical: 0, warning: 1 } as const;
  return findings.sort((a, b) => order[a.severity] - order[b.severity]);
}
