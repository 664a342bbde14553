// data.close() against real stores: work in flight finishes before the connections close, work
// started after is refused with a typed error, and a store that fails to close leaves no other open.
import { randomUUID } from 'node:crypto';
import { createCache } from '@monsteros/cache';
import { createTestDatabase, type TestDatabase } from '@monsteros/schema/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataLayer, createVectorsPort, loadConfig } from '../src/index.js';
import { LOCAL_VECTORS_DOC, type PublishedVectorsStats } from '../src/metrics/index.js';
import { createWorld, type World } from './fixtures/world.js';

let world: World;
beforeAll(async () => {
  world = await createWorld('flows_close', { relayWorker: false });
});
afterAll(() => world?.close());

describe('data.close()', () => {
  it('waits for a bulk import and a memory ingest in flight, then refuses new work as UNAVAILABLE', async () => {
    const { data, users } = world;
    const rows = Array.from({ length: 3_000 }, (_, i) => ({
      id: randomUUID(),
      character: 'sage',
      userId: users[0]!,
      message: `question ${i}`,
      response: `answer ${i}`,
      responseTimeMs: 10,
      createdAt: new Date(),
    }));
    const imported = data.bulk.interactions(rows);
    const ingested = data.memory!.ingest({
      character: 'sage',
      passages: [{ text: 'Ada taught Alan.', triples: [['Ada', 'taught', 'Alan']] }],
    });
    const closed = data.close();
    expect(await imported).toMatchObject({ inserted: 3_000 });
    expect((await ingested).entities.inserted).toBe(2);
    await closed;
    await expect(data.bulk.interactions(rows)).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: 'bulk.interactions: the data layer is closing',
    });
    await expect(
      data.flows.characterInteraction({ userId: users[0]!, character: 'sage', message: 'Hi' }),
    ).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await expect(data.reconcile()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});

describe('data.close() with a store that fails to close', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ label: 'flows_close_failing' });
  });
  afterAll(() => db?.drop());

  it('closes the other stores and then throws the failure', async () => {
    const real = await createVectorsPort(loadConfig({}, { localVectorsPath: ':memory:' }));
    const data = await createDataLayer({
      env: {},
      relayWorker: false,
      analytics: false,
      config: { databaseUrl: db.url, keyPrefix: `mos-test-${randomUUID().slice(0, 8)}:` },
      vectors: {
        ...real,
        close: async () => {
          await real.close();
          throw new Error('vector store close failed (test)');
        },
      },
    });
    await data.relational.pool.query('select 1');
    await expect(data.close()).rejects.toThrow('vector store close failed (test)');
    expect(data.relational.pool.ended).toBe(true);
    // The Redis client reaches 'end' when its socket closes, just after QUIT is answered.
    for (let i = 0; i < 100 && data.cache.redis.status !== 'end'; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(data.cache.redis.status).toBe('end');
  });
});

describe('data.close() on the embedded vector engine', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ label: 'flows_close_publish' });
  });
  afterAll(() => db?.drop());

  it('publishes the vector figures the app ends with, for monitors in other processes', async () => {
    const keyPrefix = `mos-test-${randomUUID().slice(0, 8)}:`;
    const data = await createDataLayer({
      env: {},
      relayWorker: false,
      analytics: false,
      config: { databaseUrl: db.url, keyPrefix, localVectorsPath: ':memory:' },
    });
    const points = async () =>
      (await data.vectors.store!.stats()).collections.reduce((n, c) => n + c.points, 0);
    // Published at start, when the collections are empty.
    expect(await points()).toBe(0);
    await data.memory!.ingest({
      character: 'sage',
      passages: [{ text: 'Ada taught Alan.', triples: [['Ada', 'taught', 'Alan']] }],
    });
    const atClose = await points();
    expect(atClose).toBeGreaterThan(0);
    await data.close();

    const reader = createCache({
      redis: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      prefix: keyPrefix,
    });
    try {
      const published = await reader.realtime.published(LOCAL_VECTORS_DOC);
      const doc = published?.doc as PublishedVectorsStats | undefined;
      expect(doc?.collections.reduce((n, c) => n + c.points, 0)).toBe(atClose);
    } finally {
      await reader.close();
    }
  });
});
