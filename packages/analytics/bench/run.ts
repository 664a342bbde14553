// `pnpm --filter @monsteros/analytics bench`: ingestion of 1M interactions from PostgreSQL
// (rows/s) beside the time PostgreSQL alone takes to COPY the same rows out (the ceiling), then
// each analysis at 1M rows (p50, p99). One run, one PostgreSQL, one DuckDB file.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BenchRow, measure, report, type Stats } from '@monsteros/bench-kit';
import { createTestDatabase } from '@monsteros/schema/testing';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { EXTRACTIONS, ZERO_ID } from '../src/extractions.js';
import { createAnalytics } from '../src/index.js';
import { postgresSource } from '../test/fixtures/sources.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
/** `BENCH_ANALYSES=0` (the scale curve): ingest only, no timed analyses. */
const ANALYSES = process.env.BENCH_ANALYSES !== '0';
/** 20k users at 1M interactions (50 each, and 50 quest completions each); fewer below, same ratio. */
const USERS = Math.max(10, Math.min(20_000, Math.round(ROWS / 50)));
const QUESTS = 50;

const db = await createTestDatabase({ label: 'analytics_bench' });
const pool = new pg.Pool({ connectionString: db.url, max: 4 });
pool.on('error', () => {}); // connections closing after end() meet the database's drop
const work = await mkdtemp(join(tmpdir(), 'mos-analytics-bench-'));
const now = new Date();

let started = Date.now();
await pool.query(`
  insert into character_agents (name, display_name, role, backend_system)
  select 'c' || i, 'Character ' || i, 'mentor', 'claude' from generate_series(1, 12) i;
  insert into user_profiles (username) select 'u' || i from generate_series(1, ${USERS}) i;
  insert into quest_definitions (quest_name, category, difficulty)
  select 'q' || i, 'cat' || (i % 8), 1 + i % 10 from generate_series(1, ${QUESTS}) i;
`);
await pool.query(`
  insert into character_interactions (character_id, user_id, message, response, response_time_ms, user_satisfaction, success, created_at)
  select c.id, u.id, 'm', 'r', 50 + (i * 37) % 1500, case when i % 3 = 0 then null else 1 + i % 5 end, i % 9 <> 0,
         now() - (i % 2592000) * interval '1 second'
    from generate_series(1, ${ROWS}) i
    join (select id, row_number() over (order by id) n from character_agents) c on c.n = 1 + i % 12
    join (select id, row_number() over (order by id) n from user_profiles) u on u.n = 1 + (i::bigint * 7919) % ${USERS}`);
await pool.query(`
  insert into memory_operations (operation_type, latency_ms, result_quality_score, created_at)
  select (array['search','ingest','consolidation','link'])[1 + i % 4], 20 + (i * 13) % 300, ((i * 7) % 100) / 100.0,
         now() - (i % 604800) * interval '1 second'
    from generate_series(1, ${ROWS}) i`);
await pool.query(`
  insert into user_quest_progress (user_id, quest_id, progress_percentage, started_at, completed_at, completion_data)
  select u.id, q.id, 100, now() - interval '3 days', now() - ((u.n + q.n) % 4000) * interval '1 minute',
         jsonb_build_object('final_score', (u.n * q.n) % 100)
    from (select id, row_number() over (order by id) n from user_profiles) u
    cross join (select id, row_number() over (order by id) n from quest_definitions) q;
  analyze;`);
console.log(
  `loaded ${ROWS} interactions, ${ROWS} memory operations, ${USERS * QUESTS} completions in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);

const single = (ms: number, rows: number): Stats => ({
  iterations: 1,
  concurrency: 1,
  p50: ms,
  p99: ms,
  mean: ms,
  max: ms,
  opsPerSec: (rows / ms) * 1000,
});

const rows: BenchRow[] = [];
const analytics = await createAnalytics({ path: join(work, 'bench.duckdb'), tempDirectory: work });
try {
  // The ceiling: PostgreSQL producing the same CSV, drained and thrown away.
  const client = await pool.connect();
  started = performance.now();
  let bytes = 0;
  const stream = client.query(
    copyTo(
      `copy (${EXTRACTIONS.character_interactions.select({ us: 0n, id: ZERO_ID }, ROWS)}) to stdout with (format csv)`,
    ),
  );
  for await (const chunk of stream) bytes += (chunk as Buffer).length;
  const ceilingMs = performance.now() - started;
  client.release();
  const ceiling = single(ceilingMs, ROWS);
  rows.push({
    case: `ingest ${ROWS} interactions`,
    path: 'PostgreSQL COPY out only (ceiling)',
    stats: ceiling,
    note: `${(bytes / 1e6).toFixed(0)} MB CSV`,
  });

  const [ingested] = await analytics.ingest.postgres(postgresSource(pool), {
    tables: ['character_interactions'],
  });
  rows.push({
    case: `ingest ${ROWS} interactions`,
    path: 'ours (COPY -> staged CSV -> DuckDB)',
    stats: single(ingested!.durationMs, ingested!.rows),
    baseline: ceiling,
    note: `${ingested!.batches} batches, rows/s in ops/s`,
  });
  const [again] = await analytics.ingest.postgres(postgresSource(pool), {
    tables: ['character_interactions'],
  });
  rows.push({
    case: 'incremental run, nothing new',
    path: 'ours',
    stats: single(again!.durationMs, Math.max(1, again!.rows)),
    note: `${again!.rows} rows re-read in the overlap`,
  });
  const rest = await analytics.ingest.postgres(postgresSource(pool), {
    tables: ['memory_operations', 'quest_completions'],
  });
  for (const r of rest) {
    rows.push({ case: `ingest ${r.rows} ${r.table}`, path: 'ours', stats: single(r.durationMs, r.rows) });
  }

  const analyses: Array<[string, () => Promise<unknown>]> = !ANALYSES
    ? []
    : [
        ['characterTrends 24 h', () => analytics.characterTrends({ hours: 24, now })],
        ['characterTrends 30 d', () => analytics.characterTrends({ hours: 720, now })],
        ['memoryEfficiency 7 d', () => analytics.memoryEfficiency({ days: 7, now })],
        ['learningEffectiveness', () => analytics.learningEffectiveness({ now })],
        ['view character_performance', () => analytics.views.characterPerformance()],
      ];
  for (const [name, fn] of analyses) {
    rows.push({
      case: name,
      path: 'ours',
      stats: await measure(fn, { iterations: 30, warmup: 3 }),
      note: `${ROWS} rows`,
    });
  }
  report('analytics', rows, { rows: ROWS });
} finally {
  await analytics.close();
  await pool.end();
  await db.drop();
  await rm(work, { recursive: true, force: true });
}
