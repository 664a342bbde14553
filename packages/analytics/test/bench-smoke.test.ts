// The ingest scale curve is run by hand (1M and 5M rows: minutes); this runs it on tiny sizes
// (`--smoke`) so that it cannot rot: each size its own database and DuckDB file, table and plot.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSmoke } from '@monsteros/bench-kit';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'analytics-bench-smoke-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bench scripts (smoke)', () => {
  it('runs the ingest scale curve: ours beside PostgreSQL COPY out, by rows', async () => {
    await runSmoke(join(import.meta.dirname, '..'), 'bench/scale.ts', dir, 280_000);
    const curve = JSON.parse(readFileSync(join(dir, 'scale-analytics-ingest.json'), 'utf8')) as {
      series: Array<{ name: string; points: Array<{ x: number; y: number }> }>;
    };
    expect(curve.series).toHaveLength(2);
    for (const s of curve.series) {
      expect(s.points.map((p) => p.x)).toEqual([2_000, 4_000]);
      for (const p of s.points) expect(p.y, s.name).toBeGreaterThan(0);
    }
    expect(existsSync(join(dir, 'scale-analytics-ingest.svg'))).toBe(true);
  }, 300_000); // seconds alone, minutes while every suite shares the 2 cores in CI
});
