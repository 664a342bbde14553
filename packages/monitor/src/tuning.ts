// Tuning advice with numbers: each setting of PostgreSQL, the pool, Redis and DuckDB computed from
// what the servers report (memory, CPUs, connections, keys and value sizes, data size) by the
// well-known rules, with the exact command that applies it. Pure: the same inputs, the same advice
// (the README's "Tuning rules" cites each rule).
import type { PoolMeasure } from './collect/shared-metrics.js';

/** One setting: where it stands, what the rule gives, and how to apply it. */
export interface TuningAdvice {
  store: 'postgres' | 'redis' | 'duckdb';
  /** The setting's own name (`shared_buffers`, `maxmemory-policy`, `memory_limit`, `pool size`). */
  setting: string;
  /** As the server shows it (`128MB`, `0 (no limit)`), or `unknown`. */
  current: string;
  /** In the setting's syntax (`6026MB`, `volatile-lfu`, `2GiB`, `6`). */
  recommended: string;
  /** True when current is far from the rule (outside half to double, or another value). */
  change: boolean;
  /** The rule with its inputs and the arithmetic (`25 % of 23.5 GiB RAM (PGTune, web)`). */
  rule: string;
  /** The command that applies it, exactly. */
  command: string;
  /** When it takes effect. */
  applies: string;
}

export interface PostgresTuningInput {
  /** The server's RAM (bytes), null when neither /proc/meminfo nor the host could tell. */
  memoryBytes: number | null;
  /** Where memoryBytes and cpus came from (shown in the rule). */
  hostSource: string;
  cpus: number | null;
  maxConnections: number;
  reservedConnections: number;
  /** Current settings in bytes. */
  sharedBuffersBytes: number;
  effectiveCacheSizeBytes: number;
  workMemBytes: number;
  maintenanceWorkMemBytes: number;
  /** The pool size of this process's configuration, and every process's pools measured (null before any checkout). */
  pool: { size: number; measured: PoolMeasure | null };
}

export interface RedisTuningInput {
  usedBytes: number;
  /** `used_memory_startup`: what an empty server uses. */
  startupBytes: number;
  /** `total_system_memory`, null when Redis does not say. */
  systemMemoryBytes: number | null;
  maxmemoryBytes: number | null;
  policy: string;
  /** Keys in the database (DBSIZE). */
  keys: number;
  /** Keys sampled with MEMORY USAGE and PTTL: their mean size and the share with a TTL; null when none was. */
  sample: { keys: number; meanBytes: number; withTtlShare: number } | null;
}

export interface DuckdbTuningInput {
  /** RAM and CPUs of the host DuckDB runs in (it is in-process). */
  memoryBytes: number;
  cpus: number;
  memoryLimitBytes: number | null;
  memoryLimit: string;
  threads: number;
  /** Used blocks of the database file, 0 in memory. */
  databaseBytes: number;
  /** Bytes spilled to temporary storage (the limit was too small for a query). */
  spilledBytes: number;
}

export interface TuningInput {
  postgres?: PostgresTuningInput | null;
  redis?: RedisTuningInput | null;
  duckdb?: DuckdbTuningInput | null;
}

const KB = 1024;
const MB = 1024 * KB;
const GB = 1024 * MB;

/**
 * A size in kB as PostgreSQL writes it: GB or MB when whole, else kB (as PGTune writes work_mem);
 * from 1 GB on, rounded down to whole MB (`6026MB` reads better than `6170937kB`).
 */
export function pgSize(kb: number): string {
  const k = kb >= 1024 * 1024 ? Math.floor(kb / 1024) * 1024 : Math.floor(kb);
  if (k > 0 && k % (1024 * 1024) === 0) return `${k / (1024 * 1024)}GB`;
  if (k > 0 && k % 1024 === 0) return `${k / 1024}MB`;
  return `${k}kB`;
}

/** Bytes as a person reads them (binary units). */
function human(bytes: number): string {
  if (bytes >= GB) return `${(bytes / GB).toFixed(1)} GiB`;
  if (bytes >= MB) return `${(bytes / MB).toFixed(1)} MiB`;
  if (bytes >= KB) return `${(bytes / KB).toFixed(1)} KiB`;
  return `${Math.round(bytes)} B`;
}

