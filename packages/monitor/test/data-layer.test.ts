// The monitor over a data layer, through the port flows hands over (`data.monitorStores()`):
// this process's stores, real-time metrics, relay and flow timings, read by createMonitor.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDataLayer, type DataLayer } from '@monsteros/flows';
import { createTestDatabase, type TestDatabase } from '@monsteros/schema/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMonitor, renderJsonReport } from '../src/index.js';

let db: TestDatabase;
let dir: string;
let data: DataLayer;
const prefix = `mos-test-${randomUUID().slice(0, 8)}:`;
const RUNS = 3;

beforeAll(async () => {
  db = await createTestDatabase({ label: 'monitor_data_layer' });
  dir = await mkdtemp(join(tmpdir(), 'mos-monitor-data-layer-'));
  data = await createDataLayer({
    consolidateEvery: 0,
    sideEffectGraceMs: 0,
    env: {},
    config: {
      databaseUrl: db.url,
      keyPrefix: prefix,
      localVectorsPath: ':memory:',
      duckdbPath: join(dir, 'analytics.duckdb'),
    },
  });
  const r = data.relational;
  await r.characters.create({ name: 'sage', display_name: 'Sage', role: 'mentor', backend_system: 'claude' });
  const { id: userId } = await r.users.create({ username: 'ada' });
  for (let i = 0; i < RUNS; i++)
    await data.flows.characterInteraction({ userId, character: 'sage', message: `What is recursion, ${i}?` });
}, 120_000);

afterAll(async () => {
  await data?.reset();
  await data?.close();
  await rm(dir, { recursive: true, force: true });
  await db?.drop();
});

describe('createMonitor over data.monitorStores()', () => {
  it('reads the live stores, this process relay and its flow runs', async () => {
    const monitor = createMonitor({ ...data.monitorStores(), latencySamples: 2 });
    const s = await monitor.collect();
    expect(s.postgres.status).toBe('ok');
    expect(s.redis.status).toBe('ok');
    expect(s.duckdb.status).toBe('ok');
    expect(s.qdrant).toMatchObject({ status: 'ok', searchSource: expect.any(String) });
    expect(s.outbox).toMatchObject({ status: 'ok', relay: { running: expect.any(Boolean) } });
    // The flow runs: the recorded timings of this process, or every process's from Redis.
    expect(s.flows.status).toBe('ok');
    if (s.flows.status === 'ok') {
      const interaction = s.flows.flows.find((f) => f.flow === 'characterInteraction');
      expect(interaction?.count).toBe(RUNS);
    }
    expect(Array.isArray(await monitor.bottlenecks(s))).toBe(true);
    const report = JSON.parse(renderJsonReport(await monitor.report()));
    expect(report.status.map((x: { store: string }) => x.store)).toEqual(
      expect.arrayContaining(['postgres', 'redis', 'qdrant', 'duckdb', 'outbox', 'flows']),
    );
  });
});
