// `pnpm seed --size small` against real PostgreSQL and Redis, the vector store in a directory and
// a DuckDB file, all private to this test: deterministic, idempotent, and careful with databases
// that are not ours.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDataLayer, type DataLayer, type DataLayerOptions } from '@monsteros/flows';
import { createTestDatabase, type TestDatabase } from '@monsteros/schema/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDataset } from '../src/generate/dataset.js';
import type { PhaseProgress, ProgressReporter } from '../src/progress.js';
import { countStores, ENVIRONMENT_KEY, postgresChecksum, runSeed, SeedError } from '../src/seed.js';

const quiet: ProgressReporter = { phase: () => ({ tick() {}, done() {} }) };
const anchor = new Date('2026-11-20T00:00:00Z');
// The clock of the metric grid: the present, on the grid (the live sessions' flows record their
// response times at the real time, just after it).
const now = new Date(Math.floor(Date.now() / 600_000) * 600_000);
const TEN_MINUTES = 600_000;
let db: TestDatabase;
let dir: string;
let layer: DataLayerOptions;
const prefix = `mos-seed-${randomUUID().slice(0, 8)}:`;

const base = {
  seed: 7,
  size: 'small' as const,
  reset: false,
  yes: false,
  force: false,
  progress: quiet,
  anchor,
  now,
};

/** A data layer on the test's stores (or others), closed after `use`. */
async function withData<T>(use: (data: DataLayer) => Promise<T>, stores = layer): Promise<T> {
  const data = await createDataLayer({ ...stores, relayWorker: false });
  try {
    return await use(data);
  } finally {
    await data.close();
  }
}

function inspect(stores = layer) {
  return withData(
    async (data) => ({ counts: await countStores(data), checksum: await postgresChecksum(data) }),
    stores,
  );
}

