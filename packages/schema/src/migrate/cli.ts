// The offline migration tool behind `pnpm db:*` and `pnpm studio`. Needs no engine download:
// it drives Prisma's WebAssembly schema engine through the pg driver adapter.
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  checkSchema,
  createMigration,
  deployMigrations,
  MigrateError,
  migrationStatus,
  resetDatabase,
  resolveMigration,
} from './index.js';

const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/monsteros';
const USAGE = `usage: monsteros-migrate <command> [options]
  migrate [--name NAME] [--create-only]   create a migration from schema changes, then apply it (dev)
  deploy                                  apply pending migrations
  status [--json]                         applied / pending / failed / edited migrations (exit 1 unless up to date)
  check                                   exit 1 when the schema and the migrations disagree, printing the missing SQL
  reset --force                           drop everything and re-apply all migrations (disposable databases only)
  resolve --rolled-back NAME | --applied NAME   record how a failed migration was resolved
  studio [--port N]                       Prisma Studio on the database
Options for every command: --schema FILE (default prisma/schema.prisma), --migrations DIR (default prisma/migrations).
DATABASE_URL selects the database (default ${DEFAULT_DATABASE_URL}).`;

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      'create-only': { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      'rolled-back': { type: 'string' },
      applied: { type: 'string' },
      port: { type: 'string', default: '5555' },
      schema: { type: 'string' },
      migrations: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const command = positionals[0];
  // `pnpm db:migrate --help` must explain, not create a migration named "update".
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const databaseUrl = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
  const where = {
    databaseUrl,
    ...(values.schema ? { schemaPath: resolve(values.schema) } : {}),
    ...(values.migrations ? { migrationsDir: resolve(values.migrations) } : {}),
  };
  const out = (line: string) => process.stdout.write(`${line}\n`);
  switch (command) {
    case 'deploy': {
      const { applied } = await deployMigrations(where);
      out(applied.length ? `applied ${applied.length}: ${applied.join(', ')}` : 'no pending migrations');
      return 0;
    }
    case 'migrate': {
      const { created, applied } = await createMigration({
        ...where,
        name: values.name ?? 'update',
        createOnly: values['create-only'],
      });
      out(
        created
          ? `created prisma/migrations/${created}/migration.sql`
          : 'schema unchanged: no migration created',
      );
      if (applied.length) out(`applied ${applied.length}: ${applied.join(', ')}`);
      return 0;
    }
    case 'status': {
      const status = await migrationStatus(where);
      if (values.json) {
        out(JSON.stringify(status, null, 2));
      } else {
        out(`database  ${status.database}`);
        out(`applied   ${status.applied.length}`);
        for (const [label, names] of [
          ['pending', status.pending],
          ['failed', status.failed],
          ['edited', status.edited],
          ['unknown', status.unknown],
        ] as const) {
          for (const name of names) out(`${label.padEnd(9)} ${name}`);
        }
        out(status.upToDate ? 'up to date' : 'not up to date');
      }
      return status.upToDate ? 0 : 1;
    }
    case 'check': {
      const { inSync, sql } = await checkSchema(where);
      if (inSync) {
        out('schema and migrations agree');
        return 0;
      }
      process.stderr.write(
        `schema and migrations disagree; the missing migration is:\n\n${sql}\n\nrun: pnpm db:migrate --name <what_changed>\n`,
      );
      return 1;
    }
    case 'reset': {
      const { applied } = await resetDatabase({ ...where, force: values.force });
      out(`reset; applied ${applied.length}: ${applied.join(', ')}`);
      return 0;
    }
    case 'resolve': {
      const name = values['rolled-back'] ?? values.applied;
      if (!name || (values['rolled-back'] && values.applied)) {
        throw new MigrateError(
          'VALIDATION',
          'resolve takes exactly one of --rolled-back NAME or --applied NAME',
        );
      }
      await resolveMigration({ ...where, name, as: values['rolled-back'] ? 'rolled-back' : 'applied' });
      out(`marked ${name} as ${values['rolled-back'] ? 'rolled back' : 'applied'}`);
      return 0;
    }
    case 'studio':
      return studio(databaseUrl, values.port);
    default:
      process.stderr.write(`${USAGE}\n`);
      return command === undefined ? 0 : 2;
  }
}

/** Prisma Studio reads the datasource from prisma.config.ts; it needs no schema engine. */
function studio(databaseUrl: string, port: string): Promise<number> {
  const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '../..');
  return new Promise((resolveExit) => {
    const child = spawn('prisma', ['studio', '--port', port, '--browser', 'none'], {
      cwd: packageRoot,
      stdio: 'inherit',
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        PRISMA_SCHEMA_ENGINE_BINARY: join(packageRoot, 'bin/no-schema-engine'),
      },
    });
    child.on('exit', (code) => resolveExit(code ?? 1));
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof MigrateError) {
      process.stderr.write(`error [${error.code}]: ${error.message}\n`);
    } else {
      process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    }
    process.exit(1);
  },
);