/** Outside half to double of the recommendation. */
const far = (current: number | null, recommended: number) =>
  current === null || current < recommended / 2 || current > recommended * 2;

function postgresAdvice(p: PostgresTuningInput): TuningAdvice[] {
  const out: TuningAdvice[] = [];
  const alter = (name: string, value: string, reload: boolean) =>
    `ALTER SYSTEM SET ${name} = '${value}';${reload ? ' SELECT pg_reload_conf();' : ' -- then restart PostgreSQL'}`;
  if (p.memoryBytes !== null) {
    const ramKb = Math.floor(p.memoryBytes / KB);
    const ram = `${human(p.memoryBytes)} RAM (${p.hostSource})`;
    const sharedKb = Math.floor(ramKb / 4);
    const cacheKb = Math.floor((ramKb * 3) / 4);
    const maintenanceKb = Math.min(Math.floor(ramKb / 16), 2 * 1024 * 1024);
    const parallel = Math.max(1, Math.ceil((p.cpus ?? 1) / 2));
    const workKb = Math.max(64, Math.floor((ramKb - sharedKb) / (p.maxConnections * 3) / parallel));
    const setting = (
      name: string,
      currentBytes: number,
      kb: number,
      rule: string,
      reload: boolean,
    ): TuningAdvice => ({
      store: 'postgres',
      setting: name,
      current: pgSize(currentBytes / KB),
      recommended: pgSize(kb),
      change: far(currentBytes, kb * KB),
      rule,
      command: alter(name, pgSize(kb), reload),
      applies: reload ? 'on reload' : 'after a restart',
    });
    out.push(
      setting(
        'shared_buffers',
        p.sharedBuffersBytes,
        sharedKb,
        `25 % of ${ram} = ${pgSize(sharedKb)} (PostgreSQL wiki, PGTune: RAM / 4)`,
        false,
      ),
      setting(
        'effective_cache_size',
        p.effectiveCacheSizeBytes,
        cacheKb,
        `75 % of ${ram} = ${pgSize(cacheKb)} (PostgreSQL wiki: 50–75 %; PGTune: RAM × 3/4)`,
        true,
      ),
      setting(
        'work_mem',
        p.workMemBytes,
        workKb,
        `(RAM − shared_buffers) / (max_connections × 3) / ⌈CPUs / 2⌉ = (${pgSize(ramKb)} − ${pgSize(sharedKb)}) / (${p.maxConnections} × 3) / ${parallel} = ${pgSize(workKb)}, at least 64kB (PGTune)`,
        true,
      ),
      setting(
        'maintenance_work_mem',
        p.maintenanceWorkMemBytes,
        maintenanceKb,
        `RAM / 16 = ${pgSize(Math.floor(ramKb / 16))}, at most 2GB (PGTune)`,
        true,
      ),
    );
  } else {
    out.push({
      store: 'postgres',
      setting: 'shared_buffers',
      current: pgSize(p.sharedBuffersBytes / KB),
      recommended: 'RAM / 4',
      change: false,
      rule: `the server's memory is unknown (${p.hostSource}): shared_buffers = RAM / 4, effective_cache_size = RAM × 3/4, work_mem = (RAM − shared_buffers) / (max_connections × 3), maintenance_work_mem = RAM / 16 (PGTune)`,
      command: "ALTER SYSTEM SET shared_buffers = '<RAM/4>'; -- then restart PostgreSQL",
      applies: 'after a restart',
    });
  }
  out.push(poolAdvice(p));
  return out;
}

/** Headroom over the busiest minute's mean: bursts inside a minute run above its mean. */
const POOL_HEADROOM = 1.5;

