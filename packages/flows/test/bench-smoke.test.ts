// The scale curves are run by hand (minutes); this runs them on tiny sizes (`--smoke`) so that
// they cannot rot: each size in its own process and database, tables and plots written.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSmoke } from '@monsteros/bench-kit';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'flows-bench-smoke-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bench scripts (smoke)', () => {
  it('runs the scale curves: interaction throughput by interactions stored, retrieve p50 by passages', async () => {
    await runSmoke(join(import.meta.dirname, '..'), 'bench/scale.ts', dir, 280_000);
    const interaction = JSON.parse(readFileSync(join(dir, 'scale-flows-interaction.json'), 'utf8')) as {
      series: Array<{ name: string; points: Array<{ x: number; y: number }> }>;
    };
    expect(interaction.series.map((s) => s.name)).toEqual(['ours (flow)', 'raw store calls']);
    for (const s of interaction.series) {
      expect(s.points.map((p) => p.x)).toEqual([1, 1_000]);
      for (const p of s.points) expect(p.y).toBeGreaterThan(0);
    }
    const retrieve = JSON.parse(readFileSync(join(dir, 'scale-memory-retrieve.json'), 'utf8')) as {
      series: Array<{ points: Array<{ x: number; y: number }> }>;
    };
    expect(retrieve.series[0]!.points.map((p) => p.x)).toEqual([200, 400]);
    for (const name of ['scale-flows-interaction', 'scale-memory-retrieve'])
      expect(existsSync(join(dir, `${name}.svg`)), name).toBe(true);
  }, 300_000); // seconds alone, minutes while every suite shares the 2 cores in CI
});
