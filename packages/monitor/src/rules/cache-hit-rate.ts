// Cache namespaces that miss, once they have had enough reads to tell.
import type { Thresholds } from '../thresholds.js';
import type { MonitorSnapshot } from '../types.js';
import { checkEach, type Finding, pct } from './rule.js';

export function cacheHitRate({ redis }: MonitorSnapshot, t: Thresholds): Finding[] {
  if (redis.status !== 'ok') return [];
  return checkEach(
    t,
    redis.namespaces
      .filter((n) => n.hitRate !== null && n.hits + n.misses >= t.cacheMinReads)
      .map((n) => ({
        rule: 'cache.hitRate',
        store: 'redis',
        limit: 'min',
        thresholdName: 'cacheHitRateMin',
        measured: n.hitRate!,
        subject: n.name,
        issue: `namespace ${n.name} hits ${pct(n.hitRate!)} of ${n.hits + n.misses} reads (${n.evictions} evictions)`,
        action:
          n.evictions > n.sets * 0.2
            ? `raise ${n.name} maxSize (now ${n.maxSize}): entries are evicted before they are read again`
            : `lengthen ${n.name} TTL or warm it after invalidation events; check that its key (hash) is stable across requests`,
      })),
  );
}
