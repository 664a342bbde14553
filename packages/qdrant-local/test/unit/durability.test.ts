// Durability the engine keeps within one process over a temporary directory: a failed snapshot
// loses nothing. Crashes, child processes and the REST server are in ../durability.test.ts.
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalQdrant } from '../../src/index.js';
import { dataDirs } from '../support/data-dirs.js';

const dataDir = dataDirs('mos-local-durability-');

const ids = async (engine: LocalQdrant, name: string) =>
  (await engine.scrollPoints(name, { limit: 100 })).points.map((p) => p.id);

describe('local mode: a snapshot that cannot be written', () => {
  it('does not fail the write that triggered it; the log keeps everything and the next threshold retries', async () => {
    const dir = await dataDir();
    const engine = await LocalQdrant.open(dir, { compactAfterBytes: 1 });
    // The snapshot's temporary file cannot be created over a directory (EISDIR).
    await mkdir(join(dir, 'snapshot.bin.tmp'));
    await expect(engine.createCollection('c', { vectors: { size: 2, distance: 'Dot' } })).resolves.toBe(true);
    expect(engine.compactionError?.message).toMatch(/EISDIR/);
    await engine.upsertPoints('c', { points: [{ id: 1, vector: [1, 0] }] });
    expect(await engine.collectionExists('c')).toEqual({ exists: true });

    await rm(join(dir, 'snapshot.bin.tmp'), { recursive: true });
    await engine.upsertPoints('c', { points: [{ id: 2, vector: [0, 1] }] });
    expect(engine.compactionError).toBeNull();
    expect((await stat(join(dir, 'wal.log'))).size).toBe(0);
    await engine.close();
    const reopened = await LocalQdrant.open(dir);
    expect(await ids(reopened, 'c')).toEqual([1, 2]);
    await reopened.close();
  });

  it('still releases the log and the directory when close() cannot write it', async () => {
    const dir = await dataDir();
    const engine = await LocalQdrant.open(dir);
    await engine.createCollection('c', { vectors: { size: 2, distance: 'Dot' } });
    await engine.upsertPoints('c', { points: [{ id: 1, vector: [1, 0] }] });
    await mkdir(join(dir, 'snapshot.bin.tmp'));
    await expect(engine.close()).rejects.toThrow(/EISDIR/);
    await expect(engine.upsertPoints('c', { points: [{ id: 2, vector: [0, 1] }] })).rejects.toMatchObject({
      status: 503,
    });

    // Reopened in this same process: the lock was released, and the log replays the write.
    const reopened = await LocalQdrant.open(dir);
    expect(await ids(reopened, 'c')).toEqual([1]);
    await rm(join(dir, 'snapshot.bin.tmp'), { recursive: true });
    await reopened.close();
  });
});
