// The bottleneck rules' table: every rule function under its stable id, in report order.
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
import type { Rule } from './rule.js';

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
