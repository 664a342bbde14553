import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CacheValidationError } from '../src/index.js';
import { eventually, testCache } from './helpers.js';

let t: ReturnType<typeof testCache>;
beforeAll(() => {
  t = testCache('sessions');
});
afterAll(async () => {
  await t.cleanup();
});

describe('agent sessions', () => {
  it('starts a session as a hash with a 1 h TTL under agent:session:{name}', async () => {
    const s = await t.cache.sessions.agents.start('sage', {
      status: 'active',
      currentContext: 'quest intro',
    });
    expect(s).toMatchObject({ status: 'active', currentContext: 'quest intro', metrics: {} });
    const key = `${t.prefix}agent:session:{sage}`;
    expect(await t.raw.type(key)).toBe('hash');
    const ttl = await t.raw.pttl(key);
    expect(ttl).toBeGreaterThan(3_500_000);
    expect(ttl).toBeLessThanOrEqual(3_600_000);
    expect(await t.raw.hget(key, 'status')).toBe('active');
  });

  it('applies partial updates atomically: concurrent metric patches all land', async () => {
    await t.cache.sessions.agents.start('echo', { status: 'active', metrics: { base: 1 } });
    await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        t.cache.sessions.agents.update('echo', { metrics: { [`m${i}`]: i } }),
      ),
    );
    const s = await t.cache.sessions.agents.get('echo');
    expect(Object.keys(s!.metrics).length).toBe(26);
    expect(s!.metrics.m24).toBe(24);
    expect(s!.metrics.base).toBe(1);
    expect(s!.status).toBe('active');
    const updated = await t.cache.sessions.agents.update('echo', { status: 'busy', currentContext: null });
    expect(updated).toMatchObject({ status: 'busy', currentContext: null });
  });

  it('does not create a session on update or touch when there is none', async () => {
    expect(await t.cache.sessions.agents.update('ghost', { status: 'busy' })).toBeNull();
    expect(await t.cache.sessions.agents.touch('ghost')).toBe(false);
    expect(await t.raw.exists(`${t.prefix}agent:session:{ghost}`)).toBe(0);
    expect(await t.cache.sessions.agents.get('ghost')).toBeNull();
  });

  it('slides the TTL back to the full hour on touch and on update', async () => {
    await t.cache.sessions.agents.start('brief', { status: 'active' });
    const key = `${t.prefix}agent:session:{brief}`;
    // As if most of the hour had passed (no waiting on the clock).
    await t.raw.pexpire(key, 60_000);
    expect(await t.cache.sessions.agents.touch('brief')).toBe(true);
    expect(await t.raw.pttl(key)).toBeGreaterThan(3_500_000);
    await t.raw.pexpire(key, 60_000);
    expect((await t.cache.sessions.agents.update('brief', { status: 'busy' }))?.status).toBe('busy');
    expect(await t.raw.pttl(key)).toBeGreaterThan(3_500_000);
  });

  it('returns nothing once the session expired, and touch or update do not revive it', async () => {
    const { cache, raw, cleanup, prefix } = testCache('sessions-ttl', { sessions: { agentTtlSeconds: 0.2 } });
    try {
      await cache.sessions.agents.start('brief', { status: 'active' });
      await eventually(
        async () => (await cache.sessions.agents.get('brief')) === null,
        5_000,
        'session to expire',
      );
      expect(await cache.sessions.agents.touch('brief')).toBe(false);
      expect(await cache.sessions.agents.update('brief', { status: 'busy' })).toBeNull();
      expect(await raw.exists(`${prefix}agent:session:{brief}`)).toBe(0);
    } finally {
      await cleanup();
    }
  });

  it('ends a session', async () => {
    await t.cache.sessions.agents.start('done', { status: 'active' });
    expect(await t.cache.sessions.agents.end('done')).toBe(true);
    expect(await t.cache.sessions.agents.get('done')).toBeNull();
  });
});

describe('user sessions', () => {
  it('stores active character, current quest and session data with a 2 h TTL', async () => {
    const userId = randomUUID();
    const questId = randomUUID();
    await t.cache.sessions.users.start(userId, { activeCharacter: 'sage', sessionData: { step: 1 } });
    const key = `${t.prefix}user:session:{${userId}}`;
    expect(await t.raw.pttl(key)).toBeGreaterThan(7_100_000);
    const updated = await t.cache.sessions.users.update(userId, { currentQuest: questId });
    expect(updated).toMatchObject({
      activeCharacter: 'sage',
      currentQuest: questId,
      sessionData: { step: 1 },
    });
    const read = await t.cache.sessions.users.get(userId);
    expect(read).toMatchObject({ activeCharacter: 'sage', currentQuest: questId, sessionData: { step: 1 } });
    expect(read!.lastActivity).toBeInstanceOf(Date);
  });

  it('slides a user session back to the full two hours on touch', async () => {
    const userId = randomUUID();
    await t.cache.sessions.users.start(userId, { activeCharacter: 'sage' });
    const key = `${t.prefix}user:session:{${userId}}`;
    await t.raw.pexpire(key, 60_000);
    expect(await t.cache.sessions.users.touch(userId)).toBe(true);
    expect(await t.raw.pttl(key)).toBeGreaterThan(7_100_000);
  });

  it('expires user sessions with a short TTL', async () => {
    const { cache, cleanup } = testCache('users-ttl', { sessions: { userTtlSeconds: 0.2 } });
    try {
      const userId = randomUUID();
      await cache.sessions.users.start(userId, { activeCharacter: 'sage' });
      expect(await cache.sessions.users.get(userId)).not.toBeNull();
      await eventually(async () => (await cache.sessions.users.get(userId)) === null, 5_000, 'expiry');
    } finally {
      await cleanup();
    }
  });
});

describe('bad input', () => {
  it('rejects an unknown status, a non-JSON session data and an empty agent name, naming the field', async () => {
    const e1 = await t.cache.sessions.agents
      .start('sage', { status: 'sleeping' as never })
      .catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(CacheValidationError);
    expect((e1 as CacheValidationError).field).toBe('session.status');
    const e2 = await t.cache.sessions.users
      .update(randomUUID(), { sessionData: { f: () => 1 } as never })
      .catch((e: unknown) => e);
    expect((e2 as CacheValidationError).field).toBe('patch.sessionData.f');
    const e3 = await t.cache.sessions.agents.get('').catch((e: unknown) => e);
    expect((e3 as CacheValidationError).field).toBe('agent');
    const e4 = await t.cache.sessions.agents
      .update('sage', { metrics: { x: Number.NaN } })
      .catch((e: unknown) => e);
    expect((e4 as CacheValidationError).field).toBe('patch.metrics.x');
  });

  it('keeps a hostile agent name inside its own key and hash slot', async () => {
    await t.cache.sessions.agents.start('a}:{b', { status: 'active' });
    expect(await t.raw.exists(`${t.prefix}agent:session:{a%7D%3A%7Bb}`)).toBe(1);
    expect((await t.cache.sessions.agents.get('a}:{b'))?.status).toBe('active');
  });
});
