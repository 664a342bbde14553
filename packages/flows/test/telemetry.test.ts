// OpenTelemetry spans (an in-memory exporter registered the way an app registers its SDK) and
// the Prometheus text of `data.metrics()` and `pnpm db:metrics`, for real flow runs.
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMetrics } from '../src/cli/metrics.js';
import { REALTIME_METRICS } from '../src/metrics/names.js';
import { createWorld, type World } from './fixtures/world.js';

let world: World;
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const RUNS = 3;

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  world = await createWorld('telemetry', { relayWorker: false });
  for (let i = 0; i < RUNS; i++) {
    await world.data.flows.characterInteraction({
      userId: world.users[0]!,
      character: 'sage',
      message: `How do loops work? (${i})`,
    });
  }
});
afterAll(async () => {
  trace.disable();
  context.disable();
  await provider.shutdown();
  await world?.close();
});

const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;

describe('OpenTelemetry spans', () => {
  it('gives one characterInteraction a span tree: the flow, its steps, and their store calls', () => {
    const spans = exporter.getFinishedSpans();
    const roots = spans.filter((s) => s.name === 'flow characterInteraction');
    expect(roots).toHaveLength(RUNS);
    const root = roots[0]!;
    expect(parentOf(root)).toBeUndefined();
    const inTrace = spans.filter((s) => s.spanContext().traceId === root.spanContext().traceId);
    const steps = inTrace.filter((s) => parentOf(s) === root.spanContext().spanId);
    expect(steps.map((s) => s.attributes['monsteros.step'])).toEqual(
      expect.arrayContaining([
        'load character',
        'session context',
        'recall memories',
        'respond',
        'record interaction',
        'cache response and session',
        'store memory',
        'mark effects applied',
      ]),
    );
    const step = (name: string) => steps.find((s) => s.attributes['monsteros.step'] === name)!;
    expect(step('record interaction').attributes['db.system']).toBe('postgresql');
    expect(step('session context').attributes['db.system']).toBe('redis');
    expect(step('respond').attributes['db.system']).toBeUndefined();
    // Store calls are client spans under the step that made them, with the db conventions.
    const under = (name: string, system: string) =>
      inTrace.filter(
        (s) => parentOf(s) === step(name).spanContext().spanId && s.attributes['db.system'] === system,
      );
    const search = under('recall memories', 'qdrant')[0];
    expect(search?.name).toBe('search character_memories');
    expect(search?.attributes).toMatchObject({
      'db.system': 'qdrant',
      'db.operation.name': 'search',
      'db.collection.name': 'character_memories',
    });
    const upsert = under('store memory', 'qdrant')[0];
    expect(upsert?.attributes).toMatchObject({ 'db.system': 'qdrant', 'db.operation.name': 'upsert' });
    // The PostgreSQL statements of the pool and the Redis commands, each under its step.
    expect(under('record interaction', 'postgresql').map((s) => s.name)).toContain(
      'insert character_interactions',
    );
    expect(
      under('record interaction', 'postgresql').find((s) => s.name === 'insert character_interactions')
        ?.attributes,
    ).toMatchObject({ 'db.operation.name': 'insert', 'db.collection.name': 'character_interactions' });
    const redis = under('session context', 'redis');
    expect(redis.length).toBeGreaterThan(0);
    for (const r of redis) expect(r.attributes['db.operation.name']).toEqual(expect.any(String));
    // Children lie within their parents.
    for (const s of inTrace.filter((x) => x !== root)) {
      const parent = inTrace.find((p) => p.spanContext().spanId === parentOf(s))!;
      expect(s.startTime[0] * 1e9 + s.startTime[1]).toBeGreaterThanOrEqual(
        parent.startTime[0] * 1e9 + parent.startTime[1],
      );
    }
  });
});

