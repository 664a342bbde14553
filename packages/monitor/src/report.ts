// The report's content, computed once from live data and rendered three ways (terminal, JSON,
// HTML): the renderers only lay it out.
import type { MemoryEfficiency } from '@monsteros/analytics';
import type { StepStore } from '@monsteros/flows';
import { absentReason } from './collect/absent.js';
import { type CollectSettings, redact } from './collect/read.js';
import { collectSnapshot } from './collect/snapshot.js';
import { duckdbCacheFigures } from './render/duckdb-cache.js';
import { bytes, count, ms, pct } from './render/format.js';
import { type Finding, findBottlenecks } from './rules/index.js';
import { THRESHOLD_NAMES, THRESHOLD_SPECS, type ThresholdName, type Thresholds } from './thresholds.js';
import { computeTuning, type TuningAdvice, type TuningInput } from './tuning.js';
import type { MonitoredStore, MonitorSnapshot, MonitorStores, Reading } from './types.js';

/** One hour of one character, from the analytics views. */
export interface TrendPoint {
  hour: string;
  interactions: number;
  avgResponseTimeMs: number;
  successRate: number;
  avgSatisfaction: number | null;
}

export interface CharacterTrendReading {
  character: string;
  interactions: number;
  avgResponseTimeMs: number;
  successRate: number;
  avgSatisfaction: number | null;
  direction: 'improving' | 'stable' | 'degrading';
  hourly: TrendPoint[];
}

export interface TrendsReading {
  hours: number;
  characters: CharacterTrendReading[];
  memory: MemoryEfficiency;
}

/** One line of "Database Status". */
export interface StoreStatus {
  store: MonitoredStore;
  label: string;
  state: 'up' | 'down' | 'not-configured';
  /** One sentence; the reason when down or not configured. */
  summary: string;
  figures: Array<{ label: string; value: string }>;
  /** The worst finding on this store, if any. */
  worst: Finding['severity'] | null;
}

/** A cross-store observation of "Integration Recommendations". */
export interface IntegrationRecommendation {
  title: string;
  state: 'good' | 'attention' | 'unknown';
  /** What the data shows. */
  basis: string;
  recommendation: string;
}

/** A step of "Optimization Plan", in the order to do them. */
export interface PlanStep {
  order: number;
  severity: Finding['severity'];
  store: MonitoredStore;
  action: string;
  /** The findings this step answers (or the tuning rule, with its numbers). */
  because: string[];
  /** The exact command, for a tuning step. */
  command?: string;
}

/** An item of "Monitoring Setup". */
export interface SetupItem {
  item: string;
  state: 'ok' | 'missing';
  detail: string;
}

/** Everything the report shows; `--json` prints it as is. */
export interface MonitorReport {
  generatedAt: string;
  snapshot: MonitorSnapshot;
  findings: Finding[];
  thresholds: Thresholds;
  trends: Reading<TrendsReading>;
  status: StoreStatus[];
  integration: IntegrationRecommendation[];
  plan: PlanStep[];
  /** Every tuned setting with the rule's value and command (those to change are also plan steps). */
  tuning: TuningAdvice[];
  monitoring: SetupItem[];
}

const LABELS: Record<MonitoredStore, string> = {
  postgres: 'PostgreSQL',
  redis: 'Redis',
  qdrant: 'Qdrant',
  duckdb: 'DuckDB',
  outbox: 'Outbox',
  flows: 'Flows',
};

function worstOf(findings: Finding[], store: MonitoredStore): Finding['severity'] | null {
  const mine = findings.filter((f) => f.store === store);
  return mine.some((f) => f.severity === 'critical') ? 'critical' : mine.length ? 'warning' : null;
}

