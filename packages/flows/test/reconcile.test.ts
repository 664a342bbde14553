// Reconcile beside live writers: a memory written while reconcile reads is never taken for an
// orphan and removed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVectorsPort, loadConfig, type ReconcileReport, type VectorsPort } from '../src/index.js';
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

  it('counts an interaction whose embedding event is parked as missing, and repair re-emits it', async () => {
    const { data, users } = world;
    const { interactionId } = await data.flows.characterInteraction({
      userId: users[2]!,
      character: 'spark',
      message: 'How do I keep a streak going?',
    });
    await data.relay.settle({ timeoutMs: 30_000 });
    expect((await data.vectors.storedInteractionIds()).has(interactionId)).toBe(true);
    // As after a long Qdrant outage: the point is gone and its event exhausted its retries.
    await data.vectors.forget([interactionId]);
    await data.relational.pool.query(
      `insert into outbox (aggregate_type, aggregate_id, event_type, payload, attempts, last_error, parked_at)
       values ('interaction', $1::text, 'interaction.embed', jsonb_build_object('interactionId', $1::text), 8, 'qdrant down', now())`,
      [interactionId],
    );

    const report = await data.reconcile();
    expect(report.ok).toBe(false);
    expect(report.rows[0]).toMatchObject({ missing: 1, sample: { missing: [interactionId] } });

    const repaired = await data.reconcile({ repair: true });
    expect(repaired.rows[0]).toMatchObject({ missing: 1, repaired: { reemitted: 1 } });
    await data.relay.settle({ timeoutMs: 30_000 });
    expect((await data.vectors.storedInteractionIds()).has(interactionId)).toBe(true);
    expect((await data.reconcile()).rows[0]).toMatchObject({ missing: 0, orphans: 0 });
  });

  it('reports the response_time samples a Redis restarted empty lost, and repair writes them back', async () => {
    const { data, users, prefix } = world;
    const ids: string[] = [];
    for (const message of ['What is a monad?', 'What is a functor?', 'What is a lens?'])
      ids.push(
        (await data.flows.characterInteraction({ userId: users[0]!, character: 'spark', message }))
          .interactionId,
      );
    await data.relay.settle({ timeoutMs: 30_000 });
    const samples = () => data.cache.metrics.samples('response_time', 'spark');
    const stored = async () => new Set((await samples()).map((s) => s.id));
    const before = await stored();
    expect(ids.filter((id) => !before.has(id))).toEqual([]);
    const row = (report: ReconcileReport) =>
      report.rows.find((r) => r.aggregate.startsWith('interactions → redis response_time'));
    expect(row(await data.reconcile())).toMatchObject({ store: 'redis', missing: 0 });

    // As after a restart of Redis without persistence: the series is gone, nothing re-applies it.
    await (data.cache.redis as import('ioredis').Redis).del(`${prefix}metrics:response_time:{spark}`);
    const report = await data.reconcile();
    expect(report.ok).toBe(false);
    // Every sample of the series had an interaction (this test's and the previous test's).
    expect(row(report)).toMatchObject({ store: 'redis', missing: before.size });
    expect(row(report)!.sample.missing).toEqual(expect.arrayContaining(ids));

    const repaired = await data.reconcile({ repair: true });
    expect(row(repaired)).toMatchObject({ repaired: { reemitted: before.size } });
    expect(await stored()).toEqual(before);
    expect(row(await data.reconcile())).toMatchObject({ missing: 0 });
  });
});
