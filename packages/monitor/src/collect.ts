// Reads every store in parallel. A store that is down or slow gives an `unavailable` reading
// with the reason, never a failed collection: the report is most needed when something is down.
import { availableParallelism, totalmem } from 'node:os';
import type { RedisClient } from '@monsteros/cache';
import { LOCAL_VECTORS_DOC, type PublishedVectorsStats } from '@monsteros/flows/metrics';
import { summarize } from './latency.js';
import { readSharedFigures, type SharedFigures, type SharedReading } from './shared-metrics.js';
import { summarizeRuns } from './timings.js';
import type {
  DuckdbReading,
  FlowsReading,
  MonitorSnapshot,
  MonitorStores,
  OutboxReading,
  PostgresReading,
  QdrantReading,
  Reading,
  RedisReading,
} from './types.js';

export interface CollectSettings {
  /** Round trips timed per store for the latency distributions. */
  latencySamples: number;
  /** Limit of each store's reading. */
  timeoutMs: number;
  /** Minutes of real-time metrics read from Redis. */
  windowMinutes: number;
}

/** Never a connection string in a report: URLs in error messages are cut to their scheme. */
export function redact(message: string): string {
  return message.replace(/\b([a-z][a-z0-9+.-]*):\/\/[^\s'"]+/gi, '$1://…');
}

async function withTimeout<T>(what: string, timeoutMs: number, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function reading<T>(what: string, timeoutMs: number, work: () => Promise<T>): Promise<Reading<T>> {
  try {
    return { status: 'ok', ...(await withTimeout(what, timeoutMs, work)) };
  } catch (error) {
    return { status: 'unavailable', error: redact(error instanceof Error ? error.message : String(error)) };
  }
}

/**
 * Times `samples` round trips one after another, after one untimed call (which may open a
 * connection). Run before the other readings, so their work does not delay these.
 */
async function sampleRoundTrips(samples: number, roundTrip: () => Promise<number>): Promise<number[]> {
  await roundTrip();
  const out: number[] = [];
  for (let i = 0; i < samples; i++) out.push(await roundTrip());
  return out;
}

async function postgresRoundTrip(
  relational: MonitorStores['relational'],
  timeoutMs: number,
): Promise<number> {
  const health = await relational.health(timeoutMs);
  if (!health.ok) throw new Error(health.error ?? 'PostgreSQL does not answer');
  return health.latencyMs;
}

async function redisRoundTrip(cache: MonitorStores['cache']): Promise<number> {
  const health = await cache.health();
  if (!health.ok || health.roundTripMs === undefined)
    throw new Error(health.error ?? 'Redis does not answer');
  return health.roundTripMs;
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

async function readPostgres(
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

function infoField(info: string, name: string): string | undefined {
  return new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim();
}

const KEYS_SAMPLED = 200;

/**
 * MEMORY USAGE and PTTL of up to KEYS_SAMPLED keys (SCAN from the start, a few pages at most):
 * the mean value size and the share of keys that expire, for the maxmemory and policy rules.
 */
export async function sampleKeys(client: RedisClient): Promise<RedisReading['tuning']['sample']> {
  const keys: string[] = [];
  let cursor = '0';
  for (let page = 0; page < 10 && keys.length < KEYS_SAMPLED; page++) {
    const [next, found] = await client.scan(cursor, 'COUNT', 100);
    keys.push(...found);
    cursor = next;
    if (cursor === '0') break;
  }
  const sampled = keys.slice(0, KEYS_SAMPLED);
  if (sampled.length === 0) return null;
  const pipeline = client.pipeline();
  for (const key of sampled) pipeline.memory('USAGE', key).pttl(key);
  const replies = (await pipeline.exec()) ?? [];
  let bytes = 0;
  let sized = 0;
  let expiring = 0;
  for (let i = 0; i < sampled.length; i++) {
    const usage = replies[2 * i]?.[1];
    const ttl = replies[2 * i + 1]?.[1];
    if (typeof usage === 'number') {
      bytes += usage;
      sized++;
    }
    if (typeof ttl === 'number' && ttl >= 0) expiring++;
  }
  return sized ? { keys: sized, meanBytes: bytes / sized, withTtlShare: expiring / sampled.length } : null;
}

async function readRedis(cache: MonitorStores['cache'], latencies: number[]): Promise<RedisReading> {
  const stats = await cache.stats();
  // On a cluster the server figures come from the masters; a key count would need every node.
  const client = cache.redis;
  const nodes = client.isCluster
    ? (client as Extract<RedisClient, { nodes: unknown }>).nodes('master')
    : [client];
  const infos = await Promise.all(nodes.map((node) => node.info()));
  const total = (name: string) => infos.reduce((sum, info) => sum + Number(infoField(info, name) ?? 0), 0);
  const hits = total('keyspace_hits');
  const misses = total('keyspace_misses');
  const namespaces = Object.entries(stats.namespaces).map(([name, s]) => ({
    name,
    keys: s.keys,
    maxSize: s.maxSize,
    hits: s.hits,
    misses: s.misses,
    hitRate: s.hitRate,
    sets: s.sets,
    evictions: s.evictions,
    expired: s.expired,
    invalidations: s.invalidations,
  }));
  const reads = namespaces.reduce((sum, n) => sum + n.hits + n.misses, 0);
  const systemMemory = Number(infoField(infos[0] ?? '', 'total_system_memory') ?? 0);
  return {
    tuning: {
      startupBytes: total('used_memory_startup'),
      systemMemoryBytes: systemMemory > 0 ? systemMemory : null,
      sample: client.isCluster ? null : await sampleKeys(client),
    },
    latency: summarize(latencies, true),
    memory: stats.memory,
    totalKeys: client.isCluster ? null : await client.dbsize(),
    hitRate: reads ? namespaces.reduce((sum, n) => sum + n.hits, 0) / reads : null,
    namespaces,
    server: {
      version: infoField(infos[0] ?? '', 'redis_version') ?? 'unknown',
      connectedClients: total('connected_clients'),
      opsPerSecond: total('instantaneous_ops_per_sec'),
      keyspaceHitRate: hits + misses ? hits / (hits + misses) : null,
    },
  };
}

async function readQdrant(vectors: NonNullable<MonitorStores['vectors']>): Promise<QdrantReading> {
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

const UNITS: Record<string, number> = {
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  KIB: 2 ** 10,
  MIB: 2 ** 20,
  GIB: 2 ** 30,
  TIB: 2 ** 40,
};

/** Bytes of a DuckDB size setting such as `18.6 GiB` or `512MB`; null when it is not one. */
export function parseSize(text: string): number | null {
  const m = /^\s*([\d.]+)\s*([KMGT]?i?B)\s*$/i.exec(text);
  const unit = m ? UNITS[m[2]!.toUpperCase()] : undefined;
  return m && unit ? Number(m[1]) * unit : null;
}

const MONITOR_QUERIES = new Set(['health', 'stats', 'watermarks']);

async function readDuckdb(analytics: NonNullable<MonitorStores['analytics']>): Promise<DuckdbReading> {
  const health = await analytics.health();
  if (!health.ok) throw new Error(health.error ?? 'DuckDB does not answer');
  const stats = await analytics.stats();
  const limit = parseSize(stats.memoryLimit);
  const now = Date.now();
  return {
    healthMs: health.latencyMs,
    path: stats.path,
    readOnly: stats.readOnly,
    fileBytes: stats.fileBytes,
    walBytes: stats.walBytes,
    memoryUsedBytes: stats.memoryUsedBytes,
    memoryLimit: stats.memoryLimit,
    memoryLimitBytes: limit,
    memoryUsage: limit ? stats.memoryUsedBytes / limit : null,
    buffer: { ...stats.buffer, byTag: { ...stats.buffer.byTag } },
    host: { memoryBytes: totalmem(), cpus: availableParallelism() },
    rows: { ...stats.rows },
    // The monitor's own reads (health, stats, watermarks) are not the analytics workload.
    queries: stats.queries.filter((q) => !MONITOR_QUERIES.has(q.name)).sort((a, b) => b.p99Ms - a.p99Ms),
    ingestion: stats.watermarks.map((w) => ({
      source: w.source,
      watermark: w.watermark.toISOString(),
      rowsTotal: w.rowsTotal,
      ingestedAt: w.ingestedAt.toISOString(),
      ageMs: Math.max(0, now - w.ingestedAt.getTime()),
    })),
  };
}

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

const ABSENT = {
  analytics: 'no analytics store was handed to the monitor',
  vectors: 'no vector store was handed to the monitor',
  relay: 'no relay in this process',
  timings:
    'no flow timings provider was handed to the monitor: record runs with createTimingBuffer().record and pass timings: buffer.recent',
  realtime: 'no real-time metrics source was handed to the monitor (realtime: cache.realtime)',
} as const;

/** Why a source is absent: the caller's words, else the generic reason. */
export function absentReason(stores: MonitorStores, source: keyof typeof ABSENT): string {
  return stores.notConfigured?.[source] ?? ABSENT[source];
}

function notConfigured<T>(stores: MonitorStores, source: keyof typeof ABSENT): Promise<Reading<T>> {
  return Promise.resolve({ status: 'not-configured', reason: absentReason(stores, source) });
}

/**
 * The Qdrant reading with the searches every process recorded (when there are any): the
 * vector store of this process, or none at all (the report in another shell), sees only its own.
 */
function withSharedSearch(
  own: Reading<QdrantReading>,
  figures: SharedFigures | null,
): Reading<QdrantReading> {
  if (!figures || figures.search.length === 0)
    return own.status === 'ok' ? { ...own, searchSource: 'process' } : own;
  const calls = figures.search.reduce((n, s) => n + s.count, 0);
  const avgSearchMs = calls ? figures.search.reduce((n, s) => n + s.meanMs * s.count, 0) / calls : null;
  // Per-strategy latencies of this process stay beside the shared per-collection searches.
  const strategies = own.status === 'ok' ? own.search.filter((s) => s.name.startsWith('strategy:')) : [];
  return {
    status: 'ok',
    collections: own.status === 'ok' ? own.collections : [],
    search: [...figures.search, ...strategies],
    avgSearchMs,
    searchSource: 'shared',
    local: own.status === 'ok' ? (own.local ?? null) : null,
  };
}

/**
 * Without a vector store of its own (the report beside an app on the embedded engine, whose
 * directory the app holds), the collections and engine figures the app published to Redis.
 */
async function readPublishedQdrant(
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
