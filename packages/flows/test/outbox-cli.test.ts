// `pnpm db:outbox` as a process against its own database and key prefix: the parked events with
// their errors, --retry-parked applying them, --work as a worker stopped by SIGTERM.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRelational } from '@monsteros/relational';
import { createTestDatabase, type TestDatabase } from '@monsteros/schema/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlowValidationError, outboxStatus } from '../src/index.js';

const cli = fileURLToPath(new URL('../src/outbox/cli.ts', import.meta.url));
let db: TestDatabase;
let pool: pg.Pool;
let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  db = await createTestDatabase({ label: 'flows_outbox_cli' });
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  dir = await mkdtemp(join(tmpdir(), 'mos-outbox-cli-'));
  env = {
    ...process.env,
    DATABASE_URL: db.url,
    MONSTEROS_KEY_PREFIX: `mos-outbox-${randomUUID().slice(0, 8)}:`,
    MONSTEROS_LOCAL_VECTORS_PATH: join(dir, 'vectors'),
    DUCKDB_PATH: join(dir, 'analytics.duckdb'),
  };
  delete env.QDRANT_URL;
});
afterAll(async () => {
  await pool?.end();
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

/** Node with tsx's loader (not the tsx CLI, whose child would outlive a signal to it). */
function start(args: string[]): {
  child: ChildProcess;
  done: Promise<{ code: number | null; out: string; err: string }>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const done = new Promise<{ code: number | null; out: string; err: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, out, err })),
  );
  return { child, done };
}
const run = (args: string[]) => start(args).done;

/** An embed event for an interaction id no row has: applying it succeeds and embeds nothing. */
async function insertEvent(parked: boolean): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `insert into outbox (aggregate_type, aggregate_id, event_type, payload, attempts, last_error, parked_at)
     values ('vectors', 'cli', 'interactions.embed', $1, $2, $3, $4) returning id::text`,
    [
      JSON.stringify({ interactionIds: [randomUUID()] }),
      parked ? 8 : 0,
      parked ? 'qdrant was down' : null,
      parked ? new Date() : null,
    ],
  );
  return rows[0]!.id;
}
const processed = async (id: string) =>
  (await pool.query('select processed_at is not null as done from outbox where id = $1', [id])).rows[0].done;

describe('pnpm db:outbox', () => {
  it('lists parked events with their last error, and --retry-parked applies them', async () => {
    const id = await insertEvent(true);
    const status = await run(['--json']);
    expect(status.code).toBe(1);
    const report = JSON.parse(status.out);
    expect(report.backlog).toMatchObject({ pending: 0, parked: 1 });
    expect(report.parked).toEqual([
      expect.objectContaining({
        id,
        eventType: 'interactions.embed',
        attempts: 8,
        lastError: 'qdrant was down',
      }),
    ]);
    expect((await run([])).out).toContain(`#${id} interactions.embed vectors:cli, 8 attempts`);

    expect((await run(['--retry-parked', '--id', 'x1'])).code).toBe(2);
    expect(await processed(id)).toBe(false);
    const retried = await run(['--retry-parked', '--id', id]);
    expect(retried.code).toBe(0);
    expect(retried.out).toContain('released 1 parked events');
    expect(await processed(id)).toBe(true);
  });

  it('rejects a bad limit in the API, naming it', async () => {
    const relational = createRelational({ databaseUrl: db.url, poolSize: 1 });
    try {
      for (const limit of [0, 1.5, 10_001])
        await expect(outboxStatus(relational, limit)).rejects.toBeInstanceOf(FlowValidationError);
      await expect(outboxStatus(relational, 0)).rejects.toMatchObject({ field: 'limit' });
    } finally {
      await relational.close();
    }
  });

  it('--work applies new events until SIGTERM, then exits cleanly', async () => {
    const worker = start(['--work']);
    const id = await insertEvent(false);
    for (let i = 0; i < 200 && !(await processed(id)); i++) await new Promise((r) => setTimeout(r, 50));
    expect(await processed(id)).toBe(true);
    worker.child.kill('SIGTERM');
    const { code, err } = await worker.done;
    expect(code).toBe(0);
    expect(err).toContain('relay worker running');
  });
});
