// The spec's pipelines: many characters' states / users' progress in one pipeline round trip,
// validated before anything is sent.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cache, CacheValidationError, createCache } from '../src/index.js';
import { dropPrefix, REDIS_URL, uniquePrefix } from './helpers.js';

let client: Redis;
let cache: Cache;
let prefix: string;
/** Pipelines sent and the commands in each (the client's `pipeline()` wrapped). */
const sent: number[] = [];

beforeAll(() => {
  prefix = uniquePrefix('pipelines');
  client = new Redis(REDIS_URL);
  const pipeline = client.pipeline.bind(client);
  client.pipeline = ((...args: Parameters<Redis['pipeline']>) => {
    const p = pipeline(...args);
    const exec = p.exec.bind(p);
    p.exec = ((...execArgs: Parameters<typeof p.exec>) => {
      sent.push(p.length);
      return exec(...execArgs);
    }) as typeof p.exec;
    return p;
  }) as Redis['pipeline'];
  cache = createCache({ redis: client, prefix });
});
afterAll(async () => {
  await dropPrefix(client, prefix);
  await cache.close();
  client.disconnect();
});

describe('cacheCharacterStates', () => {
  it('writes 50 characters in one pipeline: status, context and merged metrics, 1 h TTL', async () => {
    await cache.sessions.agents.start('c0', { status: 'busy', metrics: { kept: 7 } });
    sent.length = 0;
    const states = Array.from({ length: 50 }, (_, i) => ({
      name: `c${i}`,
      status: 'active' as const,
      currentContext: `ctx ${i}`,
      metrics: { quality: i / 100 },
    }));
    expect(await cache.pipelines.cacheCharacterStates(states)).toEqual({ characters: 50 });
    expect(sent).toEqual([50]);
    const c0 = await cache.sessions.agents.get('c0');
    expect(c0).toMatchObject({ status: 'active', currentContext: 'ctx 0', metrics: { kept: 7, quality: 0 } });
    expect((await cache.sessions.agents.get('c49'))?.metrics.quality).toBe(0.49);
    const ttl = await client.pttl(`${prefix}agent:session:{c49}`);
    expect(ttl).toBeGreaterThan(3_500_000);
  });

  it('refuses a bad entry by its index and field, sending nothing', async () => {
    sent.length = 0;
    const bad = [
      { name: 'ok', status: 'active' as const },
      { name: 'bad', status: 'sleeping' as unknown as 'active' },
    ];
    const error = await cache.pipelines.cacheCharacterStates(bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CacheValidationError);
    expect((error as CacheValidationError).field).toBe('characters[1].status');
    expect(sent).toEqual([]);
    expect(await cache.sessions.agents.get('ok')).toBeNull();
  });
});

describe('updateUserProgress', () => {
  it('writes many users’ progress in one pipeline; a completed quest leaves currentQuest', async () => {
    const [u1, u2, q1, q2] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await cache.sessions.users.start(u1, { activeCharacter: 'sage', sessionData: { a: 1 } });
    sent.length = 0;
    await cache.pipelines.updateUserProgress([
      { userId: u1, questId: q1, progress: 40, completed: false },
      { userId: u1, questId: q2, progress: 100, completed: true },
      { userId: u2, questId: q1, progress: 12.5, completed: false },
    ]);
    expect(sent).toEqual([3]);
    const s1 = await cache.sessions.users.get(u1);
    expect(s1).toMatchObject({
      activeCharacter: 'sage',
      sessionData: { a: 1 },
      currentQuest: null,
      questProgress: { [q1]: 40, [q2]: 100 },
    });
    const s2 = await cache.sessions.users.get(u2);
    expect(s2).toMatchObject({ currentQuest: q1, questProgress: { [q1]: 12.5 } });
    expect(await client.pttl(`${prefix}user:session:{${u2}}`)).toBeGreaterThan(7_100_000);
  });

  it('refuses progress outside 0..100 and a non-array, naming the field', async () => {
    const userId = randomUUID();
    const error = await cache.pipelines
      .updateUserProgress([{ userId, questId: 'q', progress: 101, completed: false }])
      .catch((e: unknown) => e);
    expect((error as CacheValidationError).field).toBe('updates[0].progress');
    expect(await cache.sessions.users.get(userId)).toBeNull();
    const notArray = await cache.pipelines.updateUserProgress({} as unknown as []).then(
      () => undefined,
      (e: unknown) => e as CacheValidationError,
    );
    expect(notArray?.field).toBe('updates');
  });

  it('sends nothing for an empty batch', async () => {
    sent.length = 0;
    expect(await cache.pipelines.updateUserProgress([])).toEqual({ users: 0 });
    expect(sent).toEqual([]);
  });
});
