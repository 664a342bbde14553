import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { QdrantClient } from '@qdrant/js-client-rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalQdrantServer, startLocalQdrantServer } from '../src/index.js';

const run = promisify(execFile);
const FULL = 'full-access-key';
const READ = 'read-only-key';

describe('local mode REST server: API keys as Qdrant checks them', () => {
  let server: LocalQdrantServer;
  const call = (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) =>
    fetch(`${server.url}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  beforeAll(async () => {
    server = await startLocalQdrantServer({ port: 0, apiKey: FULL, readOnlyApiKey: READ });
    const admin = new QdrantClient({ url: server.url, apiKey: FULL, checkCompatibility: false });
    await admin.createCollection('guarded', { vectors: { size: 2, distance: 'Dot' } });
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers a request without a key with 401 in plain text, as Qdrant does', async () => {
    const r = await call('GET', '/collections');
    expect({ status: r.status, text: await r.text() }).toEqual({
      status: 401,
      text: 'Must provide an API key or an Authorization bearer token',
    });
  });

  it('answers a wrong key with 401 "Invalid API key or JWT", in the header or as a bearer token', async () => {
    const wrong: Array<Record<string, string>> = [
      { 'api-key': 'nope' },
      { authorization: 'Bearer nope' },
      { 'api-key': `${FULL}x` },
    ];
    for (const headers of wrong) {
      const r = await call('GET', '/collections', headers);
      expect({ status: r.status, text: await r.text() }).toEqual({
        status: 401,
        text: 'Invalid API key or JWT',
      });
    }
  });

  it('lets the full key read and write, as the api-key header or Authorization: Bearer', async () => {
    expect((await call('GET', '/collections', { 'api-key': FULL })).status).toBe(200);
    const put = await call(
      'PUT',
      '/collections/guarded/points?wait=true',
      { authorization: `Bearer ${FULL}` },
      { points: [{ id: 1, vector: [1, 0] }] },
    );
    expect(put.status).toBe(200);
    const official = new QdrantClient({ url: server.url, apiKey: FULL, checkCompatibility: false });
    expect((await official.count('guarded')).count).toBe(1);
  });

  it('lets the read-only key read (GET and read-only POSTs) and answers its writes with 403', async () => {
    const ro = { 'api-key': READ };
    expect((await call('GET', '/collections/guarded', ro)).status).toBe(200);
    expect((await call('POST', '/collections/guarded/points/scroll', ro, {})).status).toBe(200);
    expect((await call('POST', '/collections/guarded/points/query', ro, { query: [1, 0] })).status).toBe(200);
    for (const [method, path, body] of [
      ['PUT', '/collections/guarded/points', { points: [{ id: 2, vector: [0, 1] }] }],
      ['POST', '/collections/guarded/points/delete', { points: [1] }],
      ['DELETE', '/collections/guarded', undefined],
    ] as const) {
      const r = await call(method, path, ro, body);
      expect({ path, status: r.status, body: await r.json() }).toEqual({
        path,
        status: 403,
        body: { status: { error: 'Forbidden: Global manage access is required' }, time: expect.any(Number) },
      });
    }
    const official = new QdrantClient({ url: server.url, apiKey: FULL, checkCompatibility: false });
    expect((await official.count('guarded')).count).toBe(1);
    expect((await official.collectionExists('guarded')).exists).toBe(true);
  });

  it('serves the health checks and the version banner without a key', async () => {
    for (const path of ['/', '/healthz', '/livez', '/readyz'])
      expect((await call('GET', path)).status).toBe(200);
  });

  it('refuses to listen beyond loopback without a key, and allows it with one', async () => {
    await expect(startLocalQdrantServer({ port: 0, host: '0.0.0.0' })).rejects.toThrow(
      /refusing to listen on 0\.0\.0\.0 without an API key/,
    );
    const open = await startLocalQdrantServer({ port: 0, host: '0.0.0.0', apiKey: FULL });
    try {
      const r = await fetch(`http://127.0.0.1:${open.port}/collections`);
      expect(r.status).toBe(401);
    } finally {
      await open.close();
    }
  });
});

describe('qdrant:local command line', () => {
  const cli = join(import.meta.dirname, '../src/cli.ts');
  const runCli = (...args: string[]) =>
    run(process.execPath, ['--import', 'tsx', cli, ...args], { cwd: join(import.meta.dirname, '..') }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => ({
        code: e.code,
        stdout: e.stdout,
        stderr: e.stderr,
      }),
    );

  it('prints its usage for --help and exits 0', async () => {
    const r = await runCli('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: pnpm qdrant:local/);
    expect(r.stdout).toContain('--api-key');
    expect(r.stderr).toBe('');
  });

  it('names an unknown option with the usage and exits 2, without a stack trace', async () => {
    const r = await runCli('--bogus');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Unknown option '--bogus'/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a public host without a key and says why (exit 1)', async () => {
    const r = await runCli('--host', '0.0.0.0', '--port', '0', '--path', ':memory:');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refusing to listen on 0\.0\.0\.0 without an API key/);
  });
});
