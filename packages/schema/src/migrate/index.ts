export {
  checkSchema,
  createMigration,
  deployMigrations,
  type MigrateOptions,
  type MigrationStatus,
  migrationStatus,
  resetDatabase,
  resolveMigration,
} from './commands.js';
export { describeDatabase, MigrateError, type MigrateErrorCode } from './errors.js';