function statusLines(s: MonitorSnapshot, findings: Finding[]): StoreStatus[] {
  const line = <T>(
    store: MonitoredStore,
    reading: Reading<T>,
    describe: (r: { status: 'ok' } & T) => Pick<StoreStatus, 'summary' | 'figures'>,
  ): StoreStatus => {
    const base = { store, label: LABELS[store], worst: worstOf(findings, store) };
    if (reading.status === 'unavailable')
      return { ...base, state: 'down', summary: reading.error, figures: [] };
    if (reading.status === 'not-configured')
      return { ...base, state: 'not-configured', summary: reading.reason, figures: [] };
    return { ...base, state: 'up', ...describe(reading) };
  };
  return [
    line('postgres', s.postgres, (pg) => ({
      summary: `${count(pg.connections.serverTotal)} of ${count(pg.connections.max)} connections, cache hit ${pct(pg.cacheHitRatio)}, ${bytes(pg.database.sizeBytes)}`,
      figures: [
        { label: 'round trip p50 / p99', value: `${ms(pg.latency.p50Ms)} / ${ms(pg.latency.p99Ms)}` },
        { label: 'buffer cache hit ratio', value: pct(pg.cacheHitRatio) },
        {
          label: 'pool active / idle / waiting',
          value: `${pg.connections.pool.active} / ${pg.connections.pool.idle} / ${pg.connections.pool.waiting}`,
        },
        { label: 'server connections', value: `${pg.connections.serverTotal} of ${pg.connections.max}` },
        { label: 'lock waits', value: count(pg.lockWaits.length) },
        { label: 'database size', value: bytes(pg.database.sizeBytes) },
        { label: 'shared_buffers', value: pg.database.settings.sharedBuffers },
      ],
    })),
    line('redis', s.redis, (r) => ({
      summary: `${bytes(r.memory.usedBytes)}${r.memory.maxmemoryBytes ? ` of ${bytes(r.memory.maxmemoryBytes)}` : ' (no maxmemory)'}, ${r.totalKeys === null ? 'cluster' : `${count(r.totalKeys)} keys`}, hit rate ${pct(r.hitRate)}`,
      figures: [
        { label: 'round trip p50 / p99', value: `${ms(r.latency.p50Ms)} / ${ms(r.latency.p99Ms)}` },
        {
          label: 'memory',
          value: `${bytes(r.memory.usedBytes)}${r.memory.maxmemoryBytes ? ` of ${bytes(r.memory.maxmemoryBytes)} (${pct(r.memory.usedRatio)})` : ' (no limit)'}`,
        },
        { label: 'eviction policy', value: r.memory.evictionPolicy || 'unknown' },
        { label: 'keys', value: r.totalKeys === null ? 'n/a (cluster)' : count(r.totalKeys) },
        { label: 'cache hit rate', value: pct(r.hitRate) },
        {
          label: 'clients / ops per s',
          value: `${r.server.connectedClients} / ${count(r.server.opsPerSecond)}`,
        },
        { label: 'version', value: r.server.version },
      ],
    })),
    line('qdrant', s.qdrant, (q) => ({
      summary: `${q.collections.length} collections, ${count(q.collections.reduce((n, c) => n + c.points, 0))} points, search ${q.avgSearchMs === null ? 'not used yet' : `avg ${ms(q.avgSearchMs)}`}`,
      figures: [
        ...q.collections.map((c) => ({
          label: c.name,
          value: `${count(c.points)} points, ${count(c.indexedVectors)} indexed, ${c.status}`,
        })),
        { label: 'average search', value: q.avgSearchMs === null ? 'n/a' : ms(q.avgSearchMs) },
      ],
    })),
    line('duckdb', s.duckdb, (d) => ({
      summary: `${bytes(d.fileBytes + d.walBytes)} on disk, ${count(Object.values(d.rows).reduce((a, b) => a + b, 0))} rows, memory ${bytes(d.memoryUsedBytes)} of ${d.memoryLimit}`,
      figures: [
        { label: 'query round trip', value: ms(d.healthMs) },
        { label: 'file + WAL', value: `${bytes(d.fileBytes)} + ${bytes(d.walBytes)}` },
        { label: 'memory', value: `${bytes(d.memoryUsedBytes)} of ${d.memoryLimit}` },
        ...duckdbCacheFigures(d.buffer),
        ...Object.entries(d.rows).map(([table, n]) => ({ label: table, value: `${count(n)} rows` })),
      ],
    })),
    line('outbox', s.outbox, (o) => ({
      summary: `${count(o.backlog.pending)} pending, ${count(o.backlog.parked)} parked${o.backlog.pending ? `, oldest ${ms(o.backlog.oldestPendingMs)}` : ''}`,
      figures: [
        { label: 'pending', value: count(o.backlog.pending) },
        { label: 'parked', value: count(o.backlog.parked) },
        { label: 'oldest pending', value: o.backlog.pending ? ms(o.backlog.oldestPendingMs) : 'none' },
        {
          label: 'relay',
          value: o.relay
            ? `${o.relay.running ? 'running' : 'stopped'}: ${count(o.relay.applied)} applied, ${count(o.relay.retried)} retried, ${count(o.relay.parked)} parked`
            : (o.relayAbsent ?? 'none'),
        },
      ],
    })),
    line('flows', s.flows, (f) => ({
      summary: `${count(f.runs)} recent runs of ${f.flows.length} flows`,
      figures: f.flows.map((flow) => ({
        label: flow.flow,
        value: `${count(flow.count)} runs, p50 ${ms(flow.p50Ms)}, p95 ${ms(flow.p95Ms)}, ${flow.failed} failed`,
      })),
    })),
  ];
}

