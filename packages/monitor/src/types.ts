// The monitor's typed view of the stores. Every reading is plain data (numbers, strings, ISO
// dates), so a snapshot survives JSON.stringify unchanged and `--json` prints exactly this.
import type { Analytics, DuckdbBufferStats, QueryTiming } from '@monsteros/analytics';
import type { Cache, CacheStats, NamespaceStats } from '@monsteros/cache';
import type { RelayStats, StepStore, StepTiming } from '@monsteros/flows';
import type { VectorCollectionFigures } from '@monsteros/flows/metrics';
import type { OutboxBacklog, Relational, RelationalStats } from '@monsteros/relational';
import type { EngineTelemetry, Vectors } from '@monsteros/vectors';
import type { RealtimeSource, SharedReading } from './collect/shared-metrics.js';

/** The vector store as the monitor reads it (collections, search latency per profile). */
export type VectorsStatsSource = Pick<Vectors, 'stats'>;

/** One run of a flow and its steps' timings, as a pipeline's TimingRecorder receives them. */
export interface FlowRun {
  flow: string;
  timings: readonly StepTiming[];
  /** When the run ended (optional; used for ordering only). */
  at?: number | Date;
}

/** Returns the recent flow runs (see `createTimingBuffer`). */
export type FlowTimingsProvider = () => Iterable<FlowRun> | Promise<Iterable<FlowRun>>;

/** The stores the monitor reads: the real package objects, narrowed to what it calls. */
export interface MonitorStores {
  relational: Pick<Relational, 'health' | 'stats' | 'pool'> & {
    outbox: Pick<Relational['outbox'], 'backlog'>;
  };
  cache: Pick<Cache, 'health' | 'stats' | 'redis'>;
  /** DuckDB; null or absent (a process that does not own the file) shows it as not configured. */
  analytics?: Pick<Analytics, 'health' | 'stats' | 'characterTrends' | 'memoryEfficiency'> | null;
  /** The vector store (`dataLayer.vectors.store`); absent shows it as not configured. */
  vectors?: VectorsStatsSource | null;
  /** The outbox relay of this process, for its applied/retried/parked counters. */
  relay?: { stats(): RelayStats };
  /** Recent flow runs, for the step timings (`() => dataLayer.recentTimings(1000)`). */
  timings?: FlowTimingsProvider;
  /**
   * The real-time metrics every process records in Redis (`cache.realtime`): flow, store-call,
   * relay and memory figures of the whole app, preferred to `timings` when they hold any run.
   */
  realtime?: RealtimeSource | null;
  /**
   * The PostgreSQL pool size of the app's processes, for the pool advice. Default: the pool of
   * `relational` (right when the monitor runs inside the app, on `data.monitorStores()`).
   */
  appPoolSize?: number;
  /** Why an absent source is absent, shown in the report instead of the generic reason. */
  notConfigured?: Partial<Record<'analytics' | 'vectors' | 'relay' | 'timings' | 'realtime', string>>;
}

/** The stores and other things the monitor watches. */
export type MonitoredStore = 'postgres' | 'redis' | 'qdrant' | 'duckdb' | 'outbox' | 'flows';

/** A store's reading: its figures, or why there are none. */
export type Reading<T> =
  | ({ status: 'ok' } & T)
  | { status: 'unavailable'; error: string }
  | { status: 'not-configured'; reason: string };

/** A latency distribution in milliseconds. `values` holds the raw samples when the monitor took them. */
export interface LatencySummary {
  count: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
  values?: number[];
}

export interface PostgresReading {
  /** Round trips of `select 1` through the pool. */
  latency: LatencySummary;
  database: {
    sizeBytes: number;
    settings: { sharedBuffers: string; effectiveCacheSize: string; workMem: string; maxConnections: number };
  };
  connections: {
    pool: RelationalStats['pool'];
    /** Connections to this database by state. */
    server: Record<string, number>;
    /** Connections to the whole server, and its limit: their ratio is `usage`. */
    serverTotal: number;
    max: number;
    usage: number;
  };
  /** Share of block reads served from shared buffers (0..1), null before any read. */
  cacheHitRatio: number | null;
  /** What the tuning rules need: the server's host and memory settings in bytes, this process's pool size. */
  tuning: {
    /** The server's RAM and CPUs (from /proc through pg_read_file, else this host when the server is local). */
    memoryBytes: number | null;
    cpus: number | null;
    hostSource: string;
    reservedConnections: number;
    sharedBuffersBytes: number;
    effectiveCacheSizeBytes: number;
    workMemBytes: number;
    maintenanceWorkMemBytes: number;
    poolSize: number;
  };
  slowStatements: RelationalStats['slowStatements'];
  lockWaits: RelationalStats['lockWaits'];
  tables: RelationalStats['tables'];
}

