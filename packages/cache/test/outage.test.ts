// Stops and restarts a private redis-server (never the shared one) to prove the behaviour
// while Redis is down and the automatic reconnection.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LearningPreferences } from '@monsteros/schema';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cache, createCache, UnavailableError } from '../src/index.js';
import { eventually, questFixture } from './helpers.js';
import { answers, freePort, spawnServer } from './private-server.js';

let port: number;
let dir: string;
let server: ChildProcess | undefined;
let cache: Cache;

async function startServer(): Promise<void> {
  server = spawnServer(port, dir);
  await answers(port, 'outage');
}

/** SHUTDOWN SAVE: the data survives in dump.rdb, as with a persistent production Redis. */
async function stopServer(): Promise<void> {
  const exited = new Promise((resolve) => server!.once('exit', resolve));
  const admin = new Redis({ port, maxRetriesPerRequest: 0, retryStrategy: () => null });
  admin.on('error', () => {});
  await admin.call('SHUTDOWN', 'SAVE').catch(() => {});
  admin.disconnect();
  await exited;
  server = undefined;
}

const quest = (id: string) => questFixture(id);

beforeAll(async () => {
  port = await freePort();
  dir = mkdtempSync(join(tmpdir(), 'mos-cache-outage-'));
  await startServer();
  cache = createCache({
    redis: `redis://127.0.0.1:${port}`,
    prefix: 'outage:',
    connection: { commandTimeoutMs: 500, maxReconnectDelayMs: 200 },
  });
});
afterAll(async () => {
  await cache?.close().catch(() => {});
  server?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('when Redis is down', () => {
  it('serves from the loader, skips writes, raises UnavailableError for sessions and streams, and recovers after a restart', async () => {
    const quests = cache.policies.quest_data;
    const prefs = cache.policies.user_preferences;
    const source = new Map<string, LearningPreferences>([['u1', { pace: 'slow' }]]);
    let loads = 0;
    const loadQuest = (id: string) => async () => {
      loads++;
      return quest(id);
    };

    // Up: cached normally.
    await quests.getOrSet({ questId: 'q1' }, loadQuest('q1'));
    await quests.getOrSet({ questId: 'q1' }, loadQuest('q1'));
    expect(loads).toBe(1);
    await prefs.getOrSet({ userId: 'u1' }, async () => source.get('u1')!);
    await cache.sessions.agents.start('sage', { status: 'active' });

    // Down.
    await stopServer();
    await eventually(async () => !(await cache.health()).ok, 5_000, 'health to report the outage');
    const health = await cache.health();
    expect(health.ok).toBe(false);

    expect((await quests.getOrSet({ questId: 'q1' }, loadQuest('q1'))).id).toBe('q1');
    expect((await quests.getOrSet({ questId: 'q2' }, loadQuest('q2'))).id).toBe('q2');
    expect(loads).toBe(3);
    expect(await quests.get({ questId: 'q1' })).toBeUndefined();
    expect(await quests.set({ questId: 'q3' }, quest('q3'))).toBe(false);
    expect(quests.local.skippedWrites).toBeGreaterThanOrEqual(3);

    await expect(cache.sessions.agents.get('sage')).rejects.toBeInstanceOf(UnavailableError);
    await expect(cache.sessions.agents.update('sage', { status: 'busy' })).rejects.toBeInstanceOf(
      UnavailableError,
    );
    await expect(cache.streams.publish('sage', { type: 'task', payload: {} })).rejects.toBeInstanceOf(
      UnavailableError,
    );
    await expect(cache.metrics.record('rt', 'sage', 1)).rejects.toBeInstanceOf(UnavailableError);
    await expect(cache.stats()).rejects.toBeInstanceOf(UnavailableError);

    // A write-through write while down: the source changes, the cache write is skipped...
    await prefs.write({ userId: 'u1' }, { pace: 'fast' }, async (v) => {
      source.set('u1', v);
    });

    // Back up, with the old data (dump.rdb still holds pace: slow for u1).
    await startServer();
    await eventually(async () => (await cache.health()).ok, 10_000, 'automatic reconnection');

    // ...and the stale copy that survived the restart is never served.
    expect((await prefs.getOrSet({ userId: 'u1' }, async () => source.get('u1')!)).pace).toBe('fast');
    expect((await prefs.get({ userId: 'u1' }))?.pace).toBe('fast');

    // Caching works again: q1 survived in the dump; q4 is loaded once, then hit.
    expect((await quests.getOrSet({ questId: 'q1' }, loadQuest('q1'))).id).toBe('q1');
    expect(loads).toBe(3);
    await quests.getOrSet({ questId: 'q4' }, loadQuest('q4'));
    await quests.getOrSet({ questId: 'q4' }, loadQuest('q4'));
    expect(loads).toBe(4);
    expect((await cache.sessions.agents.get('sage'))?.status).toBe('active');
    expect(await cache.streams.publish('sage', { type: 'task', payload: {} })).toMatch(/^\d+-\d+$/);
  });
});