describe('store calls', () => {
  it('records PostgreSQL statements, Redis commands, DuckDB queries and vector calls, and the report reads them', async () => {
    await world.data.analytics!.characterTrends({ hours: 1 });
    const classes = world.data.cache.realtime.local('store_call').map((s) => s.labels.slice(0, 3).join(' '));
    expect(classes).toEqual(
      expect.arrayContaining([
        'postgresql insert character_interactions',
        'postgresql acquire pool',
        'postgresql hold pool',
        'duckdb select character_trends',
        'qdrant search character_memories',
      ]),
    );
    expect(classes.some((c) => c.startsWith('redis '))).toBe(true);
    // The real-time metrics' own writes are not store calls.
    expect(classes.some((c) => c.includes('rtm'))).toBe(false);
    await world.data.cache.realtime.flush();
    // Every process's totals in Redis, what the monitor (`pnpm db:report`) reads.
    const systems = new Set((await world.data.cache.realtime.totals('store_call')).map((s) => s.labels[0]));
    expect([...systems].sort()).toEqual(['duckdb', 'postgresql', 'qdrant', 'redis']);
  });
});

/** `name{labels} value` lines of a Prometheus text, as [name, labels, value]. */
function samples(text: string): Array<[string, Record<string, string>, number]> {
  return text
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const m = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(l);
      if (!m) throw new Error(`not a sample line: ${l}`);
      const labels: Record<string, string> = {};
      for (const pair of (m[2] ?? '').match(/[a-z_]+="(?:[^"\\]|\\.)*"/g) ?? []) {
        const eq = pair.indexOf('=');
        labels[pair.slice(0, eq)] = pair.slice(eq + 2, -1);
      }
      return [m[1]!, labels, Number(m[3])];
    });
}

describe('Prometheus text', () => {
  it('data.metrics() exposes this process’s histograms with cumulative buckets, _sum and _count', async () => {
    const text = await world.data.metrics();
    for (const spec of Object.values(REALTIME_METRICS))
      expect(text).toContain(`# TYPE ${spec.prometheus} histogram`);
    const all = samples(text);
    const runs = all.filter(
      ([name, l]) =>
        name.startsWith('monsteros_flow_run_duration_seconds') && l.flow === 'characterInteraction',
    );
    const count = runs.find(([name]) => name.endsWith('_count'));
    expect(count?.[2]).toBe(RUNS);
    const buckets = runs.filter(([name]) => name.endsWith('_bucket'));
    const values = buckets.map(([, , v]) => v);
    expect(values).toEqual([...values].sort((a, b) => a - b)); // cumulative
    expect(buckets.at(-1)?.[1].le).toBe('+Inf');
    expect(buckets.at(-1)?.[2]).toBe(RUNS);
    expect(runs.find(([name]) => name.endsWith('_sum'))?.[2]).toBeGreaterThan(0);
    const searches = all.find(
      ([name, l]) =>
        name === 'monsteros_store_call_duration_seconds_count' &&
        l.db_system === 'qdrant' &&
        l.operation === 'search',
    );
    expect(searches?.[2]).toBe(RUNS);
  });

  it('db:metrics prints and serves every process’s totals from Redis, equal to the shared scope', async () => {
    const env = { REDIS_URL: process.env.REDIS_URL, MONSTEROS_KEY_PREFIX: world.prefix };
    const shared = await world.data.metrics({ scope: 'shared' });
    let printed = '';
    expect(await runMetrics([], env, { out: (t) => (printed += t), err: () => {} })).toBe(0);
    expect(printed).toBe(shared);

    let log = '';
    let stop!: () => void;
    const stopped = new Promise<void>((r) => {
      stop = r;
    });
    const running = runMetrics(
      ['--serve', '--port', '0'],
      env,
      { out: () => {}, err: (t) => (log += t) },
      stopped,
    );
    const deadline = Date.now() + 10_000;
    while (!/http:\/\/\S+\/metrics/.test(log) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    const url = /(http:\/\/\S+\/metrics)/.exec(log)![1]!;
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    expect(await res.text()).toBe(shared);
    expect((await fetch(url.replace('/metrics', '/other'))).status).toBe(404);
    stop();
    expect(await running).toBe(0);
  });

  it('refuses bad options with the field named', async () => {
    let err = '';
    expect(
      await runMetrics(['--port', '99999', '--serve'], {}, { out: () => {}, err: (t) => (err += t) }),
    ).toBe(2);
    expect(err).toContain('--port: must be a whole number from 0 to 65535');
    await expect(world.data.metrics({ scope: 'all' as 'shared' })).rejects.toThrow(/scope/);
  });
});
