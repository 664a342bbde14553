// Bad input at the data layer's public entry points: a typed VALIDATION error naming the field,
// and nothing written to PostgreSQL. Examples for each defect found, then fast-check properties
// (1,000 cases per entry point).
import { badInput, refusalProblem, thrownBy } from '@monsteros/schema/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataLayer, questionPattern, questionPatternHash } from '../src/index.js';
import { createWorld, type World } from './fixtures/world.js';

let world: World;
beforeAll(async () => {
  world = await createWorld('flows_bad_input', { relayWorker: false });
});
afterAll(() => world?.close());

/** Rows in the tables a write would touch, to prove a refused call wrote nothing. */
async function rows(): Promise<number> {
  const { rows } = await world.data.relational.pool.query<{ n: string }>(
    `select (select count(*) from character_interactions) + (select count(*) from outbox)
          + (select count(*) from user_quest_progress) + (select count(*) from memory_passages)
          + (select count(*) from memory_operations) as n`,
  );
  return Number(rows[0]!.n);
}

async function refused(fn: () => Promise<unknown>, field: string): Promise<void> {
  const error = await thrownBy(fn);
  expect(refusalProblem(error, field)).toBeNull();
}

describe('bad input the chaos run found', () => {
  it('refuses a whitespace-only passage (its embedding event would park forever)', async () => {
    const before = await rows();
    await refused(
      () => world.data.memory!.ingest({ character: 'sage', passages: [{ text: ' \n\t ', triples: [] }] }),
      'input.passages.0.text',
    );
    expect(await rows()).toBe(before);
  });

  it("refuses reconcile({ repair: 'no' }) instead of running the destructive repair", async () => {
    await refused(() => world.data.reconcile({ repair: 'no' as never }), 'repair');
    await refused(() => world.data.reconcile(null as never), 'options');
  });

  it('refuses null options and arguments with VALIDATION, not a TypeError', async () => {
    const { data } = world;
    await refused(() => data.relay.drain(null as never), 'relay.drain options');
    await refused(() => data.relay.settle(null as never), 'relay.settle options');
    await refused(() => data.analytics!.deleteIds('character_interactions', null as never), 'ids');
    await refused(() => data.analytics!.similarPairs(null as never, 0.9), 'items');
    await refused(() => data.analytics!.views.characterPerformance(null as never), 'filter');
  });

  it('names the field of an invalid character name', async () => {
    await refused(
      () =>
        world.data.flows.characterInteraction({
          userId: world.users[0]!,
          character: 'Not A Name!',
          message: 'hi',
        }),
      'character',
    );
  });

  it('refuses an idempotency key with a lone surrogate (two such keys would be one)', async () => {
    await refused(
      () =>
        world.data.flows.characterInteraction({
          userId: world.users[0]!,
          character: 'sage',
          message: 'hi',
          idempotencyKey: 'key-\ud800',
        }),
      'idempotencyKey',
    );
  });
});

type EntryPoint = [name: string, field: string, call: (bad: unknown) => Promise<unknown>];
const b = (bad: unknown) => bad as never;
const entryPoints = (): EntryPoint[] => {
  const { data, users, quests } = world;
  return [
    [
      'flows.characterInteraction',
      'message',
      (x) => data.flows.characterInteraction({ userId: users[0]!, character: 'sage', message: b(x) }),
    ],
    ['flows.characterInteraction (whole input)', '', (x) => data.flows.characterInteraction(b(x))],
    [
      'flows.questProgress',
      'completionData',
      (x) =>
        data.flows.questProgress({
          userId: users[0]!,
          questId: quests.loops,
          progress: 10,
          chapter: 1,
          completionData: { note: b(x) } as never,
        }),
    ],
    ['flows.memoryConsolidation', 'character', (x) => data.flows.memoryConsolidation({ character: b(x) })],
    [
      'memory.ingest',
      'input',
      (x) => data.memory!.ingest({ character: 'sage', passages: [{ text: b(x), triples: [] }] }),
    ],
    ['memory.retrieve', 'input', (x) => data.memory!.retrieve({ character: 'sage', query: b(x) })],
    [
      'bulk.interactions',
      'rows',
      (x) =>
        data.bulk.interactions([
          { character: 'sage', userId: users[0]!, message: b(x), response: 'r', responseTimeMs: 1 } as never,
        ]),
    ],
    ['reconcile', '', (x) => data.reconcile(b(x))],
    ['relay.drain', 'relay.drain', (x) => data.relay.drain(b(x))],
    // The entry points the first round of properties left out.
    ['createDataLayer options', 'options', (x) => createDataLayer(b(x))],
    [
      'createDataLayer config',
      'options.config',
      (x) => createDataLayer({ env: {}, config: { keyPrefix: b(x) }, relayWorker: false }),
    ],
    ['flows.sessionStart', '', (x) => data.flows.sessionStart(b(x))],
    [
      'flows.sessionStart sessionId',
      'sessionId',
      (x) => data.flows.sessionStart({ userId: users[0]!, character: 'sage', sessionId: b(x) }),
    ],
    ['flows.sessionEnd', '', (x) => data.flows.sessionEnd(b(x))],
    [
      'flows.sessionEnd sessionId',
      'sessionId',
      (x) => data.flows.sessionEnd({ userId: users[0]!, sessionId: b(x) }),
    ],
    ['bulk.achievementGrants', 'rows', (x) => data.bulk.achievementGrants(b(x))],
    [
      'bulk.achievementGrants context',
      'rows',
      (x) =>
        data.bulk.achievementGrants([
          {
            id: '00000000-0000-4000-8000-0000000000a1',
            userId: users[0]!,
            achievementId: '00000000-0000-4000-8000-0000000000a2',
            awardedAt: new Date(),
            context: { note: b(x) },
          },
        ]),
    ],
    ['relay.settle', 'relay.settle', (x) => data.relay.settle(b(x))],
    ['relay.retryParked', 'ids', (x) => data.relay.retryParked(b(x))],
    ['recentTimings', 'limit', (x) => Promise.resolve().then(() => data.recentTimings(b(x)))],
    ['metrics', '', (x) => data.metrics(b(x))],
    [
      'memory.searchPassages',
      'input',
      (x) => data.memory!.searchPassages({ character: 'sage', query: b(x) }),
    ],
    ['memory.applyIngested', 'payload', (x) => data.memory!.applyIngested(b(x))],
    ['questionPattern', 'message', async (x) => questionPattern(b(x))],
    ['questionPatternHash', 'message', async (x) => questionPatternHash(b(x))],
  ];
};

describe('property: every entry point refuses input no store can hold (1,000 cases each)', () => {
  it('refuses it at each entry point, writing nothing', async () => {
    const before = await rows();
    const failures: string[] = [];
    for (const [name, field, call] of entryPoints()) {
      await fc
        .assert(
          fc.asyncProperty(badInput(), async (bad) => {
            await refused(() => call(bad.make()), field);
          }),
          { numRuns: Number(process.env.BAD_INPUT_RUNS ?? 1_000) },
        )
        .catch((error: unknown) => {
          // Every entry point runs; all the failures are reported together.
          failures.push(`${name}: ${String(error).split('\n').slice(0, 12).join(' ').slice(0, 600)}`);
        });
    }
    expect(failures).toEqual([]);
    expect(await rows()).toBe(before);
  });
});