function integration(s: MonitorSnapshot): IntegrationRecommendation[] {
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
            ? `${LABELS[store as MonitoredStore] ?? store} dominates this flow: start there (${store === 'postgres' ? 'hot statements, replica reads' : store === 'redis' ? 'pipelining, smaller values' : store === 'qdrant' ? 'HNSW ef, payload indexes' : 'cache or precompute'}).`
            : 'Time is spread over its stores; no single store to tune first.',
      });
    }
  }
  return out;
}

/** The tuning rules' inputs from a snapshot: each store that answered. */
export function tuningInput(s: MonitorSnapshot): TuningInput {
  const pg = s.postgres;
  const r = s.redis;
  const d = s.duckdb;
  return {
    postgres:
      pg.status === 'ok'
        ? {
            memoryBytes: pg.tuning.memoryBytes,
            cpus: pg.tuning.cpus,
            hostSource: pg.tuning.hostSource,
            maxConnections: pg.database.settings.maxConnections,
            reservedConnections: pg.tuning.reservedConnections,
            sharedBuffersBytes: pg.tuning.sharedBuffersBytes,
            effectiveCacheSizeBytes: pg.tuning.effectiveCacheSizeBytes,
            workMemBytes: pg.tuning.workMemBytes,
            maintenanceWorkMemBytes: pg.tuning.maintenanceWorkMemBytes,
            pool: {
              size: pg.tuning.poolSize,
              measured: s.shared.status === 'ok' ? s.shared.postgresPool : null,
            },
          }
        : null,
    redis:
      r.status === 'ok' && r.totalKeys !== null
        ? {
            usedBytes: r.memory.usedBytes,
            startupBytes: r.tuning.startupBytes,
            systemMemoryBytes: r.tuning.systemMemoryBytes,
            maxmemoryBytes: r.memory.maxmemoryBytes,
            policy: r.memory.evictionPolicy,
            keys: r.totalKeys,
            sample: r.tuning.sample,
          }
        : null,
    duckdb:
      d.status === 'ok'
        ? {
            memoryBytes: d.host.memoryBytes,
            cpus: d.host.cpus,
            memoryLimitBytes: d.memoryLimitBytes,
            memoryLimit: d.memoryLimit,
            threads: d.buffer.threads,
            databaseBytes: d.buffer.databaseBytes,
            spilledBytes: d.buffer.temporaryStorageBytes,
          }
        : null,
  };
}

