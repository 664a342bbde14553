// The performance monitor against the real stores: collect() returns the stores' real figures,
// and each bottleneck rule fires on a real condition (a backlog, a stuck and a parked event, a
// namespace that misses, a Redis near its maxmemory, a lock wait, a cold buffer cache, a failing
// step) and stays quiet on healthy stores.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { type Cache, createCache } from '@monsteros/cache';
import { FlowValidationError, pipeline } from '@monsteros/flows';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createMonitor,
  createTimingBuffer,
  findBottlenecks,
  MonitorValidationError,
  parseThresholds,
  type Reading,
} from '../src/index.js';
import { CHARACTERS, type MonitorStoresFixture, openMonitorStores } from './monitor-stores.js';

let f: MonitorStoresFixture;
const extraCaches: Cache[] = [];

beforeAll(async () => {
  f = await openMonitorStores('flows_monitor');
});
afterAll(async () => {
  for (const c of extraCaches) await c.close().catch(() => {});
  await f?.close();
});

const stores = () => ({
  relational: f.relational,
  cache: f.cache,
  analytics: f.analytics,
  vectors: f.vectors,
});

/** The figures of a reading that must be there (fails the test otherwise). */
function ok<T>(reading: Reading<T>): T {
  if (reading.status !== 'ok') throw new Error(`reading is ${reading.status}: ${JSON.stringify(reading)}`);
  return reading;
}