beforeAll(async () => {
  db = await createTestDatabase({ label: 'seed' });
  dir = await mkdtemp(join(tmpdir(), 'mos-seed-'));
  layer = {
    env: {},
    config: {
      databaseUrl: db.url,
      keyPrefix: prefix,
      localVectorsPath: join(dir, 'vectors'),
      duckdbPath: join(dir, 'analytics.duckdb'),
    },
  };
});
afterAll(async () => {
  const redis = new Redis();
  const keys = await redis.keys(`${prefix.slice(0, -1)}*`); // ours and the interrupted run's
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('pnpm seed', () => {
  it('fills all four stores coherently, and a second run changes nothing', async () => {
    const first = await runSeed({ ...base, dataLayer: layer });
    const count = (store: string, what: string) =>
      first.rows.find((r) => r.store === store && r.what === what)!.count;
    expect(count('PostgreSQL', 'character agents')).toBe(12);
    // The imported history, and the live sessions' interactions through the flows on top.
    const { traffic, trafficInteractions: live } = buildDataset({ seed: 7, size: 'small', anchor });
    expect(live).toBe(24);
    expect(count('PostgreSQL', 'interactions')).toBe(1_500 + live);
    // Every interaction is a memory in Qdrant and a row in DuckDB.
    expect(count('Qdrant', 'character_memories')).toBe(1_500 + live);
    expect(count('DuckDB', 'character_interactions')).toBe(1_500 + live);
    // One summary per live session, backed up from Redis at its end.
    expect(count('PostgreSQL', 'session summaries')).toBe(traffic.reduce((n, t) => n + t.learners.length, 0));
    expect(count('DuckDB', 'memory_operations')).toBe(count('PostgreSQL', 'memory operations'));
    // Real operations of the memory (an ingest and recalls per character), none invented.
    const operations = await withData(
      async (data) =>
        (
          await data.relational.pool.query(
            `select operation_type, count(*)::int n, bool_and(character_id is not null) named
               from memory_operations group by 1 order by 1`,
          )
        ).rows,
    );
    expect(operations.map((r) => r.operation_type)).toEqual([
      'character_context_search',
      'hipporag_retrieve',
      'ingest',
    ]);
    for (const r of operations) expect(r.named).toBe(true);
    // The caches the live sessions went through show hits: repeated questions answered from
    // character_responses, reviews from the hot memories, the preloaded quests read.
    const namespaces = await withData(async (data) => (await data.cache.stats()).namespaces);
    // Each class: the first learner's first asking of each of its 2 questions misses, the rest hit.
    expect(namespaces.character_responses.hits).toBe(live - 2 * traffic.length);
    expect(namespaces.memory_search_results.hits).toBeGreaterThanOrEqual(
      traffic.reduce((n, t) => n + (t.learners.length - 1) * t.questions.length, 0),
    );
    expect(namespaces.quest_data.hits).toBeGreaterThan(0);
    expect(count('Qdrant', 'memory_embeddings')).toBeGreaterThan(0);
    // One fact point per triple of the memory graph.
    expect(count('Qdrant', 'knowledge_graph_vectors')).toBe(count('PostgreSQL', 'memory triples'));
    expect(count('Redis', `keys under ${prefix}`)).toBeGreaterThan(12);
    // A day of response times on the 10-minute grid, and one per live interaction (its own time).
    expect(count('DuckDB', 'system_metrics')).toBe(12 * 143 + live);
    const before = await inspect();

    await runSeed({ ...base, dataLayer: layer });
    const after = await inspect();
    // The second run's ingests (nothing new) and recalls are operations too: only their log grows
    // (by all but the live interactions' searches: a rerun replays those, searching nothing).
    const withoutOperations = (rows: typeof before.counts) =>
      rows.filter((r) => !/memory.operations/.test(r.what));
    expect(withoutOperations(after.counts)).toEqual(withoutOperations(before.counts));
    const operationsOf = (rows: typeof before.counts) =>
      rows.find((r) => r.store === 'PostgreSQL' && r.what === 'memory operations')!.count;
    expect(operationsOf(after.counts)).toBe(2 * operationsOf(before.counts) - live);
    expect(after.checksum).toBe(before.checksum);

    // Nothing drifted between the stores.
    await withData(async (data) => {
      expect((await data.reconcile()).ok).toBe(true);
      expect((await data.relational.config.get(ENVIRONMENT_KEY))?.value).toBe('development');
    });
  });

  it('fills a fresh vector store beside a seeded database (the imports find every row present)', async () => {
    const seeded = await inspect();
    const fresh = { ...layer, config: { ...layer.config, localVectorsPath: join(dir, 'fresh-vectors') } };
    const run = await runSeed({ ...base, dataLayer: fresh });
    const count = (rows: typeof run.rows, what: string) =>
      rows.find((r) => r.store === 'Qdrant' && r.what === what)!.count;
    for (const what of [
      'character_memories',
      'memory_embeddings',
      'knowledge_graph_vectors',
      'document_vectors',
    ])
      expect(count(run.rows, what)).toBe(count(seeded.counts, what));
    await withData(async (data) => expect((await data.reconcile()).ok).toBe(true), fresh);
  });

  it('keeps the metric samples already there when rerun ten minutes later, adding the new one', async () => {
    const window = { from: now.getTime() - 24 * 3_600_000, to: now.getTime() };
    const onGrid = (samples: Array<{ timestamp: number }>) =>
      samples.filter((s) => s.timestamp % TEN_MINUTES === 0);
    const earlier = await withData((data) => data.cache.metrics.samples('response_time', 'sage', window));
    expect(onGrid(earlier).length).toBe(143);
    await runSeed({ ...base, now: new Date(now.getTime() + TEN_MINUTES), dataLayer: layer });
    await withData(async (data) => {
      expect(await data.cache.metrics.samples('response_time', 'sage', window)).toEqual(earlier);
      const later = await data.cache.metrics.samples('response_time', 'sage', {
        from: window.to + 1,
        to: window.to + TEN_MINUTES,
      });
      expect(onGrid(later).length).toBe(1);
    });
  });

  it('gives other data for another seed, and --reset starts over', async () => {
    const before = await inspect();
    await expect(runSeed({ ...base, seed: 8, reset: true, dataLayer: layer })).rejects.toMatchObject({
      code: 'CONFIRM',
    });
    expect((await inspect()).checksum).toBe(before.checksum);
    let asked = '';
    await runSeed({
      ...base,
      seed: 8,
      reset: true,
      dataLayer: layer,
      confirm: async (q) => {
        asked = q;
        return true;
      },
    });
    expect(asked).toMatch(/Wipe all MonsterOS data/);
    const other = await inspect();
    expect(other.checksum).not.toBe(before.checksum);
    expect(other.counts.find((r) => r.what === 'interactions')!.count).toBe(
      1_500 + buildDataset({ seed: 8, size: 'small', anchor }).trafficInteractions,
    );
  });

  it('refuses a database that is not ours or not marked as development, writing nothing', async () => {
    const foreign = await createTestDatabase({ label: 'seed_foreign', migrated: false });
    try {
      const foreignLayer = { ...layer, config: { ...layer.config, databaseUrl: foreign.url } };
      const error = await runSeed({ ...base, dataLayer: foreignLayer }).catch((e) => e);
      expect(error).toBeInstanceOf(SeedError);
      expect(error.code).toBe('NOT_OURS');
      expect(error.message).toContain('pnpm db:deploy');
      const tables = await withData(
        async (data) =>
          (await data.relational.pool.query("select 1 from pg_tables where schemaname = 'public'")).rowCount,
        foreignLayer,
      );
      expect(tables).toBe(0);
    } finally {
      await foreign.drop();
    }
    // A data layer is opened per step and closed before the seed runs: the embedded vector store's
    // directory has one owner at a time.
    const interactions = () =>
      withData(async (data) =>
        Number((await data.relational.pool.query('select count(*) n from character_interactions')).rows[0].n),
      );
    const mark = (value: string) =>
      withData(async (data) => {
        const current = await data.relational.config.get(ENVIRONMENT_KEY);
        await data.relational.config.set(ENVIRONMENT_KEY, value, current!.version);
      });
    await mark('production');
    const n = await interactions();
    await expect(runSeed({ ...base, seed: 9, dataLayer: layer })).rejects.toMatchObject({
      code: 'NOT_DEVELOPMENT',
    });
    expect(await interactions()).toBe(n);
    await mark('development');
  });

  it('refuses a database holding our data without the development mark unless forced, then marks it', async () => {
    await withData((data) =>
      data.relational.pool.query('delete from system_config where key = $1', [ENVIRONMENT_KEY]),
    );
    const before = await inspect();
    const error = await runSeed({ ...base, seed: 9, dataLayer: layer }).catch((e) => e);
    expect(error).toBeInstanceOf(SeedError);
    expect(error.code).toBe('NOT_DEVELOPMENT');
    expect(error.message).toContain('--force');
    expect((await inspect()).checksum).toBe(before.checksum);

    // The seed the database holds (from --reset above): forced, it adds nothing but the mark.
    await runSeed({ ...base, seed: 8, force: true, dataLayer: layer });
    expect((await inspect()).checksum).toBe(before.checksum);
    expect(await withData((data) => data.relational.config.get(ENVIRONMENT_KEY))).toMatchObject({
      value: 'development',
    });
  });

  it('completes an interrupted run when run again, and writes nothing when --reset is not confirmed', async () => {
    const fresh = await createTestDatabase({ label: 'seed_interrupted' });
    const other = {
      ...layer,
      config: {
        ...layer.config,
        databaseUrl: fresh.url,
        keyPrefix: prefix.replace(/:$/, '-int:'),
        localVectorsPath: join(dir, 'vectors-interrupted'),
        duckdbPath: join(dir, 'analytics-interrupted.duckdb'),
      },
    };
    try {
      await expect(runSeed({ ...base, seed: 8, reset: true, dataLayer: other })).rejects.toMatchObject({
        code: 'CONFIRM',
      });
      expect(await withData((data) => data.relational.config.get(ENVIRONMENT_KEY), other)).toBeNull();

      // Stops as Ctrl-C would, part-way: one character's passages ingested, their outbox
      // effects not applied, Redis and DuckDB not seeded yet.
      const interrupting: ProgressReporter = {
        phase: (name): PhaseProgress => ({
          tick() {
            if (name === 'memory graph') throw new Error('interrupted');
          },
          done() {},
        }),
      };
      await expect(runSeed({ ...base, seed: 8, progress: interrupting, dataLayer: other })).rejects.toThrow(
        'interrupted',
      );
      const partial = await inspect(other);
      expect(
        partial.counts.find((r) => r.store === 'DuckDB' && r.what === 'character_interactions')?.count,
      ).toBe(0);

      const completed = await runSeed({ ...base, seed: 8, dataLayer: other });
      // The main database holds the same seed and size, seeded without interruption.
      const uninterrupted = await inspect();
      // The memory operations are a log of what each run did (the interrupted one too): not compared.
      const shape = (rows: typeof completed.rows) =>
        rows
          .filter((r) => !/memory.operations/.test(r.what))
          .map((r) => [r.store, r.what.startsWith('keys under') ? 'keys' : r.what, r.count]);
      expect(shape(completed.rows)).toEqual(shape(uninterrupted.counts));
    } finally {
      await fresh.drop();
    }
  });

  it('says which store is missing and how to start it', async () => {
    const error = await runSeed({
      ...base,
      dataLayer: { ...layer, config: { ...layer.config, redisUrl: 'redis://127.0.0.1:1' } },
    }).catch((e) => e);
    expect(error).toBeInstanceOf(SeedError);
    expect(error.message).toMatch(/Redis at 127\.0\.0\.1:1 is not reachable.*scripts\/services up/);
    const postgres = await runSeed({
      ...base,
      dataLayer: {
        ...layer,
        config: { ...layer.config, databaseUrl: 'postgresql://postgres@127.0.0.1:1/monsteros' },
      },
    }).catch((e) => e);
    expect(postgres).toBeInstanceOf(SeedError);
    expect(postgres.code).toBe('UNAVAILABLE');
    expect(postgres.message).toMatch(/PostgreSQL at 127\.0\.0\.1:1 is not reachable.*scripts\/services up/);
  });
});
