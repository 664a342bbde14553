// PostgreSQL block reads served from disk instead of shared buffers.
import type { Thresholds } from '../thresholds.js';
import type { MonitorSnapshot } from '../types.js';
import { check, type Finding, pct } from './rule.js';

export function postgresCacheHitRatio({ postgres: pg }: MonitorSnapshot, t: Thresholds): Finding[] {
  if (pg.status !== 'ok' || pg.cacheHitRatio === null) return [];
  const finding = check(t, {
    rule: 'postgres.cacheHitRatio',
    store: 'postgres',
    limit: 'min',
    thresholdName: 'postgresCacheHitRatioMin',
    measured: pg.cacheHitRatio,
    issue: `buffer cache hit ratio ${pct(pg.cacheHitRatio)} is under ${pct(t.postgresCacheHitRatioMin)}: reads go to disk`,
    action: `raise shared_buffers (now ${pg.database.settings.sharedBuffers}; about 25 % of RAM) and effective_cache_size, or add indexes so scans touch fewer pages`,
  });
  return finding ? [finding] : [];
}
