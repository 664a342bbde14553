// The near cache (Redis client-side caching): repeated hits skip the network, and nothing it
// holds outlives a write, an eviction, an expiry or a lost connection.
import type { LearningPreferences } from '@monsteros/schema';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CachedCharacterResponse, createCache } from '../src/index.js';
import { eventually, REDIS_URL, testCache } from './helpers.js';
import { privateRedis } from './private-server.js';

const response = (text: string): CachedCharacterResponse => ({
  character_id: '7f1c0a52-3f0e-4c53-9a57-0e5f1d2f6b11',
  response: text,
  response_time_ms: 180,
  request_hash: 'a3f1c2',
  created_at: new Date(1_700_000_000_000),
});

let t: ReturnType<typeof testCache>;
let other: ReturnType<typeof createCache>;
beforeAll(() => {
  t = testCache('near', {
    policies: {
      character_responses: { maxSize: 3, nearCacheEntries: 100 },
      user_preferences: { nearCacheEntries: 100 },
    },
  });
  // A second process: same prefix and policies, no near cache.
  other = createCache({
    redis: REDIS_URL,
    prefix: t.prefix,
    policies: { character_responses: { maxSize: 3 } },
  });
});
afterAll(async () => {
  await other.close();
  await t.cleanup();
});

/** Waits until a repeated read of `key` is served by the near cache (tracking enabled, entry kept). */
async function untilNearHit<K>(
  policy: { get(key: K): Promise<unknown>; local: { nearHits: number } },
  key: K,
): Promise<void> {
  await eventually(
    async () => {
      await policy.get(key);
      const before = policy.local.nearHits;
      await policy.get(key);
      return policy.local.nearHits === before + 1;
    },
    5_000,
    'a near-cache hit',
  );
}

