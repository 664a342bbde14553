// Scale curves: how a cost (latency, memory, throughput) moves as the data grows. `reportCurve`
// prints a table with, between consecutive sizes, how much the cost grew against how much the data
// grew, and writes the same points as JSON and as a log-log SVG plot beside it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Stats } from './measure.js';
import { resultsDir } from './report.js';

export interface CurvePoint {
  /** Data size (points, rows, interactions …). */
  x: number;
  /** The measured cost at that size. */
  y: number;
}

export interface CurveSeries {
  name: string;
  points: CurvePoint[];
}

export interface Curve {
  /** File name (`bench-results/<name>.json|svg`). */
  name: string;
  title: string;
  /** What x counts, e.g. `points × 384`. */
  x: string;
  /** What y measures, with its unit, e.g. `search p50 (ms)`. */
  y: string;
  series: CurveSeries[];
  /** Whether a larger y is better (throughput): growth is then read as a drop. Default false. */
  higherIsBetter?: boolean;
}

const fmt = (n: number) =>
  Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toPrecision(3);

/**
 * Growth of the cost between two sizes relative to the data's: 1 is linear, above 1 grows faster
 * than the data (for higher-is-better, the cost per item is the inverse of y).
 */
export function relativeGrowth(a: CurvePoint, b: CurvePoint, higherIsBetter = false): number {
  const data = b.x / a.x;
  const cost = higherIsBetter ? a.y / b.y : b.y / a.y;
  return higherIsBetter ? cost : cost / data;
}

/**
 * Prints the curve as a table and writes `<name>.json` and `<name>.svg` to the results folder.
 * @example
 * reportCurve({ name: 'scale-search', title: 'Local search', x: 'points', y: 'p50 ms',
 *   series: [{ name: 'exact', points: [{ x: 1e4, y: 0.6 }, { x: 1e5, y: 5.9 }] }] });
 * // table: … exact ×9.8 for ×10 data (0.98 per unit of data) …
 */
