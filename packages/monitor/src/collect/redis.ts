// Redis as the monitor reads it: round trips, INFO of every master, the cache namespaces' counters,
// and a sample of keys for the tuning rules.
import type { RedisClient } from '@monsteros/cache';
import type { MonitorStores, RedisReading } from '../types.js';
import { summarize } from './latency.js';

export async function redisRoundTrip(cache: MonitorStores['cache']): Promise<number> {
  const health = await cache.health();
  if (!health.ok || health.roundTripMs === undefined)
    throw new Error(health.error ?? 'Redis does not answer');
  return health.roundTripMs;
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

export async function readRedis(cache: MonitorStores['cache'], latencies: number[]): Promise<RedisReading> {
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
