import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { QdrantClient } from '@qdrant/js-client-rest';
import { describe, expect, it } from 'vitest';
import { LocalQdrant, startLocalQdrantServer } from '../src/index.js';
import { dataDirs } from './support/data-dirs.js';

const dataDir = dataDirs('mos-local-qdrant-');

describe('local mode persistence', () => {
  it('loses at most the write in flight when the process is killed mid-stream', async () => {
    const dir = await dataDir();
    // The writer runs in this very process (node --import tsx), not under the tsx CLI: the CLI
    // runs scripts in a child of its own, and SIGKILL on the CLI would leave the writer running.
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'fixtures/crash-writer.ts'), dir, 'stream'],
      { cwd: join(import.meta.dirname, '..'), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let acked = -1;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      let buffer = '';
      child.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        for (const line of buffer.split('\n').slice(0, -1)) {
          const m = /^ack (\d+)$/.exec(line);
          if (m) acked = Number(m[1]);
        }
        buffer = buffer.slice(buffer.lastIndexOf('\n') + 1);
        if (acked >= 8) resolve();
      });
      child.once('exit', (code) => reject(new Error(`writer exited early with ${code}`)));
    });
    // While the writer runs, its directory is locked against a second engine.
    await expect(LocalQdrant.open(dir)).rejects.toMatchObject({
      name: 'DataDirectoryLockedError',
      pid: child.pid,
    });
    child.kill('SIGKILL');
    await exited;

    const engine = await LocalQdrant.open(dir);
    const { count } = await engine.countPoints('stream');
    // Every acknowledged batch is there; the batch in flight is there whole or not at all.
    expect(count % 50).toBe(0);
    expect(count).toBeGreaterThanOrEqual((acked + 1) * 50);
    const lastAcked = await engine.countPoints('stream', {
      filter: { must: [{ key: 'batch', match: { value: acked } }] },
    });
    expect(lastAcked).toEqual({ count: 50 });
    await engine.close();
  });

  it('serves a data directory over HTTP again after the server restarts', async () => {
    const dir = await dataDir();
    const first = await startLocalQdrantServer({ path: dir, port: 0 });
    const client = new QdrantClient({ url: first.url, checkCompatibility: false });
    await client.createCollection('docs', { vectors: { size: 2, distance: 'Cosine' } });
    await client.upsert('docs', { points: [{ id: 7, vector: [3, 4], payload: { title: 'seven' } }] });
    await first.close();

    const second = await startLocalQdrantServer({ path: dir, port: 0 });
    const again = new QdrantClient({ url: second.url, checkCompatibility: false });
    const result = await again.query('docs', { query: [3, 4], with_payload: true });
    expect(result.points).toHaveLength(1);
    expect(result.points[0]).toMatchObject({ id: 7, payload: { title: 'seven' } });
    expect(result.points[0]!.score).toBeCloseTo(1, 6);
    await second.close();
  });
});
