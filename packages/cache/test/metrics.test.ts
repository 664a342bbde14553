import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CacheValidationError } from '../src/index.js';
import { testCache } from './helpers.js';

let t: ReturnType<typeof testCache>;
beforeAll(() => {
  t = testCache('metrics');
});
afterAll(async () => {
  await t.cleanup();
});

const HOUR = 3_600_000;
// A fixed, minute-aligned base keeps bucket boundaries independent of the clock.
const base = Math.floor(Date.now() / 60_000) * 60_000 - HOUR;

describe('metrics time series', () => {
  it('uses the core implementation on Redis without the TimeSeries module', async () => {
    expect(await t.cache.metrics.backend()).toBe('core');
  });

  it('stores samples under metrics:{type}:{agent} and reads them back in order', async () => {
    await t.cache.metrics.record('response_time', 'sage', 120, base + 2_000);
    await t.cache.metrics.record('response_time', 'sage', 80, base);
    await t.cache.metrics.record('response_time', 'sage', 100, base + 1_000);
    expect(await t.raw.type(`${t.prefix}metrics:response_time:{sage}`)).toBe('zset');
    const read = await t.cache.metrics.samples('response_time', 'sage', { from: base, to: base + 2_000 });
    expect(read.map(({ timestamp, value }) => ({ timestamp, value }))).toEqual([
      { timestamp: base, value: 80 },
      { timestamp: base + 1_000, value: 100 },
      { timestamp: base + 2_000, value: 120 },
    ]);
  });

  it('keeps every sample of one millisecond (two interactions of one character), none overwriting another', async () => {
    await t.cache.metrics.record('dup', 'sage', 1, base);
    await t.cache.metrics.record('dup', 'sage', 2, base);
    await t.cache.metrics.record('dup', 'sage', 2, base);
    const samples = await t.cache.metrics.samples('dup', 'sage', { from: base, to: base });
    expect(samples.map((s) => s.value).sort()).toEqual([1, 2, 2]);
    expect(new Set(samples.map((s) => s.id)).size).toBe(3);
  });

  it('records a sample again under its id idempotently (an outbox event applied twice)', async () => {
    await t.cache.metrics.record('dup_id', 'sage', 5, base, { id: 'interaction-1' });
    await t.cache.metrics.record('dup_id', 'sage', 7, base, { id: 'interaction-2' });
    await t.cache.metrics.record('dup_id', 'sage', 5, base, { id: 'interaction-1' });
    await t.cache.metrics.record('dup_id', 'sage', 6, base, { id: 'interaction-1' });
    expect(await t.cache.metrics.samples('dup_id', 'sage', { from: base, to: base })).toEqual([
      { timestamp: base, value: 6, id: 'interaction-1' },
      { timestamp: base, value: 7, id: 'interaction-2' },
    ]);
  });

  it('aggregates avg, max, count, min and sum over epoch-aligned buckets, leaving empty buckets out', async () => {
    // Bucket 1 (base .. base+59,999): 10, 20, 60. Bucket 3 (base+120,000 …): 5.
    const samples: Array<[number, number]> = [
      [base + 1_000, 10],
      [base + 30_000, 20],
      [base + 59_999, 60],
      [base + 125_000, 5],
    ];
    for (const [ts, v] of samples) await t.cache.metrics.record('agg', 'sage', v, ts);
    const q = { from: base, to: base + 180_000, bucketMs: 60_000 };
    expect(await t.cache.metrics.range('agg', 'sage', { ...q, aggregation: 'avg' })).toEqual([
      { timestamp: base, value: 30 },
      { timestamp: base + 120_000, value: 5 },
    ]);
    expect(await t.cache.metrics.range('agg', 'sage', { ...q, aggregation: 'max' })).toEqual([
      { timestamp: base, value: 60 },
      { timestamp: base + 120_000, value: 5 },
    ]);
    expect(await t.cache.metrics.range('agg', 'sage', { ...q, aggregation: 'count' })).toEqual([
      { timestamp: base, value: 3 },
      { timestamp: base + 120_000, value: 1 },
    ]);
    expect((await t.cache.metrics.range('agg', 'sage', { ...q, aggregation: 'min' }))[0]!.value).toBe(10);
    expect((await t.cache.metrics.range('agg', 'sage', { ...q, aggregation: 'sum' }))[0]!.value).toBe(90);
  });

  it('keeps 24 h of samples: older ones are dropped, and a sample older than the window is refused', async () => {
    const day = 24 * HOUR;
    const now = base + HOUR;
    expect(await t.cache.metrics.record('ret', 'sage', 1, now - day - 60_000)).toBe(true);
    expect(await t.cache.metrics.record('ret', 'sage', 2, now - day + 60_000)).toBe(true);
    expect(await t.cache.metrics.record('ret', 'sage', 3, now)).toBe(true);
    expect((await t.cache.metrics.samples('ret', 'sage', { from: 0, to: now })).map((s) => s.value)).toEqual([
      2, 3,
    ]);
    expect(await t.cache.metrics.record('ret', 'sage', 4, now - day - 1)).toBe(false);
    const ttl = await t.raw.pttl(`${t.prefix}metrics:ret:{sage}`);
    expect(ttl).toBeGreaterThan(day - 60_000);
    expect(ttl).toBeLessThanOrEqual(day);
  });

  it('updates many agents (session hash and one sample per metric) in one pipeline round trip', async () => {
    const agents = Array.from({ length: 20 }, (_, i) => `agent${i}`);
    // The backend is detected once (MODULE LIST): before counting, so the test holds on its own.
    await t.cache.metrics.backend();
    let roundTrips = 0;
    const count = () => roundTrips++;
    // Every write of a command batch to the socket is one round trip: count the flushes.
    const stream = (t.cache.redis as unknown as { stream: { write: (...a: unknown[]) => boolean } }).stream;
    const write = stream.write.bind(stream);
    stream.write = (...args: unknown[]) => {
      count();
      return write(...args);
    };
    let result: { agents: number; samples: number };
    try {
      result = await t.cache.metrics.updateAgents(
        agents.map((agent, i) => ({
          agent,
          metrics: { response_time: 100 + i, satisfaction: 4 },
          session: { status: 'active' },
          timestamp: base + i,
        })),
      );
    } finally {
      stream.write = write;
    }
    expect(result).toEqual({ agents: 20, samples: 40 });
    expect(roundTrips).toBe(1);
    const s = await t.cache.sessions.agents.get('agent7');
    expect(s).toMatchObject({ status: 'active', metrics: { response_time: 107, satisfaction: 4 } });
    expect(await t.cache.metrics.samples('response_time', 'agent7', { from: base, to: base + 100 })).toEqual([
      { timestamp: base + 7, value: 107, id: expect.any(String) },
    ]);
  });

  it('rejects bad input naming the field', async () => {
    const e1 = await t.cache.metrics.record('rt', 'sage', Number.POSITIVE_INFINITY).catch((e: unknown) => e);
    expect((e1 as CacheValidationError).field).toBe('value');
    const e2 = await t.cache.metrics
      .range('rt', 'sage', { bucketMs: 0, aggregation: 'avg' })
      .catch((e: unknown) => e);
    expect((e2 as CacheValidationError).field).toBe('query.bucketMs');
    const e3 = await t.cache.metrics
      .range('rt', 'sage', { bucketMs: 1000, aggregation: 'p99' as never })
      .catch((e: unknown) => e);
    expect((e3 as CacheValidationError).field).toBe('query.aggregation');
    const e4 = await t.cache.metrics.record('rt', 'sage', 1, -5).catch((e: unknown) => e);
    expect(e4).toBeInstanceOf(CacheValidationError);
    const e5 = await t.cache.metrics.updateAgents([{ agent: '', metrics: {} }]).catch((e: unknown) => e);
    expect((e5 as CacheValidationError).field).toBe('updates[0].agent');
    const e6 = await t.cache.metrics
      .updateAgents([
        { agent: 'a', metrics: { x: 1 } },
        { agent: 'b', metrics: { x: 1 }, session: { status: 'sleeping' as never } },
      ])
      .catch((e: unknown) => e);
    expect((e6 as CacheValidationError).field).toBe('updates[1].session.status');
    // Metrics go in `metrics`; a `session.metrics` would be silently overwritten by them.
    const e7 = await t.cache.metrics
      .updateAgents([{ agent: 'a', metrics: { x: 1 }, session: { metrics: { y: 2 } } as never }])
      .catch((e: unknown) => e);
    expect(e7).toBeInstanceOf(CacheValidationError);
    expect((e7 as CacheValidationError).field).toBe('updates[0].session');
  });
});
