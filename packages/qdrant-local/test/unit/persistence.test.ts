// A clean restart over a temporary directory, in one process. Crashes (a simulated one starts a
// short-lived process for a gone pid), SIGKILL mid-stream and the HTTP server: ../persistence.test.ts.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalQdrant } from '../../src/index.js';
import { dataDirs } from '../support/data-dirs.js';
import { expectSeeded, seed } from '../support/seeded-collection.js';

const dataDir = dataDirs('mos-local-qdrant-');

describe('local mode persistence', () => {
  it('keeps collections, points, payload, indexes and aliases across a clean restart', async () => {
    const dir = await dataDir();
    const first = await LocalQdrant.open(dir);
    await seed(first, 'memories', 40);
    await first.close();
    // The directory lock is gone with the engine.
    expect((await readdir(dir)).sort()).toEqual(['snapshot.bin', 'wal.log']);
    expect((await stat(join(dir, 'wal.log'))).size).toBe(0);

    const second = await LocalQdrant.open(dir);
    await expectSeeded(second, 'memories', 40);
    await second.close();
  });
});