async function until<T>(
  what: string,
  check: () => Promise<T | undefined | null | false>,
  ms = 15_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

// No timing assertions in tests: the latency limits are set out of reach wherever a test means
// "quiet", and set to zero where it means "fires" (the measured value is then whatever it was).
const NO_LATENCY_LIMITS = {
  redisLatencyP99Ms: 3_600_000,
  qdrantSearchMeanMs: 3_600_000,
  duckdbQueryP99Ms: 3_600_000,
  flowStepP95Ms: 3_600_000,
} as const;

describe('monitor.collect', () => {
  it('reads the real figures of PostgreSQL, Redis, Qdrant, DuckDB, the outbox and the flow steps', async () => {
    const timings = createTimingBuffer();
    const lookup = pipeline<{ name: string }>('characterLookup')
      .step('load character', 'postgres', async ({ name }) => {
        const { rows } = await f.relational.pool.query<{ id: string }>(
          'select id from character_agents where name = $1',
          [name],
        );
        return rows[0]!.id;
      })
      .step('format', 'compute', (id) => `character ${id}`);
    for (let i = 0; i < 12; i++) await lookup.run({ name: CHARACTERS[i % 3]! }, timings.record);
    await f.analytics.characterTrends({ hours: 24 });

    const monitor = createMonitor({ ...stores(), timings: timings.recent, latencySamples: 7 });
    const s = await monitor.collect();

    const pg = ok(s.postgres);
    const settings = await f.relational.pool.query<{ max_connections: string; shared_buffers: string }>(
      `select current_setting('max_connections') as max_connections, current_setting('shared_buffers') as shared_buffers`,
    );
    expect(pg.latency.count).toBe(7);
    expect(pg.latency.values).toHaveLength(7);
    expect(pg.latency.p99Ms).toBeGreaterThanOrEqual(pg.latency.p50Ms);
    expect(pg.connections.max).toBe(Number(settings.rows[0]!.max_connections));
    expect(pg.database.settings.sharedBuffers).toBe(settings.rows[0]!.shared_buffers);
    expect(pg.connections.serverTotal).toBeGreaterThanOrEqual(1);
    expect(pg.connections.usage).toBeCloseTo(pg.connections.serverTotal / pg.connections.max, 10);
    expect(pg.cacheHitRatio).toBeGreaterThan(0);
    expect(pg.cacheHitRatio).toBeLessThanOrEqual(1);
    // The fixture ANALYZEd the tables, so the row estimates are the counts.
    expect(pg.tables.find((t) => t.table === 'character_interactions')?.rows).toBe(f.interactions);
    expect(pg.tables.find((t) => t.table === 'memory_operations')?.rows).toBe(60);
    expect(pg.lockWaits).toEqual([]);

    const redis = ok(s.redis);
    const { reads, keys } = f.questReads;
    expect(redis.latency.count).toBe(7);
    expect(redis.namespaces.find((n) => n.name === 'quest_data')).toMatchObject({
      keys,
      misses: keys,
      hits: reads - keys,
      hitRate: (reads - keys) / reads,
    });
    expect(redis.hitRate).toBeCloseTo((reads - keys) / reads, 10);
    expect(redis.totalKeys).toBeGreaterThanOrEqual((await f.cache.redis.keys(`${f.prefix}*`)).length);
    expect(redis.memory.usedBytes).toBeGreaterThan(0);
    expect(redis.server.version).toMatch(/^\d+\.\d+/);

    const qdrant = ok(s.qdrant);
    expect(qdrant.collections.map((c) => [c.name, c.points, c.status])).toEqual([
      ['memory_embeddings', 0, 'green'],
      ['character_memories', CHARACTERS.length, 'green'],
      ['document_vectors', 0, 'green'],
      ['knowledge_graph_vectors', 0, 'green'],
    ]);
    const queries = qdrant.search.filter((q) => !q.name.startsWith('strategy:'));
    expect(queries.reduce((n, q) => n + q.count, 0)).toBe(5);
    expect(qdrant.avgSearchMs).toBeGreaterThan(0);

    const duck = ok(s.duckdb);
    expect(duck.rows.character_interactions).toBe(f.interactions);
    expect(duck.rows.memory_operations).toBe(60);
    expect(duck.queries.find((q) => q.name === 'characterTrends')?.calls).toBe(1);
    expect(duck.queries.map((q) => q.name)).not.toContain('stats');
    expect(duck.ingestion.find((w) => w.source === 'postgres:character_interactions')?.rowsTotal).toBe(
      f.interactions,
    );
    expect(duck.memoryLimitBytes).toBeGreaterThan(0);
    expect(duck.fileBytes).toBeGreaterThan(0);
    // Cache efficiency: the share of the checkpointed data held in memory (null before a
    // checkpoint: the rows are still in the WAL), what is in memory by use, no spill.
    const b = duck.buffer;
    expect(b.cachedShare).toBe(
      b.databaseBytes > 0 ? Math.min(1, b.cachedTableBytes / b.databaseBytes) : null,
    );
    expect(Object.values(b.byTag).reduce((x, y) => x + y, 0)).toBe(duck.memoryUsedBytes);
    expect(b.temporaryStorageBytes).toBe(0);
    expect(b.threads).toBeGreaterThan(0);

    expect(ok(s.outbox)).toMatchObject({
      backlog: { pending: 0, parked: 0, oldestPendingMs: 0 },
      relay: null,
    });

    const flows = ok(s.flows);
    expect(flows.runs).toBe(12);
    expect(flows.flows).toMatchObject([{ flow: 'characterLookup', count: 12, failed: 0, partial: 0 }]);
    // Steps are listed slowest first, so compare them in name order.
    expect(flows.steps.map((st) => [st.step, st.store, st.count, st.failed]).sort()).toEqual([
      ['format', 'compute', 12, 0],
      ['load character', 'postgres', 12, 0],
    ]);
    const shares = Object.values(flows.flows[0]!.timeByStore);
    expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);

    // Plain data: JSON gives the same snapshot back.
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });

  it('reports a store that does not answer as unavailable, and still reads the others', async () => {
    const port = await freePort();
    const down = createCache({
      redis: `redis://127.0.0.1:${port}`,
      prefix: `${f.prefix}down:`,
      connection: { connectTimeoutMs: 200, commandTimeoutMs: 200, maxReconnectDelayMs: 200 },
    });
    extraCaches.push(down);
    const monitor = createMonitor({ ...stores(), cache: down, latencySamples: 2, timeoutMs: 2_000 });
    const s = await monitor.collect();
    expect(s.redis.status).toBe('unavailable');
    if (s.redis.status === 'unavailable') expect(s.redis.error).not.toMatch(/redis:\/\/127/);
    expect(s.postgres.status).toBe('ok');
    expect(s.duckdb.status).toBe('ok');
    expect(
      findBottlenecks(s, parseThresholds({ redisLatencyP99Ms: 0 })).filter((x) => x.store === 'redis'),
    ).toEqual([]);
  });

  it('says which sources are not configured, and why', async () => {
    const monitor = createMonitor({
      relational: f.relational,
      cache: f.cache,
      analytics: null,
      notConfigured: { analytics: 'this process does not own the DuckDB file' },
      latencySamples: 1,
    });
    const s = await monitor.collect();
    expect(s.duckdb).toEqual({
      status: 'not-configured',
      reason: 'this process does not own the DuckDB file',
    });
    expect(s.qdrant).toMatchObject({
      status: 'not-configured',
      reason: expect.stringMatching(/vector store/),
    });
    expect(s.flows).toMatchObject({
      status: 'not-configured',
      reason: expect.stringMatching(/createTimingBuffer/),
    });
    expect(ok(s.outbox).relayAbsent).toMatch(/no relay/);
  });
});

