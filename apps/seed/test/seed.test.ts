// `pnpm seed --size small` against real PostgreSQL and Redis, the vector store in a directory and
// a DuckDB file, all private to this test: deterministic, idempotent, and careful with databases
// that are not ours.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDataLayer, type DataLayerOptions } from '@monsteros/flows';
import { createTestDatabase, type TestDatabase } from '@monsteros/schema/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProgressReporter } from '../src/progress.js';
import { countStores, ENVIRONMENT_KEY, postgresChecksum, runSeed, SeedError } from '../src/seed.js';

const quiet: ProgressReporter = { phase: () => ({ tick() {}, done() {} }) };
const anchor = new Date('2026-11-20T00:00:00Z');
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
};

async function inspect() {
  const data = await createDataLayer({ ...layer, relayWorker: false });
  try {
    return { counts: await countStores(data), checksum: await postgresChecksum(data) };
  } finally {
    await data.close();
  }
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
  const keys = await redis.keys(`${prefix}*`);
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
    expect(count('PostgreSQL', 'interactions')).toBe(1_500);
    // Every interaction is a memory in Qdrant and a row in DuckDB.
    expect(count('Qdrant', 'character_memories')).toBe(1_500);
    expect(count('DuckDB', 'character_interactions')).toBe(1_500);
    expect(count('DuckDB', 'memory_operations')).toBe(count('PostgreSQL', 'memory operations'));
    expect(count('Qdrant', 'memory_embeddings')).toBeGreaterThan(0);
    expect(count('Redis', `keys under ${prefix}`)).toBeGreaterThan(12);
    expect(count('DuckDB', 'system_metrics')).toBe(12 * 144);
    const before = await inspect();

    await runSeed({ ...base, dataLayer: layer });
    const after = await inspect();
    expect(after.counts).toEqual(before.counts);
    expect(after.checksum).toBe(before.checksum);

    // Nothing drifted between the stores.
    const data = await createDataLayer({ ...layer, relayWorker: false });
    try {
      expect((await data.reconcile()).ok).toBe(true);
      expect((await data.relational.config.get(ENVIRONMENT_KEY))?.value).toBe('development');
    } finally {
      await data.close();
    }
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
    expect(other.counts.find((r) => r.what === 'interactions')!.count).toBe(1_500);
  });

  it('refuses a database that is not ours or not marked as development, writing nothing', async () => {
    const foreign = await createTestDatabase({ label: 'seed_foreign', migrated: false });
    try {
      const error = await runSeed({
        ...base,
        dataLayer: { ...layer, config: { ...layer.config, databaseUrl: foreign.url } },
      }).catch((e) => e);
      expect(error).toBeInstanceOf(SeedError);
      expect(error.code).toBe('NOT_OURS');
      expect(error.message).toContain('pnpm db:deploy');
    } finally {
      await foreign.drop();
    }
    const data = await createDataLayer({ ...layer, relayWorker: false });
    const interactions = async () =>
      Number((await data.relational.pool.query('select count(*) n from character_interactions')).rows[0].n);
    try {
      const current = await data.relational.config.get(ENVIRONMENT_KEY);
      await data.relational.config.set(ENVIRONMENT_KEY, 'production', current!.version);
      const n = await interactions();
      await expect(runSeed({ ...base, seed: 9, dataLayer: layer })).rejects.toMatchObject({
        code: 'NOT_DEVELOPMENT',
      });
      expect(await interactions()).toBe(n);
      const marker = await data.relational.config.get(ENVIRONMENT_KEY);
      await data.relational.config.set(ENVIRONMENT_KEY, 'development', marker!.version);
    } finally {
      await data.close();
    }
  });

  it('says which store is missing and how to start it', async () => {
    const error = await runSeed({
      ...base,
      dataLayer: { ...layer, config: { ...layer.config, redisUrl: 'redis://127.0.0.1:1' } },
    }).catch((e) => e);
    expect(error).toBeInstanceOf(SeedError);
    expect(error.message).toMatch(/Redis at 127\.0\.0\.1:1 is not reachable.*scripts\/services up/);
  });
});
