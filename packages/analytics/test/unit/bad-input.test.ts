// Bad input at every public entry point of @monsteros/analytics: a typed VALIDATION error naming
// the field (fast-check, 1,000 generated cases per entry point: text DuckDB or JSON cannot hold,
// objects nested without end, circular objects, throwing proxies), and nothing written.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { badInput, refusalProblem, thrownBy } from '@monsteros/schema/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Analytics, createAnalytics, type MetricSeries } from '../../src/index.js';

let analytics: Analytics;
let work: string;
const NOW = new Date('2026-11-25T12:00:00Z');

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mos-analytics-bad-'));
  analytics = await createAnalytics({ path: join(work, 'a.duckdb'), threads: 1 });
  // Something in the tables, so "nothing written" is not "nothing there".
  await analytics.ingest.metrics({
    read: async () => [
      {
        metricType: 'response_time',
        agentName: 'sage',
        samples: [
          { timestamp: NOW.getTime() - 60_000, value: 120 },
          { timestamp: NOW.getTime(), value: 90 },
        ],
      },
    ],
  });
});
afterAll(async () => {
  await analytics?.close();
  await rm(work, { recursive: true, force: true });
});

/** What a write would change: rows of every table and the watermarks, and the work directory. */
async function snapshot(): Promise<string> {
  const metrics = await analytics.metricBuckets({ metric: 'response_time', hours: 48, now: NOW });
  const ids = await Promise.all(
    (['character_interactions', 'memory_operations', 'quest_completions'] as const).map(
      async (t) => (await analytics.ids(t)).size,
    ),
  );
  return JSON.stringify({
    metrics,
    ids,
    watermarks: await analytics.ingest.watermarks(),
    files: (await readdir(work)).sort(),
  });
}

async function refused(fn: () => Promise<unknown>, field: string): Promise<void> {
  const error = await thrownBy(fn);
  expect(refusalProblem(error, field)).toBeNull();
}

type EntryPoint = [name: string, field: string, call: (bad: unknown) => Promise<unknown>];
const b = (bad: unknown) => bad as never;
const series = (agentName: unknown): MetricSeries[] => [
  { metricType: 'response_time', agentName: b(agentName), samples: [{ timestamp: NOW, value: 1 }] },
];
// A source that yields nothing (nothing may be read from it: the input is refused first).
const noRows = {
  copyTo: async function* (): AsyncGenerator<string> {},
};

const entryPoints: EntryPoint[] = [
  ['createAnalytics', 'options', (x) => createAnalytics(b(x))],
  ['createAnalytics path', 'options.path', (x) => createAnalytics({ path: b(x) })],
  ['ingest.postgres options', 'options', (x) => analytics.ingest.postgres(noRows, b(x))],
  ['ingest.postgres tables', 'options.tables', (x) => analytics.ingest.postgres(noRows, { tables: [b(x)] })],
  ['ingest.postgres source', 'source', (x) => analytics.ingest.postgres(b(x))],
  ['ingest.metrics source', 'source', (x) => analytics.ingest.metrics(b(x))],
  ['ingest.metrics series', 'series', (x) => analytics.ingest.metrics({ read: async () => series(x) })],
  ['views.characterPerformance', 'filter', (x) => analytics.views.characterPerformance(b(x))],
  ['views.memoryPerformance', 'filter', (x) => analytics.views.memoryPerformance(b(x))],
  ['views.learningAnalytics', 'filter', (x) => analytics.views.learningAnalytics(b(x))],
  ['characterTrends', 'options', (x) => analytics.characterTrends(b(x))],
  ['characterTrends character', 'options.character', (x) => analytics.characterTrends({ character: b(x) })],
  ['memoryEfficiency', 'options', (x) => analytics.memoryEfficiency(b(x))],
  ['learningEffectiveness', 'options', (x) => analytics.learningEffectiveness(b(x))],
  ['metricBuckets', 'options', (x) => analytics.metricBuckets(b(x))],
  ['metricBuckets metric', 'options.metric', (x) => analytics.metricBuckets({ metric: b(x) })],
  ['ids', 'table', (x) => analytics.ids(b(x))],
  ['deleteIds table', 'table', (x) => analytics.deleteIds(b(x), [])],
  ['deleteIds ids', 'ids', (x) => analytics.deleteIds('character_interactions', [b(x)])],
  [
    'similarPairs items',
    'items',
    (x) => analytics.similarPairs([{ id: b(x), group: 'g', vector: [1] }], 0.5),
  ],
  ['similarPairs threshold', 'threshold', (x) => analytics.similarPairs([], b(x))],
  ['exportParquet', 'options', (x) => analytics.exportParquet(b(x))],
  ['exportParquet directory', 'options.directory', (x) => analytics.exportParquet({ directory: b(x) })],
];

describe('property: every entry point refuses input no store can hold (1,000 cases each)', () => {
  it.each(entryPoints)('%s refuses it naming %s, writing nothing', async (name, field, call) => {
    const before = await snapshot();
    await fc.assert(
      fc.asyncProperty(badInput(), async (bad) => {
        await refused(() => call(bad.make()), field);
      }),
      {
        numRuns: Number(process.env.BAD_INPUT_RUNS ?? 1_000),
        reporter: (out) => {
          if (out.failed) throw new Error(`${name}: ${out.counterexample?.[0]} ${String(out.errorInstance)}`);
        },
      },
    );
    expect(await snapshot()).toBe(before);
  });
});
