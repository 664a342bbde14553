import type { LearningPreferences, QuestDefinition } from '@monsteros/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CachedMemorySearch, createCache, hashTagOf } from '../src/index.js';
import { deferred, eventually, questFixture, REDIS_URL, testCache, validationError } from './helpers.js';

const quest = (id: string, extra: Partial<QuestDefinition> = {}): QuestDefinition =>
  questFixture(id, {
    quest_name: `quest ${id}`,
    learning_objectives: ['read'],
    character_mentors: ['sage'],
    created_at: new Date('2025-01-02T03:04:05.678Z'),
    ...extra,
  });
const search = (character: string, content: string): CachedMemorySearch => ({
  character,
  results: [{ passage: { id: content, character_context: character, content }, score: 0.5 }],
});

let t: ReturnType<typeof testCache>;
beforeAll(() => {
  t = testCache('policies', {
    policies: {
      character_responses: { maxSize: 3 },
      memory_search_results: { maxSize: 3 },
      quest_data: { maxSize: 3 },
    },
  });
});
afterAll(async () => {
  await t.cleanup();
});

async function entryKeys(pattern: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await t.raw.scan(cursor, 'MATCH', `${t.prefix}${pattern}`, 'COUNT', 1000);
    cursor = next;
    found.push(...keys.filter((k) => !k.includes(':~')));
  } while (cursor !== '0');
  return found;
}

