// Deletes the keys of MonsterOS under one prefix (development resets, the seed's --reset). Only
// the key families of keys.ts are touched: another prefix that merely starts with ours (`mos:`
// and `mos:staging:`) keeps its keys, and so does anything else in the same Redis.
import { Cluster, type Redis } from 'ioredis';
import type { RedisClient } from './connection.js';
import { NAMESPACE_KEY_BASE } from './keys.js';

/** Keys SCANned per round trip, and deleted per pipeline. */
const PAGE = 1_000;

/** A matcher for the keys this package builds under `prefix` (see keys.ts). */
function ownKeyMatcher(prefix: string): (key: string) => boolean {
  const families = [
    ...Object.values(NAMESPACE_KEY_BASE).map((base) => `${prefix}{${base}}:`),
    `${prefix}agent:session:{`,
    `${prefix}user:session:{`,
    `${prefix}agent:messages:{`,
    `${prefix}metrics:`,
    `${prefix}rtm:{`,
  ];
  return (key) => families.some((family) => key.startsWith(family));
}

/**
 * Unlinks every key of ours under `prefix` on every master (one key per command, so a Cluster
 * never sees a cross-slot call). Returns how many were deleted.
 */
export async function deleteOwnKeys(client: RedisClient, prefix: string): Promise<number> {
  const ours = ownKeyMatcher(prefix);
  const nodes: Redis[] = client instanceof Cluster ? client.nodes('master') : [client];
  let deleted = 0;
  for (const node of nodes) {
    let cursor = '0';
    do {
      // The prefix holds no glob characters (validated by createCache), so MATCH takes it as is.
      const [next, found] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', PAGE);
      cursor = next;
      const mine = found.filter(ours);
      if (mine.length === 0) continue;
      const pipeline = node.pipeline();
      for (const key of mine) pipeline.unlink(key);
      for (const [error, n] of (await pipeline.exec()) ?? []) {
        if (error) throw error;
        deleted += Number(n);
      }
    } while (cursor !== '0');
  }
  return deleted;
}
