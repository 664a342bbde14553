// Tuning advice against the real servers: the values read are the servers' own (SHOW, CONFIG GET,
// current_setting), the pool is measured through an instrumented pool, and the report shows every
// number with its command. The rules as a pure function are in unit/monitor-tuning.test.ts.
import { createMetricsRecorder, instrumentPostgresPool } from '@monsteros/flows/metrics';
import { createRelational, type Relational } from '@monsteros/relational';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMonitor, type MonitorReport, renderTextReport } from '../src/index.js';
import { tuningInput } from '../src/report/tuning-input.js';
import { computeTuning } from '../src/tuning.js';
import { type MonitorStoresFixture, openMonitorStores } from './monitor-stores.js';

const MiB = 2 ** 20;

const by = (advice: ReturnType<typeof computeTuning>, store: string, setting: string) =>
  advice.find((a) => a.store === store && a.setting === setting)!;

describe('tuning advice on the real stores', () => {
  let f: MonitorStoresFixture;
  let app: Relational;
  let report: MonitorReport;

  beforeAll(async () => {
    f = await openMonitorStores('montuning');
    // An app's pool of 2 under 8 concurrent callers: connections held, callers waiting.
    app = createRelational({ databaseUrl: f.db.url, poolSize: 2 });
    const metrics = createMetricsRecorder(f.cache.realtime);
    instrumentPostgresPool(app.pool, metrics);
    await Promise.all(
      Array.from({ length: 8 }, () =>
        app.pool.query('select count(*) from character_agents, pg_sleep(0.05)'),
      ),
    );
    await f.cache.realtime.flush();
    const monitor = createMonitor({
      relational: f.relational,
      cache: f.cache,
      analytics: f.analytics,
      vectors: f.vectors,
      realtime: f.cache.realtime,
      appPoolSize: 2,
      latencySamples: 3,
    });
    report = await monitor.report();
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await f?.close();
  });

  it('reads the settings from the servers themselves', async () => {
    const show = async (name: string) =>
      Object.values((await f.relational.pool.query(`show ${name}`)).rows[0] as object)[0] as string;
    for (const name of ['shared_buffers', 'effective_cache_size', 'work_mem', 'maintenance_work_mem'])
      expect(by(report.tuning, 'postgres', name).current).toBe(await show(name));
    const [, maxmemory] = (await f.cache.redis.config('GET', 'maxmemory')) as [string, string];
    const [, policy] = (await f.cache.redis.config('GET', 'maxmemory-policy')) as [string, string];
    expect(by(report.tuning, 'redis', 'maxmemory-policy').current).toBe(policy);
    expect(report.snapshot.redis.status === 'ok' && report.snapshot.redis.memory.maxmemoryBytes).toBe(
      Number(maxmemory) || null,
    );
    // DuckDB's own current_setting: the fixture opened it with threads: 1 and the default limit.
    const duck = (await f.analytics.stats()).memoryLimit;
    expect(by(report.tuning, 'duckdb', 'memory_limit').current).toBe(duck);
    expect(duck).toMatch(/^[\d.]+ [KMGT]iB$/);
    expect(by(report.tuning, 'duckdb', 'threads').current).toBe('1');
    // The RAM is the server's (its /proc for a superuser, else this host: the test server is local).
    const pg = report.snapshot.postgres;
    expect(pg.status === 'ok' && pg.tuning.memoryBytes).toBeGreaterThan(256 * MiB);
    const r = report.snapshot.redis;
    expect(r.status === 'ok' && r.tuning.sample?.keys).toBeGreaterThan(0);
  });

  it('measures the app pool through the instrumented pool and sizes it from that', () => {
    const shared = report.snapshot.shared;
    expect(shared.status).toBe('ok');
    const measured = shared.status === 'ok' ? shared.postgresPool : null;
    // 8 statements of ≥ 50 ms on 2 connections: ≥ 400 ms held, and 6 callers waited.
    expect(measured).toMatchObject({ acquires: expect.any(Number) });
    expect(measured!.acquires).toBeGreaterThanOrEqual(8);
    expect(measured!.heldConcurrency * 60_000).toBeGreaterThanOrEqual(400);
    expect(measured!.waitingConcurrency).toBeGreaterThan(0);
    const calls = shared.status === 'ok' ? shared.storeCalls : [];
    expect(calls).toContainEqual(
      expect.objectContaining({
        system: 'postgresql',
        operation: 'select',
        target: 'character_agents',
        count: 8,
      }),
    );
    const pool = by(report.tuning, 'postgres', 'pool size');
    expect(pool.current).toBe('2');
    expect(pool.rule).toMatch(/Little's law/);
    expect(Number(pool.recommended)).toBeGreaterThanOrEqual(2);
  });

  it('is the pure rules applied to what was read, and the report shows each number with its command', () => {
    expect(report.tuning).toEqual(computeTuning(tuningInput(report.snapshot)));
    const text = renderTextReport(report, { color: false });
    expect(text).toContain('Tuning');
    for (const t of report.tuning) {
      expect(text).toContain(t.recommended);
      if (t.change) {
        expect(report.plan).toContainEqual(expect.objectContaining({ store: t.store, command: t.command }));
        expect(text).toContain(t.command);
      }
    }
  });
});
