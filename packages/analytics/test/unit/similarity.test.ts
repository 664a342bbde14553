import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Analytics, AnalyticsValidationError, createAnalytics } from '../../src/index.js';

let analytics: Analytics;
beforeAll(async () => {
  analytics = await createAnalytics({ path: ':memory:' });
});
afterAll(() => analytics.close());

describe('similarPairs', () => {
  it('finds the pairs over the threshold within each group only, most similar first', async () => {
    const pairs = await analytics.similarPairs(
      [
        { id: 'a1', group: 'sage', vector: [1, 0, 0] },
        { id: 'a2', group: 'sage', vector: [0.96, 0.28, 0] }, // cos = 0.96 with a1
        { id: 'a3', group: 'sage', vector: [0, 1, 0] }, // cos = 0.28 with a2
        { id: 'b1', group: 'spark', vector: [1, 0, 0] }, // same as a1 but another group
        { id: 'b2', group: 'spark', vector: [2, 0.02, 0] }, // cos ≈ 0.99995 with b1
      ],
      0.9,
    );
    expect(pairs.map((p) => [p.a, p.b, p.group])).toEqual([
      ['b1', 'b2', 'spark'],
      ['a1', 'a2', 'sage'],
    ]);
    expect(pairs[1]!.similarity).toBeCloseTo(0.96, 5);
  });

  it('refuses mixed sizes, non-finite values and a bad threshold', async () => {
    const ok = { id: 'x', group: 'g', vector: [1, 0] };
    await expect(
      analytics.similarPairs([ok, { id: 'y', group: 'g', vector: [1, 0, 0] }], 0.9),
    ).rejects.toMatchObject({
      field: 'items[1].vector',
    });
    await expect(
      analytics.similarPairs([ok, { id: 'y', group: 'g', vector: [Number.NaN, 0] }], 0.9),
    ).rejects.toBeInstanceOf(AnalyticsValidationError);
    await expect(analytics.similarPairs([ok, ok], 2)).rejects.toMatchObject({ field: 'threshold' });
    const flat = { id: 'x', group: 'g', vector: [] };
    await expect(analytics.similarPairs([flat, { ...flat, id: 'y' }], 0.9)).rejects.toMatchObject({
      field: 'items[0].vector',
      rule: 'must have at least one dimension',
    });
    await expect(
      analytics.similarPairs([ok, { id: 7 as never, group: 'g', vector: [0, 1] }], 0.9),
    ).rejects.toMatchObject({ field: 'items[1].id' });
    expect(await analytics.similarPairs([ok], 0.5)).toEqual([]);
  });
});

describe('ids and deleteIds', () => {
  it('lists and removes ingested rows by id, refusing non-UUIDs and unknown tables', async () => {
    const a = '11111111-1111-4111-8111-111111111111';
    const b = '22222222-2222-4222-8222-222222222222';
    expect(await analytics.ids('character_interactions')).toEqual(new Set());
    await expect(analytics.deleteIds('character_interactions', ['nope'])).rejects.toMatchObject({
      field: 'ids.0',
    });
    // @ts-expect-error unknown table
    await expect(analytics.ids('users')).rejects.toMatchObject({ code: 'UNKNOWN_NAME' });
    // Names the tables object inherits are not tables either.
    for (const inherited of ['constructor', 'toString', '__proto__']) {
      // @ts-expect-error unknown table
      await expect(analytics.ids(inherited)).rejects.toMatchObject({
        code: 'UNKNOWN_NAME',
        value: inherited,
      });
      // @ts-expect-error unknown table
      await expect(analytics.deleteIds(inherited, [a])).rejects.toMatchObject({ code: 'UNKNOWN_NAME' });
      await expect(
        // @ts-expect-error unknown table
        analytics.ingest.postgres({ copyTo: async () => [] }, { tables: [inherited] }),
      ).rejects.toMatchObject({ code: 'UNKNOWN_NAME' });
    }
    expect(await analytics.deleteIds('memory_operations', [a, b])).toBe(0);
  });
});

describe('reset', () => {
  it('empties the tables and the watermarks, and the next export keeps no file of the old rows', async () => {
    await analytics.ingest.metrics({
      read: async () => [
        {
          metricType: 'response_time',
          agentName: 'sage',
          samples: [{ timestamp: 1_700_000_000_000, value: 5 }],
        },
      ],
    });
    expect((await analytics.stats()).rows.system_metrics).toBe(1);
    expect(await analytics.ingest.watermarks()).toHaveLength(1);
    const directory = await mkdtemp(join(tmpdir(), 'mos-analytics-reset-'));
    try {
      const [before] = await analytics.exportParquet({ directory, tables: ['system_metrics'] });
      expect(before).toMatchObject({ rows: 1, days: ['2023-11-14'] });
      await analytics.reset();
      expect((await analytics.stats()).rows.system_metrics).toBe(0);
      expect(await analytics.ingest.watermarks()).toEqual([]);
      const [after] = await analytics.exportParquet({ directory, tables: ['system_metrics'] });
      expect(after).toMatchObject({ rows: 0, days: [] });
      expect(await readdir(after!.directory)).toEqual([]);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
