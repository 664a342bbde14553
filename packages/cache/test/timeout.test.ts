// A Redis that accepts commands but does not answer (a private server stopped with SIGSTOP): every
// command still ends, reads as a miss or a TimeoutError, without waiting for a reconnection.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cache, createCache, TimeoutError } from '../src/index.js';
import { questFixture } from './helpers.js';
import { privateRedis } from './private-server.js';

const quest = (id: string) => questFixture(id);

let server: Awaited<ReturnType<typeof privateRedis>>;
let cache: Cache;

beforeAll(async () => {
  server = await privateRedis('timeout');
  cache = createCache({ redis: server.url, prefix: 'timeout:', connection: { commandTimeoutMs: 200 } });
});
afterAll(async () => {
  server?.thaw();
  await cache?.close().catch(() => {});
  server?.kill();
});

describe('when Redis does not answer', () => {
  it('fails commands after the command timeout: reads are misses, sessions throw TimeoutError, getOrSet loads', async () => {
    const quests = cache.policies.quest_data;
    await quests.set({ questId: 'q' }, quest('q'));
    expect(await quests.get({ questId: 'q' })).toBeDefined();
    await cache.sessions.agents.start('sage', { status: 'active' });

    server.freeze();
    const errorsBefore = quests.local.redisErrors;
    expect(await quests.get({ questId: 'q' })).toBeUndefined();
    expect(quests.local.redisErrors).toBe(errorsBefore + 1);
    await expect(cache.sessions.agents.get('sage')).rejects.toBeInstanceOf(TimeoutError);
    const loaded = await quests.getOrSet({ questId: 'q' }, async () => quest('loaded'));
    expect(loaded.id).toBe('loaded');

    server.thaw();
    // The connection stayed up: the next commands are answered again.
    expect(await quests.get({ questId: 'q' })).toEqual(quest('q'));
    expect((await cache.sessions.agents.get('sage'))?.status).toBe('active');
  });
});

describe('when this process stalls', () => {
  it('does not fail commands whose answers arrived while its event loop was blocked', async () => {
    const quests = cache.policies.quest_data;
    await quests.set({ questId: 'stall' }, quest('stall'));
    const before = cache.sessions.agents.get('sage');
    // Longer than the 200 ms timeout: the sweeper runs only after this, with Redis's answers unread.
    const until = performance.now() + 500;
    while (performance.now() < until) {}
    // Sent after the stall, before any sweep ran.
    const after = quests.get({ questId: 'stall' });
    const errorsBefore = quests.local.redisErrors;
    expect((await before)?.status).toBe('active');
    expect(await after).toEqual(quest('stall'));
    expect(quests.local.redisErrors).toBe(errorsBefore);
  });
});
