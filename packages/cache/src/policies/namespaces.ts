import type {
  CharacterInteraction,
  LearningPreferences,
  MemoryPassage,
  QuestDefinition,
} from '@monsteros/schema';
import { z } from 'zod';
import type { ValueFormat } from '../codec.js';
import { CacheValidationError } from '../errors.js';
import { NonNegativeSeconds, PositiveInt, PositiveSeconds } from '../validation.js';

/**
 * How a namespace stays within its max size: evict the least recently used (`lru`), the least
 * frequently used (`lfu`) or the entry closest to expiry (`ttl`); `write-through` namespaces
 * are written together with their source (`policy.write`) and evict like `lru`.
 */
export type CacheStrategy = 'lru' | 'lfu' | 'ttl' | 'write-through';

/** One namespace's policy. */
export interface PolicyConfig {
  /** Seconds an entry stays fresh. */
  ttlSeconds: number;
  /** Entries the namespace may hold; one more evicts by the strategy. */
  maxSize: number;
  strategy: CacheStrategy;
  /** Seconds after `ttlSeconds` during which `getOrSet` serves the stale value and refreshes it in the background. Default 0 (off). */
  staleWhileRevalidateSeconds: number;
  /**
   * Wire format of values. Default `auto`: per value, JSON when it gives the value back exactly
   * (Dates revived), else msgpack (bigints, bytes, undefined); both keep every type. `msgpack`
   * always msgpack; `json` always plain JSON (Dates come back as ISO strings; bigint refused).
   */
  format: ValueFormat;
  /** Values whose serialized body is larger than this many bytes are deflated. Default 1,024. */
  compressAboveBytes: number;
  /** Milliseconds one process may hold the loader lease of a key before another may load it. Default 5,000. */
  leaseMs: number;
  /**
   * How reads record their access (hit/miss counters, LRU recency, LFU frequency). `batched`
   * (default): a hit is a plain GET; the process sends its reads in one script call every
   * `readFlushMs` (and with its next write, before any eviction), so eviction order across
   * processes lags by at most that long. `inline`: each read runs a Lua script that records
   * it at once (exact across processes, about half the throughput).
   */
  readTracking: 'batched' | 'inline';
  /** Longest delay before batched reads reach Redis, in ms. Default 50. */
  readFlushMs: number;
  /**
   * Entries this process keeps in its near cache (Redis client-side caching: repeated hits skip
   * the network until Redis reports the key changed). Default 0 (off). Needs a standalone Redis
   * and `readTracking: 'batched'`. A write in this process is seen at once; a write, eviction or
   * invalidation by another process once its invalidation message arrives (normally well under a
   * millisecond after that write returns).
   */
  nearCacheEntries: number;
}

/** A cached character response: the interaction fields a repeat of the same request needs. */
export type CachedCharacterResponse = Pick<
  CharacterInteraction,
  'character_id' | 'response' | 'response_time_ms' | 'request_hash' | 'created_at'
>;

/** A cached memory search: the passages found and their scores. */
export interface CachedMemorySearch {
  character: string;
  results: Array<{ passage: Pick<MemoryPassage, 'id' | 'character_context' | 'content'>; score: number }>;
}

/** The namespaces of the cache: their key parts and the (schema) types of their values. */
export interface CacheNamespaces {
  /** `cache:response:{character}:{hash}` */
  character_responses: { key: { character: string; hash: string }; value: CachedCharacterResponse };
  /** `cache:memory:{query_hash}` */
  memory_search_results: { key: { queryHash: string }; value: CachedMemorySearch };
  /** `cache:quest:{quest_id}` */
  quest_data: { key: { questId: string }; value: QuestDefinition };
  /** `cache:user:{user_id}:prefs` */
  user_preferences: { key: { userId: string }; value: LearningPreferences };
}
export type NamespaceName = keyof CacheNamespaces;
export type NamespaceKey<N extends NamespaceName> = CacheNamespaces[N]['key'];
export type NamespaceValue<N extends NamespaceName> = CacheNamespaces[N]['value'];

export const NAMESPACES: readonly NamespaceName[] = [
  'character_responses',
  'memory_search_results',
  'quest_data',
  'user_preferences',
];

