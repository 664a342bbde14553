// reset(): deletes our keys under the prefix, and only those.
import { afterAll, describe, expect, it } from 'vitest';
import { createCache } from '../src/index.js';
import { dropPrefix, questFixture, REDIS_URL, testCache } from './helpers.js';

const t = testCache('reset');
// Another environment whose prefix starts with ours: a reset of ours must not reach it.
const nested = createCache({ redis: REDIS_URL, prefix: `${t.prefix}staging:` });
afterAll(async () => {
  await nested.close();
  await t.cleanup();
});

async function fill(cache: typeof nested): Promise<void> {
  await cache.policies.quest_data.set({ questId: 'q1' }, questFixture('q1'));
  await cache.sessions.users.start('u1', { activeCharacter: 'sage' });
  await cache.sessions.agents.start('sage', { status: 'active' });
  await cache.streams.publish('sage', { type: 'task', payload: { n: 1 }, from: 'orchestrator' });
  await cache.metrics.record('response_time', 'sage', 120, Date.now());
}

async function keysUnder(prefix: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await t.raw.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    out.push(...keys);
  } while (cursor !== '0');
  return out.sort();
}

describe('reset', () => {
  it('deletes every key of ours under the prefix and leaves other prefixes and foreign keys alone', async () => {
    await fill(t.cache);
    await fill(nested);
    await t.raw.set(`${t.prefix}not-ours`, 'x');
    const nestedBefore = await keysUnder(`${t.prefix}staging:`);
    const oursBefore = (await keysUnder(t.prefix)).filter((k) => !nestedBefore.includes(k));
    expect(oursBefore.length).toBeGreaterThanOrEqual(5);

    const deleted = await t.cache.reset();

    expect(deleted).toBe(oursBefore.length - 1); // all but `not-ours`
    expect(await keysUnder(t.prefix)).toEqual([...nestedBefore, `${t.prefix}not-ours`].sort());
    expect(await t.cache.sessions.users.get('u1')).toBeNull();
    expect(await nested.sessions.users.get('u1')).toMatchObject({ activeCharacter: 'sage' });
    await dropPrefix(t.raw, `${t.prefix}staging:`);
  });

  it('refuses an empty prefix, which would match every key', async () => {
    const bare = createCache({ redis: REDIS_URL, prefix: '' });
    try {
      await expect(bare.reset()).rejects.toMatchObject({ code: 'VALIDATION', field: 'options.prefix' });
    } finally {
      await bare.close();
    }
  });
});
