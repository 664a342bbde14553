// PostgreSQL as the monitor reads it: round trips, settings, connections, the host's memory and
// CPUs, and the relational package's stats.
import { availableParallelism, totalmem } from 'node:os';
import type { MonitorStores, PostgresReading } from '../types.js';
import { summarize } from './latency.js';

export async function postgresRoundTrip(
  relational: MonitorStores['relational'],
  timeoutMs: number,
): Promise<number> {
  const health = await relational.health(timeoutMs);
  if (!health.ok) throw new Error(health.error ?? 'PostgreSQL does not answer');
  return health.latencyMs;
}

const PG_UNITS: Record<string, number> = { '8kB': 8192, kB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, B: 1 };

/** The server's RAM and CPUs: /proc read by the server (superuser or pg_read_server_files), else this host when the server is local. */
async function postgresHost(
  relational: MonitorStores['relational'],
): Promise<{ memoryBytes: number | null; cpus: number | null; hostSource: string }> {
  try {
    const { rows } = await relational.pool.query<{ meminfo: string; cpus: number }>(
      `select pg_read_file('/proc/meminfo', 0, 256) as meminfo,
              (select count(*)::int from regexp_matches(pg_read_file('/proc/cpuinfo'), '^processor', 'gn')) as cpus`,
    );
    const kb = /MemTotal:\s+(\d+)\s*kB/.exec(rows[0]?.meminfo ?? '')?.[1];
    if (kb)
      return {
        memoryBytes: Number(kb) * 1024,
        cpus: rows[0]!.cpus || null,
        hostSource: "the server's /proc",
      };
  } catch {}
  const options =
    (relational.pool as { options?: { host?: string; connectionString?: string } }).options ?? {};
  let host = options.host;
  try {
    host ??= options.connectionString ? new URL(options.connectionString).hostname : undefined;
  } catch {}
  if (!host || /^(localhost|127\.\d+\.\d+\.\d+|\[?::1\]?)$/.test(host) || host.startsWith('/'))
    return {
      memoryBytes: totalmem(),
      cpus: availableParallelism(),
      hostSource: 'this host: the server is local',
    };
  return {
    memoryBytes: null,
    cpus: null,
    hostSource: 'the server is remote and /proc is not readable: grant pg_read_server_files to read it',
  };
}

export async function readPostgres(
  relational: MonitorStores['relational'],
  latencies: number[],
  appPoolSize: number | undefined,
): Promise<PostgresReading> {
  const [stats, server, settings, host] = await Promise.all([
    relational.stats(),
    relational.pool.query<{
      shared_buffers: string;
      effective_cache_size: string;
      work_mem: string;
      max_connections: number;
      server_total: number;
      size: string;
    }>(
      `select current_setting('shared_buffers') as shared_buffers,
              current_setting('effective_cache_size') as effective_cache_size,
              current_setting('work_mem') as work_mem,
              current_setting('max_connections')::int as max_connections,
              (select count(*)::int from pg_stat_activity where backend_type = 'client backend') as server_total,
              pg_database_size(current_database()) as size`,
    ),
    relational.pool.query<{ name: string; setting: string; unit: string | null }>(
      `select name, setting, unit from pg_settings
        where name in ('shared_buffers', 'effective_cache_size', 'work_mem', 'maintenance_work_mem',
                       'superuser_reserved_connections')`,
    ),
    postgresHost(relational),
  ]);
  const row = server.rows[0]!;
  const setting = (name: string) => {
    const s = settings.rows.find((r) => r.name === name);
    return s ? Number(s.setting) * (s.unit ? (PG_UNITS[s.unit] ?? 1) : 1) : 0;
  };
  const poolSize = appPoolSize ?? (relational.pool as { options?: { max?: number } }).options?.max ?? 10;
  return {
    latency: summarize(latencies, true),
    database: {
      sizeBytes: Number(row.size),
      settings: {
        sharedBuffers: row.shared_buffers,
        effectiveCacheSize: row.effective_cache_size,
        workMem: row.work_mem,
        maxConnections: row.max_connections,
      },
    },
    connections: {
      pool: stats.pool,
      server: stats.serverConnections,
      serverTotal: row.server_total,
      max: row.max_connections,
      usage: row.max_connections ? row.server_total / row.max_connections : 0,
    },
    cacheHitRatio: stats.cacheHitRatio,
    tuning: {
      ...host,
      reservedConnections: setting('superuser_reserved_connections'),
      sharedBuffersBytes: setting('shared_buffers'),
      effectiveCacheSizeBytes: setting('effective_cache_size'),
      workMemBytes: setting('work_mem'),
      maintenanceWorkMemBytes: setting('maintenance_work_mem'),
      poolSize,
    },
    slowStatements: stats.slowStatements,
    lockWaits: stats.lockWaits,
    tables: stats.tables,
  };
}