function poolAdvice(p: PostgresTuningInput): TuningAdvice {
  const budget = Math.max(1, p.maxConnections - p.reservedConnections);
  const serverBest = p.cpus !== null ? p.cpus * 2 + 1 : null;
  const base = {
    store: 'postgres' as const,
    setting: 'pool size',
    current: String(p.pool.size),
    applies: 'at the next start of the app',
  };
  const m = p.pool.measured;
  if (!m)
    return {
      ...base,
      recommended: String(p.pool.size),
      change: false,
      rule: `no pooled checkout measured in the window: run the app (every process records its pool) and read this again; the pools of all processes together must stay under max_connections − reserved = ${budget}${serverBest ? `, and beyond CPUs × 2 + 1 = ${serverBest} active connections the server does not go faster` : ''}`,
      command: `createDataLayer({ poolSize: ${p.pool.size} })`,
    };
  const demand = m.heldConcurrency + m.waitingConcurrency;
  const needed = Math.ceil(demand * POOL_HEADROOM);
  const cap = Math.min(budget, serverBest ?? budget);
  const recommended = Math.max(2, Math.min(needed, cap));
  const capped = needed > cap;
  return {
    ...base,
    recommended: String(recommended),
    change: recommended !== p.pool.size && (m.waitMeanMs > 1 || far(p.pool.size, recommended)),
    rule: `busiest minute ${m.minute.slice(11, 16)} UTC: ${demand.toFixed(2)} connections in demand (Little's law: ${m.heldConcurrency.toFixed(2)} held + ${m.waitingConcurrency.toFixed(2)} waiting; ${m.acquires} checkouts, wait mean ${m.waitMeanMs.toFixed(2)} ms, p95 ${m.waitP95Ms.toFixed(2)} ms) × ${POOL_HEADROOM} headroom = ${needed}, at least 2${capped ? `, capped at ${cap} (${serverBest !== null && serverBest <= budget ? `CPUs × 2 + 1, PostgreSQL wiki "Number Of Database Connections"` : `max_connections ${p.maxConnections} − ${p.reservedConnections} reserved`})` : ''}; all processes' pools together ≤ ${budget}`,
    command: `createDataLayer({ poolSize: ${recommended} })`,
  };
}

/**
 * Room for the data to double before eviction starts, and never less than 256 MB: one instance
 * holds the caches, sessions, streams and metrics, and a development machine's seed, tests and
 * benchmarks share it (evicting a test's keys would fail it).
 */
const REDIS_GROWTH = 2;
const REDIS_MIN_BYTES = 256 * MB;

function redisAdvice(r: RedisTuningInput): TuningAdvice[] {
  const estimated = r.sample ? r.keys * r.sample.meanBytes : 0;
  const dataset = Math.max(r.usedBytes - r.startupBytes, estimated, 0);
  const grown = (r.startupBytes + dataset) * REDIS_GROWTH;
  const wanted = Math.max(REDIS_MIN_BYTES, grown);
  const capBytes = r.systemMemoryBytes ? r.systemMemoryBytes / 2 : null;
  const bytes = Math.ceil(Math.min(wanted, capBytes ?? wanted) / MB) * MB;
  const recommended = `${bytes / MB}mb`;
  const sampled = r.sample
    ? `${r.keys} keys × ${human(r.sample.meanBytes)} mean MEMORY USAGE of ${r.sample.keys} sampled = ${human(estimated)}`
    : `${r.keys} keys, none sampled`;
  // Evicting a key without a TTL (a session, quest progress, an agent stream) loses data the
  // app never asked to expire: only a sample where every key expires is a pure cache.
  const policy = r.sample !== null && r.sample.withTtlShare >= 1 ? 'allkeys-lfu' : ('volatile-lfu' as const);
  return [
    {
      store: 'redis',
      setting: 'maxmemory',
      current: r.maxmemoryBytes ? `${Math.round(r.maxmemoryBytes / MB)}mb` : '0 (no limit)',
      recommended,
      change: far(r.maxmemoryBytes, bytes),
      rule: `(startup ${human(r.startupBytes)} + data max(used − startup = ${human(Math.max(0, r.usedBytes - r.startupBytes))}, ${sampled})) × ${REDIS_GROWTH} for growth = ${human(grown)}, at least ${REDIS_MIN_BYTES / MB}mb${capBytes ? `, at most half of ${human(r.systemMemoryBytes!)} (room for the fork of a save)` : ''}`,
      command: `redis-cli CONFIG SET maxmemory ${recommended}`,
      applies: 'at once (CONFIG REWRITE keeps it across restarts)',
    },
    {
      store: 'redis',
      setting: 'maxmemory-policy',
      current: r.policy || 'unknown',
      recommended: policy,
      change: r.policy !== policy,
      rule: r.sample
        ? `${(r.sample.withTtlShare * 100).toFixed(0)} % of ${r.sample.keys} sampled keys expire: ${policy === 'allkeys-lfu' ? 'every key is cache, so evict the least frequently used of all keys' : 'keys without a TTL (sessions, progress, streams) must never be evicted, so evict only among expiring keys, least frequently used first (when only such keys are left, writes fail loudly instead of losing data)'} (Redis "Key eviction")`
        : 'no key sampled: evict only among expiring keys, so sessions, progress and streams written later are never evicted (Redis "Key eviction")',
      command: `redis-cli CONFIG SET maxmemory-policy ${policy}`,
      applies: 'at once (CONFIG REWRITE keeps it across restarts)',
    },
  ];
}