describe('monitor.bottlenecks', () => {
  it('stays quiet on healthy stores with the default limits', async () => {
    const monitor = createMonitor({ ...stores(), thresholds: NO_LATENCY_LIMITS, latencySamples: 3 });
    expect(await monitor.bottlenecks()).toEqual([]);
  });

  it('fires on a real outbox backlog, an event stuck for ten minutes and a parked event', async () => {
    const ids = await f.relational.transaction((tx) =>
      tx.outbox.append(
        [1, 2, 3, 4, 5].map((n) => ({
          aggregate_type: 'test',
          aggregate_id: `agg-${n}`,
          event_type: 'monitor.test',
          payload: { n },
        })),
      ),
    );
    await f.relational.pool.query(
      `update outbox set created_at = now() - interval '10 minutes' where id = $1`,
      [ids[0]],
    );
    await f.relational.outbox.park(ids[4]!, 'handler failed: payload has no character');
    try {
      const monitor = createMonitor({
        ...stores(),
        thresholds: { ...NO_LATENCY_LIMITS, outboxBacklogMax: 3 },
        latencySamples: 1,
      });
      const findings = await monitor.bottlenecks();
      expect(findings.map((x) => x.rule).sort()).toEqual([
        'outbox.backlog',
        'outbox.oldestPending',
        'outbox.parked',
      ]);
      const byRule = Object.fromEntries(findings.map((x) => [x.rule, x]));
      // Five appended, one parked: four pending.
      expect(byRule['outbox.backlog']).toMatchObject({
        store: 'outbox',
        measured: 4,
        threshold: 3,
        thresholdName: 'outboxBacklogMax',
        severity: 'warning',
        action: expect.stringMatching(/relay workers/),
      });
      expect(byRule['outbox.oldestPending']!.measured).toBeGreaterThanOrEqual(600_000);
      expect(byRule['outbox.oldestPending']).toMatchObject({ threshold: 60_000, severity: 'critical' });
      expect(byRule['outbox.parked']).toMatchObject({
        measured: 1,
        threshold: 0,
        action: expect.stringMatching(/retryParked/),
      });
    } finally {
      await f.relational.pool.query('delete from outbox');
    }
  });

  it('fires on a cache namespace under its hit-rate target, and waits for enough reads to judge one', async () => {
    const cache = createCache({
      redis: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      prefix: `${f.prefix}cold:`,
    });
    extraCaches.push(cache);
    const prefs = cache.policies.user_preferences;
    const load = async () => ({});
    // 60 distinct users read once: 60 misses, too few reads to judge (cacheMinReads 100).
    for (let u = 0; u < 60; u++) await prefs.getOrSet({ userId: `u${u}` }, load);
    const monitor = createMonitor({ ...stores(), cache, thresholds: NO_LATENCY_LIMITS, latencySamples: 1 });
    expect((await monitor.bottlenecks()).filter((x) => x.rule === 'cache.hitRate')).toEqual([]);
    // 50 more users, then 10 of them again: 110 misses and 10 hits.
    for (let u = 60; u < 110; u++) await prefs.getOrSet({ userId: `u${u}` }, load);
    for (let u = 0; u < 10; u++) await prefs.getOrSet({ userId: `u${u}` }, load);
    const findings = (await monitor.bottlenecks()).filter((x) => x.rule === 'cache.hitRate');
    expect(findings).toEqual([
      expect.objectContaining({
        store: 'redis',
        subject: 'user_preferences',
        measured: 10 / 120,
        threshold: 0.8,
        severity: 'critical',
        action: expect.stringMatching(/user_preferences/),
      }),
    ]);
    await cache.redis.del(...(await cache.redis.keys(`${f.prefix}cold:*`)));
  });

  it('fires when Redis memory is over 80 % of its maxmemory (a private redis-server), not under', async () => {
    const port = await freePort();
    const server: ChildProcess = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    const cache = createCache({ redis: `redis://127.0.0.1:${port}`, prefix: 'mon:' });
    try {
      await until('the private redis-server answers', async () => (await cache.health()).ok);
      const used = async () => Number(/^used_memory:(\d+)/m.exec(await cache.redis.info('memory'))![1]);
      await cache.redis.config('SET', 'maxmemory', String(Math.floor((await used()) * 4)));
      const monitor = createMonitor({ ...stores(), cache, thresholds: NO_LATENCY_LIMITS, latencySamples: 1 });
      expect((await monitor.bottlenecks()).filter((x) => x.store === 'redis')).toEqual([]);

      await cache.redis.config('SET', 'maxmemory', String(Math.floor((await used()) / 0.9)));
      const s = await monitor.collect();
      const memory = ok(s.redis).memory;
      const findings = findBottlenecks(s, monitor.thresholds).filter((x) => x.store === 'redis');
      expect(findings).toEqual([
        expect.objectContaining({
          rule: 'redis.memory',
          measured: memory.usedRatio,
          threshold: 0.8,
          action: expect.stringMatching(/maxmemory-policy volatile-lfu/),
        }),
      ]);
      expect(memory.usedRatio).toBeGreaterThan(0.8);
    } finally {
      await cache.close();
      server.kill('SIGTERM');
    }
  });

  it('fires on a session waiting for a row lock', async () => {
    const holder = await f.relational.pool.connect();
    const waiter = await f.relational.pool.connect();
    let waiting: Promise<unknown> | undefined;
    try {
      await holder.query('begin');
      await holder.query(`select id from character_agents where name = 'sage' for update`);
      waiting = waiter.query(`update character_agents set role = 'guide' where name = 'sage'`);
      await until(
        'the update waits for the lock',
        async () => (await f.relational.stats()).lockWaits.length > 0,
      );
      const monitor = createMonitor({
        ...stores(),
        thresholds: { ...NO_LATENCY_LIMITS, postgresLockWaitMs: 0 },
        latencySamples: 1,
      });
      const findings = (await monitor.bottlenecks()).filter((x) => x.rule === 'postgres.lockWait');
      expect(findings).toHaveLength(1);
      expect(findings[0]).toMatchObject({
        store: 'postgres',
        threshold: 0,
        subject: expect.stringMatching(/character_agents/),
        action: expect.stringMatching(/pg_blocking_pids/),
      });
      expect(findings[0]!.measured).toBeGreaterThan(0);
    } finally {
      await holder.query('rollback');
      await waiting;
      holder.release();
      waiter.release();
    }
    const after = createMonitor({ ...stores(), thresholds: { ...NO_LATENCY_LIMITS, postgresLockWaitMs: 0 } });
    expect((await after.bottlenecks()).filter((x) => x.rule === 'postgres.lockWait')).toEqual([]);
  });

  it('fires on a flow step that fails or falls back in more runs than allowed', async () => {
    const timings = createTimingBuffer();
    const flow = pipeline<number>('questProgress')
      .step('update progress', 'postgres', async (n) => {
        await f.relational.pool.query('select 1');
        if (n % 4 === 0) throw new Error('deadlock detected');
        return n;
      })
      .step(
        'recall memories',
        'qdrant',
        (n) => {
          if (n % 6 === 0) throw new Error('qdrant timeout');
          return n;
        },
        { fallback: (n) => n },
      );
    for (let n = 1; n <= 12; n++) await flow.run(n, timings.record).catch(() => {});
    const monitor = createMonitor({
      ...stores(),
      timings: timings.recent,
      thresholds: NO_LATENCY_LIMITS,
      latencySamples: 1,
    });
    const findings = (await monitor.bottlenecks()).filter((x) => x.rule === 'flows.stepFailures');
    // 3 of 12 runs failed in the first step; of the 9 that reached the second, n = 6 fell back.
    expect(findings.map((x) => [x.subject, x.measured])).toEqual([
      ['questProgress › update progress (postgres)', 3 / 12],
    ]);
    // The second step ran 9 times (fewer than flowMinRuns 10): not judged yet.
  });

  it('fires on a cold PostgreSQL buffer cache (a table read from outside shared_buffers)', async () => {
    // CREATE TABLE AS writes through a small ring of buffers, so most of the table's pages are
    // not in shared_buffers afterwards: the next scan reads them from outside.
    const client = await f.relational.pool.connect();
    try {
      await client.query(
        `create table monitor_cold as select g as id, repeat('x', 200) as pad from generate_series(1, 160000) g`,
      );
      await client.query('select pg_stat_reset()');
      await client.query('set max_parallel_workers_per_gather = 0');
      await client.query('select count(*) from monitor_cold');
      await client.query('select pg_stat_force_next_flush()');
      await client.query('select 1');
    } finally {
      client.release();
    }
    const monitor = createMonitor({ ...stores(), thresholds: NO_LATENCY_LIMITS, latencySamples: 1 });
    const finding = await until('the cold reads show in pg_stat_database', async () =>
      (await monitor.bottlenecks()).find((x) => x.rule === 'postgres.cacheHitRatio'),
    );
    expect(finding).toMatchObject({
      store: 'postgres',
      threshold: 0.95,
      thresholdName: 'postgresCacheHitRatioMin',
      action: expect.stringMatching(/raise shared_buffers \(now \d+/),
    });
    expect(finding.measured).toBeLessThan(0.95);
  });

  it('fires the latency, usage and lag rules when their limits are under the measured values', async () => {
    const timings = createTimingBuffer();
    const flow = pipeline<number>('tick').step('read', 'postgres', async (n) => {
      await f.relational.pool.query('select 1');
      return n;
    });
    for (let n = 0; n < 10; n++) await flow.run(n, timings.record);
    await f.analytics.characterTrends({ hours: 24 });
    const monitor = createMonitor({
      ...stores(),
      timings: timings.recent,
      latencySamples: 2,
      thresholds: {
        postgresConnectionUsageMax: 0,
        redisLatencyP99Ms: 0,
        qdrantSearchMeanMs: 0,
        duckdbQueryP99Ms: 0,
        duckdbMemoryUsageMax: 0,
        analyticsIngestLagMs: 0,
        flowStepP95Ms: 0,
      },
    });
    const s = await monitor.collect();
    const findings = findBottlenecks(s, monitor.thresholds);
    const measured = (rule: string, subject?: string) =>
      findings.find((x) => x.rule === rule && (subject === undefined || x.subject === subject))?.measured;
    expect(measured('postgres.connections')).toBe(ok(s.postgres).connections.usage);
    expect(measured('redis.latency')).toBe(ok(s.redis).latency.p99Ms);
    expect(measured('qdrant.searchLatency')).toBe(ok(s.qdrant).avgSearchMs);
    expect(measured('duckdb.queryLatency', 'characterTrends')).toBe(
      ok(s.duckdb).queries.find((q) => q.name === 'characterTrends')!.p99Ms,
    );
    expect(measured('duckdb.memory')).toBe(ok(s.duckdb).memoryUsage);
    expect(measured('duckdb.ingestLag', 'postgres:character_interactions')).toBe(
      ok(s.duckdb).ingestion.find((w) => w.source === 'postgres:character_interactions')!.ageMs,
    );
    expect(measured('flows.stepLatency', 'tick › read (postgres)')).toBe(ok(s.flows).steps[0]!.p95Ms);
    for (const finding of findings) {
      expect(finding.issue.length).toBeGreaterThan(10);
      expect(finding.action.length).toBeGreaterThan(10);
    }
    // Critical first.
    const severities = findings.map((x) => x.severity);
    expect(severities).toEqual([...severities].sort((a, b) => (a === b ? 0 : a === 'critical' ? -1 : 1)));
  });

  it('rejects unknown threshold names and out-of-range limits with a typed error naming the field', () => {
    const attempt = (options: Record<string, unknown>) => {
      try {
        createMonitor({ ...stores(), ...options } as Parameters<typeof createMonitor>[0]);
      } catch (error) {
        return error;
      }
      return null;
    };
    const unknown = attempt({ thresholds: { redisMemoryMax: 0.5 } });
    expect(unknown).toBeInstanceOf(MonitorValidationError);
    expect(unknown).toBeInstanceOf(FlowValidationError);
    expect(unknown).toMatchObject({
      code: 'VALIDATION',
      field: 'thresholds.redisMemoryMax',
      rule: expect.stringMatching(/^is not a known threshold \(known: .*redisMemoryUsageMax/),
    });
    expect(attempt({ thresholds: { cacheHitRateMin: 1.5 } })).toMatchObject({
      field: 'thresholds.cacheHitRateMin',
      rule: 'must be a ratio between 0 and 1',
    });
    expect(attempt({ thresholds: { outboxBacklogMax: -1 } })).toMatchObject({
      field: 'thresholds.outboxBacklogMax',
      rule: 'must not be negative',
    });
    expect(attempt({ thresholds: { outboxBacklogMax: 2.5 } })).toMatchObject({
      rule: 'must be a whole number',
    });
    expect(attempt({ thresholds: { redisLatencyP99Ms: Number.NaN } })).toMatchObject({
      field: 'thresholds.redisLatencyP99Ms',
    });
    expect(attempt({ thresholds: 'strict' })).toMatchObject({ field: 'thresholds' });
    expect(attempt({ latencySamples: 0 })).toMatchObject({
      field: 'latencySamples',
      rule: 'must be at least 1',
    });
    expect(attempt({ relational: {} })).toMatchObject({
      field: 'relational',
      rule: expect.stringMatching(/missing stats/),
    });
    expect(attempt({ thresholds: { redisMemoryUsageMax: 0.7 } })).toBeNull();
    expect(parseThresholds({ redisMemoryUsageMax: 0.7 }).redisMemoryUsageMax).toBe(0.7);
  });
});
