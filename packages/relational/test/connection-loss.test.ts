import { createTestDatabase, type TestDatabase } from '@monsteros/schema/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRelational, type Relational, UnavailableError } from '../src/index.js';

// PostgreSQL ending the backend of a connection a transaction holds (pg_terminate_backend, a
// failover, an idle timeout) makes the checked-out pg client emit 'error' between two statements.
// Only the backend of this file's own test database is terminated.
let db: TestDatabase;
let relational: Relational;
let admin: pg.Client;

beforeAll(async () => {
  db = await createTestDatabase({ label: 'relational_loss' });
  relational = createRelational({ databaseUrl: db.url, poolSize: 2 });
  admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
});
afterAll(async () => {
  await admin?.end();
  await relational?.close();
  await db?.drop();
});

/** Resolves once the next client the pool hands out has lost its connection. */
function nextCheckoutEnds(): Promise<void> {
  return new Promise((resolve) => {
    relational.pool.once('acquire', (client: pg.PoolClient) => client.once('end', () => resolve()));
  });
}

async function terminate(pid: number): Promise<void> {
  const { rows } = await admin.query<{ ok: boolean }>(
    'select pg_terminate_backend(pid) as ok from pg_stat_activity where pid = $1 and datname = current_database()',
    [pid],
  );
  expect(rows[0]?.ok).toBe(true);
}

describe('a transaction whose connection PostgreSQL terminates', () => {
  it('fails with UnavailableError, commits nothing, and the process and the pool live on', async () => {
    const username = `lost_${Date.now()}`;
    const ended = nextCheckoutEnds();
    const error = await relational
      .transaction(async (tx) => {
        await tx.kysely.insertInto('user_profiles').values({ username }).execute();
        const { rows } = await tx.kysely
          .selectNoFrom((eb) => eb.fn<number>('pg_backend_pid').as('pid'))
          .execute()
          .then((r) => ({ rows: r }));
        await terminate(rows[0]!.pid);
        // The client notices between two statements: its 'error' event fires with no query active.
        await ended;
        await tx.kysely.selectNoFrom((eb) => eb.val(1).as('one')).execute();
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as UnavailableError).code).toBe('UNAVAILABLE');
    // Nothing of the transaction committed; the pool hands out a working connection again.
    const found = await relational.kysely
      .selectFrom('user_profiles')
      .select('id')
      .where('username', '=', username)
      .execute();
    expect(found).toEqual([]);
    await expect(
      relational.transaction(async (tx) => tx.kysely.selectNoFrom((eb) => eb.val(1).as('one')).execute()),
    ).resolves.toHaveLength(1);
  });

  it('fails with UnavailableError when the loss is only seen at commit', async () => {
    const ended = nextCheckoutEnds();
    const error = await relational
      .transaction(async (tx) => {
        const rows = await tx.kysely
          .selectNoFrom((eb) => eb.fn<number>('pg_backend_pid').as('pid'))
          .execute();
        await terminate(rows[0]!.pid);
        await ended;
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(UnavailableError);
  });
});
