// The report from live data: the terminal text with its five sections, the JSON, the CLI as a
// separate process, and the HTML page rendered in headless Chromium (screenshot kept).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { pipeline } from '@monsteros/flows';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createMonitor,
  createTimingBuffer,
  type MonitorReport,
  renderHtmlReport,
  renderTextReport,
} from '../src/index.js';
import {
  CHARACTERS,
  interactionsAt,
  type MonitorStoresFixture,
  openMonitorStores,
} from './monitor-stores.js';

const here = dirname(fileURLToPath(import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Where the HTML check leaves its screenshot, for a person to look at. */
const SCREENSHOT = join(tmpdir(), 'monsteros-monitor-report.png');

let f: MonitorStoresFixture;
let report: MonitorReport;

beforeAll(async () => {
  f = await openMonitorStores('monreport');
  // Conditions worth reporting: a namespace that misses, an event parked by its handler, and
  // two flows with their step timings (one of them sometimes falling back).
  for (let u = 0; u < 120; u++)
    await f.cache.policies.user_preferences.getOrSet({ userId: `u${u % 100}` }, async () => ({}));
  const [parked] = await f.relational.transaction((tx) =>
    tx.outbox.append([
      { aggregate_type: 'interaction', aggregate_id: 'i-1', event_type: 'interaction.recorded', payload: {} },
    ]),
  );
  await f.relational.outbox.park(parked!, 'vectors: collection character_memories is missing');
  const timings = createTimingBuffer();
  const interaction = pipeline<number>('characterInteraction')
    .step('load character', 'postgres', async (n) => {
      await f.relational.pool.query('select id from character_agents limit 1');
      return n;
    })
    .step(
      'recall memories',
      'qdrant',
      async (n) => {
        await f.vectors.search('character_memories', 'the tower', { scoreThreshold: null });
        if (n % 7 === 0) throw new Error('qdrant timeout');
        return n;
      },
      { fallback: (n) => n },
    )
    .step('cache response', 'redis', async (n) => {
      await f.cache.policies.quest_data.getOrSet({ questId: `q${n % 10}` }, async () => {
        throw new Error('quest_data: all ten are cached by the fixture');
      });
      return n;
    });
  const quest = pipeline<number>('questProgress').step('update progress', 'postgres', async (n) => {
    await f.relational.pool.query('select count(*) from character_interactions');
    return n;
  });
  for (let n = 1; n <= 30; n++) {
    await interaction.run(n, timings.record);
    await quest.run(n, timings.record);
  }
  await f.analytics.characterTrends({ hours: 24 });
  report = await createMonitor({
    relational: f.relational,
    cache: f.cache,
    analytics: f.analytics,
    vectors: f.vectors,
    timings: timings.recent,
    latencySamples: 15,
  }).report();
});
afterAll(() => f?.close());

const SECTIONS = [
  'Database Status',
  'Performance Analysis',
  'Integration Recommendations',
  'Optimization Plan',
  'Monitoring Setup',
];
/** The page has the same sections, with the plan's tuning table as one of its own. */
const HTML_SECTIONS = [...SECTIONS.slice(0, 4), 'Tuning', ...SECTIONS.slice(4)];

describe('the report', () => {
  it('has the five sections in order in the terminal, with the live figures', () => {
    const text = renderTextReport(report);
    const at = SECTIONS.map((s) => text.indexOf(`\n${s.toUpperCase()}\n`));
    expect(at.every((i) => i > 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    // The trends table: each character's interactions over the day, as the fixture inserted them.
    CHARACTERS.forEach((name, c) => {
      let n = 0;
      for (let h = 0; h < 24; h++) n += interactionsAt(c, h);
      expect(text).toMatch(new RegExp(`\\n  ${name} +${n} `));
    });
    expect(text).toMatch(/quest_data +\d+\.\d %/);
    expect(text).toContain('namespace user_preferences hits');
    expect(text).toContain('1 outbox event is parked');
    expect(text).not.toContain('\u001b[');
    expect(renderTextReport(report, { color: true })).toContain('\u001b[1m');
  });

  it('turns findings into an ordered plan, and the sources into a setup checklist', () => {
    expect(report.findings.map((x) => x.rule)).toEqual(
      expect.arrayContaining(['cache.hitRate', 'outbox.parked']),
    );
    expect(report.plan.map((p) => p.order)).toEqual(report.plan.map((_, i) => i + 1));
    // The findings' steps first, then one step per setting the tuning rules would change.
    const fromFindings = report.plan.filter((p) => p.command === undefined);
    expect(fromFindings.flatMap((p) => p.because).length).toBe(report.findings.length);
    expect(report.plan.slice(fromFindings.length).map((p) => p.command)).toEqual(
      report.tuning.filter((t) => t.change).map((t) => t.command),
    );
    const setup = Object.fromEntries(report.monitoring.map((m) => [m.item, m.state]));
    expect(setup).toMatchObject({
      'Vector store stats': 'ok',
      'Flow step timings': 'ok',
      'Analytics ingestion': 'ok',
      'Outbox relay stats': 'missing',
    });
    expect(report.integration.find((r) => r.title.startsWith('Outbox'))?.state).toBe('attention');
    expect(report.trends.status).toBe('ok');
  });

  it('is plain data as JSON', () => {
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });
});

function runCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(here, '../node_modules/.bin/tsx'), [join(here, '../src/cli.ts'), ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

describe('pnpm db:report (the CLI)', () => {
  const env = () => ({
    DATABASE_URL: f.db.url,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    MONSTEROS_KEY_PREFIX: f.prefix,
    DUCKDB_PATH: f.duckdbPath,
    QDRANT_URL: '',
  });

  it('prints the report as JSON from the stores named by the environment, and writes the HTML page', async () => {
    const html = join(f.dir, 'cli-report.html');
    const { code, out, err } = await runCli(['--json', '--samples', '3', '--html', html], env());
    expect(err).toBe('');
    expect(code).toBe(0);
    const json = JSON.parse(out) as MonitorReport;
    expect(json.snapshot.postgres.status).toBe('ok');
    const redis = json.snapshot.redis;
    expect(redis.status === 'ok' && redis.namespaces.find((n) => n.name === 'quest_data')?.keys).toBe(10);
    // This test process owns the DuckDB file: the report says so instead of failing.
    expect(json.snapshot.duckdb).toMatchObject({
      status: 'not-configured',
      reason: expect.stringMatching(/^DuckDB cannot be opened for reading: .*locked by another process/),
    });
    expect(json.snapshot.qdrant).toMatchObject({
      status: 'not-configured',
      reason: expect.stringMatching(/--local-vectors/),
    });
    expect(readFileSync(html, 'utf8')).toMatch(/^<!doctype html>/);
  });

  it('exits 1 with --fail-on warning when there are findings, and 2 on a bad threshold name', async () => {
    const failing = await runCli(['--samples', '1', '--fail-on', 'warning', '--no-color'], env());
    expect(failing.code).toBe(1);
    expect(failing.out).toContain('OPTIMIZATION PLAN');
    const bad = await runCli(['--threshold', 'cacheHitRate=0.9'], env());
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^db:report: thresholds\.cacheHitRate: is not a known threshold/);
    expect(bad.out).toBe('');
  });
});

describe('the HTML page', () => {
  it('renders in headless Chromium with its charts, and loads nothing from anywhere', async (ctx) => {
    if (!existsSync(CHROMIUM)) {
      ctx.skip(
        `no Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH) to check the HTML report`,
      );
    }
    const { chromium } = await import('playwright-core');
    const file = join(f.dir, 'report.html');
    await writeFile(file, renderHtmlReport(report));
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const outside: string[] = [];
      const problems: string[] = [];
      page.on('request', (r) => {
        if (!r.url().startsWith('file:')) outside.push(r.url());
      });
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(m.text());
      });
      page.on('pageerror', (e) => problems.push(e.message));
      await page.goto(pathToFileURL(file).href);

      expect(await page.locator('h2').allTextContents()).toEqual(HTML_SECTIONS);
      const charts = page.locator('svg.chart');
      const labels = await charts.evaluateAll((svgs) => svgs.map((s) => s.getAttribute('aria-label')));
      expect(labels).toEqual(['Latency distributions', 'Cache hit rates', 'interactions', 'response time']);
      for (const box of await charts.evaluateAll((svgs) =>
        svgs.map((s) => s.getBoundingClientRect().toJSON()),
      )) {
        expect(box.width).toBeGreaterThan(300);
        expect(box.height).toBeGreaterThan(100);
      }
      // One trend line per character, and one latency row per measured operation.
      expect(await page.locator('svg[aria-label="interactions"] path[fill="none"]').count()).toBe(
        CHARACTERS.length,
      );
      expect(
        await page.locator('svg[aria-label="Cache hit rates"] text', { hasText: 'quest_data' }).count(),
      ).toBe(1);
      expect(await page.locator('.finding').count()).toBe(report.findings.length);
      expect(await page.locator('ol.plan > li').count()).toBe(report.plan.length);
      // Nothing sticks out sideways.
      expect(Number(await page.evaluate('document.documentElement.scrollWidth'))).toBeLessThanOrEqual(1280);
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      expect(outside).toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
