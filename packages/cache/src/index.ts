// @monsteros/cache: the Redis side of MonsterOS. Namespace caches with per-namespace policies
// (LRU/LFU/TTL/write-through, enforced by Lua), sessions, agent message streams, metrics time
// series, stats and health, on ioredis; every multi-key operation stays in one hash slot.

export type { CacheOptions } from './cache-options.js';
export type { Cache, CacheHealth, CacheStats, NamespaceStats } from './cache-types.js';
export type { ValueFormat } from './codec.js';
export type { ConnectionOptions, RedisClient } from './connection.js';
export { createCache } from './create-cache.js';
export {
  CacheError,
  type CacheErrorCode,
  CacheValidationError,
  /** @deprecated The earlier name of `CacheValidationError` (the same class), kept for existing callers. */
  CacheValidationError as ValidationError,
  mapRedisError,
  TimeoutError,
  UnavailableError,
} from './errors.js';
export { escapeKeyPart, hashTagOf } from './keys.js';
// The metrics' public names (time series, real-time aggregates), listed in metrics/index.ts.
export * from './metrics/index.js';
export {
  type CharacterState,
  MAX_PIPELINE_ENTRIES,
  type Pipelines,
  type UserProgressUpdate,
} from './pipelines.js';
export type { GetOrSetOptions, SetOptions } from './policies/call-arguments.js';
export type { CachePolicy } from './policies/create-policy.js';
export type { LocalPolicyCounters } from './policies/local-counters.js';
export {
  type CachedCharacterResponse,
  type CachedMemorySearch,
  type CacheNamespaces,
  type CacheStrategy,
  DEFAULT_POLICIES,
  type NamespaceKey,
  type NamespaceName,
  type NamespaceValue,
  type PolicyConfig,
  type PolicyOverrides,
} from './policies/namespaces.js';
export type { AgentSession, AgentSessionPatch, Sessions, UserSession, UserSessionPatch } from './sessions.js';
export {
  AGENT_GROUPS,
  type AgentGroup,
  type AgentMessage,
  type ConsumerOptions,
  type DeadLetter,
  type Delivery,
  type StreamConsumer,
  type Streams,
} from './streams.js';
