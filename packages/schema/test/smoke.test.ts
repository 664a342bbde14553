import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../src/testing.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ label: 'smoke' });
});
afterAll(() => db?.drop());

it('clones a migrated database with every table of the schema', async () => {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const { rows } = await client.query(
    `select count(*)::int as n from information_schema.tables where table_schema = 'public'`,
  );
  await client.end();
  expect(rows[0].n).toBe(14);
});
