// Consolidation triggered by the relay once a character's memory grew by N memories since its
// last consolidation (off in the other tests' fixture).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorld, type World } from './fixtures/world.js';

let world: World;
beforeAll(async () => {
  world = await createWorld('flows_consolidation_trigger', {
    consolidateEvery: 3,
    consolidationCheckMs: 100,
    relay: { idleMs: 20 },
  });
});
afterAll(() => world?.close());

const consolidations = async (character: string) =>
  Number(
    (
      await world.data.relational.pool.query(
        `select count(*) n from memory_operations o join character_agents a on a.id = o.character_id
          where o.operation_type = 'consolidation' and a.name = $1`,
        [character],
      )
    ).rows[0].n,
  );

async function eventually(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('consolidation trigger', () => {
  it("consolidates a character after N new memories, merging its near-duplicates; another character's memory is left alone", async () => {
    const { data, users } = world;
    const ask = (character: string, message: string, i: number) =>
      data.flows.characterInteraction({ userId: users[i % users.length]!, character, message });
    await ask('spark', 'How do I keep a streak going?', 0);
    await ask('sage', 'What is tail recursion in Scheme?', 0);
    await ask('sage', 'What is tail recursion in Scheme?', 1);
    expect(await consolidations('sage')).toBe(0);
    await ask('sage', 'What is tail recursion in Scheme?', 2);
    // The relay's next round checks (at most every 100 ms here): sage has 3 new memories.
    await eventually(async () => (await consolidations('sage')) === 1);
    await eventually(async () => (await data.vectors.memoriesOf('sage')).length === 1);
    expect(await consolidations('spark')).toBe(0);
    expect(await data.vectors.memoriesOf('spark')).toHaveLength(1);
    // Counted again from the consolidation: one more memory does not trigger it.
    await ask('sage', 'Something else entirely about monads', 0);
    expect(await data.relational.operations.dueForConsolidation(3)).toEqual([]);
    expect(await data.relational.operations.dueForConsolidation(1)).toEqual([
      { character: 'sage', newMemories: 1 },
      { character: 'spark', newMemories: 1 },
    ]);
  });

  it('refuses a negative trigger count naming the option', async () => {
    const { createDataLayer } = await import('../src/index.js');
    const error = await createDataLayer({ consolidateEvery: -1 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'VALIDATION', field: 'options.consolidateEvery' });
  });
});
