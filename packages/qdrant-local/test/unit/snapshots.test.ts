import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LocalQdrant } from '../../src/index.js';
import { dataDirs } from '../support/data-dirs.js';

const dataDir = dataDirs('mos-local-snapshots-');

describe('local mode: collection snapshots on disk', () => {
  it('keeps snapshots under snapshots/<collection>/ and recovers from a file:// location there, durably', async () => {
    const dir = await dataDir();
    const engine = await LocalQdrant.open(dir);
    await engine.createCollection('c', { vectors: { size: 2, distance: 'Dot' } });
    await engine.upsertPoints('c', { points: [{ id: 1, vector: [1, 0], payload: { n: 1 } }] });
    const snap = await engine.createSnapshot('c');
    await engine.deletePoints('c', { points: [1] });
    const location = pathToFileURL(join(dir, 'snapshots', 'c', snap.name)).href;
    expect(await engine.recoverSnapshot('c', { location, checksum: snap.checksum })).toBe(true);
    expect((await engine.scrollPoints('c', {})).points).toEqual([{ id: 1, payload: { n: 1 } }]);
    await engine.close();
    const reopened = await LocalQdrant.open(dir);
    expect((await reopened.countPoints('c')).count).toBe(1);
    expect((await reopened.listSnapshots('c')).map((s) => s.name)).toEqual([snap.name]);
    await reopened.close();
  });

  it('refuses a file outside the snapshots directory (403), a wrong checksum and bytes that are no snapshot (400)', async () => {
    const dir = await dataDir();
    const engine = await LocalQdrant.open(dir);
    try {
      await engine.createCollection('c', { vectors: { size: 2, distance: 'Dot' } });
      await engine.upsertPoints('c', { points: [{ id: 1, vector: [1, 0] }] });
      const snap = await engine.createSnapshot('c');
      const outside = join(dir, 'elsewhere.snapshot');
      await writeFile(outside, await engine.getSnapshot('c', snap.name));
      await expect(
        engine.recoverSnapshot('c', { location: pathToFileURL(outside).href }),
      ).rejects.toMatchObject({
        status: 403,
        message: expect.stringMatching(
          /^Forbidden: Snapshot file path must be inside the snapshots directory/,
        ),
      });
      const location = pathToFileURL(join(dir, 'snapshots', 'c', snap.name)).href;
      await expect(
        engine.recoverSnapshot('c', { location, checksum: '00'.repeat(32) }),
      ).rejects.toMatchObject({
        status: 400,
        message: expect.stringMatching(/checksum mismatch/),
      });
      await expect(engine.recoverFromBytes('c', Buffer.from('not a snapshot at all'))).rejects.toMatchObject({
        status: 400,
        message: expect.stringMatching(/not a local Qdrant collection snapshot/),
      });
      await expect(engine.getSnapshot('c', '../wal.log')).rejects.toMatchObject({ status: 400 });
      expect((await engine.countPoints('c')).count).toBe(1);
    } finally {
      await engine.close();
    }
  });
});
