// cache.stats(): each namespace's shared counters (one script call each), Redis memory, a PING.
import { performance } from 'node:perf_hooks';
import { Cluster, type Redis } from 'ioredis';
import type { CacheSettings } from '../cache-options.js';
import type { CacheStats, NamespaceStats } from '../cache-types.js';
import type { ScriptedClient } from '../connection.js';
import { NAMESPACE_KEY_BASE, namespaceKeys } from '../keys.js';
import type { LocalPolicyCounters } from '../policies/local-counters.js';
import { NAMESPACES, type NamespaceName } from '../policies/namespaces.js';

function num(v: string | undefined): number {
  return v === undefined ? 0 : Number(v);
}

/** One PING round trip, in ms. */
export async function ping(client: ScriptedClient): Promise<number> {
  const started = performance.now();
  await client.ping();
  return performance.now() - started;
}

/** Used and max memory summed over every master, and the eviction policy. */
async function memoryInfo(client: ScriptedClient): Promise<CacheStats['memory']> {
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

/** The stats of every namespace (read counts already flushed by the caller), memory and round trip. */
export async function cacheStats(
  client: ScriptedClient,
  settings: Pick<CacheSettings, 'prefix' | 'policies'>,
  localCounters: (name: NamespaceName) => LocalPolicyCounters,
): Promise<CacheStats> {
  const { prefix, policies } = settings;
  const namespaces = {} as Record<NamespaceName, NamespaceStats>;
  for (const name of NAMESPACES) {
    const k = namespaceKeys(prefix, NAMESPACE_KEY_BASE[name]);
    const expiries = policies[name].strategy === 'ttl' ? k.index : k.expiries;
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
      maxSize: policies[name].maxSize,
      hits,
      misses,
      hitRate: hits + misses === 0 ? null : hits / (hits + misses),
      sets: num(h.get('sets')),
      evictions: num(h.get('evictions')),
      expired: num(h.get('expired')),
      invalidations: num(h.get('invalidations')),
      local: { ...localCounters(name) },
    };
  }
  return { namespaces, memory: await memoryInfo(client), roundTripMs: await ping(client) };
}
