// Real stores for the monitor tests: an own PostgreSQL database, an own Redis key prefix, a
// DuckDB file and a local vector store in a temp directory, with a day of interactions that
// were ingested into DuckDB, and known cache traffic.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Analytics, createAnalytics } from '@monsteros/analytics';
import { type Cache, createCache } from '@monsteros/cache';
import { createRelational, type Relational } from '@monsteros/relational';
import { createTestDatabase, questFixture, type TestDatabase } from '@monsteros/schema/testing';
import { createVectors, type Vectors } from '@monsteros/vectors';

export const CHARACTERS = ['sage', 'ember', 'frost'] as const;

/** A day's shape, by hours ago: busy in the (recent) afternoon, quiet at night. */
const DAY = [6, 7, 8, 9, 9, 8, 7, 7, 8, 6, 5, 4, 3, 2, 1, 1, 1, 2, 2, 3, 4, 5, 5, 6];
const BASE = [2, 4, 0];

/** Interactions of character `c` in the hour `h` hours ago (the SQL below inserts exactly these). */
export const interactionsAt = (c: number, h: number) => BASE[c]! + DAY[h]! + ((h + c) % 2);

export interface MonitorStoresFixture {
  db: TestDatabase;
  relational: Relational;
  cache: Cache;
  analytics: Analytics;
  vectors: Vectors;
  prefix: string;
  dir: string;
  duckdbPath: string;
  interactions: number;
  /** The quest_data traffic: `reads` reads of `keys` distinct keys. */
  questReads: { reads: number; keys: number };
  close(): Promise<void>;
}

const quest = (id: string) => questFixture(id);

export async function openMonitorStores(label: string): Promise<MonitorStoresFixture> {
  const db = await createTestDatabase({ label });
  const relational = createRelational({ databaseUrl: db.url, poolSize: 4 });
  const prefix = `mos-test-${label}-${randomBytes(4).toString('hex')}:`;
  const cache = createCache({ redis: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', prefix });
  const dir = mkdtempSync(join(tmpdir(), `mos-${label}-`));
  const duckdbPath = join(dir, 'analytics.duckdb');
  const analytics = await createAnalytics({ path: duckdbPath, threads: 1 });
  const vectors = await createVectors({ qdrant: { local: join(dir, 'vectors') } });

  await relational.pool.query(
    `insert into character_agents (name, display_name, role, backend_system)
     select n, initcap(n), 'mentor', 'test' from unnest($1::text[]) n`,
    [CHARACTERS],
  );
  await relational.pool.query(
    `insert into user_profiles (username) select 'learner-' || g from generate_series(1, 5) g`,
  );
  // One row per (character c, hour h, k < count): the count formula is interactionsAt's.
  await relational.pool.query(
    `insert into character_interactions (character_id, user_id, message, response, response_time_ms,
                                         user_satisfaction, success, created_at)
     select a.id, (select id from user_profiles order by username offset (k % 5) limit 1),
            'question ' || k, 'answer ' || k, 150 + 60 * c + ((h * 13 + k * 7) % 90),
            3 + ((h + k) % 3), k % 11 <> 0,
            now() - make_interval(hours => h, mins => 10 + k)
       from generate_series(0, 2) c
       join character_agents a on a.name = ($1::text[])[c + 1]
       cross join generate_series(0, 23) h
       cross join lateral generate_series(0, ($2::int[])[c + 1] + ($3::int[])[h + 1] + ((h + c) % 2) - 1) k`,
    [CHARACTERS, BASE, DAY],
  );
  await relational.pool.query(
    `insert into memory_operations (operation_type, character_id, latency_ms, result_quality_score, created_at)
     select (array['retrieve', 'ingest', 'consolidate'])[1 + g % 3], (select id from character_agents limit 1),
            (array[45, 140, 320])[1 + g % 3] + (g % 7) * 5, 0.65 + (g % 6) * 0.05, now() - make_interval(mins => g * 20)
       from generate_series(0, 59) g`,
  );
  await relational.pool.query('analyze');
  let interactions = 0;
  for (let c = 0; c < CHARACTERS.length; c++)
    for (let h = 0; h < 24; h++) interactions += interactionsAt(c, h);

  await analytics.ingest.postgres({ copyTo: (statement) => relational.copyOut(statement) });

  // quest_data: 10 keys read 15 times each: 10 misses (loads), 140 hits.
  const questReads = { reads: 150, keys: 10 };
  for (let round = 0; round < questReads.reads / questReads.keys; round++) {
    for (let q = 0; q < questReads.keys; q++) {
      await cache.policies.quest_data.getOrSet({ questId: `q${q}` }, async () => quest(`q${q}`));
    }
  }

  await vectors.ensureCollections();
  await vectors.upsert(
    'character_memories',
    CHARACTERS.map((name, i) => ({
      text: `${name} remembers the tower`,
      payload: {
        interaction_id: `0b6f6c1e-9a57-4c1b-8d3e-2f1a0c9b8e7${i}`,
        character_name: name,
        memory_type: 'fact',
        user_context: '',
        learning_value: 0.5,
        timestamp: '2025-01-01T00:00:00Z',
      },
    })),
  );
  for (let i = 0; i < 5; i++)
    await vectors.search('character_memories', 'the tower', { scoreThreshold: null });

  return {
    db,
    relational,
    cache,
    analytics,
    vectors,
    prefix,
    dir,
    duckdbPath,
    interactions,
    questReads,
    async close() {
      await analytics.close().catch(() => {});
      await vectors.close().catch(() => {});
      const keys = await cache.redis.keys(`${prefix}*`).catch(() => [] as string[]);
      if (keys.length) await cache.redis.del(...keys).catch(() => 0);
      await cache.close().catch(() => {});
      await relational.close().catch(() => {});
      await db.drop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
