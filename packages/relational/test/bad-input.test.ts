// Bad input at every public entry point: a RelationalValidationError naming the field, and no statement
// sent. Examples for each defect found, then fast-check properties (1,000 cases per entry point).
import {
  badInput,
  createTestDatabase,
  refusalProblem,
  type TestDatabase,
  thrownBy,
} from '@monsteros/schema/testing';
import fc from 'fast-check';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRelational, type Relational, RelationalValidationError } from '../src/index.js';
import { countingPool } from './fixtures/counting-pool.js';

let db: TestDatabase;
let pool: pg.Pool;
let relational: Relational;
let queries: () => number;
const UUID = '00000000-0000-4000-8000-000000000001';

beforeAll(async () => {
  db = await createTestDatabase({ label: 'relational_bad' });
  const counted = countingPool(db.url, 3);
  pool = counted.pool;
  queries = counted.queries;
  relational = createRelational({ pool });
});
afterAll(async () => {
  await relational?.close();
  await pool?.end();
  await db?.drop();
});

/** Calls `fn`, expects a RelationalValidationError whose field starts with `field`, and no statement sent. */
async function refused(fn: () => Promise<unknown>, field: string): Promise<RelationalValidationError> {
  const before = queries();
  const error = await thrownBy(fn);
  expect(refusalProblem(error, field)).toBeNull();
  expect(error).toBeInstanceOf(RelationalValidationError);
  expect((error as Error).message).not.toMatch(/\/src\/|\.ts:|at .*\(/);
  expect(queries()).toBe(before);
  return error as RelationalValidationError;
}

describe('text PostgreSQL cannot hold is refused, never changed', () => {
  it('refuses usernames with a lone surrogate (they would both be stored as U+FFFD) and NUL', async () => {
    await refused(() => relational.users.create({ username: 'ada\ud800' }), 'user.username');
    await refused(() => relational.users.create({ username: 'ada\udbff' }), 'user.username');
    await refused(() => relational.users.getByUsername('ada\u0000'), 'username');
    await relational.users.create({ username: 'ada\ud83d\udc09' });
    expect((await relational.users.getByUsername('ada\ud83d\udc09'))?.username).toBe('ada\ud83d\udc09');
  });

  it('refuses NUL, lone surrogates, deep nesting, circular objects and throwing proxies inside JSON documents', async () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    const proxy = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('no');
        },
      },
    );
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = { d: deep };
    for (const bad of ['\u0000', '\udc00', deep, loop, proxy]) {
      await refused(() => relational.achievements.grantEarned(UUID, { note: bad as string }), 'context.note');
    }
  });
});

type EntryPoint = [name: string, field: string, call: (bad: unknown) => Promise<unknown>];
const anyValue = (bad: unknown) => bad as never;
const entryPoints = (): EntryPoint[] => [
  [
    'characters.create',
    'character',
    (b) =>
      relational.characters.create({ name: anyValue(b), display_name: 'x', role: 'r', backend_system: 'b' }),
  ],
  ['characters.getByName', 'name', (b) => relational.characters.getByName(anyValue(b))],
  ['characters.getById', 'id', (b) => relational.characters.getById(anyValue(b))],
  ['characters.list', 'role', (b) => relational.characters.list({ role: anyValue(b) })],
  ['characters.setStatus', 'name', (b) => relational.characters.setStatus(anyValue(b), 'active')],
  [
    'characters.updateMetrics',
    'name',
    (b) => relational.characters.updateMetrics(anyValue(b), { total_interactions: 1 } as never),
  ],
  ['users.create', 'user', (b) => relational.users.create({ username: anyValue(b) })],
  ['users.getById', 'id', (b) => relational.users.getById(anyValue(b))],
  ['users.getByUsername', 'username', (b) => relational.users.getByUsername(anyValue(b))],
  [
    'users.updatePreferences',
    'learning_preferences',
    (b) => relational.users.updatePreferences(UUID, anyValue(b)),
  ],
  ['users.overview', 'id', (b) => relational.users.overview(anyValue(b))],
  ['users.delete', 'id', (b) => relational.users.delete(anyValue(b))],
  [
    'quests.create',
    'quest',
    (b) => relational.quests.create({ quest_name: anyValue(b), category: 'c', difficulty: 1 }),
  ],
  ['quests.getById', 'id', (b) => relational.quests.getById(anyValue(b))],
  ['quests.listByCategory', 'category', (b) => relational.quests.listByCategory(anyValue(b))],
  ['quests.getUserActiveQuests', 'userId', (b) => relational.quests.getUserActiveQuests(anyValue(b))],
  [
    'progress.upsert',
    'userId',
    (b) => relational.progress.upsert({ userId: anyValue(b), questId: UUID, progress: 1, chapter: 1 }),
  ],
  ['progress.get', 'userId', (b) => relational.progress.get(anyValue(b), UUID)],
  [
    'achievements.create',
    'achievement',
    (b) =>
      relational.achievements.create({
        name: anyValue(b),
        description: 'd',
        category: 'c',
        criteria: { kind: 'manual' },
      }),
  ],
  ['achievements.grant', 'context', (b) => relational.achievements.grant(UUID, UUID, anyValue(b))],
  ['achievements.grantEarned', 'userId', (b) => relational.achievements.grantEarned(anyValue(b))],
  ['achievements.ofUser', 'userId', (b) => relational.achievements.ofUser(anyValue(b))],
  [
    'interactions.record',
    'interaction',
    (b) =>
      relational.interactions.record({
        userId: UUID,
        character: 'sage',
        message: anyValue(b),
        response: 'r',
        responseTimeMs: 1,
      } as never),
  ],
  [
    'interactions.byIdempotencyKey',
    'idempotencyKey',
    (b) => relational.interactions.byIdempotencyKey(anyValue(b)),
  ],
  ['interactions.latest', 'userId', (b) => relational.interactions.latest(anyValue(b), 'sage')],
  [
    'memory.upsertPassages',
    'context',
    (b) => relational.memory.upsertPassages(anyValue(b), [{ content: 'x' }]),
  ],
  ['memory.graphVersion', 'context', (b) => relational.memory.graphVersion(anyValue(b))],
  ['memory.entities', 'ids', (b) => relational.memory.entities([anyValue(b)])],
  [
    'operations.record',
    'operation',
    (b) => relational.operations.record({ operationType: anyValue(b), latencyMs: 1 }),
  ],
  [
    'outbox.append',
    'events',
    (b) =>
      relational.outbox.append([
        { aggregate_type: 'a', aggregate_id: 'b', event_type: 'c', payload: { p: anyValue(b) } },
      ]),
  ],
  ['outbox.complete', 'ids', (b) => relational.outbox.complete([anyValue(b)])],
  ['outbox.park', 'id', (b) => relational.outbox.park(anyValue(b), 'e')],
  ['config.get', 'key', (b) => relational.config.get(anyValue(b))],
];

describe('property: every entry point refuses input no store can hold (1,000 cases each)', () => {
  it.each(entryPoints().map((e) => [e[0], e]))('%s', async (_name, entry) => {
    const [, field, call] = entry as EntryPoint;
    await fc.assert(
      fc.asyncProperty(badInput(), async (bad) => {
        await refused(() => call(bad.make()), field);
      }),
      { numRuns: 1_000 },
    );
  });
});
