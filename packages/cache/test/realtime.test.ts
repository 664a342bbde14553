import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CacheValidationError, createCache, REALTIME_BUCKETS_MS } from '../src/index.js';
import { REDIS_URL, testCache } from './helpers.js';

let t: ReturnType<typeof testCache>;
beforeAll(() => {
  // A long flush interval: the tests flush by hand, so nothing arrives between two reads.
  t = testCache('realtime', { realtime: { flushMs: 3_600_000 } });
});
afterAll(async () => {
  await t.cleanup();
});

const minuteOf = (ms: number) => Math.floor(ms / 60_000) * 60_000;

describe('real-time metrics (per-minute aggregates)', () => {
  it('aggregates in memory and sends nothing to Redis until a flush', async () => {
    t.cache.realtime.record('held', ['a'], 3);
    expect(t.cache.realtime.pending().series).toBeGreaterThan(0);
    expect(await t.raw.keys(`${t.prefix}rtm:*`)).toEqual([]);
    await t.cache.realtime.flush();
    expect(t.cache.realtime.pending().series).toBe(0);
    const minute = minuteOf(Date.now());
    const keys = (await t.raw.keys(`${t.prefix}rtm:{held}:*`)).sort();
    // The flush may straddle a minute boundary only in the minute it recorded in.
    expect(keys).toContain(`${t.prefix}rtm:{held}:total`);
    expect(keys.some((k) => k.startsWith(`${t.prefix}rtm:{held}:m:`))).toBe(true);
    expect(Number(keys.find((k) => k.includes(':m:'))!.split(':m:')[1])).toBeLessThanOrEqual(minute);
    expect(await t.raw.pttl(keys[0]!)).toBeGreaterThan(0);
  });

  it('adds up count, sum, max and histogram buckets per label set, across two processes', async () => {
    const other = createCache({ redis: REDIS_URL, prefix: t.prefix, realtime: { flushMs: 3_600_000 } });
    try {
      const values = [0.2, 0.7, 4, 40, 20_000];
      for (const v of values) t.cache.realtime.record('calls', ['postgres', 'ok'], v);
      other.realtime.record('calls', ['postgres', 'ok'], 7);
      other.realtime.record('calls', ['redis', 'error'], 1);
      await Promise.all([t.cache.realtime.flush(), other.realtime.flush()]);
      const minutes = await other.realtime.minutes('calls', { from: Date.now() - 120_000 });
      const all = minutes.flatMap((m) => m.series);
      const pg = all.filter((s) => s.labels.join() === 'postgres,ok');
      const count = pg.reduce((n, s) => n + s.count, 0);
      expect(count).toBe(6);
      expect(pg.reduce((n, s) => n + s.sum, 0)).toBeCloseTo(0.2 + 0.7 + 4 + 40 + 20_000 + 7, 6);
      expect(Math.max(...pg.map((s) => s.max ?? 0))).toBe(20_000);
      // Each value falls in the first bucket whose bound is at least the value.
      const expected = new Map<number, number>();
      for (const v of [...values, 7]) {
        const le = REALTIME_BUCKETS_MS.find((b) => v <= b) ?? Number.POSITIVE_INFINITY;
        expected.set(le, (expected.get(le) ?? 0) + 1);
      }
      const got = new Map<number, number>();
      for (const s of pg) for (const b of s.buckets) got.set(b.le, (got.get(b.le) ?? 0) + b.count);
      expect(got).toEqual(expected);
      expect(all.find((s) => s.labels.join() === 'redis,error')?.count).toBe(1);
      const totals = await t.cache.realtime.totals('calls');
      expect(totals.find((s) => s.labels.join() === 'postgres,ok')).toMatchObject({ count: 6, max: null });
      // Each process's own totals stay its own.
      expect(t.cache.realtime.local('calls')).toEqual([
        expect.objectContaining({ labels: ['postgres', 'ok'], count: 5 }),
      ]);
      expect(other.realtime.local('calls').map((s) => [s.labels.join(), s.count])).toEqual([
        ['postgres,ok', 1],
        ['redis,error', 1],
      ]);
    } finally {
      await other.close();
    }
  });

  it('keeps the running totals growing while minutes are separate hashes', async () => {
    t.cache.realtime.record('grow', [], 1);
    await t.cache.realtime.flush();
    t.cache.realtime.record('grow', [], 2);
    await t.cache.realtime.flush();
    const [total] = await t.cache.realtime.totals('grow');
    expect(total).toMatchObject({ labels: [], count: 2, sum: 3 });
  });

  it('records through a resolved series as record() does, across flushes, and checks its input once', async () => {
    const r = t.cache.realtime;
    const search = r.series('resolved', ['qdrant', 'search', 'ok']);
    search.record(2);
    r.record('resolved', ['qdrant', 'search', 'ok'], 3);
    await r.flush();
    // After a flush took the pending aggregates, the series records into new ones.
    search.record(40);
    expect(r.pending().series).toBe(1);
    await r.flush();
    const [total] = await r.totals('resolved');
    expect(total).toMatchObject({ labels: ['qdrant', 'search', 'ok'], count: 3, sum: 45 });
    const buckets = new Map(total!.buckets.map((b) => [b.le, b.count]));
    expect(buckets.get(REALTIME_BUCKETS_MS.find((b) => b >= 40)!)).toBe(1);
    expect(r.local('resolved')).toEqual([
      expect.objectContaining({ labels: ['qdrant', 'search', 'ok'], count: 3 }),
    ]);
    expect(() => r.series('Bad Name', [])).toThrow(/metric/);
    expect(() => r.series('resolved', ['a\u001eb'])).toThrow(/labels\.0/);
    expect(() => search.record(Number.POSITIVE_INFINITY)).toThrow(/value: must be a finite number/);
    expect(r.pending().series).toBe(0);
  });

  it('flushes what is pending on close', async () => {
    const c = createCache({ redis: REDIS_URL, prefix: t.prefix, realtime: { flushMs: 3_600_000 } });
    c.realtime.record('on_close', ['x'], 5);
    await c.close();
    const [total] = await t.cache.realtime.totals('on_close');
    expect(total?.count).toBe(1);
  });

  it('refuses bad names, labels, values and ranges with a CacheValidationError naming the field', async () => {
    const r = t.cache.realtime;
    expect(() => r.record('Bad Name', [], 1)).toThrow(CacheValidationError);
    expect(() => r.record('ok_name', [], Number.NaN)).toThrow(/value: must be a finite number/);
    expect(() => r.record('ok_name', [], -1)).toThrow(/value/);
    expect(() => r.record('ok_name', ['a\u001fb'], 1)).toThrow(/labels\.0/);
    await expect(r.minutes('ok_name', { from: 10, to: 5 })).rejects.toThrow(/range\.from/);
    await expect(r.minutes('ok_name', { from: 0, to: 10 * 86_400_000 })).rejects.toThrow(/range: must span/);
    expect(() => createCache({ redis: REDIS_URL, prefix: t.prefix, realtime: { flushMs: 0 } })).toThrow(
      /options\.realtime\.flushMs/,
    );
    expect(r.pending().series).toBe(0);
  });

  it('drops new label sets past maxSeries per minute and counts them', async () => {
    const c = createCache({
      redis: REDIS_URL,
      prefix: t.prefix,
      realtime: { flushMs: 3_600_000, maxSeries: 2 },
    });
    try {
      for (const l of ['a', 'b', 'c', 'c']) c.realtime.record('capped', [l], 1);
      // Unless the minute turned between the records, two sets are kept and two values dropped.
      expect(c.realtime.pending().dropped).toBeLessThanOrEqual(2);
      expect(c.realtime.pending().series + c.realtime.pending().dropped).toBeGreaterThanOrEqual(3);
    } finally {
      await c.close();
    }
  });

  it('publishes a document for other processes, with a TTL, and refuses what JSON cannot hold', async () => {
    const other = createCache({ redis: REDIS_URL, prefix: t.prefix });
    try {
      expect(await other.realtime.published('engine')).toBeNull();
      await t.cache.realtime.publish('engine', { points: 3, names: ['a'] }, 60_000);
      const got = await other.realtime.published('engine');
      expect(got?.doc).toEqual({ points: 3, names: ['a'] });
      expect(Date.parse(got!.at)).toBeGreaterThan(Date.now() - 60_000);
      const ttl = await t.raw.pttl(`${t.prefix}rtm:{engine}:doc`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60_000);
      await expect(t.cache.realtime.publish('engine', { n: 1n }, 60_000)).rejects.toThrow(
        /doc: must be JSON/,
      );
      await expect(t.cache.realtime.publish('engine', {}, 10)).rejects.toThrow(/ttlMs/);
      expect((await other.realtime.published('engine'))?.doc).toEqual({ points: 3, names: ['a'] });
    } finally {
      await other.close();
    }
  });

  it('is emptied by reset()', async () => {
    t.cache.realtime.record('to_reset', [], 1);
    await t.cache.realtime.flush();
    await t.cache.reset();
    expect(await t.raw.keys(`${t.prefix}rtm:*`)).toEqual([]);
  });
});
