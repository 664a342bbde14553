import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { expect } from 'vitest';
import { type Cache, type CacheOptions, CacheValidationError, createCache } from '../src/index.js';

export { questFixture } from '@monsteros/schema/testing';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix no other test uses, so test files run in parallel on the shared Redis. */
export function uniquePrefix(label: string): string {
  return `test:${label}:${randomBytes(4).toString('hex')}:`;
}

/** Deletes every key under a prefix. */
export async function dropPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

/** A cache on the shared Redis under its own prefix, plus a raw client; `cleanup` removes both. */
export function testCache(label: string, options: Omit<CacheOptions, 'prefix' | 'redis'> = {}) {
  const prefix = uniquePrefix(label);
  const cache: Cache = createCache({ ...options, redis: REDIS_URL, prefix });
  const raw = new Redis(REDIS_URL);
  return {
    prefix,
    cache,
    raw,
    async cleanup() {
      await dropPrefix(raw, prefix);
      await cache.close();
      raw.disconnect();
    },
  };
}

/** Polls `fn` until it returns true, at most `timeoutMs`. */
export async function eventually(
  fn: () => Promise<boolean> | boolean,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 10;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 200);
  }
}

export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** The CacheValidationError `fn` throws or rejects with (fails the test when it is anything else). */
export async function validationError(fn: () => unknown): Promise<CacheValidationError> {
  const error = await Promise.resolve()
    .then(fn)
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(error).toBeInstanceOf(CacheValidationError);
  return error as CacheValidationError;
}