/** DuckDB's rule of thumb: 1–4 GB per thread (its lower end here), at least 125 MB per thread. */
const DUCKDB_PER_THREAD = GB;
const DUCKDB_MIN_PER_THREAD = 125 * MB;

/** A size as DuckDB takes it (binary units, whole MiB). */
function duckSize(bytes: number): string {
  const mib = Math.max(1, Math.round(bytes / MB));
  return mib % 1024 === 0 ? `${mib / 1024}GiB` : `${mib}MiB`;
}

function duckdbAdvice(d: DuckdbTuningInput): TuningAdvice[] {
  const threads = d.cpus;
  const byThreads = threads * DUCKDB_PER_THREAD;
  const byData = d.databaseBytes * 2;
  const bySpill = d.spilledBytes > 0 && d.memoryLimitBytes ? d.memoryLimitBytes * 2 : 0;
  const ceiling = d.memoryBytes * 0.8;
  const wanted = Math.max(byThreads, byData, bySpill, threads * DUCKDB_MIN_PER_THREAD);
  const bytes = Math.min(wanted, ceiling);
  const recommended = duckSize(bytes);
  return [
    {
      store: 'duckdb',
      setting: 'memory_limit',
      current: d.memoryLimit || 'unknown',
      recommended,
      change: far(d.memoryLimitBytes, bytes),
      rule: `max(${threads} threads × 1 GiB (DuckDB: 1–4 GB per thread), 2 × ${human(d.databaseBytes)} of data${bySpill ? `, 2 × the current limit (${human(d.spilledBytes)} spilled)` : ''}) = ${human(wanted)}, at most 80 % of ${human(d.memoryBytes)} RAM: the rest stays for PostgreSQL and Redis on the same host`,
      command: `SET memory_limit = '${recommended}'; -- or createAnalytics({ memoryLimit: '${recommended}' })`,
      applies: 'at once, for this connection',
    },
    {
      store: 'duckdb',
      setting: 'threads',
      current: String(d.threads),
      recommended: String(threads),
      change: d.threads > threads,
      rule: `one per CPU (${d.cpus} available; DuckDB's default): more threads than CPUs only contend`,
      command: `SET threads = ${threads}; -- or createAnalytics({ threads: ${threads} })`,
      applies: 'at once, for this connection',
    },
  ];
}

/**
 * The advice for every store with inputs, in report order (PostgreSQL, pool, Redis, DuckDB).
 * @example
 * computeTuning({ postgres: { memoryBytes: 16 * 2 ** 30, cpus: 4, maxConnections: 100, … } })[0];
 * // { setting: 'shared_buffers', recommended: '4GB', command: "ALTER SYSTEM SET shared_buffers = '4GB'; …", … }
 */
export function computeTuning(input: TuningInput): TuningAdvice[] {
  return [
    ...(input.postgres ? postgresAdvice(input.postgres) : []),
    ...(input.redis ? redisAdvice(input.redis) : []),
    ...(input.duckdb ? duckdbAdvice(input.duckdb) : []),
  ];
}
