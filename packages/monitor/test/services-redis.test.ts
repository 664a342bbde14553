// `pnpm services up` gives a local Redis the maxmemory and eviction policy the report recommends.
// On a private redis-server started here on a free port: the shared one is never reconfigured.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createCache } from '@monsteros/cache';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRedisTuningInput } from '../src/redis-settings.js';
import { computeTuning } from '../src/tuning.js';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as { port: number }).port;
  await new Promise((done) => server.close(done));
  return port;
}

describe('pnpm services up on a private Redis', () => {
  let server: ChildProcess;
  let port: number;
  let cache: ReturnType<typeof createCache>;

  beforeAll(async () => {
    port = await freePort();
    server = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    cache = createCache({ redis: `redis://127.0.0.1:${port}`, prefix: 'svc:' });
    for (let i = 0; i < 50; i++) {
      try {
        await cache.redis.ping();
        break;
      } catch {
        await new Promise((ok) => setTimeout(ok, 100));
      }
    }
    // Three keys in four expire (caches), one does not (a session, progress): not cache only.
    const pipeline = cache.redis.pipeline();
    for (let i = 0; i < 400; i++)
      if (i % 4 === 3) pipeline.set(`svc:progress:${i}`, 'x'.repeat(200));
      else pipeline.set(`svc:cache:${i}`, 'y'.repeat(500), 'EX', 3600);
    await pipeline.exec();
  }, 30_000);

  afterAll(async () => {
    await cache?.redis.shutdown('NOSAVE').catch(() => {});
    await cache?.close().catch(() => {});
    server?.kill();
  });

  const servicesUp = () =>
    run('bash', [join(root, 'scripts/services'), 'up'], {
      env: {
        ...process.env,
        REDIS_URL: `redis://127.0.0.1:${port}`,
        // An existing database: `up` creates none.
        DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/postgres',
      },
    });

  it('sets the maxmemory and policy the tuning rules give, and leaves them on the next run', async () => {
    const before = computeTuning({ redis: await readRedisTuningInput(cache.redis) });
    const wanted = Object.fromEntries(before.map((a) => [a.setting, a.recommended]));
    expect(wanted).toEqual({ maxmemory: '256mb', 'maxmemory-policy': 'volatile-lfu' });
    expect(before.every((a) => a.change)).toBe(true);

    const first = await servicesUp();
    expect(first.stderr).toContain('redis maxmemory: 0 (no limit) → 256mb (applied)');
    expect(first.stderr).toContain('redis maxmemory-policy: noeviction → volatile-lfu (applied)');
    expect(await cache.redis.config('GET', 'maxmemory')).toEqual(['maxmemory', String(256 * 2 ** 20)]);
    expect(await cache.redis.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'volatile-lfu']);

    // What the report now says: nothing to change; and `up` again changes nothing.
    const after = computeTuning({ redis: await readRedisTuningInput(cache.redis) });
    expect(after.map((a) => a.change)).toEqual([false, false]);
    const second = await servicesUp();
    expect(second.stderr).toContain('256mb (already right)');
  }, 60_000);
});