export function reportCurve(curve: Curve, meta: Record<string, unknown> = {}): void {
  const xs = [...new Set(curve.series.flatMap((s) => s.points.map((p) => p.x)))].sort((a, b) => a - b);
  console.log(`\n${curve.title}  (${curve.y} by ${curve.x})`);
  const header = [curve.x, ...curve.series.map((s) => s.name)];
  const lines = xs.map((x) => [
    String(x),
    ...curve.series.map((s) => {
      const i = s.points.findIndex((p) => p.x === x);
      if (i === -1) return '-';
      const p = s.points[i]!;
      const prev = s.points[i - 1];
      if (!prev) return fmt(p.y);
      const g = relativeGrowth(prev, p, curve.higherIsBetter);
      const label = curve.higherIsBetter
        ? `kept ${(100 * (p.y / prev.y)).toFixed(0)} %`
        : `growth/data ${g.toFixed(2)}`;
      return `${fmt(p.y)} (${label})`;
    }),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const row = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  console.log(row(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) console.log(row(l));
  const dir = resultsDir();
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, `${curve.name}.json`),
    `${JSON.stringify({ ...curve, date: new Date().toISOString(), node: process.version, meta }, null, 2)}\n`,
  );
  writeFileSync(join(dir, `${curve.name}.svg`), svg(curve, xs));
  console.log(`written ${join(dir, `${curve.name}.json`)} and .svg`);
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];
const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A log-log line plot, one line per series, ticks at the measured sizes and at powers of ten of y. */
function svg(curve: Curve, xs: number[]): string {
  const W = 640;
  const H = 400;
  const m = { left: 70, right: 180, top: 40, bottom: 50 };
  const ys = curve.series.flatMap((s) => s.points.map((p) => p.y)).filter((y) => y > 0);
  const lx = (x: number) => Math.log10(x);
  const [x0, x1] = [lx(Math.min(...xs)), lx(Math.max(...xs))];
  const [y0, y1] = [Math.floor(Math.log10(Math.min(...ys))), Math.ceil(Math.log10(Math.max(...ys)))];
  const px = (x: number) => m.left + ((lx(x) - x0) / (x1 - x0 || 1)) * (W - m.left - m.right);
  const py = (y: number) => H - m.bottom - ((Math.log10(y) - y0) / (y1 - y0 || 1)) * (H - m.top - m.bottom);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${m.left}" y="20" font-size="14">${xml(curve.title)}</text>`,
    `<line x1="${m.left}" y1="${H - m.bottom}" x2="${W - m.right}" y2="${H - m.bottom}" stroke="black"/>`,
    `<line x1="${m.left}" y1="${m.top}" x2="${m.left}" y2="${H - m.bottom}" stroke="black"/>`,
    `<text x="${(m.left + W - m.right) / 2}" y="${H - 12}" text-anchor="middle">${xml(curve.x)} (log)</text>`,
    `<text x="14" y="${(m.top + H - m.bottom) / 2}" text-anchor="middle" transform="rotate(-90 14 ${(m.top + H - m.bottom) / 2})">${xml(curve.y)} (log)</text>`,
  ];
  for (const x of xs) {
    parts.push(
      `<line x1="${px(x)}" y1="${H - m.bottom}" x2="${px(x)}" y2="${H - m.bottom + 5}" stroke="black"/>`,
      `<text x="${px(x)}" y="${H - m.bottom + 18}" text-anchor="middle">${x.toLocaleString('en-US')}</text>`,
    );
  }
  for (let e = y0; e <= y1; e++) {
    const y = 10 ** e;
    parts.push(
      `<line x1="${m.left}" y1="${py(y)}" x2="${W - m.right}" y2="${py(y)}" stroke="#ddd"/>`,
      `<text x="${m.left - 6}" y="${py(y) + 4}" text-anchor="end">${fmt(y)}</text>`,
    );
  }
  curve.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!;
    const pts = s.points.filter((p) => p.y > 0);
    parts.push(
      `<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map((p) => `${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ')}"/>`,
      ...pts.map(
        (p) => `<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="3" fill="${color}"/>`,
      ),
      `<rect x="${W - m.right + 12}" y="${m.top + i * 20 - 9}" width="12" height="3" fill="${color}"/>`,
      `<text x="${W - m.right + 30}" y="${m.top + i * 20 - 4}">${xml(s.name)}</text>`,
    );
  });
  parts.push('</svg>\n');
  return parts.join('\n');
}

/** One bench run per size, as a child process; returns the parsed results it wrote. */
export interface SizedRun {
  /** The bench script (path from the package), run with `node --import tsx`. */
  script: string;
  /** Environment of the run at a size (the script's size knobs). */
  env: (size: number) => Record<string, string>;
  /** The results file the script writes (`<name>.json`). */
  result: string;
}

/**
 * Runs an existing bench script once per size (each in its own process, so one size's memory and
 * JIT state do not leak into the next) and returns each run's result rows, for a scale curve.
 * @example
 * const runs = await runAtSizes({ script: 'bench/run.ts', env: (n) => ({ BENCH_ROWS: String(n) }), result: 'analytics.json' }, [1e5, 1e6]);
 */
export async function runAtSizes(
  run: SizedRun,
  sizes: number[],
): Promise<Array<{ size: number; rows: Array<{ case: string; path: string; stats: Stats }> }>> {
  const { execFile } = await import('node:child_process');
  const { mkdtempSync, readFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const out: Array<{ size: number; rows: Array<{ case: string; path: string; stats: Stats }> }> = [];
  for (const size of sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'bench-scale-'));
    const started = performance.now();
    await new Promise<void>((resolve, reject) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', run.script],
        { env: { ...process.env, ...run.env(size), BENCH_RESULTS_DIR: dir }, maxBuffer: 64 * 2 ** 20 },
        (error, _stdout, stderr) =>
          error ? reject(new Error(`${run.script} at ${size}: ${stderr}`)) : resolve(),
      );
    });
    console.log(`${run.script} at ${size}: ${((performance.now() - started) / 1000).toFixed(0)} s`);
    const parsed = JSON.parse(readFileSync(join(dir, run.result), 'utf8')) as {
      rows: Array<{ case: string; path: string; stats: Stats }>;
    };
    out.push({ size, rows: parsed.rows });
  }
  return out;
}
