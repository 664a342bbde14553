// Two processes: an app running flows, and `pnpm db:report --json` in another "shell". The
// report sees the app's flow, relay and vector search figures through the real-time metrics in
// Redis, while the app is still running (its periodic flush, not its close, sends them).
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createTestDatabase, type TestDatabase } from '@monsteros/schema/testing';
import type { EngineTelemetry } from '@monsteros/vectors';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReport } from '../src/cli.js';
import type { MonitorReport } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Where the HTML check leaves its screenshot of the new panel, for a person to look at. */
const SCREENSHOT = join(tmpdir(), 'monsteros-every-process.png');
const RUNS = 12;
let db: TestDatabase;
let dir: string;
let prefix: string;
let env: NodeJS.ProcessEnv;
let app: ChildProcess;
interface AppFigures {
  runs: number;
  relay: { applied: number; retried: number; parked: number };
  flowRun: Array<{ labels: string[]; count: number }>;
  storeCall: Array<{ labels: string[]; count: number }>;
  relayEvent: Array<{ labels: string[]; count: number }>;
  engine: EngineTelemetry;
}
let figures: AppFigures;

beforeAll(async () => {
  db = await createTestDatabase({ label: 'shared_metrics' });
  dir = await mkdtemp(join(tmpdir(), 'mos-shared-metrics-'));
  prefix = `mos-test-${randomUUID().slice(0, 8)}:`;
  env = {
    PATH: process.env.PATH,
    DATABASE_URL: db.url,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    MONSTEROS_KEY_PREFIX: prefix,
    MONSTEROS_LOCAL_VECTORS_PATH: join(dir, 'vectors'),
    DUCKDB_PATH: join(dir, 'analytics.duckdb'),
  };
  app = spawn(process.execPath, ['--import', 'tsx', join(here, 'fixtures/metrics-app.ts')], {
    env: { ...env, RUNS: String(RUNS) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  figures = await new Promise<AppFigures>((resolve, reject) => {
    let out = '';
    app.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line && out.includes('\n')) resolve(JSON.parse(line) as AppFigures);
    });
    app.once('exit', (code) => reject(new Error(`the app exited (${code}) before it ran its flows`)));
  });
}, 120_000);

afterAll(async () => {
  if (app && app.exitCode === null) {
    const exited = new Promise((r) => app.once('exit', r));
    app.kill('SIGTERM');
    await exited;
  }
  const redis = new Redis(env.REDIS_URL!);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  await rm(dir, { recursive: true, force: true });
  await db?.drop();
});

async function reportJson(): Promise<MonitorReport> {
  let out = '';
  const code = await runReport(['--json', '--samples', '1'], env, {
    out: (t) => {
      out += t;
    },
    err: () => {},
    isTTY: false,
  });
  expect(code).toBe(0);
  return JSON.parse(out) as MonitorReport;
}

const countOf = (list: Array<{ labels: string[]; count: number }>, match: (l: string[]) => boolean) =>
  list.filter((s) => match(s.labels)).reduce((n, s) => n + s.count, 0);

