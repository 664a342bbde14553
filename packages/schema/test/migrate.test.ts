import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  checkSchema,
  createMigration,
  deployMigrations,
  MigrateError,
  migrationStatus,
  resetDatabase,
  resolveMigration,
} from '../src/migrate/index.js';
import { createTestDatabase, type TestDatabase } from '../src/testing/index.js';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const realMigrations = join(packageRoot, 'prisma/migrations');
const realSchema = join(packageRoot, 'prisma/schema.prisma');

let db: TestDatabase;
let work: string;
let migrationsDir: string;
let schemaPath: string;
const cleanup: Array<() => Promise<unknown>> = [];

async function query<T extends pg.QueryResultRow>(
  url: string,
  sql: string,
  values: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

async function realMigrationNames(): Promise<string[]> {
  return (await readdir(realMigrations, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

async function addMigration(name: string, sql: string): Promise<void> {
  await cp(join(migrationsDir, (await realMigrationNames())[0]!), join(migrationsDir, name), {
    recursive: true,
  });
  await writeFile(join(migrationsDir, name, 'migration.sql'), sql);
}

beforeEach(async () => {
  db = await createTestDatabase({ label: 'migrate', migrated: false });
  work = await mkdtemp(join(tmpdir(), 'mos-migrate-'));
  migrationsDir = join(work, 'migrations');
  schemaPath = join(work, 'schema.prisma');
  await cp(realMigrations, migrationsDir, { recursive: true });
  await cp(realSchema, schemaPath);
});
afterEach(async () => {
  await db.drop();
  await rm(work, { recursive: true, force: true });
});
afterAll(async () => {
  for (const fn of cleanup) await fn();
});

const opts = () => ({ databaseUrl: db.url, migrationsDir, schemaPath });

describe('deploy', () => {
  it('applies every migration to an empty database and records each as Prisma does', async () => {
    const { applied } = await deployMigrations(opts());
    expect(applied).toEqual(await realMigrationNames());
    const rows = await query<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
      applied_steps_count: number;
    }>(
      db.url,
      'select migration_name, checksum, finished_at, applied_steps_count from _prisma_migrations order by migration_name',
    );
    expect(rows.map((r) => r.migration_name)).toEqual(applied);
    for (const row of rows) {
      // Prisma's checksum: SHA-256 of the migration file, hex.
      const file = await readFile(join(migrationsDir, row.migration_name, 'migration.sql'));
      const { createHash } = await import('node:crypto');
      expect(row.checksum).toBe(createHash('sha256').update(file).digest('hex'));
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.applied_steps_count).toBe(1);
    }
    const tables = await query<{ table_name: string }>(
      db.url,
      `select table_name from information_schema.tables where table_schema = 'public' order by 1`,
    );
    expect(tables.map((t) => t.table_name)).toContain('character_agents');
    expect(tables.map((t) => t.table_name)).toContain('outbox');
  });

  it('is idempotent: a second deploy applies nothing and records nothing twice', async () => {
    await deployMigrations(opts());
    const again = await deployMigrations(opts());
    expect(again.applied).toEqual([]);
    const [row] = await query<{ n: number }>(db.url, 'select count(*)::int as n from _prisma_migrations');
    expect(row!.n).toBe((await realMigrationNames()).length);
  });

  it('creates the database when it does not exist yet', async () => {
    await db.drop();
    const { applied } = await deployMigrations(opts());
    expect(applied.length).toBeGreaterThan(0);
  });

  it('runs a migration atomically: a failing statement leaves nothing of it and marks it failed', async () => {
    await deployMigrations(opts());
    await addMigration(
      '20990101000000_broken',
      'CREATE TABLE "half_done" (id int);\nALTER TABLE "no_such_table" ADD COLUMN x int;\n',
    );
    const failure = await deployMigrations(opts()).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(MigrateError);
    expect((failure as MigrateError).code).toBe('FAILED');
    expect((failure as MigrateError).message).toContain('20990101000000_broken');
    expect((failure as MigrateError).message).toContain('no_such_table');
    const [half] = await query<{ t: string | null }>(db.url, `select to_regclass('half_done')::text as t`);
    expect(half!.t).toBeNull();
    const status = await migrationStatus(opts());
    expect(status.failed).toEqual(['20990101000000_broken']);

    // deploy refuses until the failure is resolved, even once the file is fixed
    await writeFile(
      join(migrationsDir, '20990101000000_broken', 'migration.sql'),
      'CREATE TABLE "half_done" (id int);\n',
    );
    const refused = await deployMigrations(opts()).catch((e: unknown) => e);
    expect((refused as MigrateError).code).toBe('FAILED');
    expect((refused as MigrateError).message).toMatch(/db:resolve/);

    await resolveMigration({ ...opts(), name: '20990101000000_broken', as: 'rolled-back' });
    expect((await deployMigrations(opts())).applied).toEqual(['20990101000000_broken']);
    expect((await migrationStatus(opts())).upToDate).toBe(true);
  });

  it('keeps dollar-quoted bodies and semicolons inside literals intact', async () => {
    await deployMigrations(opts());
    await addMigration(
      '20990101000001_function',
      `CREATE FUNCTION "semi"() RETURNS text LANGUAGE plpgsql AS $$ BEGIN RETURN 'a;b'; END; $$;\n`,
    );
    await deployMigrations(opts());
    const [row] = await query<{ v: string }>(db.url, 'select semi() as v');
    expect(row!.v).toBe('a;b');
  });
});

describe('status', () => {
  it('lists pending migrations in order, and none once deployed', async () => {
    const before = await migrationStatus(opts());
    expect(before.pending).toEqual(await realMigrationNames());
    expect(before.applied).toEqual([]);
    expect(before.upToDate).toBe(false);

    await deployMigrations(opts());
    await addMigration('20990101000002_later', 'CREATE TABLE "later" (id int);\n');
    const mid = await migrationStatus(opts());
    expect(mid.pending).toEqual(['20990101000002_later']);
    expect(mid.applied).toEqual(await realMigrationNames());

    await deployMigrations(opts());
    expect((await migrationStatus(opts())).upToDate).toBe(true);
  });

  it('reports an applied migration whose file was edited, by name, and deploy refuses to re-apply it', async () => {
    await deployMigrations(opts());
    const [first] = await realMigrationNames();
    const file = join(migrationsDir, first!, 'migration.sql');
    await writeFile(file, `${await readFile(file, 'utf8')}\n-- an edit after the fact\n`);
    const status = await migrationStatus(opts());
    expect(status.edited).toEqual([first]);
    const refused = await deployMigrations(opts()).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(MigrateError);
    expect((refused as MigrateError).code).toBe('EDITED');
    expect((refused as MigrateError).message).toContain(first);
  });
});

describe('check', () => {
  it('agrees with the committed schema and migrations', async () => {
    const result = await checkSchema({ databaseUrl: db.url });
    expect(result.inSync).toBe(true);
  });

  it('catches a schema change without a migration and shows the missing SQL', async () => {
    const schema = await readFile(schemaPath, 'utf8');
    await writeFile(
      schemaPath,
      schema.replace(
        '  points      Int      @default(0)\n',
        '  points      Int      @default(0)\n  rarity      String?  @db.VarChar(20)\n',
      ),
    );
    const result = await checkSchema(opts());
    expect(result.inSync).toBe(false);
    expect(result.sql).toMatch(/ALTER TABLE "achievements" ADD COLUMN\s+"rarity" VARCHAR\(20\)/);
  });
});

describe('migrate (dev)', () => {
  it('writes a migration for a schema change, applies it, and leaves the hand-written SQL objects alone', async () => {
    await deployMigrations(opts());
    const schema = await readFile(schemaPath, 'utf8');
    await writeFile(
      schemaPath,
      schema.replace(
        '  points      Int      @default(0)\n',
        '  points      Int      @default(0)\n  rarity      String?  @db.VarChar(20)\n',
      ),
    );
    const { created, applied } = await createMigration({ ...opts(), name: 'achievement_rarity' });
    expect(created).toMatch(/^\d{14}_achievement_rarity$/);
    expect(applied).toEqual([created]);
    const sql = await readFile(join(migrationsDir, created!, 'migration.sql'), 'utf8');
    expect(sql).toContain('"rarity"');
    // Nothing Prisma cannot express is dropped by the generated migration ...
    expect(sql).not.toMatch(/DROP (INDEX|TRIGGER|FUNCTION|CONSTRAINT)/i);
    // ... and every such object is still there.
    const indexes = await query<{ indexname: string }>(
      db.url,
      `select indexname from pg_indexes where schemaname = 'public'`,
    );
    const names = indexes.map((i) => i.indexname);
    expect(names).toEqual(
      expect.arrayContaining([
        'character_agents_active_name_idx',
        'user_quest_progress_active_idx',
        'outbox_pending_idx',
      ]),
    );
    const checks = await query<{ conname: string }>(
      db.url,
      `select conname from pg_constraint where contype = 'c'`,
    );
    expect(checks.map((c) => c.conname)).toEqual(
      expect.arrayContaining([
        'user_quest_progress_percentage_range',
        'character_agents_current_state_status',
      ]),
    );
    const triggers = await query<{ tgname: string }>(
      db.url,
      'select tgname from pg_trigger where not tgisinternal',
    );
    expect(triggers.map((t) => t.tgname)).toContain('character_agents_updated_at');
    // and the pair schema + migrations is consistent again
    expect((await checkSchema(opts())).inSync).toBe(true);
  });

  it('creates nothing when the schema is unchanged', async () => {
    const { created } = await createMigration({ ...opts(), name: 'nothing' });
    expect(created).toBeNull();
  });

  it('rejects a migration name that is not a plain identifier', async () => {
    const error = await createMigration({ ...opts(), name: '../escape' }).catch((e: unknown) => e);
    expect((error as MigrateError).code).toBe('VALIDATION');
    expect((error as MigrateError).message).toContain('../escape');
  });
});

describe('reset', () => {
  it('refuses without force, and with force drops the data and re-applies everything', async () => {
    await deployMigrations(opts());
    await query(db.url, `insert into system_config (key, value) values ('k', '1')`);
    const refused = await resetDatabase({ ...opts(), force: false }).catch((e: unknown) => e);
    expect((refused as MigrateError).code).toBe('REFUSED');
    expect(await query(db.url, 'select * from system_config')).toHaveLength(1);

    const { applied } = await resetDatabase({ ...opts(), force: true });
    expect(applied).toEqual(await realMigrationNames());
    expect(await query(db.url, 'select * from system_config')).toHaveLength(0);
  });
});

describe('the CLI', () => {
  it('prints its usage for --help and changes nothing, whatever the command', async () => {
    const before = await readdir(migrationsDir);
    const result = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/migrate/cli.ts',
        'migrate',
        '--help',
        '--migrations',
        migrationsDir,
        '--schema',
        schemaPath,
      ],
      {
        cwd: packageRoot,
        env: { ...process.env, DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/nowhere' },
        encoding: 'utf8',
      },
    );
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('migrate [--name NAME]');
    expect(await readdir(migrationsDir)).toEqual(before);
  });

  it('reports an unreachable database in one line naming host, port and database, never the password', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/migrate/cli.ts', 'deploy'], {
      cwd: packageRoot,
      env: { ...process.env, DATABASE_URL: 'postgresql://alice:s3cret-pw@127.0.0.1:1/nowhere' },
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('127.0.0.1:1/nowhere');
    expect(lines[0]).toContain('UNAVAILABLE');
    expect(result.stderr).not.toContain('s3cret-pw');
  });

  it('db:check exits non-zero and prints the drift as SQL', async () => {
    const schema = await readFile(schemaPath, 'utf8');
    await writeFile(
      schemaPath,
      schema.replace(
        'model SystemConfig {',
        'model Drifted {\n  id Int @id\n  @@map("drifted")\n}\n\nmodel SystemConfig {',
      ),
    );
    const result = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/migrate/cli.ts',
        'check',
        '--schema',
        schemaPath,
        '--migrations',
        migrationsDir,
      ],
      { cwd: packageRoot, env: { ...process.env, DATABASE_URL: db.url }, encoding: 'utf8' },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/CREATE TABLE "drifted"/);
  });
});
