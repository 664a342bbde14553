// The public types of `createCache`: the cache object, its stats and its health.
import type { RedisClient } from './connection.js';
import type { RealtimeMetrics } from './metrics/realtime-types.js';
import type { Metrics } from './metrics/series.js';
import type { Pipelines } from './pipelines.js';
import type { CachePolicy } from './policies/create-policy.js';
import type { LocalPolicyCounters } from './policies/local-counters.js';
import type { CacheNamespaces, NamespaceName } from './policies/namespaces.js';
import type { Sessions } from './sessions.js';
import type { Streams } from './streams.js';

/** Statistics of one namespace: shared counters from Redis, plus this process's. */
export interface NamespaceStats {
  /** Entries currently held. */
  keys: number;
  maxSize: number;
  hits: number;
  misses: number;
  /** hits / (hits + misses), or null before any read. */
  hitRate: number | null;
  sets: number;
  evictions: number;
  expired: number;
  invalidations: number;
  local: LocalPolicyCounters;
}

export interface CacheStats {
  namespaces: Record<NamespaceName, NamespaceStats>;
  memory: {
    usedBytes: number;
    /** null when Redis has no maxmemory limit. */
    maxmemoryBytes: number | null;
    /** usedBytes / maxmemoryBytes, or null without a limit. */
    usedRatio: number | null;
    /** Redis's global eviction policy (namespaces enforce their own max size regardless). */
    evictionPolicy: string;
  };
  /** One PING round trip, in ms. */
  roundTripMs: number;
}

export interface CacheHealth {
  ok: boolean;
  /** ioredis connection status (`ready`, `reconnecting`, …). */
  status: string;
  roundTripMs?: number;
  error?: string;
}

/** The Redis side of MonsterOS. */
export interface Cache {
  /** The namespaces with their policies, typed by `CacheNamespaces`. */
  policies: { [N in NamespaceName]: CachePolicy<CacheNamespaces[N]['key'], CacheNamespaces[N]['value']> };
  /**
   * A namespace by name, checked at run time (for names that come from config or events).
   * @example cache.policy('quest_data').delete({ questId })
   */
  policy<N extends NamespaceName>(name: N): Cache['policies'][N];
  /**
   * Invalidates every entry carrying `tag`, in every namespace. Returns how many.
   * @example await cache.invalidateTag('character:sage');
   */
  invalidateTag(tag: string): Promise<number>;
  sessions: Sessions;
  /** The spec's Redis pipelines: many characters' states or users' progress in one round trip. */
  pipelines: Pipelines;
  streams: Streams;
  metrics: Metrics;
  /**
   * Per-minute aggregates (count, sum, max, latency histogram per label set) that every process
   * adds to in Redis: `record` is in memory, a flush every `realtime.flushMs` sends them.
   * @example
   * cache.realtime.record('relay_round', ['ok'], 3.2);
   * await cache.realtime.minutes('relay_round'); // keys mos:rtm:{relay_round}:m:<minute ms>
   */
  realtime: RealtimeMetrics;
  /**
   * Hits, misses, hit rate, evictions and key counts per namespace, memory, round trip.
   * @example const { namespaces } = await cache.stats();
   */
  stats(): Promise<CacheStats>;
  /**
   * Whether Redis answers; never throws.
   * @example if (!(await cache.health()).ok) alert();
   */
  health(): Promise<CacheHealth>;
  /**
   * Deletes every MonsterOS key under this prefix (cache namespaces, sessions, streams, metrics),
   * on every master; keys of other prefixes or other applications stay. Returns how many. For
   * development resets: never on live data.
   * @example const deleted = await cache.reset();
   */
  reset(): Promise<number>;
  /** The client underneath (for tests and tooling). */
  readonly redis: RedisClient;
  /** Closes consumers and the client (a client you passed in stays open). */
  close(): Promise<void>;
}