describe('the report from another process', () => {
  it('shows the running app’s flow, relay and vector search figures within a minute, agreeing with the app', async () => {
    expect(countOf(figures.flowRun, (l) => l[0] === 'characterInteraction')).toBe(RUNS);
    const appSearches = countOf(figures.storeCall, (l) => l[0] === 'qdrant' && l[1] === 'search');
    expect(appSearches).toBeGreaterThanOrEqual(RUNS);
    // Polled (bounded by the one-minute target): the app's flush runs every 5 s.
    const deadline = Date.now() + 60_000;
    let report = await reportJson();
    const memoriesOf = (e: EngineTelemetry | null | undefined) =>
      e?.collections.find((c) => c.name.includes('character_memories'))?.points;
    const seen = (r: MonitorReport) => {
      const f = r.snapshot.flows;
      const q = r.snapshot.qdrant;
      return (
        f.status === 'ok' &&
        f.flows.find((x) => x.flow === 'characterInteraction')?.count === RUNS &&
        // The engine figures the app publishes every 15 s.
        q.status === 'ok' &&
        memoriesOf(q.local) === memoriesOf(figures.engine)
      );
    };
    while (!seen(report) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1_000));
      report = await reportJson();
    }
    const { flows, qdrant, shared } = report.snapshot;
    expect(flows.status).toBe('ok');
    if (flows.status !== 'ok') return;
    expect(flows.source).toBe('shared');
    const interaction = flows.flows.find((x) => x.flow === 'characterInteraction')!;
    expect(interaction.count).toBe(RUNS);
    expect(interaction.failed).toBe(0);
    // Every step of the flow is there, each once per run.
    const steps = flows.steps.filter((s) => s.flow === 'characterInteraction');
    expect(steps.length).toBeGreaterThanOrEqual(5);
    for (const s of steps) expect(s.count).toBe(RUNS);

    // The vector searches of the app, though the report opened no vector store.
    expect(qdrant.status).toBe('ok');
    if (qdrant.status !== 'ok') return;
    expect(qdrant.searchSource).toBe('shared');
    expect(qdrant.search.reduce((n, s) => n + s.count, 0)).toBe(appSearches);
    expect(qdrant.avgSearchMs).toBeGreaterThan(0);
    // The embedded engine's own figures, published by the app (whose directory the report cannot open).
    expect(memoriesOf(figures.engine)).toBe(RUNS + 600);
    expect(qdrant.local?.publishedAt).toEqual(expect.any(String));
    expect(qdrant.local?.collections.map((c) => [c.name, c.points, c.segments])).toEqual(
      figures.engine.collections.map((c) => [c.name, c.points, c.segments]),
    );
    const memories = qdrant.local!.collections.find((c) => c.name.includes('character_memories'))!;
    expect(Object.values(memories.vectors).every((n) => n === RUNS + 600)).toBe(true);
    expect(Object.keys(memories.payloadIndexSizes)).toEqual(
      Object.keys(figures.engine.collections.find((c) => c.name === memories.name)!.payloadIndexSizes),
    );
    expect(qdrant.local!.walBytes + qdrant.local!.snapshotBytes).toBeGreaterThan(0);
    expect(qdrant.collections.length).toBeGreaterThan(0);

    // The relay's events, as the app's relay counted them.
    expect(shared.status).toBe('ok');
    if (shared.status !== 'ok') return;
    expect(shared.relay.applied).toBe(countOf(figures.relayEvent, (l) => l[1] === 'applied'));
    expect(shared.relay.applied).toBe(figures.relay.applied);
    expect(shared.relay.applied).toBeGreaterThanOrEqual(2); // the bulk import's two embed events
    expect(shared.relay.rounds).toBeGreaterThanOrEqual(1);
    expect(shared.relay.events.map((e) => e.eventType)).toContain('interactions.embed');
    expect(shared.relay.parked).toBe(0);
    const upserts = shared.storeCalls.find((c) => c.system === 'qdrant' && c.operation === 'upsert');
    expect(upserts?.count).toBe(countOf(figures.storeCall, (l) => l[0] === 'qdrant' && l[1] === 'upsert'));
    // Every flow's runs (the relay may also have started a consolidation meanwhile).
    expect(shared.perMinute.reduce((n, m) => n + m.flowRuns, 0)).toBe(flows.runs);
  }, 120_000);

  it('shows them in the HTML page (headless Chromium) and the text report', async (ctx) => {
    if (!existsSync(CHROMIUM))
      ctx.skip(`no Chromium at ${CHROMIUM} (set CHROMIUM_PATH) to check the HTML report`);
    const file = join(dir, 'report.html');
    let text = '';
    const io = { out: (t: string) => (text += t), err: () => {}, isTTY: false };
    expect(await runReport(['--samples', '1', '--html', file], { ...env, INIT_CWD: dir }, io)).toBe(0);
    expect(text).toContain('Every process · last 15 min (real-time metrics in Redis)');
    expect(text).toMatch(/qdrant search character_memories +\d+/);
    expect(text).toContain('Local vector engine (published by the app');
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(e.message));
      await page.goto(pathToFileURL(file).href);
      const panel = page.locator('#every-process');
      expect(await panel.locator('h3').textContent()).toContain('Every process');
      const rows = await panel.locator('table.store-calls tr').allTextContents();
      expect(rows.some((r) => r.startsWith('qdrant search character_memories'))).toBe(true);
      // One bar per minute that had runs, and as many runs as the app made.
      const bars = panel.locator('svg[aria-label="flow runs per minute"] rect');
      expect(await bars.count()).toBeGreaterThanOrEqual(1);
      const titles = await bars.evaluateAll((r) => r.map((x) => x.textContent ?? ''));
      expect(titles.reduce((n, t) => n + Number(/: (\d+) runs/.exec(t)![1]), 0)).toBeGreaterThanOrEqual(RUNS);
      expect(await page.locator('#local-engine h3').textContent()).toContain('published by the app');
      const box = await panel.boundingBox();
      expect(box!.width).toBeGreaterThan(600);
      await page.locator('#every-process').screenshot({ path: SCREENSHOT });
      await page.locator('#local-engine').screenshot({ path: SCREENSHOT.replace('.png', '-engine.png') });
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);

  it('--watch redraws the report in place (no full-screen clear), cut to the terminal, until stopped', async () => {
    let out = '';
    const io = { out: (t: string) => (out += t), err: () => {}, isTTY: false, maxFrames: 2, rows: 400 };
    expect(await runReport(['--watch', '--interval', '1', '--samples', '1'], env, io)).toBe(0);
    expect(out.startsWith('\u001b[?1049h')).toBe(true); // the alternate screen, restored at the end
    expect(out.endsWith('\u001b[?1049l')).toBe(true);
    expect(out).not.toContain('\u001b[2J');
    const frames = out.split('\u001b[H').slice(1);
    expect(frames).toHaveLength(2);
    for (const f of frames) {
      expect(f).toContain('Every process · last 15 min');
      expect(f).toMatch(/qdrant search character_memories/);
      // Every line clears what a longer line of the previous frame left to its right.
      const lines = f.split('\n');
      for (const line of lines.slice(0, -1)) expect(line.endsWith('\u001b[K')).toBe(true);
    }
    let small = '';
    const cut = { out: (t: string) => (small += t), err: () => {}, isTTY: false, maxFrames: 1, rows: 10 };
    expect(await runReport(['--watch', '--samples', '1'], env, cut)).toBe(0);
    expect(small.split('\u001b[H')[1]!.split('\n')).toHaveLength(9);
    let err = '';
    const bad = { out: () => {}, err: (t: string) => (err += t), isTTY: false };
    expect(await runReport(['--watch', '--json'], env, bad)).toBe(2);
    expect(err).toContain('--watch: cannot be combined with --json');
  }, 120_000);
});
