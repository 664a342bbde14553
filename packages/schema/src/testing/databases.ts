// Test support for every package: a fresh, migrated PostgreSQL database per test file, so
// suites run in parallel without seeing each other's rows. Cloning a template database that
// was migrated once is ~10x faster than migrating each test database.
import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { deployMigrations } from '../migrate/commands.js';

const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/monsteros';
const migrationsDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../prisma/migrations');

/** A database that exists for one test file. */
export interface TestDatabase {
  /** Connection string of the new database. */
  url: string;
  /** Its name (`mos_test_<label>_<random>`). */
  name: string;
  /** Drops it, closing any connection still open to it. */
  drop(): Promise<void>;
}

/** The server the tests use: TEST_DATABASE_URL, else DATABASE_URL, else the local default. */
export function testServerUrl(): string {
  return process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function onAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: withDatabase(testServerUrl(), 'postgres') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function migrationsFingerprint(): Promise<string> {
  const hash = createHash('sha256');
  for (const name of (await readdir(migrationsDir)).sort()) {
    hash.update(name);
    if (name.endsWith('.toml')) continue;
    hash.update(await readFile(join(migrationsDir, name, 'migration.sql')));
  }
  return hash.digest('hex').slice(0, 12);
}

/** Creates (once per set of migrations, across processes) the migrated template. */
async function ensureTemplate(): Promise<string> {
  const template = `mos_tpl_${await migrationsFingerprint()}`;
  await onAdmin(async (admin) => {
    // One builder at a time; the others wait, then find it built.
    await admin.query(`select pg_advisory_lock(hashtext('monsteros:test-template'))`);
    try {
      const exists = await admin.query('select 1 from pg_database where datname = $1', [template]);
      if (exists.rowCount) return;
      // Built under a temporary name and renamed when complete, so a crash mid-way never
      // leaves a half-migrated template behind.
      const building = `${template}_building`;
      await admin.query(`drop database if exists ${pg.escapeIdentifier(building)} with (force)`);
      await admin.query(`create database ${pg.escapeIdentifier(building)}`);
      await deployMigrations({ databaseUrl: withDatabase(testServerUrl(), building) });
      await admin.query(
        `alter database ${pg.escapeIdentifier(building)} rename to ${pg.escapeIdentifier(template)}`,
      );
    } finally {
      await admin.query(`select pg_advisory_unlock(hashtext('monsteros:test-template'))`);
    }
  });
  return template;
}

/**
 * Creates a database for one test file: migrated (cloned from a template migrated once)
 * unless `migrated: false`, which gives an empty one (for migration tests).
 * @example
 * let db: TestDatabase;
 * beforeAll(async () => { db = await createTestDatabase({ label: 'relational' }); });
 * afterAll(() => db.drop());
 */
export async function createTestDatabase(
  options: { label?: string; migrated?: boolean } = {},
): Promise<TestDatabase> {
  const label = (options.label ?? 'db')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .slice(0, 20);
  const name = `mos_test_${label}_${randomBytes(5).toString('hex')}`;
  const template = options.migrated === false ? null : await ensureTemplate();
  await onAdmin(async (admin) => {
    const sql = `create database ${pg.escapeIdentifier(name)}${template ? ` template ${pg.escapeIdentifier(template)}` : ''}`;
    // Another process may be cloning the same template at this instant; PostgreSQL then
    // reports the template as "being accessed by other users" (55006) for a moment.
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.query(sql);
        return;
      } catch (error) {
        if ((error as { code?: string }).code !== '55006' || attempt >= 50) throw error;
        await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
      }
    }
  });
  return {
    name,
    url: withDatabase(testServerUrl(), name),
    drop: () =>
      onAdmin(async (admin) => {
        await admin.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`);
      }),
  };
}
