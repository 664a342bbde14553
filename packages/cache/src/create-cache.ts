import { performance } from 'node:perf_hooks';
import { Cluster, Redis } from 'ioredis';
import { z } from 'zod';
import {
  Availability,
  type ConnectionOptions,
  connect,
  type RedisClient,
  registerScripts,
} from './connection.js';
import { CacheValidationError } from './errors.js';
import { keyBuilders, NAMESPACE_KEY_BASE, namespaceKeys } from './keys.js';
import type { MetricsBackend } from './metrics/backend.js';
import { createRealtimeMetrics } from './metrics/realtime.js';
import type { RealtimeMetrics } from './metrics/realtime-types.js';
import { createMetrics, type Metrics } from './metrics/series.js';
import { createPipelines, type Pipelines } from './pipelines.js';
import { type CachePolicy, createPolicy } from './policies/create-policy.js';
import type { LocalPolicyCounters } from './policies/local-counters.js';
import {
  assertNamespace,
  type CacheNamespaces,
  NAMESPACES,
  type NamespaceName,
  type PolicyOverrides,
  resolvePolicies,
} from './policies/namespaces.js';
import { startTracking, type Tracking } from './policies/near-cache.js';
import { deleteOwnKeys } from './reset.js';
import { createSessions, type Sessions } from './sessions.js';
import { createStreams, type Streams } from './streams.js';
import { check, PositiveInt, PositiveSeconds } from './validation.js';

/** Options of `createCache`; every field has a default. */
export interface CacheOptions {
  /** A Redis URL, or a client (standalone or Cluster) you own. Default REDIS_URL, else redis://127.0.0.1:6379. */
  redis?: string | Redis | Cluster;
  /** Prepended to every key; no braces. Default MONSTEROS_KEY_PREFIX, else `mos:`. */
  prefix?: string;
  /** Overrides of the namespace policies (TTL, max size, strategy, …). */
  policies?: PolicyOverrides;
  sessions?: {
    /** Default 3,600 (1 h). */
    agentTtlSeconds?: number;
    /** Default 7,200 (2 h). */
    userTtlSeconds?: number;
  };
  streams?: {
    /** Approximate entries kept per agent stream. Default 1,000. */
    maxLength?: number;
    /** Approximate entries kept per dead-letter stream. Default 10,000. */
    deadLetterMaxLength?: number;
  };
  metrics?: {
    /** Retention of samples in ms. Default 86,400,000 (24 h). */
    retentionMs?: number;
    /** `auto` uses RedisTimeSeries when the module is loaded. Default `auto`. */
    backend?: MetricsBackend | 'auto';
  };
  /** Real-time metrics: per-minute aggregates shared by every process (see `realtime`). */
  realtime?: {
    /**
     * How often this process sends its pending aggregates, in ms.
     * @default 5000
     */
    flushMs?: number;
    /**
     * How long a minute's aggregates are kept (and the totals after their last write), in ms.
     * @default 86400000 (24 h)
     */
    retentionMs?: number;
    /**
     * Label sets kept per metric and minute before new ones are dropped (a cardinality guard).
     * @default 10000
     */
    maxSeries?: number;
  };
  /** Timeouts and reconnection of the client opened from a URL (ignored for a client you pass). */
  connection?: ConnectionOptions;
}

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

// No braces (they would change hash slots) and no glob characters (reset() SCANs `prefix*`).
const Prefix = z
  .string({ message: 'must be a string' })
  .max(64, 'must be at most 64 characters')
  .regex(
    /^[A-Za-z0-9_.:-]*$/,
    'may contain only letters, digits, _ . : - (no braces: they would change hash slots)',
  );

