// Reconcile beside live writers: a memory written while reconcile reads is never taken for an
// orphan and removed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVectorsPort, loadConfig, type VectorsPort } from '../src/index.js';
import { createWorld, type World } from './fixtures/world.js';

let world: World;
// Runs once, inside the next read of the stored memories (before it scans them).
let duringStoreRead: (() => Promise<unknown>) | null = null;

beforeAll(async () => {
  const real = await createVectorsPort(loadConfig({}, { localVectorsPath: ':memory:' }));
  const vectors: VectorsPort = {
    ...real,
    async storedInteractionIds() {
      const hook = duringStoreRead;
      duringStoreRead = null;
      await hook?.();
      return real.storedInteractionIds();
    },
  };
  world = await createWorld('flows_reconcile', { relayWorker: false, vectors });
});
afterAll(() => world?.close());

describe('reconcile', () => {
  it('keeps the memory of an interaction recorded while it reads the stores', async () => {
    const { data, users } = world;
    let late = '';
    duringStoreRead = async () => {
      late = (
        await data.flows.characterInteraction({
          userId: users[1]!,
          character: 'sage',
          message: 'What is tail recursion?',
        })
      ).interactionId;
    };
    const report = await data.reconcile({ repair: true });
    expect(late).not.toBe('');
    expect(report.rows[0]).toMatchObject({ orphans: 0, repaired: { removed: 0 } });
    expect((await data.vectors.storedInteractionIds()).has(late)).toBe(true);
  });
});
