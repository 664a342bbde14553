// The namespace caches: one policy per namespace on the shared client, the near-cache tracking
// connection when a namespace asks for one, and the invalidations replayed after an outage.
import { Cluster, type Redis } from 'ioredis';
import type { CacheSettings } from '../cache-options.js';
import type { Cache } from '../cache-types.js';
import type { Availability, ScriptedClient } from '../connection.js';
import { CacheValidationError } from '../errors.js';
import { NAMESPACE_KEY_BASE, namespaceKeys } from '../keys.js';
import { createPolicy } from '../policies/create-policy.js';
import { NAMESPACES, type NamespaceName } from '../policies/namespaces.js';
import { startTracking, type Tracking } from '../policies/near-cache.js';

type PolicyObject = ReturnType<typeof createPolicy>;

/**
 * Builds every namespace's policy. A near cache needs a standalone Redis: asked on a Cluster, it
 * is a CacheValidationError naming the first such namespace.
 */
export function namespacePolicies(
  client: ScriptedClient,
  availability: Availability,
  settings: Pick<CacheSettings, 'prefix' | 'policies'>,
): {
  policies: Cache['policies'];
  /** Each namespace's policy with its internal calls (read flushes, invalidation replay). */
  objects: Record<NamespaceName, PolicyObject>;
  tracking: Tracking | undefined;
  /** Sends every namespace's pending read counts. */
  flushReads(): Promise<void>;
} {
  const { prefix, policies: resolved } = settings;
  const nearCached = NAMESPACES.filter((name) => resolved[name].nearCacheEntries > 0);
  if (nearCached.length > 0 && client instanceof Cluster) {
    throw new CacheValidationError(
      `policies.${nearCached[0]}.nearCacheEntries`,
      'needs a standalone Redis, not a Cluster',
    );
  }
  const tracking: Tracking | undefined = nearCached.length > 0 ? startTracking(client as Redis) : undefined;

  const objects = {} as Record<NamespaceName, PolicyObject>;
  for (const name of NAMESPACES) {
    objects[name] = createPolicy(name, resolved[name], {
      client,
      availability,
      keys: namespaceKeys(prefix, NAMESPACE_KEY_BASE[name]),
      ...(tracking ? { tracking } : {}),
    });
  }
  // Cache writes that failed while Redis was down are replayed as invalidations on reconnect.
  availability.onReady(() => {
    for (const p of Object.values(objects)) p.replayInvalidations().catch(() => {});
  });
  return {
    policies: objects as unknown as Cache['policies'],
    objects,
    tracking,
    async flushReads() {
      await Promise.all(Object.values(objects).map((p) => p.flushReads()));
    },
  };
}