/** One namespace's shared counters, as `cache.stats()` gives them (without this process's own). */
export type CacheNamespaceReading = { name: string } & Omit<NamespaceStats, 'local'>;

export interface RedisReading {
  /** PING round trips. */
  latency: LatencySummary;
  memory: CacheStats['memory'];
  /** Keys in the database (all prefixes), null on a cluster. */
  totalKeys: number | null;
  /** Hit rate over every namespace's reads, null before any read. */
  hitRate: number | null;
  namespaces: CacheNamespaceReading[];
  /** What the tuning rules need: INFO memory figures and a sample of keys (MEMORY USAGE, PTTL). */
  tuning: {
    startupBytes: number;
    systemMemoryBytes: number | null;
    /** null on a cluster or an empty database. */
    sample: { keys: number; meanBytes: number; withTtlShare: number } | null;
  };
  server: {
    version: string;
    connectedClients: number;
    opsPerSecond: number;
    /** keyspace_hits / (hits + misses) of the whole server, null before any read. */
    keyspaceHitRate: number | null;
  };
}

export interface QdrantReading {
  collections: VectorCollectionFigures[];
  /** Search latency per profile (one Qdrant query) and per strategy (`strategy:<name>`, end to end). */
  search: Array<{ name: string; count: number; p50Ms: number; p99Ms: number; meanMs: number }>;
  /** Mean of the profile searches weighted by their calls; null before any search. */
  avgSearchMs: number | null;
  /** `shared`: the searches every process recorded over the window; `process`: this process's vector store. */
  searchSource?: 'shared' | 'process';
  /**
   * Why `collections` is empty although searches were read: this process has no vector store and
   * no app published its collections lately (the app exited, or never ran on the embedded engine).
   */
  collectionsAbsent?: string;
  /**
   * The embedded local engine's own figures (points, vectors per name, segments, payload index
   * sizes, log and snapshot bytes, last compaction): read here when this process opened it, or
   * as the app published them to Redis (`publishedAt`); null with a Qdrant server.
   */
  local?: (EngineTelemetry & { publishedAt: string | null }) | null;
}

export interface DuckdbReading {
  healthMs: number;
  path: string;
  readOnly: boolean;
  fileBytes: number;
  walBytes: number;
  memoryUsedBytes: number;
  memoryLimit: string;
  memoryLimitBytes: number | null;
  /** memoryUsedBytes / memoryLimitBytes, null when the limit is unknown. */
  memoryUsage: number | null;
  /** Cache efficiency: the buffer manager's table blocks in memory vs the data, spill, threads. */
  buffer: DuckdbBufferStats;
  /** RAM and CPUs of this host (DuckDB runs in this process). */
  host: { memoryBytes: number; cpus: number };
  rows: Record<string, number>;
  queries: QueryTiming[];
  ingestion: Array<{
    source: string;
    watermark: string;
    rowsTotal: number;
    ingestedAt: string;
    ageMs: number;
  }>;
}

export interface OutboxReading {
  backlog: OutboxBacklog;
  /** This process's relay, when one was handed to the monitor. */
  relay: RelayStats | null;
  /** Why there is no relay reading, when there is none. */
  relayAbsent: string | null;
}

export interface StepSummary extends Omit<LatencySummary, 'values'> {
  flow: string;
  step: string;
  store: StepStore;
  failed: number;
  degraded: number;
}

export interface FlowSummary extends Omit<LatencySummary, 'values'> {
  flow: string;
  /** Runs with a failed step, and runs that used a fallback. */
  failed: number;
  partial: number;
  /** Share of the flow's time spent per store. */
  timeByStore: Partial<Record<StepStore, number>>;
}

export interface FlowsReading {
  /** `shared`: every process's runs from Redis over the window; `process`: this process's recent runs. */
  source?: 'shared' | 'process';
  runs: number;
  flows: FlowSummary[];
  steps: StepSummary[];
}

/** Everything `monitor.collect()` read, per store. */
export interface MonitorSnapshot {
  takenAt: string;
  /** How long the collection took. */
  collectMs: number;
  postgres: Reading<PostgresReading>;
  redis: Reading<RedisReading>;
  qdrant: Reading<QdrantReading>;
  duckdb: Reading<DuckdbReading>;
  outbox: Reading<OutboxReading>;
  flows: Reading<FlowsReading>;
  /** The real-time metrics of every process (store calls, relay, memory operations, per minute). */
  shared: Reading<SharedReading>;
}
