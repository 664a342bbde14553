// The outbox relay against the real outbox table: order per aggregate, retries with backoff,
// parking, several workers, and a worker that dies between applying and completing.
import { createRelational, type OutboxRow, type Relational } from '@monsteros/relational';
import { createTestDatabase, type TestDatabase } from '@monsteros/schema/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRelay, PermanentError, type RelayOptions } from '../src/outbox/relay.js';

let db: TestDatabase;
let relational: Relational;

async function emit(events: Array<[aggregate: string, type: string, n: number]>): Promise<void> {
  await relational.transaction(async (tx) => {
    await tx.outbox.append(
      events.map(([aggregate, type, n]) => ({
        aggregate_type: 'test',
        aggregate_id: aggregate,
        event_type: type,
        payload: { n },
      })),
    );
  });
}

const n = (e: OutboxRow) => (e.payload as { n: number }).n;

beforeAll(async () => {
  db = await createTestDatabase({ label: 'flows_relay' });
  relational = createRelational({ databaseUrl: db.url, poolSize: 6 });
});
afterAll(async () => {
  await relational?.close();
  await db?.drop();
});
beforeEach(async () => {
  await relational.pool.query('delete from outbox');
});

describe('outbox relay', () => {
  it('applies every event once, in order within each aggregate', async () => {
    const events: Array<[string, string, number]> = [];
    for (let i = 0; i < 60; i++) events.push([`agg-${i % 4}`, 'noted', i]);
    await emit(events);
    const seen = new Map<string, number[]>();
    const relay = createRelay({
      outbox: relational.outbox,
      batchSize: 7,
      handlers: {
        noted: async (e) => {
          await new Promise((r) => setTimeout(r, Math.random() * 3));
          seen.set(e.aggregate_id, [...(seen.get(e.aggregate_id) ?? []), n(e)]);
        },
      },
    });
    const result = await relay.drain();
    expect(result).toMatchObject({ applied: 60, retried: 0, parked: 0 });
    for (let a = 0; a < 4; a++) {
      expect(seen.get(`agg-${a}`)).toEqual(events.filter(([agg]) => agg === `agg-${a}`).map(([, , i]) => i));
    }
    expect(await relational.outbox.backlog()).toMatchObject({ pending: 0, parked: 0 });
  });

  it('counts each round in stats() as soon as its events are completed, while the drain goes on', async () => {
    // One aggregate: one event per claim, so each event is a round of its own.
    await emit([
      ['one', 'noted', 1],
      ['one', 'noted', 2],
      ['one', 'noted', 3],
    ]);
    const seenDuring: number[] = [];
    const relay = createRelay({
      outbox: relational.outbox,
      handlers: {
        noted: async () => {
          seenDuring.push(relay.stats().applied);
        },
      },
    });
    await relay.drain();
    // Inside the drain, each handler already sees the earlier rounds counted.
    expect(seenDuring).toEqual([0, 1, 2]);
    expect(relay.stats()).toMatchObject({ applied: 3, retried: 0, parked: 0 });
  });

  it('retries with backoff, then parks an event that keeps failing, and retries parked events on command', async () => {
    await emit([
      ['flaky', 'flaky', 1],
      ['broken', 'broken', 2],
      ['bad', 'bad', 3],
      ['nobody', 'unknown.type', 4],
    ]);
    let flakyCalls = 0;
    let brokenFixed = false;
    const failures: string[] = [];
    const relay = createRelay({
      outbox: relational.outbox,
      maxAttempts: 3,
      baseDelayMs: 1,
      maxDelayMs: 5,
      onFailure: (e, _error, outcome) => failures.push(`${e.event_type}:${outcome}`),
      handlers: {
        flaky: async () => {
          if (++flakyCalls < 3) throw new Error('redis timeout');
        },
        broken: async () => {
          if (!brokenFixed) throw new Error('qdrant says no');
        },
        bad: async () => {
          throw new PermanentError('payload has no user id');
        },
      },
    });
    const applied: number[] = [];
    for (let i = 0; i < 20 && (await relational.outbox.backlog()).pending > 0; i++) {
      applied.push((await relay.drain()).applied);
      await new Promise((r) => setTimeout(r, 15));
    }
    expect(applied.reduce((a, b) => a + b, 0)).toBe(1);
    expect(flakyCalls).toBe(3);
    const { rows } = await relational.pool.query(
      `select event_type, attempts, last_error, parked_at is not null as parked, processed_at is not null as done
         from outbox order by id`,
    );
    expect(rows).toEqual([
      { event_type: 'flaky', attempts: 3, last_error: null, parked: false, done: true },
      { event_type: 'broken', attempts: 3, last_error: 'qdrant says no', parked: true, done: false },
      { event_type: 'bad', attempts: 1, last_error: 'payload has no user id', parked: true, done: false },
      {
        event_type: 'unknown.type',
        attempts: 1,
        last_error: 'no handler for event type unknown.type',
        parked: true,
        done: false,
      },
    ]);
    expect(failures.filter((f) => f.endsWith('parked')).sort()).toEqual([
      'bad:parked',
      'broken:parked',
      'unknown.type:parked',
    ]);

    brokenFixed = true;
    const brokenId = (await relational.pool.query(`select id from outbox where event_type = 'broken'`))
      .rows[0].id;
    expect(await relay.retryParked([String(brokenId)])).toBe(1);
    expect(await relay.drain()).toMatchObject({ applied: 1 });
    expect(await relational.outbox.backlog()).toMatchObject({ pending: 0, parked: 2 });
  });

  it('keeps renewing the lease of a handler that runs longer than one lease, so no other worker takes the event', async () => {
    await emit([['slow-agg', 'slow', 1]]);
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const handlers = {
      slow: async () => {
        calls++;
        await gate;
      },
    };
    const a = createRelay({ outbox: relational.outbox, handlers, leaseMs: 150 });
    const b = createRelay({ outbox: relational.outbox, handlers, leaseMs: 150 });
    const first = a.drain();
    try {
      // Four leases later, the event is still A's: B finds nothing to claim.
      await new Promise((r) => setTimeout(r, 600));
      const second = b.drain();
      await new Promise((r) => setTimeout(r, 100));
      expect(calls).toBe(1);
      expect(await second).toMatchObject({ applied: 0, rounds: 0 });
    } finally {
      release();
    }
    expect(await first).toMatchObject({ applied: 1 });
    expect(calls).toBe(1);
    const { rows } = await relational.pool.query(
      `select attempts, processed_at is not null as done from outbox`,
    );
    expect(rows).toEqual([{ attempts: 1, done: true }]);
  });

  it('shares the work between workers without applying an event twice', async () => {
    const events: Array<[string, string, number]> = [];
    for (let i = 0; i < 200; i++) events.push([`agg-${i % 25}`, 'noted', i]);
    await emit(events);
    const applied: number[] = [];
    const byWorker = [0, 0, 0];
    const workers = [0, 1, 2].map((w) =>
      createRelay({
        outbox: relational.outbox,
        batchSize: 10,
        idleMs: 5,
        handlers: {
          noted: async (e) => {
            await new Promise((r) => setTimeout(r, 1));
            applied.push(n(e));
            byWorker[w]!++;
          },
        },
      }),
    );
    for (const w of workers) w.start();
    for (let i = 0; i < 400 && applied.length < 200; i++) await new Promise((r) => setTimeout(r, 10));
    await Promise.all(workers.map((w) => w.stop()));
    expect(applied.sort((a, b) => a - b)).toEqual(events.map(([, , i]) => i));
    expect(byWorker.filter((c) => c > 0).length).toBeGreaterThan(1);
    expect(workers.every((w) => !w.stats().running)).toBe(true);
  });

  it('stops a loop restarted while stopping: one loop at a time, and stop() waits for its round', async () => {
    const entered: number[] = [];
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const relay = createRelay({
      outbox: relational.outbox,
      idleMs: 5,
      handlers: {
        held: async (e) => {
          entered.push(n(e));
          await released;
        },
      },
    });
    relay.start();
    const firstStop = relay.stop();
    relay.start();
    await firstStop;
    expect(relay.stats().running).toBe(true);
    await emit([['a', 'held', 1]]);
    for (let i = 0; i < 200 && entered.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(entered).toEqual([1]);
    let stopped = false;
    const secondStop = relay.stop().then(() => {
      stopped = true;
    });
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect(stopped).toBe(false);
    release();
    await secondStop;
    expect(relay.stats().running).toBe(false);
    expect(await relational.outbox.backlog()).toMatchObject({ pending: 0 });
    expect(entered).toEqual([1]);
  });

  it('re-applies an event whose worker died before completing it, once its lease ends', async () => {
    await emit([['agg', 'noted', 1]]);
    // A worker claims the event and dies: nothing completes it.
    const [claimed] = await relational.outbox.claim(10, 200);
    expect(claimed).toBeDefined();
    const seen: number[] = [];
    const relay = createRelay({
      outbox: relational.outbox,
      handlers: { noted: async (e) => void seen.push(n(e)) },
    });
    expect(await relay.drain()).toMatchObject({ applied: 0 });
    // Polled (bounded) until the lease ends.
    let applied = 0;
    for (let i = 0; i < 200 && applied === 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
      applied = (await relay.drain()).applied;
    }
    expect(applied).toBe(1);
    expect(seen).toEqual([1]);
  });

  it('coalesces kicks into drains and keeps working after the outbox was unreachable', async () => {
    const seen: number[] = [];
    let claims = 0;
    const relay = createRelay({
      // The real outbox, counting the claims the kicks cause.
      outbox: {
        ...relational.outbox,
        claim: (limit, leaseMs) => {
          claims++;
          return relational.outbox.claim(limit, leaseMs);
        },
      },
      handlers: { noted: async (e) => void seen.push(n(e)) },
    });
    await emit([
      ['a', 'noted', 1],
      ['b', 'noted', 2],
    ]);
    for (let i = 0; i < 10; i++) relay.kick();
    await relay.stop();
    expect(seen.sort()).toEqual([1, 2]);
    // Ten kicks, two drains: the first (a batch, then nothing left) and one for the kicks made
    // while it ran.
    expect(claims).toBe(3);

    const down = createRelational({
      databaseUrl: 'postgresql://postgres@127.0.0.1:1/nowhere',
      connectionTimeoutMs: 200,
    });
    const orphan = createRelay({ outbox: down.outbox, handlers: {}, idleMs: 5 });
    orphan.kick();
    await orphan.stop();
    expect(orphan.stats().lastError).toMatch(/PostgreSQL|connect/i);
    await down.close();
  });

  it('settles: waits out retries until the outbox has nothing pending, leaving parked events aside', async () => {
    await emit([
      ['a', 'flaky', 1],
      ['b', 'broken', 2],
      ['c', 'noted', 3],
    ]);
    let flakyCalls = 0;
    const relay = createRelay({
      outbox: relational.outbox,
      // Long enough that one drain, however slow the machine, cannot see the retry come due.
      baseDelayMs: 400,
      maxDelayMs: 800,
      handlers: {
        flaky: async () => {
          if (++flakyCalls < 3) throw new Error('qdrant timeout');
        },
        broken: async () => {
          throw new PermanentError('bad payload');
        },
        noted: async () => {},
      },
    });
    // One drain leaves the flaky event waiting for its retry; settle waits it out.
    expect(await relay.drain()).toMatchObject({ applied: 1, retried: 1, parked: 1 });
    expect(await relational.outbox.backlog()).toMatchObject({ pending: 1 });
    expect(await relay.settle({ pollMs: 10 })).toMatchObject({ pending: 0, parked: 1 });
    expect(flakyCalls).toBe(3);
  });

  it('gives up settling with a TIMEOUT error naming what is still pending', async () => {
    await emit([['a', 'down', 1]]);
    const relay = createRelay({
      outbox: relational.outbox,
      baseDelayMs: 60_000,
      handlers: {
        down: async () => {
          throw new Error('store down');
        },
      },
    });
    await expect(relay.settle({ timeoutMs: 50, pollMs: 10 })).rejects.toMatchObject({
      code: 'TIMEOUT',
      message: expect.stringContaining('1 outbox events still pending'),
    });
    await expect(relay.settle({ timeoutMs: 0 })).rejects.toMatchObject({
      code: 'VALIDATION',
      message: 'relay.settle timeoutMs: must be a whole number of at least 1',
    });
  });

  it('rejects bad options with a typed error naming the option and the rule', async () => {
    const bad: Array<[Partial<RelayOptions>, string]> = [
      [{ batchSize: 0 }, 'relay batchSize: must be a whole number of at least 1'],
      [{ maxAttempts: 1.5 }, 'relay maxAttempts: must be a whole number of at least 1'],
      [{ leaseMs: -1 }, 'relay leaseMs: must be a whole number of at least 1'],
      [{ baseDelayMs: Number.NaN }, 'relay baseDelayMs: must be a whole number of at least 0'],
      [{ maxDelayMs: -5 }, 'relay maxDelayMs: must be a whole number of at least 0'],
      [{ idleMs: 0 }, 'relay idleMs: must be a whole number of at least 1'],
    ];
    for (const [options, message] of bad) {
      expect(() => createRelay({ outbox: relational.outbox, handlers: {}, ...options })).toThrow(
        expect.objectContaining({ code: 'VALIDATION', message, field: message.split(':')[0] }),
      );
    }
    const relay = createRelay({ outbox: relational.outbox, handlers: {} });
    await expect(relay.drain({ maxRounds: 0 })).rejects.toMatchObject({
      code: 'VALIDATION',
      message: 'relay.drain maxRounds: must be a whole number of at least 1',
    });
  });
});
