// The caches the peers bench compares, built the same way in the bench and in its second process
// (stampede-worker.ts): ours, bentocache (L1 memory + L2 Redis, and L2 only) and
// @epic-web/cachified with an ioredis adapter, all on one Redis, one key space per library, and
// one serialization (JSON: ours runs with `format: 'json'`, the peers' default).
import { type Cache as CachifiedCache, cachified, totalTtl } from '@epic-web/cachified';
import { BentoCache, bentostore } from 'bentocache';
import { memoryDriver } from 'bentocache/drivers/memory';
import { redisDriver } from 'bentocache/drivers/redis';
import { Redis } from 'ioredis';
import { type CachedCharacterResponse, createCache } from '../src/index.js';

export const TTL_MS = 300_000;
/** The stampede loader's time: long enough that two processes' misses overlap on a loaded machine. */
export const LOADER_MS = 50;

/** One contender's operations on a key (all take the same string key). */
export interface Contender {
  name: string;
  get(key: string): Promise<unknown>;
  set(key: string, value: CachedCharacterResponse): Promise<unknown>;
  getOrSet(key: string, loader: () => Promise<CachedCharacterResponse>): Promise<unknown>;
}

/**
 * The cachified `Cache` over ioredis, like the published Redis adapters: the entry (value and
 * metadata) as JSON, with a PX of its total TTL.
 */
function cachifiedRedis(redis: Redis): CachifiedCache {
  return {
    name: 'ioredis',
    async get(key) {
      const text = await redis.get(key);
      return text === null ? null : JSON.parse(text);
    },
    async set(key, entry) {
      const ttl = totalTtl(entry.metadata);
      const text = JSON.stringify(entry);
      if (Number.isFinite(ttl)) await redis.set(key, text, 'PX', Math.max(1, Math.round(ttl)));
      else await redis.set(key, text);
    },
    async delete(key) {
      await redis.del(key);
    },
  };
}

/** Builds every contender under `prefix`; `close` ends their connections. */
export function contenders(url: string, prefix: string) {
  const ours = createCache({
    redis: url,
    prefix: `${prefix}ours:`,
    policies: { character_responses: { maxSize: 100_000, format: 'json' } },
  });
  const oursNear = createCache({
    redis: url,
    prefix: `${prefix}near:`,
    policies: { character_responses: { maxSize: 100_000, format: 'json', nearCacheEntries: 10_000 } },
  });
  const bentoRedis = new Redis(url);
  // One BentoCache per store: each its own key prefix (a miss of one must not be a hit of the other).
  const bentoL2 = new BentoCache({
    default: 'l2',
    prefix: `${prefix}bento-l2`,
    ttl: TTL_MS,
    stores: { l2: bentostore().useL2Layer(redisDriver({ connection: bentoRedis })) },
  });
  const bentoTiered = new BentoCache({
    default: 'tiered',
    prefix: `${prefix}bento-tiered`,
    ttl: TTL_MS,
    stores: {
      tiered: bentostore()
        .useL1Layer(memoryDriver({ maxItems: 10_000 }))
        .useL2Layer(redisDriver({ connection: bentoRedis })),
    },
  });
  const cachifiedClient = new Redis(url);
  const cachifiedCache = cachifiedRedis(cachifiedClient);
  const part = (key: string) => ({ character: 'peer', hash: key });
  const ourPath = (name: string, cache: typeof ours): Contender => {
    const responses = cache.policies.character_responses;
    return {
      name,
      get: (key) => responses.get(part(key)),
      set: (key, value) => responses.set(part(key), value),
      getOrSet: (key, loader) => responses.getOrSet(part(key), loader),
    };
  };
  const bentoPath = (name: string, cache: BentoCache<Record<string, never>>): Contender => {
    return {
      name,
      get: (key) => cache.get({ key }),
      set: (key, value) => cache.set({ key, value }),
      getOrSet: (key, loader) => cache.getOrSet({ key, factory: loader }),
    };
  };
  const cachifiedPath: Contender = {
    name: 'cachified + ioredis adapter',
    // cachified has no plain get or set: a hit is cachified() finding the entry, a set is a
    // forced refresh (its own write path, metadata included).
    get: (key) =>
      cachified({ key: `${prefix}cf:${key}`, cache: cachifiedCache, ttl: TTL_MS, getFreshValue: missing }),
    set: (key, value) =>
      cachified({
        key: `${prefix}cf:${key}`,
        cache: cachifiedCache,
        ttl: TTL_MS,
        forceFresh: true,
        getFreshValue: async () => value,
      }),
    getOrSet: (key, loader) =>
      cachified({ key: `${prefix}cf:${key}`, cache: cachifiedCache, ttl: TTL_MS, getFreshValue: loader }),
  };
  return {
    /** Ours without and with the near cache, then the peers. */
    all: [
      ourPath('ours (policy, L2 Redis)', ours),
      ourPath('ours (near cache L1 + L2)', oursNear),
      bentoPath('bentocache L2 only', bentoL2),
      bentoPath('bentocache L1 + L2', bentoTiered),
      cachifiedPath,
    ],
    async close() {
      await ours.close();
      await oursNear.close();
      await bentoL2.disconnectAll();
      await bentoTiered.disconnectAll();
      bentoRedis.disconnect();
      cachifiedClient.disconnect();
    },
  };
}

async function missing(): Promise<CachedCharacterResponse> {
  throw new Error('the bench reads only keys it wrote');
}
