// The quantization bench and the scale curve are run by hand; this runs them on tiny sizes
// (`--smoke`) so that they cannot rot: they start, measure both stores and write their results.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSmoke } from '@monsteros/bench-kit';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'qdrant-local-bench-smoke-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const smoke = (script: string) => runSmoke(join(import.meta.dirname, '..'), script, dir);

describe('bench scripts (smoke)', () => {
  it('runs the quantization bench: exact, int8 with rescoring and int8 estimates', async () => {
    await smoke('bench/quantization.bench.ts');
    const { rows } = JSON.parse(readFileSync(join(dir, 'qdrant-local-quantization.json'), 'utf8')) as {
      rows: Array<{ path: string; note: string }>;
    };
    expect(rows.map((r) => r.path)).toHaveLength(3);
    expect(rows[1]!.note).toMatch(/recall@10 \d\.\d{3}/);
  });

  it('runs the scale curve and writes its table data and plots', async () => {
    await smoke('bench/scale.ts');
    for (const name of ['scale-vector-search', 'scale-vector-memory']) {
      const curve = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as { series: unknown[] };
      expect(curve.series).toHaveLength(2);
      expect(existsSync(join(dir, `${name}.svg`))).toBe(true);
    }
  });
});
