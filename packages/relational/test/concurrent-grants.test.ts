import { createTestDatabase, type TestDatabase } from '@monsteros/schema/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRelational, type Relational } from '../src/index.js';

let db: TestDatabase;
let relational: Relational;
let admin: pg.Client;

beforeAll(async () => {
  db = await createTestDatabase({ label: 'relational_grants' });
  relational = createRelational({ databaseUrl: db.url, poolSize: 4 });
  admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
});
afterAll(async () => {
  await admin?.end();
  await relational?.close();
  await db?.drop();
});

/** Polls (bounded) until `settled` says done or the backend waits on a lock; returns which. */
async function blockedOrDone(pid: number, settled: () => boolean): Promise<'blocked' | 'done'> {
  for (let i = 0; i < 2_000; i++) {
    if (settled()) return 'done';
    const { rows } = await admin.query<{ waiting: boolean }>(
      `select wait_event_type = 'Lock' as waiting from pg_stat_activity where pid = $1`,
      [pid],
    );
    if (rows[0]?.waiting) return 'blocked';
    await new Promise((r) => setImmediate(r));
  }
  throw new Error('neither blocked nor done');
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('achievements earned by concurrent completions', () => {
  it('grants category mastery when the last two quests of a category complete in two concurrent transactions', async () => {
    const user = await relational.users.create({ username: 'racer' });
    const [a, b] = await Promise.all(
      ['A', 'B'].map((n) =>
        relational.quests.create({ quest_name: `race ${n}`, category: 'race', difficulty: 1 }),
      ),
    );
    const mastery = await relational.achievements.create({
      name: 'race mastery',
      description: 'all race quests',
      category: 'race',
      criteria: { kind: 'category_mastery', category: 'race' },
    });
    const two = await relational.achievements.create({
      name: 'two done',
      description: 'two quests',
      category: 'race',
      criteria: { kind: 'quests_completed_count', threshold: 2 },
    });

    // Both completions are written before either transaction decides: each sees only its own.
    const firstWrote = deferred();
    const secondWrote = deferred();
    const firstMayCommit = deferred();
    let secondPid = 0;
    let secondGranted = false;
    const first = relational.transaction(async (tx) => {
      await tx.progress.upsert({ userId: user.id, questId: a!.id, progress: 100, chapter: 1 });
      firstWrote.resolve();
      await secondWrote.promise;
      const grants = await tx.achievements.grantEarned(user.id, { quest_id: a!.id });
      await firstMayCommit.promise;
      return grants;
    });
    const second = relational.transaction(async (tx) => {
      await firstWrote.promise;
      await tx.progress.upsert({ userId: user.id, questId: b!.id, progress: 100, chapter: 1 });
      const rows = await tx.kysely.selectNoFrom((eb) => eb.fn<number>('pg_backend_pid').as('pid')).execute();
      secondPid = rows[0]!.pid;
      secondWrote.resolve();
      const grants = tx.achievements.grantEarned(user.id, { quest_id: b!.id }).finally(() => {
        secondGranted = true;
      });
      return grants;
    });
    await secondWrote.promise;
    // Let the first decide, then see the second either wait for it or decide alone.
    await blockedOrDone(secondPid, () => secondGranted);
    firstMayCommit.resolve();
    const grants = [...(await first), ...(await second)].map((g) => g.achievement_id).sort();
    expect(grants).toEqual([mastery.id, two.id].sort());
    const held = (await relational.achievements.ofUser(user.id)).map((g) => g.achievement_id).sort();
    expect(held).toEqual([mastery.id, two.id].sort());
  });
});