const OptionsSchema = z.object({
  redis: z
    .union([
      z.string().refine((u) => /^rediss?:\/\//.test(u), 'must be a redis:// or rediss:// URL'),
      z.instanceof(Redis),
      z.instanceof(Cluster),
    ])
    .optional(),
  prefix: Prefix.optional(),
  sessions: z
    .object({ agentTtlSeconds: PositiveSeconds.optional(), userTtlSeconds: PositiveSeconds.optional() })
    .strict()
    .optional(),
  streams: z
    .object({ maxLength: PositiveInt.optional(), deadLetterMaxLength: PositiveInt.optional() })
    .strict()
    .optional(),
  metrics: z
    .object({
      retentionMs: PositiveInt.optional(),
      backend: z
        .enum(['auto', 'timeseries', 'core'], { message: 'must be auto, timeseries or core' })
        .optional(),
    })
    .strict()
    .optional(),
  realtime: z
    .object({
      flushMs: PositiveInt.max(3_600_000, 'must be at most 3600000 (an hour)').optional(),
      retentionMs: PositiveInt.min(60_000, 'must be at least 60000 (a minute)').optional(),
      maxSeries: PositiveInt.optional(),
    })
    .strict()
    .optional(),
  connection: z
    .object({
      commandTimeoutMs: PositiveInt.optional(),
      connectTimeoutMs: PositiveInt.optional(),
      maxReconnectDelayMs: PositiveInt.optional(),
    })
    .strict()
    .optional(),
});

function num(v: string | undefined): number {
  return v === undefined ? 0 : Number(v);
}

/**
 * Creates the Redis side of MonsterOS: namespace caches with their policies, sessions, agent
 * message streams, metrics time series, stats and health, on one ioredis client.
 * @example
 * const cache = createCache({ redis: process.env.REDIS_URL, prefix: 'mos:' });
 * const quest = await cache.policies.quest_data.getOrSet({ questId }, () => loadQuest(questId));
 * await cache.close();
 */
export function createCache(options: CacheOptions = {}): Cache {
  const { policies: overrides, ...rest } = options;
  // A client instance is not data: the plain-data scan of the options would walk its internals
  // (a Cluster's subscriber refers back to it) and refuse it as circular. Checked by type instead.
  const given = rest.redis;
  const instance = given instanceof Redis || given instanceof Cluster ? given : undefined;
  const opts = {
    ...check(OptionsSchema, instance ? { ...rest, redis: undefined } : rest, 'options'),
    ...(instance ? { redis: instance } : {}),
  };
  const resolvedPolicies = resolvePolicies(overrides);
  const envPrefix = process.env.MONSTEROS_KEY_PREFIX;
  const prefix =
    opts.prefix ?? (envPrefix === undefined ? 'mos:' : check(Prefix, envPrefix, 'MONSTEROS_KEY_PREFIX'));
  const ownsClient = typeof opts.redis === 'string' || opts.redis === undefined;
  const raw: RedisClient =
    opts.redis instanceof Redis || opts.redis instanceof Cluster
      ? opts.redis
      : connect((opts.redis as string | undefined) ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
          commandTimeoutMs: opts.connection?.commandTimeoutMs ?? 1_000,
          connectTimeoutMs: opts.connection?.connectTimeoutMs ?? 2_000,
          maxReconnectDelayMs: opts.connection?.maxReconnectDelayMs ?? 2_000,
        });
  const client = registerScripts(raw);
  const availability = new Availability(client);
  const keys = keyBuilders(prefix);

  const nearCached = NAMESPACES.filter((name) => resolvedPolicies[name].nearCacheEntries > 0);
  if (nearCached.length > 0 && client instanceof Cluster) {
    throw new CacheValidationError(
      `policies.${nearCached[0]}.nearCacheEntries`,
      'needs a standalone Redis, not a Cluster',
    );
  }
  const tracking: Tracking | undefined = nearCached.length > 0 ? startTracking(client as Redis) : undefined;

  const policyObjects = {} as Record<NamespaceName, ReturnType<typeof createPolicy>>;
  for (const name of NAMESPACES) {
    policyObjects[name] = createPolicy(name, resolvedPolicies[name], {
      client,
      availability,
      keys: namespaceKeys(prefix, NAMESPACE_KEY_BASE[name]),
      ...(tracking ? { tracking } : {}),
    });
  }
  // Cache writes that failed while Redis was down are replayed as invalidations on reconnect.
  availability.onReady(() => {
    for (const p of Object.values(policyObjects)) p.replayInvalidations().catch(() => {});
  });
  const policies = policyObjects as unknown as Cache['policies'];

  const agentTtlMs = Math.round((opts.sessions?.agentTtlSeconds ?? 3_600) * 1000);
  const userTtlMs = Math.round((opts.sessions?.userTtlSeconds ?? 7_200) * 1000);
  const sessions = createSessions({ client, availability, keys, agentTtlMs, userTtlMs });
  const pipelines = createPipelines({ client, availability, keys, agentTtlMs, userTtlMs });
  // Open consumers, for close(); one that closes itself leaves the set.
  const consumers = new Set<{ close(): Promise<void> }>();
  const baseStreams = createStreams({
    client,
    availability,
    keys,
    maxLength: opts.streams?.maxLength ?? 1_000,
    deadLetterMaxLength: opts.streams?.deadLetterMaxLength ?? 10_000,
  });
  const streams: Streams = {
    ...baseStreams,
    consumer(agent, consumerOptions) {
      const c = baseStreams.consumer(agent, consumerOptions);
      consumers.add(c);
      return {
        ...c,
        async close() {
          consumers.delete(c);
          await c.close();
        },
      };
    },
  };
  const metrics = createMetrics({
    client,
    availability,
    keys,
    retentionMs: opts.metrics?.retentionMs ?? 86_400_000,
    agentSessionTtlMs: agentTtlMs,
    backend: opts.metrics?.backend ?? 'auto',
  });

  const realtime = createRealtimeMetrics({
    client,
    availability,
    keys,
    retentionMs: opts.realtime?.retentionMs ?? 86_400_000,
    flushMs: opts.realtime?.flushMs ?? 5_000,
    maxSeries: opts.realtime?.maxSeries ?? 10_000,
  });

  async function ping(): Promise<number> {
    const started = performance.now();
    await client.ping();
    return performance.now() - started;
  }

  async function memoryInfo(): Promise<CacheStats['memory']> {
    const nodes: Redis[] = client instanceof Cluster ? client.nodes('master') : [client as Redis];
    let used = 0;
    let max = 0;
    let policy = '';
    for (const node of nodes) {
      const info = await node.info('memory');
      const field = (name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim();
      used += num(field('used_memory'));
      max += num(field('maxmemory'));
      policy = field('maxmemory_policy') ?? policy;
    }
    return {
      usedBytes: used,
      maxmemoryBytes: max > 0 ? max : null,
      usedRatio: max > 0 ? used / max : null,
      evictionPolicy: policy,
    };
  }

  return {
    policies,
    policy(name) {
      assertNamespace(name);
      return policies[name];
    },
    async invalidateTag(tag) {
      let total = 0;
      for (const name of NAMESPACES) total += await policies[name].invalidateTag(tag);
      return total;
    },
    sessions,
    pipelines,
    streams,
    metrics,
    realtime,
    async stats() {
      return availability.run('cache stats', async () => {
        await Promise.all(Object.values(policyObjects).map((p) => p.flushReads()));
        const namespaces = {} as Record<NamespaceName, NamespaceStats>;
        for (const name of NAMESPACES) {
          const k = namespaceKeys(prefix, NAMESPACE_KEY_BASE[name]);
          const expiries = resolvedPolicies[name].strategy === 'ttl' ? k.index : k.expiries;
          const [count, flat] = (await client.mosCacheStats(
            k.index,
            expiries,
            k.stats,
            k.memberTags,
            k.entryPrefix,
            k.tagPrefix,
          )) as [number, string[]];
          const h = new Map<string, string>();
          for (let i = 0; i + 1 < flat.length; i += 2) h.set(flat[i]!, flat[i + 1]!);
          const hits = num(h.get('hits'));
          const misses = num(h.get('misses'));
          namespaces[name] = {
            keys: count,
            maxSize: resolvedPolicies[name].maxSize,
            hits,
            misses,
            hitRate: hits + misses === 0 ? null : hits / (hits + misses),
            sets: num(h.get('sets')),
            evictions: num(h.get('evictions')),
            expired: num(h.get('expired')),
            invalidations: num(h.get('invalidations')),
            local: { ...policies[name].local },
          };
        }
        return { namespaces, memory: await memoryInfo(), roundTripMs: await ping() };
      });
    },
    async health() {
      if (!availability.up) return { ok: false, status: client.status, error: 'Redis is unavailable' };
      try {
        return { ok: true, status: client.status, roundTripMs: await ping() };
      } catch (error) {
        return { ok: false, status: client.status, error: (error as Error).message };
      }
    },
    async reset() {
      if (prefix === '')
        throw new CacheValidationError(
          'options.prefix',
          'must not be empty to reset (every key would match)',
        );
      return availability.run('cache reset', () => deleteOwnKeys(client, prefix));
    },
    redis: client,
    async close() {
      await Promise.all([...consumers].map((c) => c.close()));
      await Promise.all(Object.values(policyObjects).map((p) => p.flushReads()));
      await realtime.close();
      await tracking?.close();
      if (ownsClient) {
        try {
          await client.quit();
        } catch {
          client.disconnect();
        }
      }
    },
  };
}
