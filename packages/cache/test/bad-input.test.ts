// Bad input at the cache's public entry points: a CacheValidationError naming the field, and nothing
// written. Examples for each defect found, then fast-check properties (1,000 cases per entry point).
import { badInput, refusalProblem, thrownBy } from '@monsteros/schema/testing';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { CacheValidationError } from '../src/index.js';
import { testCache } from './helpers.js';

const t = testCache('bad-input');
afterAll(() => t.cleanup());
const responses = t.cache.policies.character_responses;
const answer = { response: 'Loops repeat work.', cachedAt: new Date(0).toISOString() } as never;

async function keysWritten(): Promise<number> {
  let total = 0;
  let cursor = '0';
  do {
    const [next, found] = await t.raw.scan(cursor, 'MATCH', `${t.prefix}*`, 'COUNT', 10_000);
    cursor = next;
    total += found.length;
  } while (cursor !== '0');
  return total;
}

async function refused(fn: () => Promise<unknown>, field: string): Promise<CacheValidationError> {
  const error = await thrownBy(fn);
  expect(refusalProblem(error, field)).toBeNull();
  expect(error).toBeInstanceOf(CacheValidationError);
  return error as CacheValidationError;
}

describe('the response cache refuses values and TTLs it cannot hold', () => {
  it('refuses null, a number, a string and an array as a cached response, writing nothing', async () => {
    for (const value of [null, 42, 'text', [1, 2]]) {
      await refused(() => responses.set({ character: 'sage', hash: 'h1' }, value as never), 'value');
    }
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    await refused(() => responses.set({ character: 'sage', hash: 'h1' }, loop as never), 'value.self');
    expect(await keysWritten()).toBe(0);
  });

  it('refuses a TTL beyond ten years (2^53 seconds made Redis answer false) instead of returning false', async () => {
    const error = await refused(
      () => responses.set({ character: 'sage', hash: 'h2' }, answer, { ttlSeconds: 2 ** 53 }),
      'ttlSeconds',
    );
    expect(error.message).toMatch(/at most/);
    expect(await keysWritten()).toBe(0);
    expect(await responses.set({ character: 'sage', hash: 'h2' }, answer, { ttlSeconds: 60 })).toBe(true);
    await responses.delete({ character: 'sage', hash: 'h2' });
  });

  it('refuses key parts with a lone surrogate: two such keys would be one Redis key', async () => {
    await refused(() => responses.get({ character: 'sage', hash: 'q\ud800' }), 'key.hash');
    await refused(() => t.cache.sessions.users.get('user\udc00'), 'userId');
  });
});

type EntryPoint = [name: string, field: string, call: (bad: unknown) => Promise<unknown>];
const b = (bad: unknown) => bad as never;
const entryPoints: EntryPoint[] = [
  ['policies.character_responses.get', 'key', (x) => responses.get(b(x))],
  [
    'policies.character_responses.set (value)',
    'value',
    (x) => responses.set({ character: 'sage', hash: 'p' }, b(x)),
  ],
  [
    'policies.character_responses.set (key)',
    'key',
    (x) => responses.set({ character: b(x), hash: 'p' }, answer),
  ],
  ['policies.quest_data.delete', 'key', (x) => t.cache.policies.quest_data.delete({ questId: b(x) })],
  ['invalidateTag', 'tag', (x) => t.cache.invalidateTag(b(x))],
  ['sessions.agents.start', 'session', (x) => t.cache.sessions.agents.start('sage', { status: b(x) })],
  ['sessions.agents.get', 'agent', (x) => t.cache.sessions.agents.get(b(x))],
  [
    'sessions.users.start',
    'session',
    (x) => t.cache.sessions.users.start('u1', { current_character: b(x) } as never),
  ],
  ['sessions.users.update', 'userId', (x) => t.cache.sessions.users.update(b(x), {})],
  [
    'streams.publish',
    'message',
    (x) => t.cache.streams.publish('sage', { type: 'task', payload: { p: b(x) } } as never),
  ],
  ['metrics.record', 'metricType', (x) => t.cache.metrics.record(b(x), 'sage', 1)],
];

describe('property: every entry point refuses input no store can hold (1,000 cases each)', () => {
  it.each(entryPoints.map((e) => [e[0], e]))('%s', async (_name, entry) => {
    const [, field, call] = entry as EntryPoint;
    const before = await keysWritten();
    await fc.assert(
      fc.asyncProperty(badInput(), async (bad) => {
        await refused(() => call(bad.make()), field);
      }),
      { numRuns: 1_000 },
    );
    expect(await keysWritten()).toBe(before);
  });
});
