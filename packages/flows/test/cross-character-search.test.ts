// data.crossCharacterSearch against real PostgreSQL, Redis, DuckDB and the vectors local mode:
// each character's weight is adapted from its interactions in the window as the analytics count
// them (imported interactions with their own ids, embedded by the relay, synced into DuckDB).
import { randomUUID } from 'node:crypto';
import { badInput } from '@monsteros/schema/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlowValidationError, type InteractionImport } from '../src/index.js';
import { createWorld, type World } from './fixtures/world.js';

let world: World;
const NOW = new Date();
const HOUR = 3_600_000;

function interaction(character: string, hoursAgo: number, message: string, i: number): InteractionImport {
  return {
    id: randomUUID(),
    character,
    userId: world.users[i % world.users.length]!,
    sessionId: `s-${character}-${i}`,
    message,
    response: `Here is how I see it (${i}).`,
    responseTimeMs: 120 + i,
    satisfaction: 4,
    success: true,
    idempotencyKey: `xchar-${randomUUID()}`,
    createdAt: new Date(NOW.getTime() - hoursAgo * HOUR),
  };
}

// sage: 5 interactions in the last day; spark: 1 in the last day and 3 from last month.
const SAGE = [
  'Can you explain recursion with an example?',
  'Why does my recursion never reach the base case?',
  'Is recursion slower than a loop?',
  'How do I picture a recursion tree?',
  'What is tail recursion?',
];
const SPARK_RECENT = ['Give me a recursion exercise to warm up'];
const SPARK_OLD = [
  'Recursion drills for the weekend',
  'A recursion puzzle please',
  'More recursion practice',
];

beforeAll(async () => {
  world = await createWorld('flows_xchar', { relayWorker: false });
  const rows = [
    ...SAGE.map((m, i) => interaction('sage', 1 + i, m, i)),
    ...SPARK_RECENT.map((m, i) => interaction('spark', 2, m, i)),
    ...SPARK_OLD.map((m, i) => interaction('spark', 24 * (30 + i), m, i + 1)),
  ];
  await world.data.bulk.interactions(rows);
  expect(await world.data.relay.settle()).toMatchObject({ pending: 0, parked: 0 });
  await world.data.syncAnalytics();
});
afterAll(() => world?.close());

describe('data.crossCharacterSearch', () => {
  it("adapts each character's weight to its interactions in the window, as the analytics count them", async () => {
    const { hits, usage } = await world.data.crossCharacterSearch('recursion', {
      characters: ['sage', 'spark'],
      usageHours: 24,
      now: NOW,
      limit: 20,
    });
    expect(usage).toEqual({ sage: 5, spark: 1 });
    // (usage + 1) shares normalized to average 1 over 2 characters: sage 6·2/8, spark 2·2/8.
    const expected = { sage: 1.5, spark: 0.5 };
    expect(hits.length).toBeGreaterThanOrEqual(6);
    for (const hit of hits) {
      expect(hit.characterWeight).toBeCloseTo(expected[hit.character as 'sage' | 'spark'], 12);
      const avg =
        ((hit.similarities.memory_embeddings ?? 0) + (hit.similarities.character_memories ?? 0)) / 2;
      expect(hit.score).toBeCloseTo(hit.characterWeight * avg, 12);
    }
    // Every recent and old memory of both characters is a distinct memory (its own interaction).
    expect(new Set(hits.map((h) => h.about)).size).toBe(hits.length);
    expect(hits.every((h) => h.about.startsWith('interaction:'))).toBe(true);
  });

  it('a week counts the old interactions too, and usageHours 0 leaves the weights equal', async () => {
    const month = await world.data.crossCharacterSearch('recursion', {
      characters: ['sage', 'spark'],
      usageHours: 24 * 40,
      now: NOW,
    });
    expect(month.usage).toEqual({ sage: 5, spark: 4 });
    const off = await world.data.crossCharacterSearch('recursion', {
      characters: ['sage', 'spark'],
      usageHours: 0,
    });
    expect(off.usage).toBeNull();
    expect(off.hits.every((h) => h.characterWeight === 1)).toBe(true);
  });

  it('a character the analytics never saw still counts (usage 0)', async () => {
    const { usage, hits } = await world.data.crossCharacterSearch('recursion', {
      characters: ['spark', 'nobody'],
      usageHours: 24,
      now: NOW,
    });
    expect(usage).toEqual({ spark: 1, nobody: 0 });
    // spark 2 shares, nobody 1: spark's weight 2·2/3.
    expect(hits.every((h) => h.character === 'spark')).toBe(true);
    expect(hits[0]?.characterWeight).toBeCloseTo(4 / 3, 12);
  });

  it('rejects bad input with a validation error naming the field, before any store is read', async () => {
    const search = (options: unknown) =>
      world.data.crossCharacterSearch('recursion', options as { characters: string[] });
    await expect(search({ characters: ['sage'], usageHours: -1 })).rejects.toMatchObject({
      name: 'FlowValidationError',
      field: 'usageHours',
    });
    await expect(search({ characters: ['sage'], usageHours: 1.5 })).rejects.toMatchObject({
      field: 'usageHours',
    });
    await expect(search({ characters: ['sage'], now: new Date(Number.NaN) })).rejects.toMatchObject({
      field: 'now',
    });
    await expect(search({ characters: [] })).rejects.toBeInstanceOf(FlowValidationError);
    await expect(search({ characters: [] })).rejects.toMatchObject({ field: 'characters' });
    await expect(search({ characters: ['sage'], weights: { sage: -1 } })).rejects.toMatchObject({
      field: 'weights.sage',
    });
    await expect(search(null)).rejects.toMatchObject({ field: 'options' });
  });

  it('property: input no store can hold is a validation error naming the field (1,000 cases each)', async () => {
    const search = world.data.crossCharacterSearch;
    const cases: Array<[field: string, call: (bad: unknown) => Promise<unknown>]> = [
      ['query', (x) => search(x as string, { characters: ['sage'], usageHours: 0 })],
      ['characters', (x) => search('recursion', { characters: ['sage', x as string] })],
      ['', (x) => search('recursion', x as { characters: string[] })],
      ['weights.sage', (x) => search('recursion', { characters: ['sage'], weights: { sage: x as number } })],
    ];
    for (const [field, call] of cases)
      await fc.assert(
        fc.asyncProperty(badInput(), async (bad) => {
          const error = await call(bad.make()).then(
            () => null,
            (e: unknown) => e,
          );
          expect(error, String(bad)).toBeInstanceOf(FlowValidationError);
          expect((error as FlowValidationError).field.startsWith(field)).toBe(true);
        }),
        { numRuns: 1_000 },
      );
  });
});