function plan(findings: Finding[], tuning: TuningAdvice[]): PlanStep[] {
  // One step per rule and subject-less action: ten slow statements are one step, not ten.
  const steps = new Map<string, Omit<PlanStep, 'order'>>();
  for (const f of findings) {
    const key = `${f.rule}\u0000${f.action}`;
    const step = steps.get(key) ?? { severity: f.severity, store: f.store, action: f.action, because: [] };
    if (f.severity === 'critical') step.severity = 'critical';
    step.because.push(f.subject ? `${f.subject}: ${f.issue}` : f.issue);
    steps.set(key, step);
  }
  // Then the settings the tuning rules would change, each with its numbers and command.
  const tuned: Array<Omit<PlanStep, 'order'>> = tuning
    .filter((t) => t.change)
    .map((t) => ({
      severity: 'warning',
      store: t.store,
      action: `set ${t.setting} to ${t.recommended} (now ${t.current}), ${t.applies}: ${t.command}`,
      because: [t.rule],
      command: t.command,
    }));
  return [
    ...[...steps.values()].sort((a, b) =>
      a.severity === b.severity ? 0 : a.severity === 'critical' ? -1 : 1,
    ),
    ...tuned,
  ].map((step, i) => ({ order: i + 1, ...step }));
}

function monitoringSetup(s: MonitorSnapshot): SetupItem[] {
  const items: SetupItem[] = [];
  if (s.postgres.status === 'ok') {
    const st = s.postgres.slowStatements;
    items.push(
      st.available
        ? {
            item: 'pg_stat_statements',
            state: 'ok',
            detail: `slow statements tracked (${st.rows.length} in the top list)`,
          }
        : {
            item: 'pg_stat_statements',
            state: 'missing',
            detail: `${st.reason}: add shared_preload_libraries = 'pg_stat_statements' to postgresql.conf, restart, then CREATE EXTENSION pg_stat_statements`,
          },
    );
  }
  if (s.redis.status === 'ok') {
    items.push(
      s.redis.memory.maxmemoryBytes
        ? {
            item: 'Redis maxmemory',
            state: 'ok',
            detail: `${bytes(s.redis.memory.maxmemoryBytes)}, policy ${s.redis.memory.evictionPolicy}`,
          }
        : {
            item: 'Redis maxmemory',
            state: 'missing',
            detail:
              'no limit: memory usage cannot be judged and Redis grows until the OS kills it; "Tuning" gives maxmemory and the policy computed from the keys held (pnpm services up sets them on a local Redis)',
          },
    );
  }
  items.push(
    s.qdrant.status === 'not-configured'
      ? { item: 'Vector store stats', state: 'missing', detail: s.qdrant.reason }
      : {
          item: 'Vector store stats',
          state: 'ok',
          detail:
            s.qdrant.status === 'ok'
              ? 'collections and search latency read'
              : `configured, but ${s.qdrant.error}`,
        },
  );
  items.push(
    s.flows.status === 'ok'
      ? {
          item: 'Flow step timings',
          state: s.flows.runs > 0 ? 'ok' : 'missing',
          detail:
            s.flows.runs > 0
              ? `${count(s.flows.runs)} ${s.flows.source === 'shared' ? 'runs of every process in the window (real-time metrics)' : 'recent runs of this process'}`
              : 'wired, but no flow has run yet',
        }
      : {
          item: 'Flow step timings',
          state: 'missing',
          detail: s.flows.status === 'not-configured' ? s.flows.reason : s.flows.error,
        },
  );
  if (s.outbox.status === 'ok') {
    items.push(
      s.outbox.relay
        ? {
            item: 'Outbox relay stats',
            state: 'ok',
            detail: `relay ${s.outbox.relay.running ? 'running' : 'stopped'}`,
          }
        : s.shared.status === 'ok' && s.shared.relay.rounds > 0
          ? {
              item: 'Outbox relay stats',
              state: 'ok',
              detail: `${count(s.shared.relay.rounds)} rounds of the app's relays in the last ${s.shared.windowMinutes} min (real-time metrics)`,
            }
          : {
              item: 'Outbox relay stats',
              state: 'missing',
              detail: `${s.outbox.relayAbsent ?? 'no relay'}: the backlog is watched, the relay counters are not`,
            },
    );
  }
  items.push(
    s.shared.status === 'ok'
      ? {
          item: 'Real-time metrics',
          state: 'ok',
          detail: `every process's figures in Redis${s.shared.lastMinute ? `, newest minute ${s.shared.lastMinute.slice(11, 16)} UTC` : ', none in the window yet'}; Prometheus: pnpm db:metrics --serve`,
        }
      : {
          item: 'Real-time metrics',
          state: 'missing',
          detail: s.shared.status === 'not-configured' ? s.shared.reason : s.shared.error,
        },
  );
  if (s.duckdb.status === 'ok') {
    items.push(
      s.duckdb.ingestion.length
        ? {
            item: 'Analytics ingestion',
            state: 'ok',
            detail: s.duckdb.ingestion.map((w) => `${w.source} ${ms(w.ageMs)} ago`).join(', '),
          }
        : {
            item: 'Analytics ingestion',
            state: 'missing',
            detail: 'no source ingested yet: the interaction trends are empty',
          },
    );
  }
  return items;
}