describe('eviction per namespace', () => {
  it('evicts the least recently used entry when an LRU namespace is full', async () => {
    const responses = t.cache.policies.character_responses;
    const value = (r: string) => ({
      character_id: 'c',
      response: r,
      response_time_ms: 10,
      request_hash: null,
      created_at: new Date(),
    });
    await responses.set({ character: 'lru', hash: 'a' }, value('a'));
    await responses.set({ character: 'lru', hash: 'b' }, value('b'));
    await responses.set({ character: 'lru', hash: 'c' }, value('c'));
    expect((await responses.get({ character: 'lru', hash: 'a' }))?.response).toBe('a');
    await responses.set({ character: 'lru', hash: 'd' }, value('d'));
    expect(await responses.get({ character: 'lru', hash: 'b' })).toBeUndefined();
    for (const h of ['a', 'c', 'd'])
      expect((await responses.get({ character: 'lru', hash: h }))?.response).toBe(h);
    // Now c is the least recently used (a, c, d were read in that order after d's write).
    await responses.get({ character: 'lru', hash: 'a' });
    await responses.get({ character: 'lru', hash: 'd' });
    await responses.set({ character: 'lru', hash: 'e' }, value('e'));
    expect(await responses.get({ character: 'lru', hash: 'c' })).toBeUndefined();
    expect((await entryKeys('{cache:response}:*')).length).toBe(3);
    const stats = await t.cache.stats();
    expect(stats.namespaces.character_responses.evictions).toBe(2);
    expect(stats.namespaces.character_responses.keys).toBe(3);
  });

  it('evicts the least frequently used entry when an LFU namespace is full', async () => {
    const memory = t.cache.policies.memory_search_results;
    for (const q of ['a', 'b', 'c']) await memory.set({ queryHash: `lfu-${q}` }, search('sage', q));
    // Uses: a = 1 write + 3 reads, b = 1 + 1, c = 1.
    for (let i = 0; i < 3; i++) await memory.get({ queryHash: 'lfu-a' });
    await memory.get({ queryHash: 'lfu-b' });
    await memory.set({ queryHash: 'lfu-d' }, search('sage', 'd'));
    expect(await memory.get({ queryHash: 'lfu-c' })).toBeUndefined();
    // Uses now: a 4, b 2, d 1; one more read of b, then e's write must evict d.
    await memory.get({ queryHash: 'lfu-b' });
    await memory.set({ queryHash: 'lfu-e' }, search('sage', 'e'));
    expect(await memory.get({ queryHash: 'lfu-d' })).toBeUndefined();
    expect((await memory.get({ queryHash: 'lfu-a' }))?.results[0]?.passage.content).toBe('a');
    expect((await memory.get({ queryHash: 'lfu-b' }))?.results[0]?.passage.content).toBe('b');
    expect((await memory.get({ queryHash: 'lfu-e' }))?.results[0]?.passage.content).toBe('e');
  });

  it('evicts the entry closest to expiry when a TTL-only namespace is full', async () => {
    const quests = t.cache.policies.quest_data;
    await quests.set({ questId: 'ttl-a' }, quest('ttl-a'), { ttlSeconds: 100 });
    await quests.set({ questId: 'ttl-b' }, quest('ttl-b'), { ttlSeconds: 10 });
    await quests.set({ questId: 'ttl-c' }, quest('ttl-c'), { ttlSeconds: 50 });
    // Reads do not matter for TTL-only: b is read but still goes first.
    await quests.get({ questId: 'ttl-b' });
    await quests.set({ questId: 'ttl-d' }, quest('ttl-d'), { ttlSeconds: 100 });
    expect(await quests.get({ questId: 'ttl-b' })).toBeUndefined();
    for (const id of ['ttl-a', 'ttl-c', 'ttl-d']) expect((await quests.get({ questId: id }))?.id).toBe(id);
  });

  it('never evicts the entry being written, even when its score is the lowest', async () => {
    const quests = t.cache.policies.quest_data;
    await quests.clear();
    for (const id of ['low-a', 'low-b', 'low-c'])
      await quests.set({ questId: id }, quest(id), { ttlSeconds: 100 });
    // The new entry expires first of all four: the victim is still one of the others (closest to expiry).
    await quests.set({ questId: 'low-b' }, quest('low-b'), { ttlSeconds: 50 });
    await quests.set({ questId: 'low-d' }, quest('low-d'), { ttlSeconds: 10 });
    expect((await quests.get({ questId: 'low-d' }))?.id).toBe('low-d');
    expect(await quests.get({ questId: 'low-b' })).toBeUndefined();
    const stats = (await t.cache.stats()).namespaces.quest_data;
    expect(stats.keys).toBe(3);
  });

  it('drops expired entries of a full namespace before evicting a live one', async () => {
    const memory = t.cache.policies.memory_search_results;
    await memory.clear();
    const before = (await t.cache.stats()).namespaces.memory_search_results;
    await memory.set({ queryHash: 'exp-a' }, search('sage', 'a'));
    await memory.set({ queryHash: 'exp-b' }, search('sage', 'b'));
    await memory.set({ queryHash: 'exp-short' }, search('sage', 's'), { ttlSeconds: 0.05 });
    await eventually(
      async () => (await t.raw.exists(memory.keyOf({ queryHash: 'exp-short' }))) === 0,
      5_000,
      'expiry',
    );
    // Full (3 indexed, one of them expired): the write drops the expired member, evicts nothing.
    await memory.set({ queryHash: 'exp-c' }, search('sage', 'c'));
    for (const q of ['exp-a', 'exp-b', 'exp-c']) expect(await memory.get({ queryHash: q })).toBeDefined();
    const after = (await t.cache.stats()).namespaces.memory_search_results;
    expect(after.evictions - before.evictions).toBe(0);
    expect(after.expired - before.expired).toBe(1);
    expect(after.keys).toBe(3);
  });

  it('evicts by recency recorded inline when readTracking is inline (exact across processes)', async () => {
    const policies = { character_responses: { maxSize: 2, readTracking: 'inline' as const } };
    const { cache, cleanup, prefix } = testCache('inline', { policies });
    const other = createCache({ redis: REDIS_URL, prefix, policies });
    try {
      const value = {
        character_id: 'c',
        response: 'r',
        response_time_ms: 1,
        request_hash: null,
        created_at: new Date(),
      };
      await cache.policies.character_responses.set({ character: 'i', hash: 'a' }, value);
      await cache.policies.character_responses.set({ character: 'i', hash: 'b' }, value);
      // The read happens in this process; the write that evicts comes from another one.
      await cache.policies.character_responses.get({ character: 'i', hash: 'a' });
      await other.policies.character_responses.set({ character: 'i', hash: 'c' }, value);
      expect(await cache.policies.character_responses.get({ character: 'i', hash: 'b' })).toBeUndefined();
      expect(await cache.policies.character_responses.get({ character: 'i', hash: 'a' })).toBeDefined();
    } finally {
      await other.close();
      await cleanup();
    }
  });

  it('sends batched reads to Redis within readFlushMs, without waiting for a write', async () => {
    const { cache, raw, cleanup, prefix } = testCache('flush', {
      policies: { quest_data: { readFlushMs: 20 } },
    });
    try {
      await cache.policies.quest_data.set({ questId: 'f' }, quest('f'));
      await cache.policies.quest_data.get({ questId: 'f' });
      await cache.policies.quest_data.get({ questId: 'nope' });
      // The hit and the miss may leave in two flushes (a slow machine can pass readFlushMs between
      // the two gets): both must arrive, with no write to carry them.
      await eventually(
        async () => {
          const [hits, misses] = await raw.hmget(`${prefix}{cache:quest}:~stats`, 'hits', 'misses');
          return hits === '1' && misses === '1';
        },
        5_000,
        'flush',
      );
    } finally {
      await cleanup();
    }
  });

  it('keeps a namespace within its max size under concurrent writers', async () => {
    const { cache, cleanup, raw, prefix } = testCache('maxsize', {
      policies: { quest_data: { maxSize: 10 } },
    });
    try {
      await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          cache.policies.quest_data.set({ questId: `q${i}` }, quest(`q${i}`)),
        ),
      );
      const [, keys] = await raw.scan('0', 'MATCH', `${prefix}{cache:quest}:q*`, 'COUNT', 10_000);
      expect(keys.length).toBe(10);
      expect((await cache.stats()).namespaces.quest_data.evictions).toBe(50);
    } finally {
      await cleanup();
    }
  });

  it('expires entries after a short TTL and drops them from the index', async () => {
    const quests = t.cache.policies.quest_data;
    await quests.clear();
    expect(await quests.set({ questId: 'short' }, quest('short'), { ttlSeconds: 0.15 })).toBe(true);
    // Indexed (a read here could already miss if this process stalled for the 150 ms).
    expect(await t.raw.zscore(`${t.prefix}{cache:quest}:~idx`, 'short')).not.toBeNull();
    await eventually(async () => (await quests.get({ questId: 'short' })) === undefined, 5_000, 'expiry');
    expect((await t.cache.stats()).namespaces.quest_data.keys).toBe(0);
  });
});

