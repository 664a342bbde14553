// The bottleneck rules as pure functions of a snapshot (no services): a snapshot read from a
// seeded development database (test/fixtures/snapshot.json), with figures set to cross each limit.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type Finding,
  findBottlenecks,
  type MonitorSnapshot,
  parseThresholds,
  RULES,
  THRESHOLD_NAMES,
  THRESHOLD_SPECS,
} from '../../src/index.js';

const FIXTURE: MonitorSnapshot = JSON.parse(
  readFileSync(new URL('../fixtures/snapshot.json', import.meta.url), 'utf8'),
);

/** The fixture with every store in trouble: something for every rule to find. */
function troubled(): MonitorSnapshot {
  const s = structuredClone(FIXTURE);
  if (s.postgres.status !== 'ok' || s.redis.status !== 'ok' || s.qdrant.status !== 'ok')
    throw new Error('fixture');
  if (s.duckdb.status !== 'ok' || s.outbox.status !== 'ok' || s.flows.status !== 'ok')
    throw new Error('fixture');
  s.postgres.cacheHitRatio = 0.5;
  s.postgres.slowStatements = {
    available: true,
    rows: [{ query: 'select * from character_interactions', calls: 40, meanMs: 250, totalMs: 10_000 }],
  };
  s.postgres.lockWaits = [
    { pid: 42, mode: 'RowExclusiveLock', relation: 'outbox_events', waitingForMs: 5_000, query: 'update x' },
  ];
  s.postgres.connections.usage = 0.95;
  s.postgres.connections.pool.waiting = 3;
  s.redis.memory.usedRatio = 0.99;
  s.redis.latency.p99Ms = 1_000;
  s.redis.namespaces = [{ ...s.redis.namespaces[0]!, hits: 10, misses: 90, hitRate: 0.1 }];
  s.qdrant.avgSearchMs = 5_000;
  s.qdrant.collections = [
    {
      name: 'character_memories',
      points: 10,
      indexedVectors: 0,
      status: 'red',
      optimizerStatus: 'error',
      segments: 1,
    },
  ];
  s.outbox.backlog = { pending: 50_000, parked: 2, oldestPendingMs: 3_600_000 };
  s.duckdb.queries = [
    { name: 'character_trends', calls: 5, p50Ms: 30_000, p99Ms: 60_000, maxMs: 60_000, totalMs: 150_000 },
  ];
  s.duckdb.memoryUsage = 0.99;
  s.duckdb.ingestion = s.duckdb.ingestion.map((i) => ({ ...i, ageMs: 7 * 86_400_000 }));
  s.flows.steps = s.flows.steps.map((st) => ({ ...st, count: 100, p95Ms: 60_000, failed: 50 }));
  return s;
}

describe('the rules table', () => {
  it('has one rule per id, and each rule finds only under its own id', () => {
    const snapshot = troubled();
    const thresholds = parseThresholds();
    for (const [id, rule] of Object.entries(RULES)) {
      const findings = rule(snapshot, thresholds);
      expect(findings.length, id).toBeGreaterThan(0);
      expect(new Set(findings.map((f) => f.rule)), id).toEqual(new Set([id]));
    }
  });

  it('finds nothing in a snapshot whose stores could not be read', () => {
    const down: MonitorSnapshot = {
      ...FIXTURE,
      postgres: { status: 'unavailable', error: 'down' },
      redis: { status: 'unavailable', error: 'down' },
      qdrant: { status: 'unavailable', error: 'down' },
      duckdb: { status: 'unavailable', error: 'down' },
      outbox: { status: 'unavailable', error: 'down' },
      flows: { status: 'not-configured', reason: 'none' },
    };
    // The strictest limits: every figure that was read would cross them.
    const strictest = parseThresholds(
      Object.fromEntries(
        THRESHOLD_NAMES.map((n) => [n, THRESHOLD_SPECS[n].unit === 'ratio' && n.endsWith('Min') ? 1 : 0]),
      ),
    );
    expect(findBottlenecks(down, strictest)).toEqual([]);
  });

  it('grades twice past the limit (or more) critical and less a warning, critical first', () => {
    const s = structuredClone(FIXTURE);
    if (s.redis.status !== 'ok' || s.outbox.status !== 'ok') throw new Error('fixture');
    s.redis.latency.p99Ms = 30; // 1.5 × the limit of 20 below
    s.outbox.backlog = { ...s.outbox.backlog, pending: 200 }; // 2 × the limit of 100 below
    const findings = findBottlenecks(s, parseThresholds({ redisLatencyP99Ms: 20, outboxBacklogMax: 100 }));
    const pick = (f: Finding) => [f.rule, f.severity, f.measured, f.threshold];
    expect(
      findings.filter((f) => f.rule === 'redis.latency' || f.rule === 'outbox.backlog').map(pick),
    ).toEqual([
      ['outbox.backlog', 'critical', 200, 100],
      ['redis.latency', 'warning', 30, 20],
    ]);
    const severities = findings.map((f) => f.severity);
    expect(severities).toEqual([...severities].sort((a, b) => (a === b ? 0 : a === 'critical' ? -1 : 1)));
  });

  it('finds nothing on the healthy development snapshot with the default limits', () => {
    expect(findBottlenecks(FIXTURE, parseThresholds())).toEqual([]);
  });
});
