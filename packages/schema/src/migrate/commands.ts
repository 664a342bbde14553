import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { type EngineHandle, openEngine, type SchemaFilter, takeEnginePanic } from './engine.js';
import { describeDatabase, MigrateError, redact } from './errors.js';
import { readMigrations, writeMigration } from './migrations.js';

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Where the schema and migrations are, and which database to work on. */
export interface MigrateOptions {
  /** PostgreSQL connection string of the database to migrate. */
  databaseUrl: string;
  /** Prisma schema file. Default: this package's `prisma/schema.prisma`. */
  schemaPath?: string;
  /** Migrations folder. Default: this package's `prisma/migrations`. */
  migrationsDir?: string;
}

/** Where a database stands against the migrations folder. */
export interface MigrationStatus {
  database: string;
  /** Migration names recorded as applied (finished, not rolled back), in order. */
  applied: string[];
  /** In the folder, not yet applied. */
  pending: string[];
  /** Recorded as failed and not yet resolved: `deploy` refuses until they are. */
  failed: string[];
  /** Applied, but the file has changed since (checksum mismatch). */
  edited: string[];
  /** Applied in the database, missing from the folder. */
  unknown: string[];
  upToDate: boolean;
}

const NO_FILTER: SchemaFilter = { externalTables: [], externalEnums: [] };

function paths(options: MigrateOptions) {
  return {
    schemaPath: options.schemaPath ?? join(packageRoot, 'prisma/schema.prisma'),
    migrationsDir: options.migrationsDir ?? join(packageRoot, 'prisma/migrations'),
  };
}

/** The engine's messages carry a Rust span trace after the first line that starts with "0:". */
function engineMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const cut = text.search(/\n\s+0: /);
  return redact((cut === -1 ? text : text.slice(0, cut)).trim());
}

function engineError(error: unknown, database: string): MigrateError {
  if (error instanceof MigrateError) return error;
  const panic = takeEnginePanic();
  if (panic)
    return new MigrateError('ENGINE', `${database}: the schema engine crashed: ${redact(panic)}`, {
      cause: error,
    });
  const code = (error as { code?: string }).code;
  const message = engineMessage(error);
  if (code === 'P3009' || code === 'P3018')
    return new MigrateError('FAILED', `${database}: ${message}`, { cause: error });
  if (code === 'P1012') return new MigrateError('VALIDATION', message, { cause: error });
  if (code === 'P1001' || code === 'P1002')
    return new MigrateError('UNAVAILABLE', `${database}: ${message}`, { cause: error });
  return new MigrateError('ENGINE', `${database}: ${message}`, { cause: error });
}

/**
 * Opens a plain connection first so that an unreachable server, a missing database or bad
 * credentials give one clear line. Creates the database when `create` is set (as Prisma's
 * `migrate deploy` does).
 */