describe('getOrSet', () => {
  it('runs the loader once for concurrent misses in one process', async () => {
    let calls = 0;
    const gate = deferred();
    const loader = async () => {
      calls++;
      await gate.promise;
      return quest('once');
    };
    const all = Promise.all(
      Array.from({ length: 20 }, () => t.cache.policies.quest_data.getOrSet({ questId: 'once' }, loader)),
    );
    gate.resolve();
    const values = await all;
    expect(calls).toBe(1);
    expect(values.every((v) => v.id === 'once')).toBe(true);
    expect((await t.cache.policies.quest_data.get({ questId: 'once' }))?.id).toBe('once');
  });

  it('runs the loader once across processes through the Redis lease', async () => {
    // A second cache with its own connection and its own in-process state: another process, as
    // far as the cache can tell.
    const second = createCache({ redis: REDIS_URL, prefix: t.prefix });
    try {
      let calls = 0;
      const started = deferred();
      const gate = deferred();
      const loader = async () => {
        calls++;
        started.resolve();
        await gate.promise;
        return quest('shared');
      };
      const first = t.cache.policies.quest_data.getOrSet({ questId: 'shared' }, loader);
      await started.promise;
      const waiting = second.policies.quest_data.getOrSet({ questId: 'shared' }, loader);
      await eventually(() => second.policies.quest_data.local.leaseWaits === 1, 5_000, 'lease wait');
      gate.resolve();
      expect((await first).id).toBe('shared');
      expect((await waiting).id).toBe('shared');
      expect(calls).toBe(1);
    } finally {
      await second.close();
    }
  });

  it('serves a stale value while one background refresh loads the new one', async () => {
    const quests = t.cache.policies.quest_data;
    const key = { questId: 'swr' };
    await quests.getOrSet(key, async () => quest('swr', { quest_name: 'v1' }), {
      ttlSeconds: 0.1,
      staleWhileRevalidateSeconds: 30,
    });
    await eventually(async () => (await t.raw.pttl(quests.keyOf(key))) <= 30_000, 5_000, 'staleness');
    let refreshes = 0;
    const refreshed = deferred();
    const v = await quests.getOrSet(
      key,
      async () => {
        refreshes++;
        refreshed.resolve();
        return quest('swr', { quest_name: 'v2' });
      },
      { ttlSeconds: 0.1, staleWhileRevalidateSeconds: 30 },
    );
    expect(v.quest_name).toBe('v1');
    await refreshed.promise;
    await eventually(async () => (await quests.get(key))?.quest_name === 'v2', 5_000, 'refresh');
    expect(refreshes).toBe(1);
    expect(quests.local.staleServed).toBeGreaterThanOrEqual(1);
  });

  it('propagates loader errors, releases the lease, and caches nothing', async () => {
    const quests = t.cache.policies.quest_data;
    await expect(
      quests.getOrSet({ questId: 'boom' }, async () => Promise.reject(new Error('source down'))),
    ).rejects.toThrow('source down');
    expect(await t.raw.exists(`${t.prefix}{cache:quest}:~lease:boom`)).toBe(0);
    expect((await quests.getOrSet({ questId: 'boom' }, async () => quest('boom'))).id).toBe('boom');
  });
});

