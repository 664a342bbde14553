import { execFile } from 'node:child_process';
import type { FileHandle } from 'node:fs/promises';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DataDirectoryLockedError, LocalQdrant, startLocalQdrantServer } from '../src/index.js';
import { dataDirs, idsAfterCrash, simulateCrash } from './support/data-dirs.js';

const run = promisify(execFile);
const dataDir = dataDirs('mos-local-durability-');

/** The open file of an engine's write-ahead log, to make its next calls fail the way a full disk does. */
const logFile = (engine: LocalQdrant) =>
  (engine as unknown as { journal: { wal: { handle: FileHandle } } }).journal.wal.handle;

const ids = async (engine: LocalQdrant, name: string) =>
  (await engine.scrollPoints(name, { limit: 100 })).points.map((p) => p.id);

describe('local mode: a write that cannot be logged', () => {
  it('is cut off the log when the disk refuses it mid-record, so later acknowledged writes survive a crash', async () => {
    const dir = await dataDir();
    // A real short write: the file size limit stops the large record part-way (bash counts in KiB).
    const { stdout } = await run(
      '/bin/bash',
      [
        '-c',
        'ulimit -f 32 && exec "$0" "$@"',
        process.execPath,
        '--import',
        'tsx',
        join(import.meta.dirname, 'fixtures/size-limited-writer.ts'),
        dir,
      ],
      { cwd: join(import.meta.dirname, '..') },
    );
    expect(stdout.trim().split('\n')).toEqual(['rejected 500', 'acked']);

    expect(await idsAfterCrash(dir, 'limited')).toEqual([1]);
  });

  it('is rejected and never replayed when its fsync fails', async () => {
    const dir = await dataDir();
    const engine = await LocalQdrant.open(dir);
    await engine.createCollection('c', { vectors: { size: 2, distance: 'Dot' } });
    const file = logFile(engine);
    const datasync = file.datasync.bind(file);
    file.datasync = async () => {
      file.datasync = datasync;
      throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
    };
    await expect(engine.upsertPoints('c', { points: [{ id: 1, vector: [1, 0] }] })).rejects.toMatchObject({
      status: 500,
      message: expect.stringMatching(/^Service internal error: .*EIO/),
    });
    expect(await engine.countPoints('c')).toEqual({ count: 0 });
    await engine.upsertPoints('c', { points: [{ id: 2, vector: [0, 1] }] });

    expect(await idsAfterCrash(dir, 'c')).toEqual([2]);
  });

  it('stops every later write with a 503 when the torn record cannot be cut off either', async () => {
    const dir = await dataDir();
    const engine = await LocalQdrant.open(dir);
    await engine.createCollection('c', { vectors: { size: 2, distance: 'Dot' } });
    await engine.upsertPoints('c', { points: [{ id: 1, vector: [1, 0] }] });
    const file = logFile(engine);
    const write = file.write.bind(file) as (b: Buffer, o: number, l: number, p: null) => Promise<unknown>;
    (file as { write: unknown }).write = async (buffer: Buffer, offset: number, length: number) => {
      await write(buffer, offset, Math.floor(length / 2), null);
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    };
    file.truncate = async () => {
      throw Object.assign(new Error('EIO: i/o error, ftruncate'), { code: 'EIO' });
    };
    await expect(engine.upsertPoints('c', { points: [{ id: 2, vector: [0, 1] }] })).rejects.toMatchObject({
      status: 503,
    });

    const server = await startLocalQdrantServer({ engine, port: 0 });
    const response = await fetch(`${server.url}/collections/c/points`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ points: [{ id: 3, vector: [1, 1] }] }),
    });
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({
      status: { error: expect.stringMatching(/^Service unavailable: .*ENOSPC/) },
    });
    // Reads go on, and no rejected write changed anything.
    expect(await ids(engine, 'c')).toEqual([1]);
    await server.close();

    await simulateCrash(dir);
    const reopened = await LocalQdrant.open(dir);
    expect(await ids(reopened, 'c')).toEqual([1]);
    await reopened.upsertPoints('c', { points: [{ id: 4, vector: [1, 1] }] });
    expect(await ids(reopened, 'c')).toEqual([1, 4]);
    await reopened.close();
  });
});

describe('local mode: one engine per data directory', () => {
  it('refuses a second engine over an open directory, naming the directory and the holder', async () => {
    const dir = await dataDir();
    const first = await LocalQdrant.open(dir);
    const error = await LocalQdrant.open(dir).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DataDirectoryLockedError);
    expect(error).toMatchObject({ path: dir, pid: process.pid, code: 'CONFLICT' });
    expect((error as Error).message).toContain(dir);
    expect((error as Error).message).toContain(String(process.pid));
    // A server over the same directory is refused the same way.
    await expect(startLocalQdrantServer({ path: dir, port: 0 })).rejects.toBeInstanceOf(
      DataDirectoryLockedError,
    );
    await first.close();

    const second = await LocalQdrant.open(dir);
    await second.close();
    expect(await readdir(dir)).not.toContain('LOCK');
  });

  it('takes over the lock of an engine whose process is gone', async () => {
    const dir = await dataDir();
    const crashed = await LocalQdrant.open(dir);
    await crashed.createCollection('c', { vectors: { size: 2, distance: 'Dot' } });
    await simulateCrash(dir);
    const next = await LocalQdrant.open(dir);
    expect(await next.collectionExists('c')).toEqual({ exists: true });
    await next.close();
  });
});

describe('local mode REST server over a directory', () => {
  it('releases the directory when it cannot listen (port taken)', async () => {
    const dir = await dataDir();
    const first = await startLocalQdrantServer({ port: 0 });
    await expect(startLocalQdrantServer({ path: dir, port: first.port })).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
    await first.close();
    const engine = await LocalQdrant.open(dir);
    await engine.close();
  });
});
