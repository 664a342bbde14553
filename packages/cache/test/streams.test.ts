import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CacheValidationError, type Delivery } from '../src/index.js';
import { eventually, REDIS_URL, testCache } from './helpers.js';

let t: ReturnType<typeof testCache>;
beforeAll(() => {
  t = testCache('streams');
});
afterAll(async () => {
  await t.cleanup();
});

/** Reads until `n` deliveries arrived (each read blocks at most blockMs), bounded. */
async function readAtLeast(
  consumer: { read(): Promise<Delivery[]> },
  n: number,
  timeoutMs = 15_000,
): Promise<Delivery[]> {
  const got: Delivery[] = [];
  const deadline = Date.now() + timeoutMs;
  while (got.length < n) {
    if (Date.now() > deadline) throw new Error(`only ${got.length} of ${n} deliveries arrived`);
    got.push(...(await consumer.read()));
  }
  return got;
}

describe('agent message streams', () => {
  it('creates the orchestrator and monitor groups idempotently on publish', async () => {
    await t.cache.streams.publish('groups', { type: 'hello', payload: {} });
    await t.cache.streams.ensureGroups('groups');
    await t.cache.streams.ensureGroups('groups');
    const info = (await t.raw.xinfo('GROUPS', `${t.prefix}agent:messages:{groups}`)) as unknown[][];
    const names = info.map((g) => g[1]).sort();
    expect(names).toEqual(['monitor', 'orchestrator']);
  });

  it('delivers each message to both groups, in batches, until acknowledged', async () => {
    for (let i = 0; i < 5; i++) {
      await t.cache.streams.publish('batch', {
        type: 'task',
        payload: { i },
        from: 'orchestrator',
        correlationId: `c${i}`,
      });
    }
    const orchestrator = t.cache.streams.consumer('batch', {
      group: 'orchestrator',
      name: 'o1',
      batchSize: 3,
      blockMs: 100,
    });
    const monitor = t.cache.streams.consumer('batch', {
      group: 'monitor',
      name: 'm1',
      batchSize: 10,
      blockMs: 100,
    });
    const first = await orchestrator.read();
    expect(first.map((d) => d.message.payload.i)).toEqual([0, 1, 2]);
    expect(first[0]).toMatchObject({
      deliveries: 1,
      message: { type: 'task', from: 'orchestrator', correlationId: 'c0' },
    });
    const second = await orchestrator.read();
    expect(second.map((d) => d.message.payload.i)).toEqual([3, 4]);
    expect(await t.cache.streams.pendingCount('batch', 'orchestrator')).toBe(5);
    expect(await orchestrator.ack(...[...first, ...second].map((d) => d.id))).toBe(5);
    expect(await t.cache.streams.pendingCount('batch', 'orchestrator')).toBe(0);
    expect((await monitor.read()).length).toBe(5);
    expect(await orchestrator.read()).toEqual([]);
    await orchestrator.close();
    await monitor.close();
  });

  it('trims a stream to about 1,000 entries', async () => {
    // Through the API (which trims), in parallel to keep the test short.
    await Promise.all(
      Array.from({ length: 1_500 }, (_, i) =>
        t.cache.streams.publish('trim', { type: 'tick', payload: { i } }),
      ),
    );
    const length = await t.cache.streams.length('trim');
    expect(length).toBeGreaterThanOrEqual(1_000);
    expect(length).toBeLessThan(1_200);
  });

  it('loses nothing when a consumer is killed mid-batch: another claims its entries after the visibility timeout', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++)
      ids.push(await t.cache.streams.publish('crash', { type: 'task', payload: { i } }));
    const fixture = fileURLToPath(new URL('./fixtures/crashing-consumer.ts', import.meta.url));
    // Node itself with tsx's loader (not the tsx CLI, which runs the script in a child process
    // of its own): the process killed below is the consumer.
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, REDIS_URL, t.prefix, 'crash', '10'], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const read = await new Promise<string[]>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!) as string[]);
      });
      child.on('exit', (code) => reject(new Error(`consumer exited early (${code})`)));
    });
    expect(read).toEqual(ids);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    expect(await t.cache.streams.pendingCount('crash', 'orchestrator')).toBe(4);

    const survivor = t.cache.streams.consumer('crash', {
      group: 'orchestrator',
      name: 'survivor',
      blockMs: 50,
      visibilityTimeoutMs: 300,
    });
    const recovered = await readAtLeast(survivor, 4);
    expect(recovered.map((d) => d.id)).toEqual(ids);
    expect(recovered.map((d) => d.message.payload.i)).toEqual([0, 1, 2, 3]);
    expect(recovered.every((d) => d.deliveries === 2)).toBe(true);
    await survivor.ack(...recovered.map((d) => d.id));
    expect(await t.cache.streams.pendingCount('crash', 'orchestrator')).toBe(0);
    await survivor.close();
  });

  it('moves an entry to the dead-letter stream with its error after max deliveries', async () => {
    const id = await t.cache.streams.publish('poison', { type: 'task', payload: { bad: true } });
    const options = {
      group: 'orchestrator' as const,
      blockMs: 50,
      visibilityTimeoutMs: 50,
      maxDeliveries: 2,
    };
    const a = t.cache.streams.consumer('poison', { ...options, name: 'a' });
    const b = t.cache.streams.consumer('poison', { ...options, name: 'b' });
    const [first] = await readAtLeast(a, 1);
    expect(first).toMatchObject({ id, deliveries: 1 });
    await a.fail(id, new Error('payload rejected'));
    const [second] = await readAtLeast(b, 1);
    expect(second).toMatchObject({ id, deliveries: 2 });
    await b.fail(id, new Error('payload rejected again'));
    // The next claim (driven by a read) finds it delivered twice: it is dead-lettered, not delivered.
    const third: Delivery[] = [];
    await eventually(
      async () => {
        third.push(...(await a.read()));
        return (await t.cache.streams.deadLetters('poison')).length === 1;
      },
      10_000,
      'dead letter',
    );
    expect(third).toEqual([]);
    expect(await t.cache.streams.pendingCount('poison', 'orchestrator')).toBe(0);
    const [dead] = await t.cache.streams.deadLetters('poison');
    expect(dead).toMatchObject({
      sourceId: id,
      group: 'orchestrator',
      deliveries: 2,
      error: 'payload rejected again',
      message: { type: 'task', payload: { bad: true } },
    });
    await a.close();
    await b.close();
  });

  it('runs a handler loop that acknowledges successes and records failures', async () => {
    for (let i = 0; i < 3; i++) await t.cache.streams.publish('loop', { type: 'task', payload: { i } });
    const consumer = t.cache.streams.consumer('loop', { group: 'monitor', name: 'loop', blockMs: 50 });
    const controller = new AbortController();
    const handled: number[] = [];
    const running = consumer.run(
      async (d) => {
        handled.push(d.message.payload.i as number);
        if (d.message.payload.i === 1) throw new Error('cannot handle 1');
        if (handled.length >= 3) controller.abort();
      },
      { signal: controller.signal },
    );
    await running;
    expect(handled).toEqual([0, 1, 2]);
    expect(await t.cache.streams.pendingCount('loop', 'monitor')).toBe(1);
    expect(
      await t.raw.hget(
        `${t.prefix}agent:messages:{loop}:errors`,
        (await t.raw.xrange(`${t.prefix}agent:messages:{loop}`, '-', '+'))[1]![0],
      ),
    ).toBe('cannot handle 1');
    await consumer.close();
  });

  it('rejects an unknown group, a message without type and a bad entry id', async () => {
    expect(() => t.cache.streams.consumer('x', { group: 'auditors' as never, name: 'n' })).toThrow(
      CacheValidationError,
    );
    const e = await t.cache.streams.publish('x', { type: '', payload: {} }).catch((err: unknown) => err);
    expect((e as CacheValidationError).field).toBe('message.type');
    const c = t.cache.streams.consumer('x', { group: 'monitor', name: 'n', blockMs: 10 });
    await expect(c.ack('not-an-id')).rejects.toBeInstanceOf(CacheValidationError);
    await c.close();
  });

  it('reaches an idle entry behind more pending entries of a busy consumer than one claim scans', async () => {
    const stream = `${t.prefix}agent:messages:{behind}`;
    for (let i = 0; i < 30; i++) await t.cache.streams.publish('behind', { type: 'busy', payload: { i } });
    const busy = t.cache.streams.consumer('behind', {
      group: 'orchestrator',
      name: 'busy',
      batchSize: 30,
      blockMs: 10,
    });
    expect(await busy.read()).toHaveLength(30);
    const lost = await t.cache.streams.publish('behind', { type: 'lost', payload: {} });
    const crashed = t.cache.streams.consumer('behind', {
      group: 'orchestrator',
      name: 'crashed',
      blockMs: 10,
    });
    expect((await crashed.read()).map((d) => d.id)).toEqual([lost]);
    // Idle for ten minutes; the busy consumer's 30 (older ids) were delivered just now.
    await t.raw.xclaim(stream, 'orchestrator', 'crashed', 0, lost, 'IDLE', 600_000);
    const survivor = t.cache.streams.consumer('behind', {
      group: 'orchestrator',
      name: 'survivor',
      batchSize: 2, // a claim scans 10 × 2 pending entries
      blockMs: 10,
      visibilityTimeoutMs: 60_000,
    });
    const got = await readAtLeast(survivor, 1, 5_000);
    expect(got.map((d) => [d.id, d.message.type])).toEqual([[lost, 'lost']]);
    await Promise.all([busy.close(), crashed.close(), survivor.close()]);
  });

  it('never trims an entry delivered and not acknowledged: a crashed consumer’s batch survives any backlog', async () => {
    const small = testCache('streams-trim-pending', { streams: { maxLength: 20 } });
    try {
      const streams = small.cache.streams;
      for (let i = 0; i < 5; i++) await streams.publish('busy', { type: 'task', payload: { i } });
      // A consumer reads a batch and dies without acknowledging it.
      const crashed = streams.consumer('busy', {
        group: 'orchestrator',
        name: 'crashed',
        batchSize: 3,
        blockMs: 10,
      });
      const taken = await crashed.read();
      expect(taken.map((d) => d.message.payload.i)).toEqual([0, 1, 2]);
      await crashed.close();

      // Ten times the max length published after them: the stream stays short, around them.
      for (let i = 5; i < 205; i++) await streams.publish('busy', { type: 'tick', payload: { i } });
      expect(await streams.length('busy')).toBeLessThanOrEqual(20 + 2 + 3);
      const survivor = streams.consumer('busy', {
        group: 'orchestrator',
        name: 'survivor',
        batchSize: 3,
        blockMs: 10,
        visibilityTimeoutMs: 1,
      });
      const recovered = await readAtLeast(survivor, 3);
      expect(recovered.map((d) => [d.id, d.message])).toEqual(taken.map((d) => [d.id, d.message]));
      await survivor.ack(...recovered.map((d) => d.id));
      // Acknowledged, they are trimmed like the rest.
      for (let i = 205; i < 230; i++) await streams.publish('busy', { type: 'tick', payload: { i } });
      const raw = await small.raw.xrange(`${small.prefix}agent:messages:{busy}`, '-', '+');
      expect(raw.length).toBeLessThanOrEqual(22);
      expect(raw.map(([id]) => id)).not.toContain(taken[0]!.id);
    } finally {
      await small.cleanup();
    }
  });

  it('keeps consuming after the stream and its groups were deleted: recreates the groups', async () => {
    const { cache, cleanup } = testCache('streams-reset');
    try {
      await cache.streams.publish('gone', { type: 'task', payload: { n: 1 } });
      const consumer = cache.streams.consumer('gone', { group: 'orchestrator', name: 'c', blockMs: 10 });
      expect((await consumer.read()).map((d) => d.message.payload.n)).toEqual([1]);
      await cache.reset();
      await cache.streams.publish('gone', { type: 'task', payload: { n: 2 } });
      const after = await readAtLeast(consumer, 1);
      expect(after.map((d) => d.message.payload.n)).toEqual([2]);
      await consumer.close();
    } finally {
      await cleanup();
    }
  });

  it('dead-letters a pending entry someone deleted from the stream, instead of losing it silently', async () => {
    const [id] = [await t.cache.streams.publish('deleted', { type: 'task', payload: {} })];
    const a = t.cache.streams.consumer('deleted', { group: 'orchestrator', name: 'a', blockMs: 10 });
    expect((await a.read()).map((d) => d.id)).toEqual([id]);
    await t.raw.xdel(`${t.prefix}agent:messages:{deleted}`, id!);
    const b = t.cache.streams.consumer('deleted', {
      group: 'orchestrator',
      name: 'b',
      blockMs: 10,
      visibilityTimeoutMs: 1,
    });
    await eventually(async () => {
      await b.read();
      return (await t.cache.streams.deadLetters('deleted')).length === 1;
    });
    const [dead] = await t.cache.streams.deadLetters('deleted');
    expect(dead).toMatchObject({
      sourceId: id,
      group: 'orchestrator',
      error: expect.stringMatching(/content lost/),
    });
    expect(await t.cache.streams.pendingCount('deleted', 'orchestrator')).toBe(0);
    await a.close();
    await b.close();
  });
});
