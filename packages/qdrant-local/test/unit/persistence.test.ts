// Restarts over a temporary directory, in one process: a clean one, and crashes simulated by a
// lock naming a pid no process has. SIGKILL mid-stream and the HTTP server: ../persistence.test.ts.
import { appendFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalQdrant } from '../../src/index.js';
import { dataDirs, simulateCrash } from '../support/data-dirs.js';
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

  it('replays the log of an engine that was never closed', async () => {
    const dir = await dataDir();
    const crashed = await LocalQdrant.open(dir);
    await seed(crashed, 'memories', 25);
    await simulateCrash(dir);
    const reopened = await LocalQdrant.open(dir);
    await expectSeeded(reopened, 'memories', 25);
    await reopened.close();
  });

  it('folds the log into a snapshot past its size limit and recovers from both', async () => {
    const dir = await dataDir();
    const engine = await LocalQdrant.open(dir, { compactAfterBytes: 4096 });
    await seed(engine, 'memories', 30);
    for (let i = 0; i < 20; i++) await engine.setPayload('memories', { points: [2], payload: { round: i } });
    expect((await stat(join(dir, 'snapshot.bin'))).size).toBeGreaterThan(0);
    expect((await stat(join(dir, 'wal.log'))).size).toBeLessThan(4096 + 1024);
    await simulateCrash(dir);
    const reopened = await LocalQdrant.open(dir);
    await expectSeeded(reopened, 'memories', 30);
    expect((await reopened.retrievePoints('memories', { ids: [2] }))[0]!.payload).toMatchObject({
      round: 19,
    });
    await reopened.close();
  });

  it('drops a torn record at the end of the log and keeps everything before it', async () => {
    const dir = await dataDir();
    const engine = await LocalQdrant.open(dir);
    await seed(engine, 'memories', 20);
    // A write that was cut off mid-record: a length header announcing more bytes than follow.
    const torn = Buffer.alloc(20);
    torn.writeUInt32LE(5000, 0);
    await appendFile(join(dir, 'wal.log'), torn);
    await simulateCrash(dir);
    const reopened = await LocalQdrant.open(dir);
    await expectSeeded(reopened, 'memories', 20);
    await reopened.upsertPoints('memories', { points: [{ id: 500, vector: [1, 1, 1, 1] }] });
    await simulateCrash(dir);
    const again = await LocalQdrant.open(dir);
    expect(await again.countPoints('memories')).toEqual({ count: 19 });
    await again.close();
  });
});
