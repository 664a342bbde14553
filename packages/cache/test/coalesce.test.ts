// The cache client writes the commands of one tick in one socket write.
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCache } from './helpers.js';

let t: ReturnType<typeof testCache>;
beforeAll(async () => {
  // Recorded reads are flushed by a timer: not within this test.
  t = testCache('coalesce', { policies: { quest_data: { readFlushMs: 600_000 } } });
  await t.cache.health();
});
afterAll(async () => {
  await t.cleanup();
});

describe('write coalescing', () => {
  it('sends the commands of one tick in one socket write, and each later tick in its own', async () => {
    const socket = (t.cache.redis as unknown as { stream: Socket }).stream;
    const internals = socket as unknown as Record<'_write' | '_writev', (...args: unknown[]) => unknown>;
    let writes = 0;
    for (const method of ['_write', '_writev'] as const) {
      const original = internals[method]!.bind(socket);
      internals[method] = (...args: unknown[]) => {
        writes++;
        return original(...args);
      };
    }
    const responses = t.cache.policies.quest_data;
    const keys = Array.from({ length: 20 }, (_, i) => ({ questId: `q${i}` }));
    const results = await Promise.all(keys.map((k) => responses.get(k)));
    expect(results.every((r) => r === undefined)).toBe(true);
    expect(writes).toBe(1);
    for (const k of keys.slice(0, 3)) await responses.get(k);
    expect(writes).toBe(4);
  });
});