describe('invalidation', () => {
  it('invalidates one key, and a loader that started before does not write its old value back', async () => {
    const quests = t.cache.policies.quest_data;
    await quests.set({ questId: 'inv' }, quest('inv', { quest_name: 'old' }));
    expect(await quests.delete({ questId: 'inv' })).toBe(true);
    expect(await quests.get({ questId: 'inv' })).toBeUndefined();

    const started = deferred();
    const gate = deferred();
    const loading = quests.getOrSet({ questId: 'inv' }, async () => {
      started.resolve();
      await gate.promise;
      return quest('inv', { quest_name: 'read before the invalidation' });
    });
    await started.promise;
    await quests.delete({ questId: 'inv' });
    gate.resolve();
    expect((await loading).quest_name).toBe('read before the invalidation');
    expect(await quests.get({ questId: 'inv' })).toBeUndefined();
  });

  it('invalidates by tag every cached memory search of one character, in every namespace', async () => {
    const memory = t.cache.policies.memory_search_results;
    await memory.clear();
    await memory.set({ queryHash: 'tag-1' }, search('sage', '1'), { tags: ['character:sage'] });
    await memory.set({ queryHash: 'tag-2' }, search('sage', '2'), { tags: ['character:sage', 'topic:x'] });
    await memory.set({ queryHash: 'tag-3' }, search('echo', '3'), { tags: ['character:echo'] });
    expect(await t.cache.invalidateTag('character:sage')).toBe(2);
    expect(await memory.get({ queryHash: 'tag-1' })).toBeUndefined();
    expect(await memory.get({ queryHash: 'tag-2' })).toBeUndefined();
    expect((await memory.get({ queryHash: 'tag-3' }))?.character).toBe('echo');
    // tag-2's other tag no longer lists it.
    expect(await t.raw.scard(`${t.prefix}{cache:memory}:~tag:topic%3Ax`)).toBe(0);
  });

  it('clears one namespace and leaves the others alone', async () => {
    const responses = t.cache.policies.character_responses;
    const quests = t.cache.policies.quest_data;
    await quests.clear();
    await quests.set({ questId: 'keep' }, quest('keep'));
    await responses.set(
      { character: 'clear', hash: 'x' },
      { character_id: 'c', response: 'r', response_time_ms: 1, request_hash: null, created_at: new Date() },
    );
    expect(await responses.clear()).toBeGreaterThanOrEqual(1);
    expect(await responses.get({ character: 'clear', hash: 'x' })).toBeUndefined();
    expect((await quests.get({ questId: 'keep' }))?.id).toBe('keep');
  });
});