describe('near cache', () => {
  it('serves repeated hits without a round trip and sees this process’s writes at once', async () => {
    const responses = t.cache.policies.character_responses;
    const key = { character: 'sage', hash: 'own' };
    await responses.set(key, response('v1'));
    await untilNearHit(responses, key);
    const served = await responses.get(key);
    expect(served).toEqual(response('v1'));
    expect(served?.created_at).toBeInstanceOf(Date);
    // Each read decodes its own copy: a caller mutating its value cannot change another's.
    (served as CachedCharacterResponse).response = 'mutated';
    expect((await responses.get(key))?.response).toBe('v1');

    await responses.set(key, response('v2'));
    expect((await responses.get(key))?.response).toBe('v2');
    expect(await responses.delete(key)).toBe(true);
    expect(await responses.get(key)).toBeUndefined();

    await responses.set(key, response('tagged'), { tags: ['character:sage'] });
    await responses.get(key);
    await responses.get(key);
    await responses.invalidateTag('character:sage');
    expect(await responses.get(key)).toBeUndefined();

    await responses.set(key, response('v3'));
    await responses.get(key);
    await responses.clear();
    expect(await responses.get(key)).toBeUndefined();
  });

  it('write-through: a read after write() resolves sees the new value', async () => {
    const prefs = t.cache.policies.user_preferences;
    const key = { userId: 'u-near' };
    await prefs.set(key, { pace: 'slow' });
    await untilNearHit(prefs, key);
    const source = new Map<string, LearningPreferences>();
    await prefs.write(key, { pace: 'fast' }, async (v) => {
      source.set('u-near', v);
    });
    expect((await prefs.get(key))?.pace).toBe('fast');
  });

  it('drops an entry another process writes, deletes or evicts', async () => {
    const responses = t.cache.policies.character_responses;
    const theirs = other.policies.character_responses;
    const key = { character: 'sage', hash: 'shared' };
    await responses.clear();
    await theirs.set(key, response('theirs v1'));
    await untilNearHit(responses, key);

    await theirs.set(key, response('theirs v2'));
    await eventually(async () => (await responses.get(key))?.response === 'theirs v2', 5_000, 'their write');

    await t.raw.del(theirs.keyOf(key));
    await eventually(async () => (await responses.get(key)) === undefined, 5_000, 'their delete');

    // Their writes fill the namespace (max size 3) and evict our near-cached entry.
    await theirs.set(key, response('to be evicted'));
    await eventually(async () => (await responses.get(key))?.response === 'to be evicted', 5_000, 'refill');
    // Our reads of it reach Redis now, not by their timer between the fillers (which would make a
    // filler, not this entry, the least recently used).
    await t.cache.stats();
    for (let i = 0; i < 3; i++)
      await theirs.set({ character: 'sage', hash: `filler${i}` }, response(`f${i}`));
    expect(await t.raw.exists(theirs.keyOf(key))).toBe(0);
    await eventually(async () => (await responses.get(key)) === undefined, 5_000, 'their eviction');
  });

  it('drops entries this process’s own writes evict', async () => {
    const responses = t.cache.policies.character_responses;
    await responses.clear();
    const first = { character: 'sage', hash: 'first' };
    await responses.set(first, response('first'));
    await untilNearHit(responses, first);
    // Read more recently than `first`, so `first` is the LRU victim of the fourth entry.
    for (let i = 0; i < 2; i++) await responses.set({ character: 'sage', hash: `n${i}` }, response(`n${i}`));
    await responses.set({ character: 'sage', hash: 'n2' }, response('n2'));
    expect(await responses.get(first)).toBeUndefined();
  });

  it('forgets everything when its connection is killed, and tracks again after reconnecting', async () => {
    const responses = t.cache.policies.character_responses;
    const theirs = other.policies.character_responses;
    const key = { character: 'sage', hash: 'killed' };
    await theirs.set(key, response('before'));
    await untilNearHit(responses, key);
    const id = String(await t.cache.redis.client('ID'));
    const dropped = new Promise((resolve) => t.cache.redis.once('close', resolve));
    await t.raw.client('KILL', 'ID', id);
    await dropped;
    // Written while this process's tracking was gone: no invalidation can reach it.
    await theirs.set(key, response('while reconnecting'));
    const seen: Array<string | undefined> = [];
    await eventually(
      async () => {
        seen.push((await responses.get(key))?.response);
        return seen.at(-1) === 'while reconnecting';
      },
      5_000,
      'reconnect',
    );
    // Misses while Redis was unreachable, never the value from before the connection dropped.
    expect(seen.filter((v) => v !== undefined && v !== 'while reconnecting')).toEqual([]);
    await untilNearHit(responses, key);
    await theirs.set(key, response('after'));
    await eventually(async () => (await responses.get(key))?.response === 'after', 5_000, 'invalidation');
  });

  it('stops serving an entry once its TTL has passed', async () => {
    const responses = t.cache.policies.character_responses;
    const key = { character: 'sage', hash: 'short' };
    await responses.set(key, response('short'), { ttlSeconds: 0.3 });
    await responses.get(key);
    await eventually(async () => (await responses.get(key)) === undefined, 5_000, 'expiry');
  });
});

describe('near cache across a Redis restart', () => {
  it('forgets everything when the connection drops and tracks again after reconnecting', async () => {
    const server = await privateRedis('near-restart');
    const near = createCache({
      redis: server.url,
      prefix: 'near:',
      policies: { character_responses: { nearCacheEntries: 100 } },
      connection: { maxReconnectDelayMs: 100 },
    });
    const writer = new Redis(server.url);
    const writerCache = createCache({ redis: writer, prefix: 'near:' });
    try {
      const responses = near.policies.character_responses;
      const key = { character: 'sage', hash: 'restart' };
      await writerCache.policies.character_responses.set(key, response('before restart'));
      await untilNearHit(responses, key);

      // Restart without persistence: the key is gone, and no invalidation was ever sent for it.
      const dropped = new Promise((resolve) => near.redis.once('close', resolve));
      await server.restart();
      await dropped;
      await eventually(async () => (await near.health()).ok, 10_000, 'reconnection');
      expect(await responses.get(key)).toBeUndefined();

      // Tracking is on again, with the new invalidation connection.
      await eventually(async () => (await writerCache.health()).ok, 10_000, 'writer reconnection');
      await writerCache.policies.character_responses.set(key, response('after restart'));
      expect((await responses.get(key))?.response).toBe('after restart');
      await untilNearHit(responses, key);
      await writerCache.policies.character_responses.set(key, response('after restart v2'));
      await eventually(
        async () => (await responses.get(key))?.response === 'after restart v2',
        5_000,
        'invalidation',
      );
    } finally {
      await near.close().catch(() => {});
      await writerCache.close().catch(() => {});
      writer.disconnect();
      server.kill();
    }
  });
});
