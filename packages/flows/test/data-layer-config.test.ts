// data.recentTimings over the stores; loadConfig and the option checks (pure) are in
// unit/data-layer-config.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorld, type World } from './fixtures/world.js';

describe('data.recentTimings', () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld('flows_recent_timings', { relayWorker: false });
  });
  afterAll(() => world?.close());

  it('returns the newest runs up to the limit, none for 0, and rejects a bad limit', async () => {
    const { data, users } = world;
    for (const message of ['one', 'two', 'three'])
      await data.flows.characterInteraction({ userId: users[0]!, character: 'sage', message });
    expect(data.recentTimings()).toHaveLength(3);
    expect(data.recentTimings(2)).toHaveLength(2);
    expect(data.recentTimings(0)).toEqual([]);
    for (const limit of [-1, 1.5, 1_001, Number.NaN])
      expect(() => data.recentTimings(limit)).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
  });
});