async function connect(databaseUrl: string, create: boolean): Promise<pg.Client> {
  const database = describeDatabase(databaseUrl);
  const attempt = async (url: string) => {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
    client.on('error', () => {});
    try {
      await client.connect();
      return client;
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
  };
  try {
    return await attempt(databaseUrl);
  } catch (error) {
    const pgCode = (error as { code?: string }).code;
    if (pgCode === '3D000' && create) {
      const admin = new URL(databaseUrl);
      const name = decodeURIComponent(admin.pathname.slice(1));
      admin.pathname = '/postgres';
      const adminClient = await attempt(admin.toString()).catch((e) => {
        throw unavailable(database, e);
      });
      try {
        await adminClient.query(`create database ${pg.escapeIdentifier(name)}`);
      } catch (e) {
        if ((e as { code?: string }).code !== '42P04') throw unavailable(database, e);
      } finally {
        await adminClient.end();
      }
      return attempt(databaseUrl).catch((e) => {
        throw unavailable(database, e);
      });
    }
    throw unavailable(database, error);
  }
}

function unavailable(database: string, error: unknown): MigrateError {
  const e = error as { code?: string; message?: string };
  const reason =
    e.code === '3D000'
      ? 'the database does not exist'
      : e.code === '28P01' || e.code === '28000'
        ? 'authentication failed'
        : e.code === 'ECONNREFUSED'
          ? 'connection refused (is PostgreSQL running? scripts/services up)'
          : e.code === 'ENOTFOUND'
            ? 'host not found'
            : /timeout/i.test(e.message ?? '')
              ? 'connection timed out'
              : redact(e.message ?? String(error));
  return new MigrateError('UNAVAILABLE', `cannot reach PostgreSQL at ${database}: ${reason}`, {
    cause: error,
  });
}

interface Session {
  client: pg.Client;
  handle: EngineHandle;
  database: string;
  schema: { path: string; content: string };
  migrationsDir: string;
}

async function withSession<T>(
  options: MigrateOptions,
  mode: { create: boolean },
  fn: (session: Session) => Promise<T>,
): Promise<T> {
  const { schemaPath, migrationsDir } = paths(options);
  const database = describeDatabase(options.databaseUrl);
  const content = await readFile(schemaPath, 'utf8').catch((error) => {
    throw new MigrateError('VALIDATION', `cannot read the Prisma schema at ${schemaPath}`, { cause: error });
  });
  const client = await connect(options.databaseUrl, mode.create);
  try {
    const handle = await openEngine(options.databaseUrl, { path: schemaPath, content }).catch((error) => {
      throw engineError(error, database);
    });
    try {
      return await fn({ client, handle, database, schema: { path: schemaPath, content }, migrationsDir });
    } catch (error) {
      throw engineError(error, database);
    } finally {
      await handle.close();
    }
  } finally {
    await client.end().catch(() => {});
  }
}

async function appliedNames(client: pg.Client): Promise<string[]> {
  const exists = await client.query<{ t: string | null }>(
    `select to_regclass('_prisma_migrations')::text as t`,
  );
  if (!exists.rows[0]?.t) return [];
  const rows = await client.query<{ migration_name: string }>(
    `select migration_name from _prisma_migrations
      where finished_at is not null and rolled_back_at is null order by started_at, migration_name`,
  );
  return rows.rows.map((r) => r.migration_name);
}

async function diagnose(session: Session): Promise<MigrationStatus> {
  const migrationsList = await readMigrations(session.migrationsDir);
  const out = await session.handle.engine.diagnoseMigrationHistory({
    migrationsList,
    optInToShadowDatabase: false,
    filters: NO_FILTER,
  });
  const history = out.history;
  const pending =
    history?.diagnostic === 'databaseIsBehind' || history?.diagnostic === 'historiesDiverge'
      ? history.unappliedMigrationNames
      : [];
  const unknown =
    history?.diagnostic === 'migrationsDirectoryIsBehind' || history?.diagnostic === 'historiesDiverge'
      ? history.unpersistedMigrationNames
      : [];
  const status: MigrationStatus = {
    database: session.database,
    applied: await appliedNames(session.client),
    pending: !out.hasMigrationsTable ? migrationsList.migrationDirectories.map((d) => d.path) : pending,
    failed: out.failedMigrationNames,
    edited: out.editedMigrationNames,
    unknown,
    upToDate: false,
  };
  status.upToDate =
    status.pending.length === 0 &&
    status.failed.length === 0 &&
    status.edited.length === 0 &&
    unknown.length === 0;
  return status;
}

function refuseUnsafeHistory(status: MigrationStatus): void {
  if (status.failed.length > 0) {
    throw new MigrateError(
      'FAILED',
      `${status.database}: migration ${status.failed.join(', ')} failed and is unresolved; fix the database, then ` +
        `mark it with \`pnpm db:resolve --rolled-back <name>\` (to re-run it) or \`db:resolve --applied <name>\``,
      { details: { failed: status.failed } },
    );
  }
  if (status.edited.length > 0) {
    throw new MigrateError(
      'EDITED',
      `${status.database}: migration ${status.edited.join(', ')} was modified after it was applied (checksum mismatch); ` +
        'restore the applied file and put the change in a new migration',
      { details: { edited: status.edited } },
    );
  }
}

async function applyPending(session: Session): Promise<string[]> {
  const migrationsList = await readMigrations(session.migrationsDir);
  try {
    const out = await session.handle.engine.applyMigrations({ migrationsList, filters: NO_FILTER });
    return out.appliedMigrationNames;
  } catch (error) {
    // The engine has recorded the failure in _prisma_migrations; name the migration.
    const failed = await diagnose(session).then(
      (status) => status.failed,
      () => [],
    );
    if (failed.length === 0) throw error;
    throw new MigrateError(
      'FAILED',
      `${session.database}: migration ${failed.join(', ')} failed and was rolled back: ${engineMessage(error)}. ` +
        'Fix it, then `db:resolve --rolled-back <name>` and deploy again',
      { cause: error, details: { failed } },
    );
  }
}

/**
 * Applies every pending migration, in order, recording each in `_prisma_migrations` exactly
 * as `prisma migrate deploy` does. Refuses when a migration failed earlier or an applied one
 * was edited. Use it in deployments, CI and tests.
 * @example
 * const { applied } = await deployMigrations({ databaseUrl: process.env.DATABASE_URL! });
 */
export async function deployMigrations(options: MigrateOptions): Promise<{ applied: string[] }> {
  return withSession(options, { create: true }, async (session) => {
    refuseUnsafeHistory(await diagnose(session));
    return { applied: await applyPending(session) };
  });
}

/**
 * Reports which migrations are applied, pending, failed, edited or unknown to the folder.
 * Use it before a deployment, or in `db:status`.
 * @example
 * const status = await migrationStatus({ databaseUrl });
 * if (!status.upToDate) console.log(status.pending);
 */
export async function migrationStatus(options: MigrateOptions): Promise<MigrationStatus> {
  return withSession(options, { create: false }, diagnose);
}

/**
 * Compares the migrations folder (replayed on a temporary shadow database) with the Prisma
 * schema. `inSync` is false when the schema changed without a migration; `sql` is then the
 * migration that is missing. Use it in CI (`db:check`).
 * @example
 * const { inSync, sql } = await checkSchema({ databaseUrl });
 */
export async function checkSchema(options: MigrateOptions): Promise<{ inSync: boolean; sql: string }> {
  return withSession(options, { create: true }, async (session) => {
    const sql = await missingMigrationSql(session);
    return { inSync: sql === null, sql: sql ?? '' };
  });
}

/**
 * Development: applies pending migrations, then, when the schema changed, writes a new
 * migration `<timestamp>_<name>` from the difference and applies it (unless `createOnly`,
 * which lets you append hand-written SQL before applying). Refuses when the database has
 * drifted from its migration history.
 * @example
 * await createMigration({ databaseUrl, name: 'add_quest_tags' });
 */
export async function createMigration(
  options: MigrateOptions & { name: string; createOnly?: boolean },
): Promise<{ created: string | null; applied: string[] }> {
  if (!/^[a-z0-9_]{1,80}$/.test(options.name)) {
    throw new MigrateError('VALIDATION', `migration name "${options.name}" must match [a-z0-9_]{1,80}`);
  }
  const applied = await withSession(options, { create: true }, async (session) => {
    refuseUnsafeHistory(await diagnose(session));
    const dev = await session.handle.engine.devDiagnostic({
      migrationsList: await readMigrations(session.migrationsDir),
      filters: NO_FILTER,
    });
    if (dev.action.tag === 'reset') {
      throw new MigrateError(
        'DRIFT',
        `${session.database} has drifted from its migration history: ${dev.action.reason}. ` +
          'On a disposable database: db:reset --force',
      );
    }
    return applyPending(session);
  });
  return withSession(options, { create: true }, async (session) => {
    const sql = await missingMigrationSql(session);
    if (sql === null) return { created: null, applied };
    const created = `${migrationTimestamp(new Date())}_${options.name}`;
    await writeMigration(session.migrationsDir, created, sql);
    if (!options.createOnly) applied.push(...(await applyPending(session)));
    return { created, applied };
  });
}

/** `YYYYMMDDHHMMSS` in UTC, the prefix Prisma gives migration folders. */
function migrationTimestamp(date: Date): string {
  return date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/**
 * The SQL that takes a database built by the migrations folder to the schema, or null when
 * there is none. Replays the folder on a temporary shadow database and diffs it with the
 * schema (what `prisma migrate diff --from-migrations --to-schema` does). The engine's own
 * createMigration is not used: in the WebAssembly build it intermittently fails to find the
 * shadow database factory ("PostgreSQL shadow DB must be provided through an external factory").
 */
async function missingMigrationSql(session: Session): Promise<string | null> {
  const out = await session.handle.engine.diff({
    from: { tag: 'migrations', ...(await readMigrations(session.migrationsDir)) },
    to: { tag: 'schemaDatamodel', files: [session.schema] },
    script: true,
    exitCode: true,
    filters: NO_FILTER,
  });
  return out.exitCode === 0 ? null : (out.stdout ?? '');
}

/**
 * Drops everything in the database, then applies every migration. Destructive: refuses
 * unless `force` says the database is disposable, and always when NODE_ENV is production.
 * @example
 * await resetDatabase({ databaseUrl: testUrl, force: true });
 */
export async function resetDatabase(
  options: MigrateOptions & { force: boolean },
): Promise<{ applied: string[] }> {
  const database = describeDatabase(options.databaseUrl);
  if (!options.force) {
    throw new MigrateError(
      'REFUSED',
      `db:reset deletes every table and row in ${database}; pass --force if it is disposable`,
    );
  }
  if (process.env.NODE_ENV === 'production') {
    throw new MigrateError('REFUSED', `db:reset refuses to run with NODE_ENV=production (${database})`);
  }
  return withSession(options, { create: true }, async (session) => {
    await session.handle.engine.reset({ filter: NO_FILTER });
    return { applied: await applyPending(session) };
  });
}

/**
 * Records how a failed migration was resolved by hand: `rolled-back` (its effects were
 * undone; `deploy` will run it again) or `applied` (its effects were completed by hand).
 * @example
 * await resolveMigration({ databaseUrl, name: '20261125_add_tags', as: 'rolled-back' });
 */
export async function resolveMigration(
  options: MigrateOptions & { name: string; as: 'applied' | 'rolled-back' },
): Promise<void> {
  await withSession(options, { create: false }, async (session) => {
    if (options.as === 'rolled-back') {
      await session.handle.engine.markMigrationRolledBack({ migrationName: options.name });
    } else {
      await session.handle.engine.markMigrationApplied({
        migrationName: options.name,
        migrationsList: await readMigrations(session.migrationsDir),
      });
    }
  });
}