describe('write-through', () => {
  it('writes the source and then the cache, so a read after the write sees the new value', async () => {
    const prefs = t.cache.policies.user_preferences;
    const source = new Map<string, LearningPreferences>([['u1', { pace: 'slow' }]]);
    const load = async () => source.get('u1')!;
    expect((await prefs.getOrSet({ userId: 'u1' }, load)).pace).toBe('slow');
    await prefs.write({ userId: 'u1' }, { pace: 'fast' }, async (v) => {
      source.set('u1', v);
    });
    expect((await prefs.get({ userId: 'u1' }))?.pace).toBe('fast');
    expect((await prefs.getOrSet({ userId: 'u1' }, load)).pace).toBe('fast');
  });

  it('does not let a loader that read the source before the write overwrite the new value', async () => {
    const prefs = t.cache.policies.user_preferences;
    const source = new Map<string, LearningPreferences>([['u2', { pace: 'slow' }]]);
    const started = deferred();
    const gate = deferred();
    const loading = prefs.getOrSet({ userId: 'u2' }, async () => {
      const old = source.get('u2')!;
      started.resolve();
      await gate.promise;
      return old;
    });
    await started.promise;
    await prefs.write({ userId: 'u2' }, { pace: 'steady' }, async (v) => {
      source.set('u2', v);
    });
    gate.resolve();
    await loading;
    expect((await prefs.get({ userId: 'u2' }))?.pace).toBe('steady');
  });

  it('leaves the cache untouched when the source write fails', async () => {
    const prefs = t.cache.policies.user_preferences;
    await prefs.set({ userId: 'u3' }, { pace: 'slow' });
    await expect(
      prefs.write({ userId: 'u3' }, { pace: 'fast' }, async () => Promise.reject(new Error('constraint'))),
    ).rejects.toThrow('constraint');
    expect((await prefs.get({ userId: 'u3' }))?.pace).toBe('slow');
  });
});

describe('serialization', () => {
  it('keeps Dates (JSON with dates by default) and compresses values above the threshold', async () => {
    const quests = t.cache.policies.quest_data;
    const big = quest('big', { quest_content: { chapters: [], description: 'long text '.repeat(1000) } });
    await quests.set({ questId: 'big' }, big);
    const bytes = (await t.raw.getBuffer(quests.keyOf({ questId: 'big' })))!;
    expect(bytes[0]).toBe(0xca);
    expect(bytes[1]).toBe(0x83); // JSON with dates, deflated
    expect(bytes.length).toBeLessThan(2000);
    const back = await quests.get({ questId: 'big' });
    expect(back).toEqual(big);
    expect(back?.created_at).toBeInstanceOf(Date);
  });

  it('keeps Dates with msgpack when the namespace is configured for msgpack', async () => {
    const { cache, raw, cleanup } = testCache('msgpack', { policies: { quest_data: { format: 'msgpack' } } });
    try {
      const quests = cache.policies.quest_data;
      const big = quest('big', { quest_content: { chapters: [], description: 'long text '.repeat(1000) } });
      await quests.set({ questId: 'big' }, big);
      const bytes = (await raw.getBuffer(quests.keyOf({ questId: 'big' })))!;
      expect(bytes[1]).toBe(0x81); // msgpack, deflated
      const back = await quests.get({ questId: 'big' });
      expect(back).toEqual(big);
      expect(back?.created_at).toBeInstanceOf(Date);
    } finally {
      await cleanup();
    }
  });

  it('writes JSON with its format byte when the namespace is configured for JSON', async () => {
    const { cache, raw, cleanup } = testCache('json', { policies: { user_preferences: { format: 'json' } } });
    try {
      await cache.policies.user_preferences.set({ userId: 'j' }, { pace: 'fast', session_minutes: 20 });
      const bytes = (await raw.getBuffer(cache.policies.user_preferences.keyOf({ userId: 'j' })))!;
      expect(bytes[1]).toBe(0x02);
      expect(JSON.parse(bytes.subarray(2).toString())).toEqual({ pace: 'fast', session_minutes: 20 });
      expect(await cache.policies.user_preferences.get({ userId: 'j' })).toEqual({
        pace: 'fast',
        session_minutes: 20,
      });
    } finally {
      await cleanup();
    }
  });

  it('treats corrupt bytes written by someone else as a miss and deletes them', async () => {
    const quests = t.cache.policies.quest_data;
    const key = quests.keyOf({ questId: 'corrupt' });
    await t.raw.set(key, Buffer.from([0xca, 0x01, 0xc1, 0xff, 0x00]));
    expect(await quests.get({ questId: 'corrupt' })).toBeUndefined();
    await eventually(async () => (await t.raw.exists(key)) === 0, 5_000, 'corrupt value deleted');
    await t.raw.set(key, 'plain text from another app');
    expect((await quests.getOrSet({ questId: 'corrupt' }, async () => quest('corrupt'))).id).toBe('corrupt');
    expect((await quests.get({ questId: 'corrupt' }))?.id).toBe('corrupt');
    expect(quests.local.corrupt).toBe(2);
  });
});

