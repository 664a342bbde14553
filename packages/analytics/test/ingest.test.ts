// Incremental ingestion from real PostgreSQL and real Redis: watermarks, corrections, batches,
// failures that leave the watermark alone, late commits, and the database file's states.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@monsteros/schema/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Analytics,
  createAnalytics,
  IngestionError,
  LockedError,
  type PostgresSource,
} from '../src/index.js';
import { type pg, postgresSource, redisMetricsSource, testPool } from './fixtures/sources.js';

let db: TestDatabase;
let pool: pg.Pool;
let source: PostgresSource;
let work: string;
let characterId: string;
let userId: string;

async function sql(text: string, values: unknown[] = []) {
  return (await pool.query(text, values)).rows;
}

/** Inserts `n` interactions in one statement: they share one updated_at, so batches must break ties by id. */
async function addInteractions(n: number, responseTime = 100): Promise<void> {
  await sql(
    `insert into character_interactions (character_id, user_id, message, response, response_time_ms)
     select $1, $2, 'm' || i, 'r', $3 from generate_series(1, $4::int) i`,
    [characterId, userId, responseTime, n],
  );
}

async function duckCount(analytics: Analytics): Promise<number> {
  return (await analytics.stats()).rows.character_interactions;
}

beforeAll(async () => {
  db = await createTestDatabase({ label: 'analytics_ingest' });
  pool = testPool(db.url);
  source = postgresSource(pool);
  work = await mkdtemp(join(tmpdir(), 'mos-analytics-ingest-'));
  [{ id: characterId }] = await sql(
    `insert into character_agents (name, display_name, role, backend_system) values ('sage', 'Sage', 'mentor', 'claude') returning id`,
  );
  [{ id: userId }] = await sql(`insert into user_profiles (username) values ('learner') returning id`);
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('PostgreSQL ingestion', () => {
  it('ingests incrementally in batches, twice adds nothing twice, and corrects rows updated later', async () => {
    const analytics = await createAnalytics({ path: join(work, 'incremental.duckdb'), batchSize: 7 });
    try {
      await addInteractions(30);
      const [first] = await analytics.ingest.postgres(source, { tables: ['character_interactions'] });
      expect(first).toMatchObject({ rows: 30, inserted: 30, replaced: 0, batches: 5 });
      expect(await duckCount(analytics)).toBe(30);
      // Text with commas, quotes and a newline survives the CSV round trip.
      const odd = 'search, "deep"\nsecond line';
      await sql(`insert into memory_operations (operation_type, latency_ms) values ($1, 12.5)`, [odd]);
      await analytics.ingest.postgres(source, { tables: ['memory_operations'] });
      expect(
        (await analytics.views.memoryPerformance()).map((r) => [r.operation_type, r.avg_latency]),
      ).toEqual([[odd, 12.5]]);

      const [second] = await analytics.ingest.postgres(source, { tables: ['character_interactions'] });
      expect(second!.inserted).toBe(0);
      expect(await duckCount(analytics)).toBe(30);

      await addInteractions(5, 500);
      const [third] = await analytics.ingest.postgres(source, { tables: ['character_interactions'] });
      expect(third!.inserted).toBe(5);
      expect(await duckCount(analytics)).toBe(35);

      // A late rating: the row changes in PostgreSQL after it was extracted.
      await sql(
        `update character_interactions set user_satisfaction = 5, response_time_ms = 1000 where message = 'm1'`,
      );
      const [fourth] = await analytics.ingest.postgres(source, { tables: ['character_interactions'] });
      expect(fourth!.inserted).toBe(0);
      expect(fourth!.replaced).toBeGreaterThanOrEqual(2);
      expect(await duckCount(analytics)).toBe(35);
      const perf = await analytics.views.characterPerformance();
      const total = perf.reduce((n, r) => n + r.avg_response_time * r.interaction_count, 0);
      // 'm1' exists in both inserts: one row of 100 and one of 500 became 1000.
      expect(total).toBe(29 * 100 + 4 * 500 + 2 * 1000);
      expect(perf.reduce((n, r) => n + r.interaction_count, 0)).toBe(35);
      expect((await analytics.ingest.watermarks()).map((w) => [w.source, w.rowsTotal])).toEqual([
        ['postgres:character_interactions', 35],
        ['postgres:memory_operations', 1],
      ]);
    } finally {
      await analytics.close();
      await sql('delete from character_interactions');
    }
  });

  it('leaves the watermark where it was when a batch fails mid-stream or the bytes are corrupt', async () => {
    const analytics = await createAnalytics({ path: join(work, 'failures.duckdb'), batchSize: 4 });
    try {
      await addInteractions(10);
      let calls = 0;
      const failing: PostgresSource = {
        async copyTo(statement) {
          if (!statement.includes('from character_interactions')) return source.copyTo(statement);
          calls++;
          if (calls < 3) return source.copyTo(statement);
          const real = await source.copyTo(statement);
          return (async function* () {
            for await (const chunk of real) {
              yield chunk;
              throw new Error('connection reset by peer');
            }
          })();
        },
      };
      const error = await analytics.ingest
        .postgres(failing, { tables: ['character_interactions'] })
        .catch((e) => e);
      expect(error).toBeInstanceOf(IngestionError);
      expect(error.message).toMatch(/connection reset by peer.*watermark is unchanged/);
      // The abandoned COPY's connection is not left checked out (bounded wait for its close).
      for (let i = 0; i < 100 && pool.totalCount !== pool.idleCount; i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(pool.totalCount - pool.idleCount).toBe(0);
      // Two batches committed before the failure, each with its watermark.
      expect(await duckCount(analytics)).toBe(8);
      const before = await analytics.ingest.watermarks();

      const garbage: PostgresSource = {
        copyTo: async () =>
          (async function* () {
            yield Buffer.from('not,a,valid\nrow\n');
          })(),
      };
      await expect(
        analytics.ingest.postgres(garbage, { tables: ['character_interactions'] }),
      ).rejects.toBeInstanceOf(IngestionError);
      expect(await analytics.ingest.watermarks()).toEqual(before);
      expect(await duckCount(analytics)).toBe(8);

      const [resumed] = await analytics.ingest.postgres(source, { tables: ['character_interactions'] });
      expect(resumed!.inserted).toBe(2);
      expect(await duckCount(analytics)).toBe(10);
    } finally {
      await analytics.close();
      await sql('delete from character_interactions');
    }
  });

  it('never skips a row whose transaction committed after a later one was ingested', async () => {
    const late = await pool.connect();
    const variants = {
      guard: await createAnalytics({ path: join(work, 'guard.duckdb') }),
      overlap: await createAnalytics({
        path: join(work, 'overlap.duckdb'),
        openTransactionGuard: false,
        overlapMs: 60_000,
      }),
      neither: await createAnalytics({
        path: join(work, 'neither.duckdb'),
        openTransactionGuard: false,
        overlapMs: 0,
      }),
    };
    const all = Object.values(variants);
    try {
      await addInteractions(3);
      for (const a of all) await a.ingest.postgres(source, { tables: ['character_interactions'] });
      await late.query('begin');
      // now() is the transaction's start: this row's updated_at is earlier than the next one's.
      await late.query(
        `insert into character_interactions (character_id, user_id, message, response, response_time_ms)
         values ($1, $2, 'late', 'r', 1)`,
        [characterId, userId],
      );
      // The next insert must start later than the open transaction did: poll (bounded) until the
      // server's clock has moved past that start.
      const [{ started }] = (await late.query(`select now()::text as started`)).rows;
      for (let i = 0; i < 100; i++) {
        const [{ later }] = await sql('select now() > $1::timestamptz as later', [started]);
        if (later) break;
      }
      await addInteractions(1);
      const during = await Promise.all(
        all.map((a) => a.ingest.postgres(source, { tables: ['character_interactions'] })),
      );
      // The guard re-read nothing from before the open transaction began.
      expect(during[0]![0]!.rows).toBe(1);
      await late.query('commit');
      for (const a of all) await a.ingest.postgres(source, { tables: ['character_interactions'] });
      expect(await duckCount(variants.guard)).toBe(5);
      expect(await duckCount(variants.overlap)).toBe(5);
      // With neither, the late row is skipped for good: that is why they exist.
      expect(await duckCount(variants.neither)).toBe(4);
      // Nothing new: the guard reads nothing at all, the overlap re-reads its window.
      const [idleGuard] = await variants.guard.ingest.postgres(source, {
        tables: ['character_interactions'],
      });
      const [idleOverlap] = await variants.overlap.ingest.postgres(source, {
        tables: ['character_interactions'],
      });
      expect([idleGuard!.rows, idleOverlap!.rows]).toEqual([0, 5]);
    } finally {
      late.release();
      for (const a of all) await a.close();
      await sql('delete from character_interactions');
    }
  });
});

describe('Redis metrics import', () => {
  const prefix = `mos:test:${randomUUID()}:`;
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis('redis://127.0.0.1:6379', { lazyConnect: false });
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('imports series once, aggregates them over buckets, and refuses bad samples before writing', async () => {
    const now = Date.UTC(2026, 10, 25, 12, 0, 0);
    const put = (metric: string, agent: string, minutesAgo: number, value: number) =>
      redis.zadd(
        `${prefix}metrics:${metric}:${agent}`,
        now - minutesAgo * 60_000,
        `${now - minutesAgo * 60_000}:${value}`,
      );
    for (const [m, v] of [
      [90, 100],
      [80, 300],
      [30, 200],
      [10, 400],
    ] as const) {
      await put('response_time', 'sage', m, v);
    }
    await put('response_time', 'spark', 5, 50);
    await put('memory_usage', 'sage', 5, 0.5);
    const analytics = await createAnalytics({ path: ':memory:' });
    try {
      const metrics = redisMetricsSource(redis, prefix);
      expect(await analytics.ingest.metrics(metrics)).toMatchObject({ rows: 6, inserted: 6 });
      expect(await analytics.ingest.metrics(metrics)).toMatchObject({ inserted: 0 });
      expect((await analytics.stats()).rows.system_metrics).toBe(6);

      const buckets = await analytics.metricBuckets({
        metric: 'response_time',
        agent: 'sage',
        hours: 2,
        bucketMinutes: 60,
        now: new Date(now),
      });
      expect(buckets.map((b) => [b.bucket.toISOString(), b.avg, b.max, b.min, b.count])).toEqual([
        ['2026-11-25T10:00:00.000Z', 200, 300, 100, 2],
        ['2026-11-25T11:00:00.000Z', 300, 400, 200, 2],
      ]);
      await expect(analytics.metricBuckets({ metric: 'latency', now: new Date(now) })).rejects.toMatchObject({
        code: 'UNKNOWN_NAME',
        known: ['memory_usage', 'response_time'],
      });

      await put('response_time', 'sage', 1, 999);
      const bad = {
        read: async () => [
          {
            metricType: 'response_time',
            agentName: 'sage',
            samples: [{ timestamp: now, value: Number.NaN }],
          },
        ],
      };
      await expect(analytics.ingest.metrics(bad)).rejects.toMatchObject({
        field: 'series[0].samples.0.value',
        rule: 'must be a number',
      });
      expect((await analytics.stats()).rows.system_metrics).toBe(6);
      expect(await analytics.ingest.metrics(metrics)).toMatchObject({ inserted: 1 });
    } finally {
      await analytics.close();
    }
  });
});

describe('the database file', () => {
  it('refuses a file another process holds, then opens it read-only once the owner closed it', async () => {
    const file = join(work, 'owned.duckdb');
    const owner = await createAnalytics({ path: file });
    await addInteractions(3);
    await owner.ingest.postgres(source, { tables: ['character_interactions'] });
    await owner.close();

    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { DuckDBInstance } from '@duckdb/node-api';
         const instance = await DuckDBInstance.create(${JSON.stringify(file)});
         await instance.connect();
         console.log('ready');
         setInterval(() => {}, 1000);`,
      ],
      { cwd: join(import.meta.dirname, '..'), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
        child.on('exit', (code) => reject(new Error(`holder exited ${code}`)));
      });
      const error = await createAnalytics({ path: file }).catch((e) => e);
      expect(error).toBeInstanceOf(LockedError);
      expect(error.message).toContain(file);
    } finally {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }

    const reader = await createAnalytics({ path: file, readOnly: true });
    try {
      expect((await reader.stats()).rows.character_interactions).toBe(3);
      await expect(reader.ingest.postgres(source)).rejects.toMatchObject({ code: 'READ_ONLY' });
      // A reader can still export.
      const [exported] = await reader.exportParquet({
        directory: join(work, 'ro'),
        tables: ['character_interactions'],
      });
      expect(exported!.rows).toBe(3);
    } finally {
      await reader.close();
      await sql('delete from character_interactions');
    }
  });
});

describe('rows written with a past time', () => {
  it('ingests memory operations inserted after the watermark even when their created_at is older', async () => {
    const analytics = await createAnalytics({ path: ':memory:' });
    try {
      await sql(`insert into memory_operations (operation_type, latency_ms) values ('search', 10)`);
      await analytics.ingest.postgres(source, { tables: ['memory_operations'] });
      const before = (await analytics.stats()).rows.memory_operations;
      // Backfilled history: created long ago, written now.
      await sql(
        `insert into memory_operations (operation_type, latency_ms, created_at) values ('search', 20, now() - interval '3 days')`,
      );
      const [result] = await analytics.ingest.postgres(source, { tables: ['memory_operations'] });
      expect(result!.inserted).toBe(1);
      expect((await analytics.stats()).rows.memory_operations).toBe(before + 1);
    } finally {
      await analytics.close();
      await sql('delete from memory_operations');
    }
  });
});

describe('reconcile support', () => {
  it('lists the ingested ids and removes exactly the given ones', async () => {
    const analytics = await createAnalytics({ path: ':memory:' });
    try {
      await sql(
        `insert into memory_operations (operation_type, latency_ms) select 'search', i from generate_series(1, 3) i`,
      );
      const ids = (await sql('select id from memory_operations order by id')).map(
        (r: { id: string }) => r.id,
      );
      expect(ids.length).toBeGreaterThanOrEqual(3);
      await analytics.ingest.postgres(source, { tables: ['memory_operations'] });
      expect(await analytics.ids('memory_operations')).toEqual(new Set(ids));
      // Another table's ids and an id never ingested are not touched or counted.
      const absent = randomUUID();
      expect(await analytics.deleteIds('memory_operations', [ids[0]!, absent])).toBe(1);
      expect(await analytics.deleteIds('character_interactions', [ids[1]!])).toBe(0);
      expect(await analytics.ids('memory_operations')).toEqual(new Set(ids.slice(1)));
    } finally {
      await analytics.close();
      await sql('delete from memory_operations');
    }
  });
});
