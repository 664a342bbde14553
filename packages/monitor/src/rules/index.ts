// The bottleneck rules: a table of small functions, each reading one part of a snapshot and
// comparing it with its threshold; findBottlenecks applies them all, critical first.
import type { Thresholds } from '../thresholds.js';
import type { MonitorSnapshot } from '../types.js';
import { cacheHitRate } from './cache-hit-rate.js';
import { duckdbIngestLag } from './duckdb-ingest-lag.js';
import { duckdbMemory } from './duckdb-memory.js';
import { duckdbQueryLatency } from './duckdb-query-latency.js';
import { flowsStepFailures } from './flows-step-failures.js';
import { flowsStepLatency } from './flows-step-latency.js';
import { outboxBacklog } from './outbox-backlog.js';
import { outboxOldestPending } from './outbox-oldest-pending.js';
import { outboxParked } from './outbox-parked.js';
import { postgresCacheHitRatio } from './postgres-cache-hit-ratio.js';
import { postgresConnections } from './postgres-connections.js';
import { postgresLockWait } from './postgres-lock-wait.js';
import { postgresPoolWaiting } from './postgres-pool-waiting.js';
import { postgresSlowStatement } from './postgres-slow-statement.js';
import { qdrantCollectionFailed } from './qdrant-collection-failed.js';
import { qdrantSearchLatency } from './qdrant-search-latency.js';
import { redisLatency } from './redis-latency.js';
import { redisMemory } from './redis-memory.js';
import type { Finding, Rule } from './rule.js';

export type { Finding, Rule } from './rule.js';

/** Every rule by its id (the `rule` of its findings), in the order the report lists them. */
export const RULES = {
  'postgres.cacheHitRatio': postgresCacheHitRatio,
  'postgres.slowStatement': postgresSlowStatement,
  'postgres.lockWait': postgresLockWait,
  'postgres.connections': postgresConnections,
  'postgres.poolWaiting': postgresPoolWaiting,
  'redis.memory': redisMemory,
  'redis.latency': redisLatency,
  'cache.hitRate': cacheHitRate,
  'qdrant.searchLatency': qdrantSearchLatency,
  'qdrant.collectionFailed': qdrantCollectionFailed,
  'outbox.backlog': outboxBacklog,
  'outbox.oldestPending': outboxOldestPending,
  'outbox.parked': outboxParked,
  'duckdb.queryLatency': duckdbQueryLatency,
  'duckdb.memory': duckdbMemory,
  'duckdb.ingestLag': duckdbIngestLag,
  'flows.stepLatency': flowsStepLatency,
  'flows.stepFailures': flowsStepFailures,
} as const satisfies Record<string, Rule>;

/** A rule's stable id, e.g. `postgres.cacheHitRatio`. */
export type RuleId = keyof typeof RULES;

const ORDER = { critical: 0, warning: 1 } as const;

/**
 * Applies every rule to a snapshot. Stores that could not be read give no finding (the report
 * shows them as down); rules that need a minimum of data wait for it.
 * @example
 * const findings = findBottlenecks(await monitor.collect(), parseThresholds({ cacheHitRateMin: 0.9 }));
 * // [{ rule: 'cache.hitRate', store: 'redis', severity: 'warning', subject: 'quest_data', measured: 0.42, … }]
 */
export function findBottlenecks(snapshot: MonitorSnapshot, t: Thresholds): Finding[] {
  const findings = Object.values(RULES).flatMap((rule: Rule) => rule(snapshot, t));
  return findings.sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
}
