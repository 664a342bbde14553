// Graceful degradation with real processes: Redis or the Qdrant server killed mid-way, then
// restarted; PostgreSQL unreachable. Interactions keep working, their effects arrive after the
// restart through the outbox, and no event is lost.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDataLayer, FlowError } from '../src/index.js';
import { eventually, freePort, PrivateQdrant, PrivateRedis } from './fixtures/processes.js';
import { createWorld, type World } from './fixtures/world.js';

// Retries every 300 ms at most, and enough of them to outlast a server restart under load (eight
// used to park the event before a loaded machine had restarted the Qdrant server).
const fast = {
  relay: { idleMs: 50, baseDelayMs: 50, maxDelayMs: 300, maxAttempts: 1_000 },
  sideEffectGraceMs: 100,
};
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

describe('degradation', () => {
  it('starts with the Qdrant server unreachable, degrades, and provisions and stores the embeddings once it answers', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mos-flows-qdrant-late-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const qdrant = new PrivateQdrant(await freePort(), dir);
    // Nothing listens on the port yet: createDataLayer used to refuse to start.
    const world: World = await createWorld('flows_qdrant_late', {
      ...fast,
      config: { qdrantUrl: qdrant.url },
    });
    cleanups.push(() => world.close());
    const { data, users } = world;
    const early = await data.flows.characterInteraction({
      userId: users[0]!,
      character: 'sage',
      message: 'What is a heap?',
    });
    expect(early.partial).toBe(true);

    await qdrant.start();
    cleanups.push(() => qdrant.stop());
    await eventually(
      () => data.relational.outbox.backlog(),
      (b) => b.pending === 0,
      60_000,
    );
    expect((await data.vectors.storedInteractionIds()).has(early.interactionId)).toBe(true);
    expect((await data.relational.outbox.backlog()).parked).toBe(0);
  });

  it('keeps answering with Redis down, and applies the Redis effects once it is back', async () => {
    const redis = new PrivateRedis(await freePort());
    await redis.start();
    cleanups.push(() => redis.stop());
    const world: World = await createWorld('flows_redis_down', { ...fast, config: { redisUrl: redis.url } });
    cleanups.push(() => world.close());
    const { data, users } = world;

    await redis.stop();
    const result = await data.flows.characterInteraction({
      userId: users[0]!,
      character: 'sage',
      message: 'Explain binary search',
    });
    expect(result.partial).toBe(true);
    const outcome = Object.fromEntries(result.timings.map((t) => [t.step, t.outcome]));
    expect(outcome).toMatchObject({
      'session context': 'degraded',
      'cache response and session': 'degraded',
      'record interaction': 'ok',
      'store memory': 'ok',
    });
    expect((await data.relational.outbox.backlog()).pending).toBe(1);

    await redis.start();
    await eventually(
      () => data.relational.outbox.backlog(),
      (b) => b.pending === 0,
    );
    expect(await data.cache.sessions.users.get(users[0]!)).toMatchObject({ activeCharacter: 'sage' });
    expect((await data.relational.outbox.backlog()).parked).toBe(0);
  });

  it('answers without memories with the Qdrant server down, and stores the embeddings after its restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mos-flows-qdrant-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const qdrant = new PrivateQdrant(await freePort(), dir);
    await qdrant.start();
    cleanups.push(() => qdrant.stop());
    const world: World = await createWorld('flows_qdrant_down', {
      ...fast,
      config: { qdrantUrl: qdrant.url },
    });
    cleanups.push(() => world.close());
    const { data, users } = world;
    const first = await data.flows.characterInteraction({
      userId: users[0]!,
      character: 'sage',
      message: 'Explain binary search trees',
    });
    expect(first.partial).toBe(false);

    await qdrant.stop();
    const down = await data.flows.characterInteraction({
      userId: users[1]!,
      character: 'sage',
      message: 'Explain binary search trees please',
    });
    expect(down.partial).toBe(true);
    expect(down.memories).toEqual([]);
    const outcome = Object.fromEntries(down.timings.map((t) => [t.step, t.outcome]));
    expect(outcome).toMatchObject({
      'recall memories': 'degraded',
      'store memory': 'degraded',
      'record interaction': 'ok',
    });
    expect((await data.relational.outbox.backlog()).pending).toBe(1);

    await qdrant.start();
    await eventually(
      () => data.relational.outbox.backlog(),
      (b) => b.pending === 0,
    );
    const stored = await data.vectors.storedInteractionIds();
    expect(stored.has(first.interactionId) && stored.has(down.interactionId)).toBe(true);
    expect((await data.relational.outbox.backlog()).parked).toBe(0);
  });

  it('fails with a typed unavailable error and writes nowhere when PostgreSQL is unreachable', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mos-flows-pg-down-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const prefix = `mos-pgdown-${process.pid}:`;
    const data = await createDataLayer({
      env: {},
      relayWorker: false,
      config: {
        databaseUrl: `postgresql://postgres@127.0.0.1:${await freePort()}/monsteros`,
        keyPrefix: prefix,
        localVectorsPath: ':memory:',
        duckdbPath: join(dir, 'a.duckdb'),
      },
    });
    cleanups.push(() => data.close());
    const error = await data.flows
      .characterInteraction({
        userId: '00000000-0000-4000-8000-000000000001',
        character: 'sage',
        message: 'hello',
      })
      .catch((e) => e);
    expect(error).toBeInstanceOf(FlowError);
    expect(error.code).toBe('UNAVAILABLE');
    // Nothing of the interaction anywhere; the real-time metrics (`rtm:`, observability every
    // process writes, the failure included) are not data.
    const redisKeys = await (data.cache.redis as import('ioredis').Redis).keys(`${prefix}*`);
    expect(redisKeys.filter((key) => !key.startsWith(`${prefix}rtm:`))).toEqual([]);
    expect((await data.vectors.storedInteractionIds()).size).toBe(0);
    expect((await data.health()).stores.postgres.ok).toBe(false);
  });
});
