// Hot memories: the interaction flow's recall results served from memory_search_results, and
// invalidated by every change of that character's memories (and only that character's).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorld, type World } from './fixtures/world.js';

let world: World;
beforeAll(async () => {
  world = await createWorld('flows_hot_memories', { relayWorker: false, responseCache: false });
});
afterAll(() => world?.close());

const hits = async () => (await world.data.cache.stats()).namespaces.memory_search_results.hits;

describe('hot memories', () => {
  it("serves a repeated recall from Redis, and a write of that character's memory makes the next recall fresh", async () => {
    const { data, users } = world;
    const first = await data.flows.characterInteraction({
      userId: users[0]!,
      character: 'sage',
      message: 'Explain memoization with an example',
    });
    const v = data.vectors;
    const miss = await v.recall('sage', 'How does memoization help recursion?', 5);
    expect(miss.map((m) => m.interactionId)).toEqual([first.interactionId]);
    const before = await hits();
    const hit = await v.recall('sage', 'how does MEMOIZATION help recursion', 5);
    expect(hit).toEqual(miss);
    expect(await hits()).toBe(before + 1);
    // Another character's write leaves sage's entry; sage's own write invalidates it.
    await data.flows.characterInteraction({
      userId: users[1]!,
      character: 'spark',
      message: 'Memoization tips?',
    });
    await v.recall('sage', 'How does memoization help recursion?', 5);
    expect(await hits()).toBe(before + 2);
    const second = await data.flows.characterInteraction({
      userId: users[1]!,
      character: 'sage',
      message: 'Memoization and recursion together, please',
    });
    const fresh = await v.recall('sage', 'How does memoization help recursion?', 5);
    expect(fresh.map((m) => m.interactionId).sort()).toEqual(
      [first.interactionId, second.interactionId].sort(),
    );
    expect(await hits()).toBe(before + 2);
  });

  it('a consolidation of the character invalidates its recalls', async () => {
    const { data, users } = world;
    for (const userId of users.slice(0, 2))
      await data.flows.characterInteraction({ userId, character: 'spark', message: 'How to stay focused?' });
    const before = await data.vectors.recall('spark', 'How to stay focused?', 10);
    await data.flows.memoryConsolidation({ character: 'spark' });
    const after = await data.vectors.recall('spark', 'How to stay focused?', 10);
    expect(after.length).toBeLessThan(before.length);
  });
});
