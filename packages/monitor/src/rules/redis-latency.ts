// Redis round trips (PING) slow at p99.
import type { Thresholds } from '../thresholds.js';
import type { MonitorSnapshot } from '../types.js';
import { check, type Finding, ms } from './rule.js';

export function redisLatency({ redis }: MonitorSnapshot, t: Thresholds): Finding[] {
  if (redis.status !== 'ok') return [];
  const finding = check(t, {
    rule: 'redis.latency',
    store: 'redis',
    limit: 'max',
    thresholdName: 'redisLatencyP99Ms',
    measured: redis.latency.p99Ms,
    issue: `round trip p99 ${ms(redis.latency.p99Ms)} (p50 ${ms(redis.latency.p50Ms)})`,
    action:
      'check SLOWLOG GET and LATENCY DOCTOR for blocking commands (KEYS, large Lua scripts), and the network between app and Redis',
  });
  return finding ? [finding] : [];
}
