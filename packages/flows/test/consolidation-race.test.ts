// Two consolidations of one character racing new interactions: the one working from an older
// read must not rewrite the merged memory without the interactions the other one merged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVectorsPort, loadConfig, type VectorsPort } from '../src/index.js';
import { createWorld, type World } from './fixtures/world.js';

let world: World;
// Runs once, right after the next read of a character's memories returned (its result is stale).
let afterMemoriesRead: (() => Promise<unknown>) | null = null;

beforeAll(async () => {
  const real = await createVectorsPort(loadConfig({}, { localVectorsPath: ':memory:' }));
  const vectors: VectorsPort = {
    ...real,
    async memoriesOf(character) {
      const read = await real.memoriesOf(character);
      const hook = afterMemoriesRead;
      afterMemoriesRead = null;
      await hook?.();
      return read;
    },
  };
  world = await createWorld('flows_consolidation_race', { relayWorker: false, vectors });
});
afterAll(() => world?.close());

describe('memoryConsolidation racing interactions and another consolidation', () => {
  it('keeps every interaction in a memory when a consolidation from an older read finishes last', async () => {
    const { data, users } = world;
    const ask = async (userIndex: number) =>
      (
        await data.flows.characterInteraction({
          userId: users[userIndex]!,
          character: 'spark',
          message: 'How do closures capture variables?',
        })
      ).interactionId;
    const recorded = [await ask(0), await ask(1)];
    afterMemoriesRead = async () => {
      // While the first consolidation holds its read: a new near-duplicate arrives and a second
      // consolidation merges all three.
      recorded.push(await ask(2));
      const second = await data.flows.memoryConsolidation({ character: 'spark' });
      expect(second.merged).toEqual([{ character: 'spark', interactionIds: [...recorded].sort() }]);
    };
    await data.flows.memoryConsolidation({ character: 'spark' });
    expect(afterMemoriesRead).toBeNull();
    await data.relay.settle({ timeoutMs: 30_000 });

    const stored = await data.vectors.storedInteractionIds();
    for (const id of recorded) expect(stored.has(id), `memory of ${id}`).toBe(true);
    const memories = await data.vectors.memoriesOf('spark');
    // Exactly once each.
    const counts = recorded.map((id) => memories.filter((m) => m.mergedFrom.includes(id)).length);
    expect(counts).toEqual([1, 1, 1]);
    expect((await data.reconcile()).rows[0]).toMatchObject({ missing: 0, orphans: 0 });
  });
});
