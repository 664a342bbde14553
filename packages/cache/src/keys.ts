// Every Redis key of MonsterOS comes from this file. User-supplied parts are escaped (anything
// outside [A-Za-z0-9_.-] becomes %XX of its UTF-8 bytes), so no input can contain `:`, `{`,
// `}`, `~` or `%` unescaped: it can neither reach another key family nor move a key to another
// hash slot. Keys that one Lua script or MULTI touches together share one `{hash tag}`.

const SAFE = /^[A-Za-z0-9_.-]+$/;

/**
 * Escapes one user-supplied key part so it cannot change the key's structure or hash slot.
 * @example
 * escapeKeyPart('a:b{c}') // 'a%3Ab%7Bc%7D'
 */
export function escapeKeyPart(part: string): string {
  if (SAFE.test(part)) return part;
  let out = '';
  for (const byte of Buffer.from(part, 'utf8')) {
    const c = String.fromCharCode(byte);
    out +=
      byte < 0x80 && /[A-Za-z0-9_.-]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The static part of each cache namespace's keys (the spec's `cache:response:…` and so on). */
export const NAMESPACE_KEY_BASE = {
  character_responses: 'cache:response',
  memory_search_results: 'cache:memory',
  quest_data: 'cache:quest',
  user_preferences: 'cache:user',
} as const;

/** The keys of one cache namespace; all share the hash tag `{cache:…}`, so one Lua script can evict. */
export interface NamespaceKeys {
  /** `mos:{cache:quest}:` — an entry's key is this plus its member. */
  entryPrefix: string;
  /** Sorted set: member → recency clock (LRU), use count (LFU) or expiry time (TTL only). */
  index: string;
  /** Sorted set: member → expiry time in ms (LRU/LFU), to drop expired members from the index. */
  expiries: string;
  /** Hash: hits, misses, sets, evictions, expired, invalidations, clock, generation. */
  stats: string;
  /** Hash: member → its tags (newline separated). */
  memberTags: string;
  /** `mos:{cache:quest}:~tag:` — a tag's set of members is this plus the escaped tag. */
  tagPrefix: string;
  /** `mos:{cache:quest}:~lease:` — the loader lease of a member is this plus the member. */
  leasePrefix: string;
}

export function namespaceKeys(prefix: string, base: string): NamespaceKeys {
  const tag = `${prefix}{${base}}`;
  return {
    entryPrefix: `${tag}:`,
    index: `${tag}:~idx`,
    expiries: `${tag}:~exp`,
    stats: `${tag}:~stats`,
    memberTags: `${tag}:~tags`,
    tagPrefix: `${tag}:~tag:`,
    leasePrefix: `${tag}:~lease:`,
  };
}

/** Key builders of the sessions, streams and metrics; the agent or user is the hash tag. */
export function keyBuilders(prefix: string) {
  return {
    /** `mos:agent:session:{sage}` (hash). */
    agentSession: (agent: string) => `${prefix}agent:session:{${escapeKeyPart(agent)}}`,
    /** `mos:user:session:{<user id>}` (hash). */
    userSession: (userId: string) => `${prefix}user:session:{${escapeKeyPart(userId)}}`,
    /** `mos:agent:messages:{sage}` (stream). */
    agentMessages: (agent: string) => `${prefix}agent:messages:{${escapeKeyPart(agent)}}`,
    /** `mos:agent:messages:{sage}:dead` (stream): entries delivered too often, with their error. */
    agentDeadLetters: (agent: string) => `${prefix}agent:messages:{${escapeKeyPart(agent)}}:dead`,
    /** `mos:agent:messages:{sage}:errors` (hash): entry id → last handler error. */
    agentMessageErrors: (agent: string) => `${prefix}agent:messages:{${escapeKeyPart(agent)}}:errors`,
    /** `mos:metrics:response_time:{sage}` (sorted set, or a TS key with RedisTimeSeries). */
    metric: (metricType: string, agent: string) =>
      `${prefix}metrics:${escapeKeyPart(metricType)}:{${escapeKeyPart(agent)}}`,
    /** `mos:rtm:{flow_step}:m:29512345` (hash): one minute's aggregates of a real-time metric (minute = epoch ms / 60,000). */
    realtimeMinute: (metric: string, minute: number) => `${prefix}rtm:{${escapeKeyPart(metric)}}:m:${minute}`,
    /** `mos:rtm:{flow_step}:total` (hash): the metric's running totals (for Prometheus counters). */
    realtimeTotals: (metric: string) => `${prefix}rtm:{${escapeKeyPart(metric)}}:total`,
    /** `mos:rtm:{local_vectors}:doc` (string, JSON, with a TTL): a document a process publishes for readers elsewhere. */
    realtimeDoc: (name: string) => `${prefix}rtm:{${escapeKeyPart(name)}}:doc`,
  };
}
export type KeyBuilders = ReturnType<typeof keyBuilders>;

/**
 * The hash tag Redis Cluster hashes for `key` (the first non-empty `{…}`), or the whole key.
 * @example
 * hashTagOf('mos:{cache:quest}:abc') // 'cache:quest'
 */
export function hashTagOf(key: string): string {
  const open = key.indexOf('{');
  if (open === -1) return key;
  const close = key.indexOf('}', open + 1);
  if (close === -1 || close === open + 1) return key;
  return key.slice(open + 1, close);
}