/** The key parts of each namespace, in key order, and a fixed suffix. */
export const KEY_SHAPES: {
  [N in NamespaceName]: { parts: Array<keyof NamespaceKey<N> & string>; suffix: string };
} = {
  character_responses: { parts: ['character', 'hash'], suffix: '' },
  memory_search_results: { parts: ['queryHash'], suffix: '' },
  quest_data: { parts: ['questId'], suffix: '' },
  user_preferences: { parts: ['userId'], suffix: ':prefs' },
};

const COMMON = {
  staleWhileRevalidateSeconds: 0,
  format: 'auto',
  compressAboveBytes: 1024,
  leaseMs: 5000,
  readTracking: 'batched',
  readFlushMs: 50,
  nearCacheEntries: 0,
} as const;

/** The policies of the design document. */
export const DEFAULT_POLICIES: { readonly [N in NamespaceName]: Readonly<PolicyConfig> } = {
  character_responses: { ttlSeconds: 300, maxSize: 1_000, strategy: 'lru', ...COMMON },
  memory_search_results: { ttlSeconds: 600, maxSize: 500, strategy: 'lfu', ...COMMON },
  quest_data: { ttlSeconds: 1_800, maxSize: 100, strategy: 'ttl', ...COMMON },
  user_preferences: { ttlSeconds: 3_600, maxSize: 10_000, strategy: 'write-through', ...COMMON },
};

const PolicyOverrideSchema = z
  .object({
    ttlSeconds: PositiveSeconds.optional(),
    maxSize: PositiveInt.optional(),
    strategy: z
      .enum(['lru', 'lfu', 'ttl', 'write-through'], { message: 'must be lru, lfu, ttl or write-through' })
      .optional(),
    staleWhileRevalidateSeconds: NonNegativeSeconds.optional(),
    format: z.enum(['auto', 'msgpack', 'json'], { message: 'must be auto, msgpack or json' }).optional(),
    compressAboveBytes: z.number().int('must be a whole number').min(0, 'must not be negative').optional(),
    leaseMs: PositiveInt.optional(),
    readTracking: z.enum(['batched', 'inline'], { message: 'must be batched or inline' }).optional(),
    readFlushMs: PositiveInt.optional(),
    nearCacheEntries: z.number().int('must be a whole number').min(0, 'must not be negative').optional(),
  })
  .strict();

/** Overrides of the default policies, per namespace. */
export type PolicyOverrides = { [N in NamespaceName]?: Partial<PolicyConfig> };

/**
 * Merges overrides into the defaults; an unknown namespace or a bad value is a CacheValidationError.
 * @example
 * resolvePolicies({ quest_data: { ttlSeconds: 60 } })
 */
export function resolvePolicies(overrides: unknown): { [N in NamespaceName]: PolicyConfig } {
  const out = {} as { [N in NamespaceName]: PolicyConfig };
  for (const name of NAMESPACES) out[name] = { ...DEFAULT_POLICIES[name] };
  if (overrides === undefined) return out;
  if (typeof overrides !== 'object' || overrides === null)
    throw new CacheValidationError('policies', 'must be an object');
  for (const [name, override] of Object.entries(overrides)) {
    assertNamespace(name, `policies.${name}`);
    const parsed = PolicyOverrideSchema.safeParse(override ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = [`policies.${name}`, ...issue.path].join('.');
      throw new CacheValidationError(
        field,
        issue.code === 'unrecognized_keys' ? issue.message : issue.message,
      );
    }
    Object.assign(
      out[name],
      Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined)),
    );
    if (out[name].nearCacheEntries > 0 && out[name].readTracking !== 'batched') {
      throw new CacheValidationError(`policies.${name}.nearCacheEntries`, "needs readTracking 'batched'");
    }
  }
  return out;
}

/** Throws a CacheValidationError unless `name` is one of the cache namespaces. */
export function assertNamespace(name: unknown, field = 'namespace'): asserts name is NamespaceName {
  if (typeof name !== 'string' || !(NAMESPACES as readonly string[]).includes(name)) {
    throw new CacheValidationError(
      field,
      `unknown namespace ${JSON.stringify(name)} (one of ${NAMESPACES.join(', ')})`,
    );
  }
}
