// Redis memory near its maxmemory.
import type { Thresholds } from '../thresholds.js';
import type { MonitorSnapshot } from '../types.js';
import { check, type Finding, pct } from './rule.js';

export function redisMemory({ redis }: MonitorSnapshot, t: Thresholds): Finding[] {
  if (redis.status !== 'ok' || redis.memory.usedRatio === null) return [];
  const finding = check(t, {
    rule: 'redis.memory',
    store: 'redis',
    limit: 'max',
    thresholdName: 'redisMemoryUsageMax',
    measured: redis.memory.usedRatio,
    issue: `memory at ${pct(redis.memory.usedRatio)} of maxmemory (policy ${redis.memory.evictionPolicy || 'unknown'})`,
    action: `${redis.memory.evictionPolicy === 'noeviction' ? 'set an expiration policy: maxmemory-policy volatile-lfu (now noeviction: writes will fail when full; volatile-lfu evicts only expiring cache keys, never sessions, progress or streams)' : 'raise maxmemory (pnpm db:report tuning)'}, shorten namespace TTLs and maxSize, trim agent streams`,
  });
  return finding ? [finding] : [];
}
