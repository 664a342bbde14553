// cache.health(): whether Redis answers a PING, without ever throwing.
import type { CacheHealth } from '../cache-types.js';
import type { Availability, ScriptedClient } from '../connection.js';
import { ping } from './stats.js';

/** Not ok at once while Redis is known to be down; otherwise one PING, its error reported. */
export async function cacheHealth(client: ScriptedClient, availability: Availability): Promise<CacheHealth> {
  if (!availability.up) return { ok: false, status: client.status, error: 'Redis is unavailable' };
  try {
    return { ok: true, status: client.status, roundTripMs: await ping(client) };
  } catch (error) {
    return { ok: false, status: client.status, error: (error as Error).message };
  }
}
