// createCache: the Redis side of MonsterOS. Checks the options, opens (or adopts) the client and
// wires the namespace caches, sessions, pipelines, streams and metrics on it; close() stops them
// in order. Its options are in cache-options.ts, its public types in cache-types.ts, its parts
// (namespace policies, tracked consumers, stats, health) in src/cache/.

import { cacheHealth } from './cache/health.js';
import { namespacePolicies } from './cache/namespace-policies.js';
import { cacheStats } from './cache/stats.js';
import { trackedStreams } from './cache/tracked-streams.js';
import { type CacheOptions, resolveCacheOptions } from './cache-options.js';
import type { Cache } from './cache-types.js';
import { Availability, connect, registerScripts } from './connection.js';
import { CacheValidationError } from './errors.js';
import { keyBuilders } from './keys.js';
import { createRealtimeMetrics } from './metrics/realtime.js';
import { createMetrics } from './metrics/series.js';
import { createPipelines } from './pipelines.js';
import { assertNamespace, NAMESPACES } from './policies/namespaces.js';
import { deleteOwnKeys } from './reset.js';
import { createSessions } from './sessions.js';
import { createStreams } from './streams.js';

/**
 * Creates the Redis side of MonsterOS: namespace caches with their policies, sessions, agent
 * message streams, metrics time series, stats and health, on one ioredis client.
 * @example
 * const cache = createCache({ redis: process.env.REDIS_URL, prefix: 'mos:' });
 * const quest = await cache.policies.quest_data.getOrSet({ questId }, () => loadQuest(questId));
 * await cache.close();
 */
export function createCache(options: CacheOptions = {}): Cache {
  const settings = resolveCacheOptions(options);
  const { prefix, agentTtlMs, userTtlMs, ownsClient } = settings;
  const raw =
    typeof settings.redis === 'string' ? connect(settings.redis, settings.connection) : settings.redis;
  const client = registerScripts(raw);
  const availability = new Availability(client);
  const keys = keyBuilders(prefix);

  const namespaces = namespacePolicies(client, availability, settings);
  const { policies } = namespaces;
  const sessions = createSessions({ client, availability, keys, agentTtlMs, userTtlMs });
  const pipelines = createPipelines({ client, availability, keys, agentTtlMs, userTtlMs });
  const streams = trackedStreams(createStreams({ client, availability, keys, ...settings.streams }));
  const metrics = createMetrics({
    client,
    availability,
    keys,
    ...settings.metrics,
    agentSessionTtlMs: agentTtlMs,
  });
  const realtime = createRealtimeMetrics({ client, availability, keys, ...settings.realtime });

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
    streams: streams.streams,
    metrics,
    realtime,
    async stats() {
      return availability.run('cache stats', async () => {
        await namespaces.flushReads();
        return cacheStats(client, settings, (name) => policies[name].local);
      });
    },
    health: () => cacheHealth(client, availability),
    async reset() {
      if (prefix === '')
        throw new CacheValidationError(
          'options.prefix',
          'must not be empty to reset (every key would match)',
        );
      return availability.run('cache reset', () => deleteOwnKeys(client, prefix));
    },
    redis: client,
    // Consumers first, then the pending read counts and real-time aggregates, then the
    // near-cache connection, and the client last (only one opened here).
    async close() {
      await streams.closeConsumers();
      await namespaces.flushReads();
      await realtime.close();
      await namespaces.tracking?.close();
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