async function readTrends(
  stores: MonitorStores,
  hours: number,
  timeoutMs: number,
): Promise<Reading<TrendsReading>> {
  const analytics = stores.analytics;
  if (!analytics) return { status: 'not-configured', reason: absentReason(stores, 'analytics') };
  let timer: NodeJS.Timeout | undefined;
  try {
    const [characters, memory] = await Promise.race([
      Promise.all([
        analytics.characterTrends({ hours }),
        analytics.memoryEfficiency({ days: Math.max(1, Math.ceil(hours / 24)) }),
      ]),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`analytics trends: no answer within ${timeoutMs} ms`)),
          timeoutMs,
        );
      }),
    ]);
    return {
      status: 'ok',
      hours,
      memory,
      characters: characters.map((c) => ({
        character: c.character,
        interactions: c.interactions,
        avgResponseTimeMs: c.avgResponseTimeMs,
        successRate: c.successRate,
        avgSatisfaction: c.avgSatisfaction,
        direction: c.direction,
        hourly: c.hourly.map((h) => ({
          hour: h.hour.toISOString(),
          interactions: h.interactions,
          avgResponseTimeMs: h.avgResponseTimeMs,
          successRate: h.successRate,
          avgSatisfaction: h.avgSatisfaction,
        })),
      })),
    };
  } catch (error) {
    return { status: 'unavailable', error: redact(error instanceof Error ? error.message : String(error)) };
  } finally {
    clearTimeout(timer);
  }
}

/** Collects, applies the rules and reads the trends; see MonitorReport. */
export async function buildReport(
  stores: MonitorStores,
  thresholds: Thresholds,
  settings: CollectSettings & { trendHours: number },
): Promise<MonitorReport> {
  // One after the other: the trend queries would otherwise show in the snapshot's DuckDB timings.
  const snapshot = await collectSnapshot(stores, settings);
  const trends = await readTrends(stores, settings.trendHours, settings.timeoutMs);
  const findings = findBottlenecks(snapshot, thresholds);
  const tuning = computeTuning(tuningInput(snapshot));
  return {
    generatedAt: new Date().toISOString(),
    snapshot,
    findings,
    thresholds,
    trends,
    status: statusLines(snapshot, findings),
    integration: integration(snapshot),
    plan: plan(findings, tuning),
    tuning,
    monitoring: monitoringSetup(snapshot),
  };
}

/** The thresholds in force with their meanings, for "Monitoring Setup". */
export function thresholdTable(
  t: Thresholds,
): Array<{ name: ThresholdName; value: number; unit: string; meaning: string }> {
  return THRESHOLD_NAMES.map((name) => ({
    name,
    value: t[name],
    unit: THRESHOLD_SPECS[name].unit,
    meaning: THRESHOLD_SPECS[name].meaning,
  }));
}
