// The benches are run by hand (minutes, on a quiet machine); this runs each script on tiny sizes
// (`--smoke`) so that they cannot rot: they start, reach every case and write their table.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSmoke } from '@monsteros/bench-kit';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'cache-bench-smoke-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function smoke(script: string, result: string): Promise<Array<{ case: string; path: string }>> {
  await runSmoke(join(import.meta.dirname, '..'), script, dir, 120_000);
  return (
    JSON.parse(readFileSync(join(dir, result), 'utf8')) as { rows: Array<{ case: string; path: string }> }
  ).rows;
}

describe('bench scripts (smoke)', () => {
  it('runs the cache bench: hit path, bulk metrics, writes and publish against raw ioredis', async () => {
    const rows = await smoke('bench/run.ts', 'cache.json');
    const cases = new Set(rows.map((r) => r.case));
    expect(cases).toEqual(
      new Set([
        'get hit (LRU namespace)',
        'get hit (LFU namespace)',
        'bulk metrics, 100 agents x 2 metrics',
        'set',
        'stream publish (trimmed at 1,000)',
      ]),
    );
  });

  it('runs the peers bench: every library on every case, the stampede in one and two processes', async () => {
    const rows = await smoke('bench/peers.ts', 'cache-peers.json');
    for (const name of ['get hit', 'set', 'getOrSet miss, 100 callers on one key, 2 processes']) {
      const paths = rows.filter((r) => r.case === name).map((r) => r.path);
      expect(paths).toEqual(
        expect.arrayContaining([
          'ours (policy, L2 Redis)',
          'bentocache L2 only',
          'bentocache L1 + L2',
          'cachified + ioredis adapter',
        ]),
      );
    }
  });
});
