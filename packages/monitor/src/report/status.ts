// "Database Status": one line per store, its figures and the worst finding on it.
import { duckdbCacheFigures } from '../render/duckdb-cache.js';
import { bytes, count, ms, pct } from '../render/format.js';
import type { Finding } from '../rules/rule.js';
import type { MonitoredStore, MonitorSnapshot, Reading } from '../types.js';
import type { StoreStatus } from './types.js';

/** The stores as the report names them. */
export const STORE_LABELS: Record<MonitoredStore, string> = {
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

export function statusLines(s: MonitorSnapshot, findings: Finding[]): StoreStatus[] {
  const line = <T>(
    store: MonitoredStore,
    reading: Reading<T>,
    describe: (r: { status: 'ok' } & T) => Pick<StoreStatus, 'summary' | 'figures'>,
  ): StoreStatus => {
    const base = { store, label: STORE_LABELS[store], worst: worstOf(findings, store) };
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
      summary: `${q.collectionsAbsent === undefined ? `${q.collections.length} collections, ${count(q.collections.reduce((n, c) => n + c.points, 0))} points` : 'collections not read'}, search ${q.avgSearchMs === null ? 'not used yet' : `avg ${ms(q.avgSearchMs)}`}`,
      figures: [
        ...(q.collectionsAbsent === undefined ? [] : [{ label: 'collections', value: q.collectionsAbsent }]),
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
