import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { createTestDatabase, type TestDatabase } from '@monsteros/schema/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Analytics,
  AnalyticsValidationError,
  createAnalytics,
  type PostgresSource,
  rateMemory,
  UnknownNameError,
} from '../src/index.js';
import { type pg, postgresSource, testPool } from './fixtures/sources.js';

const NOW = new Date('2026-11-25T12:00:00Z');
const at = (iso: string) => `timestamptz '${iso}'`;

let db: TestDatabase;
let pool: pg.Pool;
let source: PostgresSource;
let work: string;
const ids: Record<string, string> = {};

async function sql(text: string, values: unknown[] = []) {
  return (await pool.query(text, values)).rows;
}

beforeAll(async () => {
  db = await createTestDatabase({ label: 'analytics' });
  pool = testPool(db.url);
  source = postgresSource(pool);
  work = await mkdtemp(join(tmpdir(), 'mos-analytics-'));
  for (const name of ['sage', 'spark']) {
    const [row] = await sql(
      `insert into character_agents (name, display_name, role, backend_system) values ($1, $1, 'mentor', 'claude') returning id`,
      [name],
    );
    ids[name] = row.id;
  }
  for (const name of ['u1', 'u2', 'u3']) {
    const [row] = await sql('insert into user_profiles (username) values ($1) returning id', [name]);
    ids[name] = row.id;
  }
  const interactions: Array<[string, string, string, number, number | null, boolean]> = [
    ['sage', 'u1', '2026-11-25T10:05:00Z', 100, 5, true],
    ['sage', 'u2', '2026-11-25T10:20:00Z', 200, 4, true],
    ['sage', 'u1', '2026-11-25T10:59:59.999999Z', 300, null, false],
    ['sage', 'u3', '2026-11-25T11:00:00Z', 150, 3, true],
    ['spark', 'u1', '2026-11-25T11:10:00Z', 400, null, false],
    ['spark', 'u2', '2026-11-25T11:40:00Z', 600, 2, true],
    // Outside the 24 h window of NOW.
    ['sage', 'u1', '2026-11-23T09:00:00Z', 999, 1, false],
  ];
  for (const [c, u, t, ms, sat, ok] of interactions) {
    await sql(
      `insert into character_interactions (character_id, user_id, message, response, response_time_ms, user_satisfaction, success, created_at)
       values ($1, $2, 'm', 'r', $3, $4, $5, ${at(t)})`,
      [ids[c], ids[u], ms, sat, ok],
    );
  }
  const ops: Array<[string, string, number, number | null]> = [
    ['search', '2026-11-25T09:00:00Z', 90, 0.9],
    ['search', '2026-11-25T09:30:00Z', 110, 0.9],
    ['ingest', '2026-11-24T09:00:00Z', 99, 0.81],
    ['consolidation', '2026-11-25T09:00:00Z', 150, 0.7],
    ['link', '2026-11-25T09:00:00Z', 199.9, 0.71],
    ['rerank', '2026-11-25T09:00:00Z', 50, null],
    // Older than 7 days.
    ['search', '2026-11-10T09:00:00Z', 5000, 0.1],
  ];
  for (const [type, t, ms, q] of ops) {
    await sql(
      `insert into memory_operations (operation_type, character_id, latency_ms, result_quality_score, created_at)
       values ($1, $2, $3, $4, ${at(t)})`,
      [type, ids.sage, ms, q],
    );
  }
  for (const [name, category, difficulty] of [
    ['Rust basics', 'coding', 3],
    ['Graphs', 'coding', 5],
    ['Stoicism', 'philosophy', 2],
  ] as const) {
    const [row] = await sql(
      'insert into quest_definitions (quest_name, category, difficulty) values ($1, $2, $3) returning id',
      [name, category, difficulty],
    );
    ids[name] = row.id;
  }
  const progress: Array<[string, string, string, string | null, number, object]> = [
    ['u1', 'Rust basics', '2026-11-25T10:00:00Z', '2026-11-25T11:00:00Z', 100, { final_score: 80 }],
    [
      'u1',
      'Graphs',
      '2026-11-25T09:00:00Z',
      '2026-11-25T11:30:00Z',
      100,
      { final_score: 90, completion_time_minutes: 120 },
    ],
    ['u2', 'Rust basics', '2026-11-25T08:00:00Z', '2026-11-25T08:30:00Z', 100, {}],
    ['u2', 'Stoicism', '2026-11-25T09:00:00Z', '2026-11-25T10:00:00Z', 100, { final_score: 70 }],
    ['u3', 'Stoicism', '2026-11-25T09:00:00Z', null, 50, {}],
  ];
  for (const [u, q, started, completed, pct, data] of progress) {
    await sql(
      `insert into user_quest_progress (user_id, quest_id, progress_percentage, started_at, completed_at, completion_data)
       values ($1, $2, $3, ${at(started)}, ${completed ? at(completed) : 'null'}, $4)`,
      [ids[u], ids[q], pct, JSON.stringify(data)],
    );
  }
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('views and analyses on hand-built data', () => {
  let analytics: Analytics;
  beforeAll(async () => {
    analytics = await createAnalytics({ path: join(work, 'views.duckdb'), threads: 2 });
    const results = await analytics.ingest.postgres(source);
    expect(results.map((r) => [r.table, r.rows, r.inserted])).toEqual([
      ['character_interactions', 7, 7],
      ['memory_operations', 7, 7],
      ['quest_completions', 4, 4],
    ]);
  });
  afterAll(() => analytics.close());

  it('character_performance: per character and hour, success rate as a real fraction', async () => {
    const rows = await analytics.views.characterPerformance();
    const inWindow = rows.filter((r) => r.hour >= new Date('2026-11-25T00:00:00Z'));
    expect(inWindow).toEqual([
      {
        character_name: 'sage',
        hour: new Date('2026-11-25T10:00:00Z'),
        avg_response_time: 200,
        interaction_count: 3,
        avg_satisfaction: 4.5,
        success_rate: 2 / 3,
      },
      {
        character_name: 'sage',
        hour: new Date('2026-11-25T11:00:00Z'),
        avg_response_time: 150,
        interaction_count: 1,
        avg_satisfaction: 3,
        success_rate: 1,
      },
      {
        character_name: 'spark',
        hour: new Date('2026-11-25T11:00:00Z'),
        avg_response_time: 500,
        interaction_count: 2,
        avg_satisfaction: 2,
        success_rate: 0.5,
      },
    ]);
  });

  it('memory_performance: per day and operation type', async () => {
    const rows = await analytics.views.memoryPerformance();
    expect(rows.find((r) => r.operation_type === 'ingest')).toEqual({
      day: new Date('2026-11-24T00:00:00Z'),
      operation_type: 'ingest',
      avg_latency: 99,
      operation_count: 1,
      avg_quality: 0.81,
    });
    const search = rows.filter((r) => r.operation_type === 'search');
    expect(search.map((r) => [r.day.toISOString().slice(0, 10), r.avg_latency, r.operation_count])).toEqual([
      ['2026-11-10', 5000, 1],
      ['2026-11-25', 100, 2],
    ]);
  });

  it('learning_analytics: per user and category', async () => {
    const rows = await analytics.views.learningAnalytics({ userId: ids.u1 });
    expect(rows).toEqual([
      {
        user_id: ids.u1,
        quest_category: 'coding',
        avg_completion_time: 90, // 60 measured, 120 reported by the quest
        quests_completed: 2,
        avg_score: 85,
        max_difficulty_reached: 5,
      },
    ]);
  });

  it('rates memory efficiency with strict bounds, per operation and overall', async () => {
    const result = await analytics.memoryEfficiency({ days: 7, now: NOW });
    const rating = Object.fromEntries(
      result.byOperation.map((r) => [r.operationType, [r.operations, r.avgLatencyMs, r.rating]]),
    );
    expect(rating).toEqual({
      consolidation: [1, 150, 'Needs Improvement'], // quality exactly 0.7 is not over 0.7
      ingest: [1, 99, 'Excellent'],
      link: [1, 199.9, 'Good'],
      rerank: [1, 50, 'Needs Improvement'], // no quality score
      search: [2, 100, 'Good'], // latency exactly 100 is not under 100
    });
    expect(result.overall.operations).toBe(6);
    expect(result.overall.avgLatencyMs).toBeCloseTo(698.9 / 6, 9);
    expect(result.overall.avgQuality).toBeCloseTo(4.02 / 5, 12);
    expect(result.overall.rating).toBe('Good');
    expect([
      rateMemory(99.999, 0.8000001),
      rateMemory(100, 0.95),
      rateMemory(199.999, 0.7),
      rateMemory(10, null),
    ]).toEqual(['Excellent', 'Good', 'Needs Improvement', 'Needs Improvement']);
  });

  it('learning effectiveness per category: learners, median and mean time, score, difficulty', async () => {
    expect(await analytics.learningEffectiveness({ now: NOW })).toEqual([
      {
        category: 'coding',
        uniqueLearners: 2,
        completions: 3,
        typicalCompletionMinutes: 60,
        avgCompletionMinutes: 70,
        avgScore: 85,
        maxDifficulty: 5,
      },
      {
        category: 'philosophy',
        uniqueLearners: 1,
        completions: 1,
        typicalCompletionMinutes: 60,
        avgCompletionMinutes: 60,
        avgScore: 70,
        maxDifficulty: 2,
      },
    ]);
    expect(await analytics.learningEffectiveness({ days: 0.025, now: NOW })).toEqual([
      expect.objectContaining({ category: 'coding', completions: 1, avgScore: 90 }), // 36 min: only the 11:30 completion
    ]);
  });

  it('character trends over the last 24 h, with hourly points and direction', async () => {
    const trends = await analytics.characterTrends({ hours: 24, now: NOW });
    const sage = trends.find((t) => t.character === 'sage')!;
    expect(sage).toMatchObject({
      interactions: 4,
      avgResponseTimeMs: 187.5,
      avgSatisfaction: 4,
      successRate: 0.75,
      responseTimeSlopeMsPerHour: -50,
      direction: 'improving',
    });
    expect(sage.hourly.map((h) => [h.hour.toISOString(), h.interactions])).toEqual([
      ['2026-11-25T10:00:00.000Z', 3],
      ['2026-11-25T11:00:00.000Z', 1],
    ]);
    const spark = trends.find((t) => t.character === 'spark')!;
    expect(spark).toMatchObject({
      interactions: 2,
      successRate: 0.5,
      responseTimeSlopeMsPerHour: null,
      direction: 'stable',
    });
    expect(await analytics.characterTrends({ hours: 1, now: NOW, character: 'spark' })).toHaveLength(1);
  });

  it('refuses bad windows and unknown names with typed errors naming them', async () => {
    await expect(analytics.characterTrends({ hours: -1 })).rejects.toMatchObject({
      field: 'hours',
      rule: 'must be positive',
    });
    await expect(analytics.memoryEfficiency({ days: 100_000 })).rejects.toBeInstanceOf(
      AnalyticsValidationError,
    );
    await expect(analytics.characterTrends({ hours: Number.NaN })).rejects.toBeInstanceOf(
      AnalyticsValidationError,
    );
    await expect(analytics.learningEffectiveness({ now: new Date('nope') })).rejects.toMatchObject({
      field: 'now',
    });
    // Filters are checked before they reach DuckDB (a non-UUID user read as "no rows" before).
    await expect(analytics.views.learningAnalytics({ userId: 'nope' })).rejects.toMatchObject({
      field: 'filter.userId',
      rule: 'must be a UUID',
    });
    await expect(analytics.views.characterPerformance({ character: '' })).rejects.toMatchObject({
      field: 'filter.character',
    });
    await expect(analytics.characterTrends({ character: 5 as never })).rejects.toMatchObject({
      field: 'character',
      rule: 'must be a string',
    });
    await expect(analytics.metricBuckets({ metric: undefined as never })).rejects.toMatchObject({
      field: 'metric',
    });
    await expect(analytics.metricBuckets({ metric: 'x', agent: '' })).rejects.toMatchObject({
      field: 'agent',
    });
    await expect(analytics.exportParquet({ directory: work, tables: ['users'] })).rejects.toBeInstanceOf(
      UnknownNameError,
    );
    // @ts-expect-error an unknown table is refused at runtime too
    await expect(analytics.ingest.postgres(source, { tables: ['outbox'] })).rejects.toMatchObject({
      code: 'UNKNOWN_NAME',
      value: 'outbox',
    });
    await expect(
      createAnalytics({ path: join(work, 'x.duckdb'), memoryLimit: 'lots' }),
    ).rejects.toMatchObject({
      field: 'options.memoryLimit',
    });
  });

  it('exports Parquet partitioned by day that DuckDB reads back', async () => {
    const dir = join(work, 'parquet');
    const exported = await analytics.exportParquet({ directory: dir });
    const interactions = exported.find((e) => e.table === 'character_interactions')!;
    expect(interactions).toMatchObject({ rows: 7, days: ['2026-11-23', '2026-11-25'] });
    expect(exported.find((e) => e.table === 'quest_completions')!.days).toEqual(['2026-11-25']);
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const reader = await connection.runAndReadAll(
      `select day::varchar as day, count(*)::int as n, sum(response_time)::int as total
         from read_parquet('${interactions.directory}/**/*.parquet', hive_partitioning = true) group by 1 order by 1`,
    );
    expect(reader.getRowObjectsJS()).toEqual([
      { day: '2026-11-23', n: 1, total: 999 },
      { day: '2026-11-25', n: 6, total: 1750 },
    ]);
    // A second export replaces the first, it does not add files beside it.
    await analytics.exportParquet({ directory: dir, tables: ['character_interactions'] });
    const again = await connection.runAndReadAll(
      `select count(*)::int as n from read_parquet('${interactions.directory}/**/*.parquet', hive_partitioning = true)`,
    );
    expect(again.getRowObjectsJS()).toEqual([{ n: 7 }]);
    connection.closeSync();
    instance.closeSync();
  });

  it('reports stats: rows, watermarks, query timings, file size', async () => {
    const stats = await analytics.stats();
    expect(stats.rows).toMatchObject({
      character_interactions: 7,
      memory_operations: 7,
      quest_completions: 4,
    });
    expect(stats.watermarks.map((w) => w.source)).toEqual([
      'postgres:character_interactions',
      'postgres:memory_operations',
      'postgres:quest_completions',
    ]);
    expect(stats.queries.find((q) => q.name === 'characterTrends')?.calls).toBeGreaterThan(0);
    expect(stats.fileBytes).toBeGreaterThan(0);
    expect((await analytics.health()).ok).toBe(true);
  });
});
