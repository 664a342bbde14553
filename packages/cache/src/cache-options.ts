// The options of `createCache`: their type (with the defaults), their checks, and the settings
// resolved from them and the environment before any connection is opened.
import { Cluster, Redis } from 'ioredis';
import { z } from 'zod';
import type { ConnectionOptions } from './connection.js';
import type { MetricsBackend } from './metrics/backend.js';
import {
  type NamespaceName,
  type PolicyConfig,
  type PolicyOverrides,
  resolvePolicies,
} from './policies/namespaces.js';
import { check, PositiveInt, PositiveSeconds } from './validation.js';

/** Options of `createCache`; every field has a default. */
export interface CacheOptions {
  /**
   * A Redis URL, or a client (standalone or Cluster) you own.
   * @default REDIS_URL, else redis://127.0.0.1:6379
   */
  redis?: string | Redis | Cluster;
  /**
   * Prepended to every key; no braces.
   * @default MONSTEROS_KEY_PREFIX, else `mos:`
   */
  prefix?: string;
  /** Overrides of the namespace policies (TTL, max size, strategy, …). */
  policies?: PolicyOverrides;
  sessions?: {
    /** @default 3600 (1 h) */
    agentTtlSeconds?: number;
    /** @default 7200 (2 h) */
    userTtlSeconds?: number;
  };
  streams?: {
    /**
     * Approximate entries kept per agent stream.
     * @default 1000
     */
    maxLength?: number;
    /**
     * Approximate entries kept per dead-letter stream.
     * @default 10000
     */
    deadLetterMaxLength?: number;
  };
  metrics?: {
    /**
     * Retention of samples in ms.
     * @default 86400000 (24 h)
     */
    retentionMs?: number;
    /**
     * `auto` uses RedisTimeSeries when the module is loaded.
     * @default 'auto'
     */
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

/** Every setting of the cache, defaults applied. */
export interface CacheSettings {
  /** The client you passed, or the URL to open one from. */
  redis: Redis | Cluster | string;
  /** Whether close() quits the client (a client opened from a URL, not one you passed). */
  ownsClient: boolean;
  connection: Required<ConnectionOptions>;
  prefix: string;
  policies: { [N in NamespaceName]: PolicyConfig };
  agentTtlMs: number;
  userTtlMs: number;
  streams: { maxLength: number; deadLetterMaxLength: number };
  metrics: { retentionMs: number; backend: MetricsBackend | 'auto' };
  realtime: { retentionMs: number; flushMs: number; maxSeries: number };
}

/**
 * Checks `options` (a bad one is a CacheValidationError naming it, `options.prefix`) and applies
 * the defaults and the environment (REDIS_URL, MONSTEROS_KEY_PREFIX).
 */
export function resolveCacheOptions(options: CacheOptions): CacheSettings {
  const { policies: overrides, ...rest } = options;
  // A client instance is not data: the plain-data scan of the options would walk its internals
  // (a Cluster's subscriber refers back to it) and refuse it as circular. Checked by type instead.
  const given = rest.redis;
  const instance = given instanceof Redis || given instanceof Cluster ? given : undefined;
  const opts = check(OptionsSchema, instance ? { ...rest, redis: undefined } : rest, 'options');
  const policies = resolvePolicies(overrides);
  const envPrefix = process.env.MONSTEROS_KEY_PREFIX;
  const prefix =
    opts.prefix ?? (envPrefix === undefined ? 'mos:' : check(Prefix, envPrefix, 'MONSTEROS_KEY_PREFIX'));
  const url = typeof opts.redis === 'string' ? opts.redis : undefined;
  return {
    redis: instance ?? url ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    ownsClient: instance === undefined,
    connection: {
      commandTimeoutMs: opts.connection?.commandTimeoutMs ?? 1_000,
      connectTimeoutMs: opts.connection?.connectTimeoutMs ?? 2_000,
      maxReconnectDelayMs: opts.connection?.maxReconnectDelayMs ?? 2_000,
    },
    prefix,
    policies,
    agentTtlMs: Math.round((opts.sessions?.agentTtlSeconds ?? 3_600) * 1000),
    userTtlMs: Math.round((opts.sessions?.userTtlSeconds ?? 7_200) * 1000),
    streams: {
      maxLength: opts.streams?.maxLength ?? 1_000,
      deadLetterMaxLength: opts.streams?.deadLetterMaxLength ?? 10_000,
    },
    metrics: {
      retentionMs: opts.metrics?.retentionMs ?? 86_400_000,
      backend: opts.metrics?.backend ?? 'auto',
    },
    realtime: {
      retentionMs: opts.realtime?.retentionMs ?? 86_400_000,
      flushMs: opts.realtime?.flushMs ?? 5_000,
      maxSeries: opts.realtime?.maxSeries ?? 10_000,
    },
  };
}