describe('bad input', () => {
  it('rejects a negative or zero TTL, naming the field', async () => {
    const e = await validationError(() =>
      t.cache.policies.quest_data.set({ questId: 'x' }, quest('x'), { ttlSeconds: -1 }),
    );
    expect(e.field).toBe('ttlSeconds');
    expect(e.code).toBe('VALIDATION');
    const e2 = await validationError(() =>
      createCache({ prefix: 'x:', policies: { quest_data: { ttlSeconds: 0 } } }),
    );
    expect(e2.field).toBe('policies.quest_data.ttlSeconds');
  });

  it('rejects a zero max size and an unknown namespace', async () => {
    const e = await validationError(() =>
      createCache({ prefix: 'x:', policies: { memory_search_results: { maxSize: 0 } } }),
    );
    expect(e.field).toBe('policies.memory_search_results.maxSize');
    expect(e.rule).toMatch(/at least 1/);
    const e2 = await validationError(() =>
      createCache({ prefix: 'x:', policies: { sessions_cache: {} } as never }),
    );
    expect(e2.field).toBe('policies.sessions_cache');
    const e3 = await validationError(() => t.cache.policy('nope' as never));
    expect(e3.rule).toMatch(/unknown namespace/);
  });

  it('rejects values that cannot be serialized, before writing anything', async () => {
    const quests = t.cache.policies.quest_data;
    const circular: Record<string, unknown> = { id: 'c' };
    circular.self = circular;
    for (const bad of [
      circular,
      { id: 'f', fn: () => 1 },
      { id: 'm', map: new Map() },
      { id: 's', s: Symbol('x') },
    ]) {
      const e = await validationError(() => quests.set({ questId: 'unserializable' }, bad as never));
      expect(e.field.startsWith('value')).toBe(true);
    }
    expect(await t.raw.exists(quests.keyOf({ questId: 'unserializable' }))).toBe(0);
  });

  it('escapes key parts so no input reaches another key or hash slot', async () => {
    const responses = t.cache.policies.character_responses;
    const a = responses.keyOf({ character: 'a:b', hash: 'c' });
    const b = responses.keyOf({ character: 'a', hash: 'b:c' });
    expect(a).not.toBe(b);
    const hostile = responses.keyOf({ character: '}{x}', hash: '~idx' });
    for (const k of [a, b, hostile]) expect(hashTagOf(k)).toBe('cache:response');
    expect(hostile).toBe(`${t.prefix}{cache:response}:%7D%7Bx%7D:%7Eidx`);
    const e = await validationError(() => responses.get({ character: '', hash: 'x' }));
    expect(e.field).toBe('key.character');
    const e2 = await validationError(() => responses.get({ character: 'x' } as never));
    expect(e2.field).toBe('key.hash');
  });
});

describe('stats and health', () => {
  it('reports hits, misses, hit rate, key counts, memory and round trip', async () => {
    const { cache, cleanup } = testCache('stats');
    try {
      const quests = cache.policies.quest_data;
      await quests.set({ questId: 's1' }, quest('s1'));
      await quests.get({ questId: 's1' });
      await quests.get({ questId: 's1' });
      await quests.get({ questId: 's1' });
      await quests.get({ questId: 'missing' });
      const stats = await cache.stats();
      const q = stats.namespaces.quest_data;
      expect(q).toMatchObject({ keys: 1, maxSize: 100, hits: 3, misses: 1, hitRate: 0.75, sets: 1 });
      expect(stats.namespaces.character_responses.hitRate).toBeNull();
      expect(stats.memory.usedBytes).toBeGreaterThan(0);
      expect(stats.roundTripMs).toBeGreaterThan(0);
      const health = await cache.health();
      expect(health.ok).toBe(true);
      expect(health.status).toBe('ready');
    } finally {
      await cleanup();
    }
  });
});
